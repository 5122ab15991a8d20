"""Language-aware tokenization for theme keywords.

Keywords are only as good as the words they are counted over. Chinese and Thai are written without
spaces, so a regex gives single characters or whole sentences; Vietnamese writes one syllable per
space, so a regex splits "hoàn tiền" (refund) into "hoàn" (return) and "tiền" (money). Each script
therefore gets a real segmenter:

* Han runs: ``rjieba`` (jieba's dictionary and cuts in Rust; jieba itself writes a cache file).
* Thai runs: ``nlpo3`` (newmm in Rust, 5x faster than pythainlp's newmm, identical cuts) with
  pythainlp's word list.
* Vietnamese (language ``vi``): underthesea's CRF word segmenter (VLSP 2013 model, shipped in the
  wheel) run through ``underthesea_core``. The model files are read straight from the installed
  package because ``import underthesea`` eagerly imports transformers and torch (~5 s).
* Everything else: a Unicode word regex that keeps combining marks (Arabic, Devanagari, NFD input).

Segmentation is chosen by *script run*, not only by the ticket's language, so code-mixed text
("ยังไม่ได้ refund เลย", Taglish, a Chinese product name in an English ticket) keeps every word.

Package data is read from the installed files without importing pythainlp, because importing
pythainlp creates ``~/pythainlp-data`` as a side effect.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import rjieba

from insights.themes.scripts import HAN, HAN_CHAR, THAI
from insights.themes.stopwords import (
    normalize_language,
    package_dir,
    pythainlp_corpus,
    stopwords_for,
)

__all__ = [
    "tokenize",
    "tokenize_phrases",
    "warm_up",
]

# --------------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------------


def _combining_marks_class() -> str:
    """All Unicode combining marks outside the Thai block, as a regex character-class body.

    Python's ``\\w`` does not match combining marks, so without them Arabic with harakat, Hindi,
    or NFD-encoded Vietnamese would be cut in the middle of a word.
    """
    ranges: list[tuple[int, int]] = []
    # Planes 0-1 hold every script's marks; plane 14 the variation selectors supplement.
    for cp in itertools.chain(range(0x20000), range(0xE0000, 0xE1000)):
        if 0x0E00 <= cp <= 0x0E7F:
            continue
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_MARKS = _combining_marks_class()
#: A word character: ``\w`` minus underscore, Han and Thai (segmented separately), plus marks.
_WCH = f"(?:[^\\W_{HAN}{THAI}]|[{_MARKS}])"
#: A word: word characters, optionally joined by an inner apostrophe or hyphen (can't, e-wallet).
_WORD = f"{_WCH}+(?:['’\\-]{_WCH}+)*"

#: One pass over the text: each alternative is a script run or a phrase break.
_RUNS = re.compile(
    f"(?P<han>[{HAN}]+)|(?P<thai>[{THAI}]+)|(?P<word>{_WORD})|(?P<brk>[^\\s])",
)

#: PII redaction tokens ([EMAIL], [ORDER_ID], ...), URLs and raw e-mail addresses.
_NOISE = re.compile(
    r"\[[A-Z][A-Z0-9_]*\]"
    r"|(?:https?://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+",
)
_DIGIT = re.compile(r"\d")
_HAS_THAI_LETTER = re.compile("[\u0e01-\u0e2e]")
_HAS_LETTER_NOT_DIGIT = re.compile(r"[^\W\d_]")
#: Arabic conjunctions written attached to the next word (wa- "and", fa- "so").
_ARABIC_CONJUNCTIONS = frozenset("وف")

# --------------------------------------------------------------------------------------------
# Segmenters (loaded once, lazily, thread-safe)
# --------------------------------------------------------------------------------------------

_LOCK = threading.Lock()
_THAI_DICT_NAME = "insights_pythainlp_words_th"


@cache
def _thai_segmenter() -> Callable[[str], list[str]]:
    """nlpo3 newmm with pythainlp's default word list; pythainlp's own newmm as a fallback."""
    with _LOCK:
        try:
            import nlpo3

            nlpo3.load_dict(str(pythainlp_corpus("words_th.txt")), _THAI_DICT_NAME)
            return lambda run: nlpo3.segment(run, _THAI_DICT_NAME, safe=len(run) > 120)
        except ImportError:  # pragma: no cover - nlpo3 is a declared dependency
            from pythainlp.tokenize import word_tokenize

            return lambda run: word_tokenize(run, engine="newmm", keep_whitespace=False)


@cache
def _vietnamese_segmenter() -> Callable[[list[str]], list[str]] | None:
    """underthesea's CRF word segmenter: tags each syllable B-W / I-W.

    Returns a function from pre-tokens to tags, or None when underthesea is not installed (then
    Vietnamese falls back to syllables, which still cluster but read worse).
    """
    with _LOCK:
        base = package_dir("underthesea")
        if base is None:  # pragma: no cover - declared dependency
            return None
        model = base / "pipeline" / "word_tokenize" / "models" / "ws_crf_vlsp2013_20230727"
        if model.is_dir():
            from underthesea_core import CRFFeaturizer, CRFTagger

            tagger = CRFTagger()
            tagger.load(str(model / "models.bin"))
            featurizer = CRFFeaturizer(
                _unpickle(model / "features.bin"), _unpickle(model / "dictionary.bin")
            )

            def tag(tokens: list[str]) -> list[str]:
                return tagger.tag(featurizer.process([[[t] for t in tokens]])[0])

            return tag

        # A future underthesea moved its model: use the public API (slower import, same model).
        from underthesea import word_tokenize  # pragma: no cover

        def tag_via_api(tokens: list[str]) -> list[str]:  # pragma: no cover
            tags: list[str] = []
            for word in word_tokenize(" ".join(tokens)):
                tags.extend(["B-W"] + ["I-W"] * (len(word.split()) - 1))
            return tags if len(tags) == len(tokens) else ["B-W"] * len(tokens)

        return tag_via_api


def _unpickle(path: Path) -> object:
    """A list or set underthesea saved with joblib: those files are plain pickles, which
    `pickle` reads 4-5x faster than joblib's own unpickler (0.15 s saved on the dictionary);
    anything else is left to joblib."""
    import pickle

    try:
        value = pickle.loads(path.read_bytes())
    except Exception:
        value = None
    if isinstance(value, list | set | frozenset):
        return value
    import joblib

    return joblib.load(path)


# --------------------------------------------------------------------------------------------
# Tokenization
# --------------------------------------------------------------------------------------------

_BREAK = None  # marks a phrase boundary in the raw token stream


def _raw_tokens(text: str, vietnamese: bool) -> Iterator[str | None]:
    """Surface words in text order, ``None`` at punctuation (a phrase boundary).

    For Vietnamese, the CRF sees every run (words and punctuation, original case: its features
    use case and neighbours) and syllables it tags ``I-W`` are joined to the word before them.
    """
    matches = list(_RUNS.finditer(text))
    tagger = _vietnamese_segmenter() if vietnamese else None
    tags = None
    if tagger is not None and matches:
        # The CRF learned from edited sentences that end in punctuation; without it the last
        # words are rarely joined ("hoàn tiền" -> "hoàn" "tiền"), so give it a final period.
        surface = [m.group() for m in matches]
        tags = tagger([*surface, "."] if matches[-1].lastgroup == "word" else surface)
    pending: str | None = None  # a Vietnamese word that may still grow
    for i, m in enumerate(matches):
        kind = m.lastgroup
        if kind == "word" and tags is not None:
            if pending is not None and tags[i] == "I-W" and not _is_acronym(m.group()):
                pending = f"{pending} {m.group()}"
                continue
            if pending is not None:
                yield pending
            pending = m.group()
            if _is_acronym(pending):  # "OTP", "COD": foreign words, never part of a compound
                yield pending
                pending = None
            continue
        if pending is not None:
            yield pending
            pending = None
        if kind == "word":
            yield m.group()
        elif kind == "han":
            yield from rjieba.cut(m.group())
        elif kind == "thai":
            yield from _thai_segmenter()(m.group())
        else:
            yield _BREAK
    if pending is not None:
        yield pending


def _is_acronym(token: str) -> bool:
    """An all-caps Latin token of two or more letters (OTP, COD, SKU)."""
    return len(token) >= 2 and token.isascii() and token.isupper() and token.isalpha()


def _keep(token: str, stops: frozenset[str]) -> bool:
    """Whether a lowercased token is a content word worth counting."""
    if token in stops:
        return False
    first = token[0]
    if "\u0e00" <= first <= "\u0e7f":
        # One Thai character is never a content word: the real ones (ณ, ฯ) are stop words, and
        # the rest are fragments newmm leaves around out-of-vocabulary words ("แอป" -> แอ|ป).
        return len(token) >= 2 and bool(_HAS_THAI_LETTER.search(token))
    if first in _ARABIC_CONJUNCTIONS and len(token) > 2 and token[1:] in stops:
        return False  # و/ف + stop word ("ولكن" = "and but"): Arabic writes these attached
    if _DIGIT.search(token):
        # "2fa", "4g", "ps5" are words; order numbers, amounts and dates are not.
        return len(token) <= 4 and bool(_HAS_LETTER_NOT_DIGIT.search(token))
    if HAN_CHAR.match(first):
        return True  # one Han character can be a word (钱, 货)
    return len(token) >= 2


def _normalize(token: str) -> str:
    """Lowercase, unify apostrophes, drop the English possessive ("seller's" -> "seller")."""
    token = token.lower().replace("’", "'")
    if token.endswith("'s") and len(token) > 3:
        token = token[:-2]
    return token


def tokenize_phrases(text: str, language: str) -> list[list[str]]:
    """Content words of ``text`` grouped into runs that were adjacent in the text.

    A run ends at punctuation, a removed stop word, a number or a redaction token, so n-grams
    built within runs are real phrases ("tracking number") and never glue words that were apart
    ("refund [not] received" does not become "refund received").
    """
    if not text:
        return []
    lang = normalize_language(language)
    stops = stopwords_for(lang)
    cleaned = unicodedata.normalize("NFC", _NOISE.sub(" | ", text))
    phrases: list[list[str]] = []
    current: list[str] = []
    for raw in _raw_tokens(cleaned, vietnamese=lang == "vi"):
        token = _normalize(raw) if raw is not None else ""
        if token.strip() and _keep(token, stops):
            current.append(token)
        elif current:
            phrases.append(current)
            current = []
    if current:
        phrases.append(current)
    return phrases


def tokenize(text: str, language: str) -> list[str]:
    """Content words of ``text`` (lowercased, stop words, numbers, PII tokens and URLs removed).

    Vietnamese compounds come back joined by a space ("hoàn tiền"), Chinese and Thai as
    segmented words. For scikit-learn, wrap it: ``analyzer=lambda t: tokenize(t, "th")``.
    """
    return [token for phrase in tokenize_phrases(text, language) for token in phrase]


def warm_up() -> None:
    """Load every segmenter and stop-word list now (e.g. before timing or forking workers)."""
    tokenize("我的退款 ยังไม่ได้เงินคืน", "zh")
    tokenize("tôi chưa nhận được hoàn tiền", "vi")
