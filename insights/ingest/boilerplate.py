"""Boilerplate learned from the tickets themselves, whatever their language.

A line or sentence (or the opening or closing clause of a message) that recurs word for word
across many tickets whose other content has nothing in common is a macro, an auto-reply, a form
template, a footer or a greeting: it says nothing about the ticket. This is what catches the
boilerplate no list of phrases foresaw. Two tests keep real content safe:

* **context**: in most tickets holding it, something else is written beside it (a sentence that
  is the whole ticket, "cancel order pls", is the ticket's content, not its wrapping), and that
  something differs from ticket to ticket (a content sentence that recurs beside the same few
  greetings is the content, the greetings are the wrapping);
* **no shared topic**: the other words of those tickets are no more alike than the language's
  tickets in general (a recurring subject line "Refund not received" comes with "refund" in the
  rest of its tickets far more often than other tickets do: it is content).

scikit-learn style: `fit(texts, languages)` learns `lines_`; `transform(text)` removes them and
never empties a text (then it is returned as it was).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_LEAD = re.compile(r"^([^,，:：!！、\n]{1,40}?)\s*[,，:：!！、]\s*(?=\S)")
_TRAIL = re.compile(r"(?<=\S)\s*[,，、]\s*([^,，、\n]{1,40})$")
_DIGITS = re.compile(r"\d+")
_EDGE_PUNCT = " \t.,;:!?。，、！？：；-–—~*•·\"'“”()[]"
_WORD = re.compile(r"\w+")
_NO_SPACE = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class BoilerplateParams:
    """Thresholds of the learner (the defaults are measured in bench/threads.py)."""

    min_tickets: int = 8  # a unit recurs in at least this many tickets ...
    min_share: float = 0.004  # ... and this share of its language's tickets
    short_words: int = 4  # units of fewer words (greetings, "any update?") need ...
    short_share: float = 0.008  # ... this share instead
    with_context: float = 0.6  # share of its tickets where other text stands beside it
    topic_share: float = 0.4  # a word of the rest in this share of its tickets ...
    topic_lift: float = 3.0  # ... this many times more often than in its language: content
    distinct_rest: float = 0.5  # share of distinct texts beside it (content is diverse)
    max_examples: int = 200  # tickets per unit looked at for these tests


def fingerprint(unit: str) -> str:
    """Case, digits, spacing and edge punctuation do not matter: "Order #12, any update?!" and
    "order #98 any update" are the same line."""
    s = unicodedata.normalize("NFKC", unit).lower()
    s = _DIGITS.sub("0", s)
    s = " ".join(s.split()).strip(_EDGE_PUNCT)
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:16] if len(s) >= 2 else ""


def _sentences(line: str) -> list[str]:
    parts = [p for p in _SENTENCE.split(line) if p.strip()]
    return parts if len(parts) > 1 else []


def _edges(text: str) -> list[str]:
    """The opening clause of the first line and the closing clause of the last line."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        return []
    out = []
    lead = _LEAD.match(lines[0])
    if lead:
        out.append(lead.group(1))
    elif _NO_SPACE.search(lines[0][:1] or "") and " " in lines[0]:
        out.append(lines[0].split(" ", 1)[0])  # Thai: phrases are separated by spaces
    trail = _TRAIL.search(lines[-1])
    if trail:
        out.append(trail.group(1))
    elif _NO_SPACE.search(lines[-1][-1:] or "") and " " in lines[-1]:
        out.append(lines[-1].rsplit(" ", 1)[1])
    return out


