"""Readable theme titles: a short phrase taken from the theme's own tickets.

Keyword lists ("Bill / water / month") tell an analyst what a theme is about, but not what its
customers say. A product manager names a theme the way a customer states the problem ("Refund not
received after return"), so the title is *extractive*, in the spirit of BERTopic's
KeyBERTInspired representation, without a second embedding pass:

* **Candidates** are the subject lines and sentences of the theme's tickets in its main language,
  without the greetings and thanks that open and close tickets ("Hi team,", "Thank you."), and
  kept when they hold no redaction token, link or e-mail address and are short (2-10 words; 3-24 characters in Chinese,
  Japanese and Thai, which have no spaces).
* **Score** = how typical the ticket is (cosine of its vector to the theme's centroid, against its
  best other centroid: a phrase from a ticket on the border with another theme would name both)
  times how many of the theme's keywords the phrase covers (c-TF-IDF weights of its words), with
  a mild preference for shorter phrases. Without vectors, coverage alone decides.
* **Unique**: themes pick in order of size and a title already taken moves a theme to its next
  candidate, so no two themes share a title.

Where the title's language is not English and the theme has English keywords (code-mixed tickets,
English tickets in the minority), up to two of them follow in parentheses, so a reader who does
not read the language still gets the gist.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from insights.themes.stopwords import FILLER_WORDS, normalize_language
from insights.themes.tokenize import tokenize

__all__ = ["TitleCandidate", "candidates", "choose_titles"]

MAX_PHRASE_CHARS = 60
MIN_WORDS, MAX_WORDS = 2, 10
MIN_CHARS_NO_SPACE, MAX_CHARS_NO_SPACE = 3, 24
#: languages written without spaces between words: length is counted in characters
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my"})

_SPLIT = re.compile(r"[\n\r]+|(?<=[.!?])\s+|(?<=[。！？])|(?<=[;；])\s*")
_NOISE = re.compile(r"\[[A-Z][A-Z0-9_]*\]|(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+")
_EDGE = re.compile(r"^[\s,.;:!?\-–—…\"'()，。：；！？、]+|[\s,.;:!\-–—…\"'(，。：；！、]+$")
_SPACES = re.compile(r"\s+")
_CLAUSE = re.compile(r"[,，、:：]\s*|\s+(?:but|tapi|tetapi|pero|mas|nhưng|แต่)\s+")
_LEAD_WORD = re.compile(r"^([^\W\d_][\w'’]*)[\s,!.:;，。！]*", re.UNICODE)
#: greeting and sign-off phrases in scripts without spaces, stripped from a candidate's ends
_EDGE_PHRASES = (
    "您好",
    "你好",
    "亲",
    "谢谢",
    "麻烦",
    "请问",
    "สวัสดีครับ",
    "สวัสดีค่ะ",
    "สวัสดี",
    "ขอบคุณครับ",
    "ขอบคุณค่ะ",
    "ขอบคุณ",
    "ครับ",
    "ค่ะ",
    "คะ",
    "นะคะ",
    "นะครับ",
)
#: openers of several words that FILLER_WORDS (single words) do not catch
#: a clause's leading conjunction is dropped ("But the cancel button is greyed out")
_CONJUNCTIONS = frozenset({"but", "so", "and", "also", "then", "tapi", "pero", "mas", "nhưng"})
_GREETING_PHRASES = ("good morning", "good afternoon", "good evening", "xin chào", "selamat pagi")


@dataclass(frozen=True)
class TitleCandidate:
    text: str
    row: int  # the ticket it was taken from
    score: float


def _strip_greetings(phrase: str) -> str:
    """Remove greetings, thanks and addressing words at the start and end of a phrase."""
    phrase = _EDGE.sub("", phrase)
    changed = True
    while changed and phrase:
        changed = False
        low = phrase.lower()
        for opener in _GREETING_PHRASES:
            if low.startswith(opener):
                phrase, changed = _EDGE.sub("", phrase[len(opener) :]), True
        for edge in _EDGE_PHRASES:
            if phrase.startswith(edge):
                phrase, changed = _EDGE.sub("", phrase[len(edge) :]), True
            if phrase.endswith(edge) and len(phrase) > len(edge):
                phrase, changed = _EDGE.sub("", phrase[: -len(edge)]), True
        match = _LEAD_WORD.match(phrase)
        lead = match.group(1).lower() if match else ""
        if match and (lead in FILLER_WORDS or lead in _CONJUNCTIONS) and match.end() < len(phrase):
            phrase, changed = _EDGE.sub("", phrase[match.end() :]), True
        words = phrase.split()
        if len(words) > 1 and words[-1].lower().strip(".,!?") in FILLER_WORDS:
            phrase, changed = _EDGE.sub("", " ".join(words[:-1])), True
    return phrase


def _fits(phrase: str, language: str) -> bool:
    if not phrase or len(phrase) > MAX_PHRASE_CHARS:
        return False
    if normalize_language(language) in NO_SPACE_LANGUAGES:
        return MIN_CHARS_NO_SPACE <= len(phrase.replace(" ", "")) <= MAX_CHARS_NO_SPACE
    return MIN_WORDS <= len(phrase.split()) <= MAX_WORDS


def phrases(text: str, language: str) -> list[str]:
    """Short clean phrases of a ticket: its lines and sentences without greetings or PII."""
    out: list[str] = []
    for piece in _SPLIT.split(text or ""):
        if not piece or _NOISE.search(piece):
            continue  # a sentence with a redacted number or a link reads badly without it
        # the sentence, else its clauses ("I returned it two weeks ago, still no refund")
        for part in [piece] if _fits(_clean(piece), language) else _CLAUSE.split(piece):
            phrase = _clean(part)
            if _fits(phrase, language):
                out.append(phrase[:1].upper() + phrase[1:])
    return out


def _clean(piece: str) -> str:
    return _strip_greetings(_SPACES.sub(" ", piece).strip())


def candidates(
    rows: np.ndarray,
    texts: Sequence[str],
    language: str,
    keyword_weights: dict[str, float],
    typicality: np.ndarray | None,
    limit: int = 8,
) -> list[TitleCandidate]:
    """Best-first title candidates from the tickets `rows` (all in `language`).

    `keyword_weights`: the theme's c-TF-IDF terms in that language (unigrams and bigrams);
    `typicality`: per row of `rows`, how much closer the ticket is to its own centroid than to
    any other (None without vectors).
    """
    if len(rows) == 0:
        return []
    best = max(keyword_weights.values(), default=0.0) or 1.0
    if typicality is not None and len(typicality):
        lo, hi = float(np.min(typicality)), float(np.max(typicality))
        typical = (typicality - lo) / (hi - lo) if hi > lo else np.ones(len(rows))
    else:
        typical = np.ones(len(rows))
    scored: dict[str, TitleCandidate] = {}
    for j, row in enumerate(rows.tolist()):
        for phrase in phrases(texts[row], language):
            words = tokenize(phrase, language)
            if len(words) < (1 if normalize_language(language) in NO_SPACE_LANGUAGES else 2):
                continue  # one content word ("As a seller") does not say what is wrong
            terms = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
            coverage = sum(keyword_weights.get(t, 0.0) for t in terms) / best
            if coverage <= 0:
                continue
            # saturating coverage: two strong keywords are enough, more words only add length
            score = min(coverage, 2.0) * (0.5 + float(typical[j])) / (1 + 0.03 * len(phrase))
            key = phrase.lower()
            if key not in scored or scored[key].score < score:
                scored[key] = TitleCandidate(phrase, int(row), score)
    ranked = sorted(scored.values(), key=lambda c: (-c.score, len(c.text), c.text))
    return ranked[:limit]


def choose_titles(
    options: dict[int, list[str]], fallback: dict[int, str], order: Sequence[int]
) -> dict[int, str]:
    """One title per theme, no title used twice: themes in `order` take their best free option."""
    taken: set[str] = set()
    titles: dict[int, str] = {}
    for theme in order:
        pick = next((o for o in options.get(theme, []) if o.lower() not in taken), None)
        if pick is None:
            base = fallback.get(theme) or f"Theme {theme}"
            pick, n = base, 2
            while pick.lower() in taken:
                pick, n = f"{base} ({n})", n + 1
        taken.add(pick.lower())
        titles[theme] = pick
    return titles


def with_english(title: str, english: Sequence[str], title_language: str) -> str:
    """`title (kw1, kw2)` when the title is not English and English keywords exist."""
    if normalize_language(title_language) == "en" or not english:
        return title
    shown: list[str] = []
    for word in english:
        if word.lower() in title.lower() or any(word in s or s in word for s in shown):
            continue
        if len(f"{title} ({', '.join([*shown, word])})") > MAX_PHRASE_CHARS + 24:
            break
        shown.append(word)
        if len(shown) == 2:
            break
    return f"{title} ({', '.join(shown)})" if shown else title
