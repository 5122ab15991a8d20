"""Where a message quotes or forwards an earlier one.

mail-parser-reply's header patterns (13 languages) and a rule that holds in any language: a
short line ending in a colon that carries a date or time and an address or a "wrote" verb;
forward separators ("----- Original Message -----" in any words); an e-mail header block
("From:" then more "Label: value" lines with an address or a time); and ">" lines.
"""

from __future__ import annotations

import re
from functools import lru_cache

from insights.ingest import lexicon as lx
from insights.ingest.salutes import _lower, _words

_TIME = re.compile(r"(?<!\d)\d{1,2}[:.]\d{2}(?!\d)")
_YEAR = re.compile(r"(?<!\d)(?:19|20|25)\d{2}(?!\d)|\d年")
_ADDRESS = re.compile(r"\[EMAIL\]|<[^<>]{0,80}>|@\w")
_COLON_END = re.compile(r"[:：]\s*$")
_QUOTED_LINE = re.compile(r"^\s*(?:>|&gt;)")
_FORWARD_RULE = re.compile(r"^\s*(?:[-_=*]{2,}\s*[^-_=*\n]{2,60}?\s*[-_=*]{2,}|_{8,}|-{8,})\s*$")
_SIG_DASHES = re.compile(r"^\s*(?:--|__|—)\s*$")
_LABEL_LINE = re.compile(r"^\s*\*?([^\s:：*][^:：]{0,24}?)\*?\s*[:：]\s*\S")


def _is_reply_header(line: str) -> bool:
    s = line.strip().lstrip("> ")
    if not s or len(s) > 300:
        return False
    dated = bool(_TIME.search(s) or _YEAR.search(s))
    colon_end = bool(_COLON_END.search(s))
    if not (dated or colon_end):  # most lines: skip the case folding and the word scan
        return False
    low = _lower(s)
    wrote = any(w in low for w in lx.WROTE_WORDS)
    if colon_end:
        return (wrote and (dated or bool(_ADDRESS.search(s)))) or (
            dated and bool(_ADDRESS.search(s)) and len(_words(s)) <= 25
        )
    return wrote and dated and any(low.rstrip(" .").endswith(w) for w in lx.WROTE_WORDS)


def _is_forward_line(line: str) -> bool:
    s = line.strip()
    if _FORWARD_RULE.match(s):
        return True
    low = _lower(s)
    return len(low) <= 80 and any(w in low for w in lx.FORWARD_WORDS) and bool(_COLON_END.search(s))


def _header_block_at(lines: list[str], i: int) -> bool:
    """`From: ...` followed by more `Label: value` lines, one carrying an address or a date."""
    m = _LABEL_LINE.match(lines[i])
    if not m or _lower(m.group(1)).strip("* ") not in lx.FROM_LABELS:
        return False
    block = [lines[i]]
    for line in lines[i + 1 : i + 6]:
        if not _LABEL_LINE.match(line):
            break
        block.append(line)
    joined = " ".join(block)
    return len(block) >= 2 and bool(_ADDRESS.search(joined) or _TIME.search(joined))


@lru_cache(maxsize=1)
def _library_header():
    """mail-parser-reply's header pattern for every language it knows (compiled once)."""
    try:
        from mailparser_reply.constants import MAIL_LANGUAGES
        from mailparser_reply.parser import EmailMessage
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    langs = [k for k in MAIL_LANGUAGES if k != "david"]
    return EmailMessage(text="", languages=langs).HEADER_REGEX


#: every header pattern of mail-parser-reply holds one of these (a colon, or the five dashes of
#: "-----Original Message-----"): a text without any cannot match
_LIBRARY_CUES = (":", "\uff1a", "-----")


def _library_quote_line(lines: list[str]) -> int | None:
    regex = _library_header()
    if regex is None:
        return None
    normalised = "\n".join(line.strip() for line in lines)
    if not any(cue in normalised for cue in _LIBRARY_CUES):
        return None  # the large regex costs ~0.2 ms a ticket; most tickets have no colon
    m = regex.search(normalised)
    if not m:
        return None
    start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
    return normalised.count("\n", 0, start)


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        joined = line if i + 1 >= len(lines) else f"{line} {lines[i + 1].strip()}"
        if _is_reply_header(line) or _is_forward_line(line):
            return i
        if not _COLON_END.search(line) and _is_reply_header(joined) and len(line.strip()) > 5:
            return i
        if i > 0 and _header_block_at(lines, i):
            return i
    return None


def _content_index(lines: list[str], reasons: list[str | None], start: int, end: int) -> int:
    for i in range(start, end):
        if reasons[i] is None and lines[i].strip():
            return i
    return -1


def _mark_quotes(lines: list[str], reasons: list[str | None]) -> int:
    """Mark quoted lines; return where the customer's own part ends."""
    n = len(lines)
    candidates = [q for q in (_quote_start(lines), _library_quote_line(lines)) if q is not None]
    q = min(candidates) if candidates else None
    if q is not None and _content_index(lines, reasons, 0, q) < 0 and q + 1 < n:
        # a quote header first: bottom-posted reply below ">" lines, or only a quote
        pass
    end = n
    if q is not None:
        following = [j for j in range(q + 1, n) if lines[j].strip()]
        if following and _QUOTED_LINE.match(lines[following[0]]):
            reasons[q] = "quote"  # header of a ">" block: text below the block is the reply
        else:
            for j in range(q, n):
                reasons[j] = "quote"
            end = q
    for j in range(n):
        if _QUOTED_LINE.match(lines[j]):
            reasons[j] = "quote"
    for j in range(end):
        if _SIG_DASHES.match(lines[j]) and _content_index(lines, reasons, 0, j) >= 0:
            for k in range(j, end):
                if reasons[k] is None:
                    reasons[k] = "signature"
            end = j
            break
    return end