def units(text: str) -> list[str]:
    """Lines, sentences of multi-sentence lines, and the edge clauses of a text."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            out.append(line.strip())
            out.extend(s.strip() for s in _sentences(line))
    out.extend(_edges(text))
    return out


def _tokens(text: str) -> set[str]:
    """Words, and character pairs of scripts written without spaces (language-agnostic)."""
    out: set[str] = set()
    for word in _WORD.findall(text.lower()):
        if word.isascii():
            if len(word) >= 2 and not word.isdigit():
                out.add(word)
        elif _NO_SPACE.search(word):
            out.update(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        elif len(word) >= 2:
            out.add(word)
    return out


class BoilerplateLearner:
    """Learns recurring, topic-free lines from a set of tickets; removes them from texts."""

    def __init__(self, params: BoilerplateParams | None = None) -> None:
        self.params = params or BoilerplateParams()
        self.lines_: dict[str, tuple[str, str, int]] = {}  # fingerprint -> (example, lang, n)

    def fit(self, texts: Sequence[str], languages: Sequence[str]) -> BoilerplateLearner:
        p = self.params
        per_text = [{fp: u for u in units(t) if (fp := fingerprint(u))} for t in texts]
        df: Counter[str] = Counter()
        langs: dict[str, Counter[str]] = defaultdict(Counter)
        for fps, lang in zip(per_text, languages, strict=True):
            df.update(fps.keys())
            for fp in fps:
                langs[fp][lang] += 1
        n_lang = Counter(languages)
        example = {}
        for fps in per_text:
            for fp, u in fps.items():
                example.setdefault(fp, u)
        candidates: dict[str, str] = {}
        for fp, n in df.items():
            if n < p.min_tickets:
                continue
            lang = langs[fp].most_common(1)[0][0]
            short = len(example[fp].split()) < p.short_words and not _NO_SPACE.search(example[fp])
            share = p.short_share if short else p.min_share
            if n >= max(p.min_tickets, share * n_lang[lang]):
                candidates[fp] = lang
        if not candidates:
            self.lines_ = {}
            return self
        holders: dict[str, list[int]] = defaultdict(list)
        lang_token_df: dict[str, Counter[str]] = defaultdict(Counter)
        # the topic test reads each ticket without any recurring unit: wrapping the rules left
        # in some tickets (a footer under an unknown disclaimer) must not pass for their topic
        bare: dict[int, set[str]] = {}
        for i, (text, fps) in enumerate(zip(texts, per_text, strict=True)):
            stripped = text
            for fp, unit in fps.items():
                if fp in candidates:
                    stripped = stripped.replace(unit, " ", 1)
                    if len(holders[fp]) < p.max_examples:
                        holders[fp].append(i)
            tokens = _tokens(stripped)
            lang_token_df[languages[i]].update(tokens)
            if any(fp in candidates for fp in fps):
                bare[i] = tokens
        learned: dict[str, tuple[str, str, int]] = {}
        for fp, lang in sorted(candidates.items()):
            # what stands beside the unit: the ticket without it (as written in that ticket)
            rests = [texts[i].replace(per_text[i][fp], " ", 1) for i in holders[fp]]
            with_rest = [r for r in rests if _tokens(r)]
            if len(with_rest) < p.with_context * len(rests):
                continue  # mostly the whole ticket: its content
            if len({fingerprint(r) for r in with_rest}) < p.distinct_rest * len(with_rest):
                continue  # beside the same few texts: a content line among templates
            topic = [bare[i] for i, r in zip(holders[fp], rests, strict=True) if _tokens(r)]
            if _topical(topic, lang_token_df[lang], n_lang[lang], p):
                continue  # the rest shares a topic: the line names it
            learned[fp] = (example[fp][:500], lang, df[fp])
        self.lines_ = learned
        return self

    def pieces(self, text: str) -> list[tuple[str, bool]]:
        """`text` as consecutive (piece, is_boilerplate) pairs; joined they give `text`."""
        if not self.lines_ or not text:
            return [(text, False)]
        out: list[tuple[str, bool]] = []
        lines = text.split("\n")
        for i, line in enumerate(lines):
            nl = "\n" if i < len(lines) - 1 else ""
            out.extend(self._line_pieces(line, first=i == 0, last=i == len(lines) - 1))
            if nl:
                out.append((nl, False))
        return out

    def _line_pieces(self, line: str, first: bool, last: bool) -> list[tuple[str, bool]]:
        learned = self.lines_
        if line.strip() and fingerprint(line) in learned:
            return [(line, True)]
        parts = _sentences(line)
        if parts:
            pieces, pos = [], 0
            for part in parts:
                start = line.find(part, pos)
                if start > pos:
                    pieces.append((line[pos:start], False))
                pieces.append((part, fingerprint(part) in learned))
                pos = start + len(part)
            pieces.append((line[pos:], False))
            return [p for p in pieces if p[0]]
        if first:
            lead = _LEAD.match(line.strip())
            if lead and fingerprint(lead.group(1)) in learned:
                cut = line.find(lead.group(0)) + len(lead.group(0))
                return [(line[:cut], True), (line[cut:], False)]
        if last:
            trail = _TRAIL.search(line)
            if trail and fingerprint(trail.group(1)) in learned:
                return [(line[: trail.start()], False), (line[trail.start() :], True)]
        return [(line, False)]

    def transform(self, text: str) -> str:
        kept = "".join(piece for piece, gone in self.pieces(text) if not gone)
        kept = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", kept).strip()
        return kept if kept else text


def _topical(
    rests: list[set[str]], lang_df: Counter[str], n_lang: int, p: BoilerplateParams
) -> bool:
    """True when the tickets' other words share a topic: some word in `topic_share` of them
    that is `topic_lift` times rarer in the language as a whole."""
    inside: Counter[str] = Counter()
    for toks in rests:
        inside.update(toks)
    need = p.topic_share * len(rests)
    for token, n in inside.items():
        if n < max(2, need):
            continue
        base = lang_df[token] / max(n_lang, 1)
        if n / len(rests) >= p.topic_lift * base:
            return True
    return False
