"""Separate what a customer wrote from the e-mail around it, before anything is embedded.

`segments(text)` splits a message into consecutive pieces, each kept or removed with a reason:
quoted earlier messages and forwarded blocks (`quote`), signatures after a "--" line or below a
closing (`signature`), "Sent from my ..." lines (`footer`), legal notices (`disclaimer`),
opening salutations (`greeting`) and closings with the sender's name (`closing`). Joined, the
pieces give back the text exactly, so the app can show the raw message with the removed parts
marked. `clean(text)` is the kept part: what is embedded and counted for keywords.

Quote headers are found by mail-parser-reply (its header patterns cover 13 languages) and by a
rule that holds in any language: a short line ending in a colon that carries a date or time and
an address or a "wrote" verb. Greetings and closings are only looked for at the top and the
bottom of a message, never in its middle. It is deterministic: the same text always gives the
same segments (the embedding cache keys the hash of the cleaned text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from insights.ingest import lexicon as lx
from insights.ingest.quotes import _content_index, _mark_quotes
from insights.ingest.salutes import (
    _CASED,
    _CJK_HELLO_HEAD,
    _addressee_first,
    _is_footer,
    _is_name_line,
    _lower,
    _words,
    greeting_end,
    is_closing_line,
)

REASONS = (
    "quote",
    "signature",
    "footer",
    "disclaimer",
    "greeting",
    "closing",
    "follow-up",
    "boilerplate",
)


@dataclass(frozen=True)
class Segment:
    """A consecutive piece of a message; `reason` is None when the piece is kept."""

    text: str
    reason: str | None = None

    @property
    def kept(self) -> bool:
        return self.reason is None


_PLACEHOLDER_ONLY = re.compile(
    r"^[\W\d_]*(?:(?:\[(?:NAME|PHONE|EMAIL|ADDRESS|ID|CARD)\]|https?://\S+|www\.\S+)[\W\d_]*)+$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_PLACEHOLDERS = re.compile(r"\[(?:name|email|phone|id|address|card)\]")
_NO_SPACE_CHARS = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def _disclaimer_block(lines: list[str]) -> bool:
    """A legal, virus-scan or print notice: one strong cue ("confidential", "保密") or two
    weak ones ("environment" + "print"), in a block of some length."""
    text = _PLACEHOLDERS.sub(" ", _lower(" ".join(lines)))
    strong = any(c in text for c in lx.DISCLAIMER_CUES)
    weak = sum(1 for c in lx.DISCLAIMER_WEAK_CUES if c in text)
    if not (strong or (weak >= 2 and len(_words(text)) <= 60)):
        return False
    unspaced = len(_NO_SPACE_CHARS.findall(text))
    return len(_words(text)) >= 6 or unspaced >= 10


def _paragraphs(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = start
    while i < end:
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < end and lines[j].strip():
            j += 1
        out.append((i, j))
        i = j
    return out


def _mark_trailer(lines: list[str], reasons: list[str | None], end: int) -> None:
    """From the bottom up: disclaimers, footers, signature lines and closings, until content."""
    first = _content_index(lines, reasons, 0, end)
    if first < 0:
        return
    pending: list[int] = []  # name-like lines: a signature only when a closing stands above
    for a, b in reversed(_paragraphs(lines, first, end)):
        live = [i for i in range(a, b) if reasons[i] is None]
        if not live:
            continue
        if _disclaimer_block([lines[i] for i in live]) and a > first:
            for i in live:
                reasons[i] = "disclaimer"
            continue
        for i in reversed(live):
            line = lines[i]
            if _is_footer(line):
                reasons[i] = "footer"
            elif is_closing_line(line, trailing=True) and i > first:
                reasons[i] = "closing"
                for k in pending:
                    reasons[k] = "signature"
                pending = []
            elif _PLACEHOLDER_ONLY.match(line.strip()):
                reasons[i] = "signature"
            elif _is_name_line(line) and i > first:
                pending.append(i)
            elif _disclaimer_block([line]) and i > first:
                reasons[i] = "disclaimer"
            else:
                return
        # a blank line between a name and content ends the signature block
    return


def _closing_tail(line: str) -> int:
    """Start of a closing sentence at the end of a content line ("... Thank you."), else -1."""
    stripped = line.rstrip()
    parts = [p for p in _SENTENCE_END.split(stripped) if p]
    if len(parts) >= 2 and is_closing_line(parts[-1], trailing=True):
        return stripped.rfind(parts[-1])
    m = re.search(
        rf"[,;，；]\s*((?:{lx.CLOSING_ALT})[\s!.~]*(?:\S+[\s!.]*){{0,2}})$", stripped, re.I
    )
    if m and is_closing_line(m.group(1)):
        return m.start()
    return -1


def _mark_greetings(lines: list[str], reasons, head, head_reason, end: int) -> None:
    """Salutations at the top (after a subject line at most) and "Re:" prefixes."""
    seen = 0
    top = _content_index(lines, reasons, 0, end)
    subject_like = top >= 0 and len(_words(lines[top])) <= 10 and top + 1 < end
    for i in [i for i in range(end) if reasons[i] is None and lines[i].strip()][:3]:
        prefix = lx.SUBJECT_PREFIX.match(lines[i])
        if prefix and prefix.end() < len(lines[i].rstrip()):
            head[i], head_reason[i] = prefix.end(), "quote"
    for i in range(end):
        if reasons[i] is not None or not lines[i].strip():
            continue
        if head[i]:
            seen += 1
            continue
        cut = len(lines[i]) if _addressee_first(lines[i]) else greeting_end(lines[i])
        hello = _CJK_HELLO_HEAD.match(lines[i])
        if not cut and hello:
            cut = hello.end()  # "客服你好，我填错了收货地址": addressee, greeting, then content
        if cut >= len(lines[i].rstrip()):
            reasons[i] = "greeting"
            continue
        if cut:
            prefix = lx.SUBJECT_PREFIX.match(lines[i][cut:])  # "Hello, Re: your ticket"
            head[i] = cut + (prefix.end() if prefix and cut + prefix.end() < len(lines[i]) else 0)
            if i != top or len(_words(lines[i][cut:])) > 10 or i + 1 >= end:
                return
            seen += 1  # "Hi team, Refund not received" + body: a subject after the greeting
            continue
        seen += 1
        if seen >= 2 or not subject_like:
            return  # a greeting may follow a subject line, not stand deeper in the message


def segments(text: str) -> list[Segment]:
    """The message as consecutive pieces, kept or removed with a reason (joined: `text`)."""
    if not text:
        return []
    lines = text.split("\n")
    n = len(lines)
    reasons: list[str | None] = [None] * n
    head = [0] * n  # characters removed at the start of a line (a greeting before content)
    head_reason = ["greeting"] * n
    tail = [-1] * n  # start of a closing removed at the end of a line
    end = _mark_quotes(lines, reasons)
    _mark_greetings(lines, reasons, head, head_reason, end)
    _mark_trailer(lines, reasons, end)
    last = max((i for i in range(end) if reasons[i] is None and lines[i].strip()), default=-1)
    if last >= 0:
        cut = _closing_tail(lines[last])
        if cut > head[last]:
            tail[last] = cut
    return _assemble(lines, reasons, head, head_reason, tail)


def _assemble(lines: list[str], reasons, head, head_reason, tail) -> list[Segment]:
    out: list[Segment] = []

    def add(piece: str, reason: str | None) -> None:
        if not piece:
            return
        if out and out[-1].reason == reason:
            out[-1] = Segment(out[-1].text + piece, reason)
        else:
            out.append(Segment(piece, reason))

    for i, line in enumerate(lines):
        nl = "\n" if i < len(lines) - 1 else ""
        if reasons[i] is not None:
            add(line + nl, reasons[i])
            continue
        if not line.strip():
            # blank lines go with what surrounds them: removed inside removed blocks
            prev = out[-1].reason if out else None
            add(line + nl, prev if prev and _next_reason(reasons, i) == prev else None)
            continue
        start, stop = head[i], tail[i] if tail[i] >= 0 else len(line)
        add(line[:start], head_reason[i])
        add(line[start:stop], None)
        add(line[stop:], "closing")
        add(nl, None)
    return out


def _next_reason(reasons: list[str | None], i: int) -> str | None:
    for r in reasons[i + 1 :]:
        return r
    return None


_BLANKS = re.compile(r"\n\s*\n(\s*\n)+")


def join_kept(pieces: list[Segment]) -> str:
    """The kept text, with runs of blank lines and stray edge punctuation tidied."""
    text = "".join(s.text for s in pieces if s.kept)
    text = _BLANKS.sub("\n\n", text)
    return text.strip().strip(",，、;；").strip()


def clean(text: str) -> str:
    """What the customer wrote, without quotes, signatures, footers, disclaimers and greetings."""
    return join_kept(segments(text))


def removed_reasons(pieces: list[Segment]) -> set[str]:
    return {s.reason for s in pieces if s.reason and s.text.strip()}


def strip_subject_prefix(subject: str) -> str:
    """ "Re: Fwd: Refund" -> "Refund"."""
    return lx.SUBJECT_PREFIX.sub("", subject)


def is_follow_up(text: str) -> bool:
    """A short later message that only chases an answer ("Any update?", "还在等回复"): it
    repeats nothing of the problem, so it is not embedded."""
    low = _lower(text)
    short = len(_words(low)) <= 10 if _CASED.search(low) else len(low) <= 30
    return short and any(cue in low for cue in lx.FOLLOW_UPS)


def clean_turns(texts: list[str]) -> list[str | None]:
    """The cleaned customer messages of a conversation in order; None where a message leaves
    nothing or is a follow-up after the first (unless nothing else would remain)."""
    cleaned: list[str | None] = [clean(t) or None for t in texts]
    first = next((i for i, c in enumerate(cleaned) if c), None)
    kept = [None if (c and i != first and is_follow_up(c)) else c for i, c in enumerate(cleaned)]
    return kept if any(kept) else cleaned
