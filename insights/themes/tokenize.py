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

import importlib.util
import itertools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import rjieba
import stopwordsiso

__all__ = [
    "FILLER_WORDS",
    "normalize_language",
    "stopwords_for",
    "tokenize",
    "tokenize_phrases",
    "warm_up",
]

# --------------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------------

#: Han ideographs (CJK unified, extension A, compatibility, extensions B+).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: The Thai block (consonants, vowels, tone marks, digits).
_THAI = "\u0e00-\u0e7f"


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
_WCH = f"(?:[^\\W_{_HAN}{_THAI}]|[{_MARKS}])"
#: A word: word characters, optionally joined by an inner apostrophe or hyphen (can't, e-wallet).
_WORD = f"{_WCH}+(?:['’\\-]{_WCH}+)*"

#: One pass over the text: each alternative is a script run or a phrase break.
_RUNS = re.compile(
    f"(?P<han>[{_HAN}]+)|(?P<thai>[{_THAI}]+)|(?P<word>{_WORD})|(?P<brk>[^\\s])",
)

#: PII redaction tokens ([EMAIL], [ORDER_ID], ...), URLs and raw e-mail addresses.
_NOISE = re.compile(
    r"\[[A-Z][A-Z0-9_]*\]"
    r"|(?:https?://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+",
)
_DIGIT = re.compile(r"\d")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_HAS_THAI_LETTER = re.compile("[\u0e01-\u0e2e]")
_HAS_LETTER_NOT_DIGIT = re.compile(r"[^\W\d_]")
#: Arabic conjunctions written attached to the next word (wa- "and", fa- "so").
_ARABIC_CONJUNCTIONS = frozenset("وف")

# --------------------------------------------------------------------------------------------
# Stop words
# --------------------------------------------------------------------------------------------


def _words(*groups: str) -> frozenset[str]:
    """A word set from comma-separated groups (entries may contain spaces: "cảm ơn")."""
    return frozenset(w.strip() for group in groups for w in group.split(",") if w.strip())


#: Greetings, politeness particles and thanks that open and close support tickets in the
#: product's languages. Generic conversational filler, not topics; not tuned to any dataset.
FILLER_WORDS: frozenset[str] = _words(
    # English
    "hi, hello, hey, hii, dear, please, pls, plz, kindly, thanks, thank, thx, ty, tq, regards,"
    "sir, madam, maam, ma'am, ok, okay, yes, yeah, team, guys, help, assist, assistance",
    # Indonesian / Malay
    "kak, kakak, ka, min, admin, gan, sis, bang, mas, mbak, halo, hai, tolong, mohon, terima,"
    "kasih, makasih, terimakasih, ya, yg, dong, deh, sih, nih, kok, sila, tuan, puan, encik,"
    "lah, je, bantu, bantuannya",
    # Tagalog
    "po, opo, poh, pong, salamat, naman, lang, ba, sana",
    # Thai, romanised and in script
    "krub, krab, khrap, kha, na, ครับ, คับ, ครับผม, ค่ะ, คะ, ค่า, นะ, นะคะ, นะครับ, จ้า, จ้ะ,"
    "ขอบคุณ, สวัสดี, รบกวน",
    # Vietnamese
    "ạ, à, ơi, dạ, vâng, cảm ơn, xin chào, chào, xin, giúp, em, anh, chị, bạn, mình",
    # Chinese
    "您好, 你好, 谢谢, 感谢, 请, 请问, 麻烦, 亲, 哈, 呢, 吧, 啊",
    # Spanish, Portuguese
    "hola, gracias, favor, saludos, buenas, buenos, olá, ola, oi, obrigado, obrigada, bom",
    # Arabic
    "مرحبا, شكرا, السلام, عليكم, فضلك, سمحت",
)

#: Frequent function words that a language's stopwords-iso list lacks (Tagalog's has 147 entries
#: and misses the Taglish staples), applied only to tickets in that language.
_SUPPLEMENTARY_STOPWORDS: dict[str, frozenset[str]] = {
    "tl": _words("yung, ung, nung, kasi, talaga, rin, daw, raw, nga, pala, yun, di, mo, si, nyo"),
}

_ALIASES = {
    "fil": "tl",
    "tgl": "tl",
    "in": "id",
    "ind": "id",
    "zsm": "ms",
    "msa": "ms",
    "cmn": "zh",
    "yue": "zh",
    "wuu": "zh",
    "vie": "vi",
    "tha": "th",
}


def normalize_language(language: str | None) -> str:
    """ISO 639-1 base code ("zh-Hant" -> "zh", "fil" -> "tl"); "und" when unknown.

    Language columns come from many exports; the tokenizer only needs the base language to pick
    stop words and the Vietnamese segmenter.
    """
    if not language:
        return "und"
    code = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return _ALIASES.get(code, code) or "und"


def _package_dir(name: str) -> Path | None:
    """Where an installed top-level package lives, found without importing (executing) it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _read_word_list(path: Path) -> frozenset[str]:
    """One entry a line, as pythainlp's ``get_corpus`` reads its own files (BOM, blanks)."""
    text = path.read_text(encoding="utf-8-sig")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@cache
def _pythainlp_corpus(filename: str) -> Path:
    """Path of a file in pythainlp's bundled corpus (no import: that creates ~/pythainlp-data)."""
    base = _package_dir("pythainlp")
    if base is None:
        raise ImportError("pythainlp is required for Thai tokenization")
    path = base / "corpus" / filename
    if not path.exists():
        raise FileNotFoundError(f"pythainlp corpus file not found: {path}")
    return path


@cache
def _iso_stopwords(lang: str) -> frozenset[str]:
    """stopwords-iso list for one language, empty when it has none."""
    if not stopwordsiso.has_lang(lang):
        return frozenset()
    return frozenset(w.lower() for w in stopwordsiso.stopwords(lang))


@cache
def _script_stopwords() -> frozenset[str]:
    """Chinese and Thai stop words, applied to every ticket.

    Han and Thai tokens can only come from Han and Thai text, so their stop words are safe to
    apply whatever the ticket's language label says (code-mixed or mislabelled tickets). Only the
    entries written in those scripts are kept, so no Latin word is removed by accident.
    """
    thai = re.compile(f"[{_THAI}]")
    words = {w for w in _iso_stopwords("zh") if _HAN_CHAR.search(w)}
    words |= {w for w in _iso_stopwords("th") if thai.search(w)}
    words |= _read_word_list(_pythainlp_corpus("stopwords_th.txt"))  # 1,030 entries
    return frozenset(words)


#: Content words in scikit-learn's English list that support tickets are about.
_ENGLISH_CONTENT_WORDS = _words(
    "amount, back, bill, bottom, call, computer, describe, detail, empty, fill, find, fire,"
    "found, front, full, give, interest, move, name, part, show, side, system, top",
)
#: Contractions and conversational verbs the list lacks ("didnt", "i've", "want", "got").
_ENGLISH_EXTRA = _words(
    "aren't, arent, can't, cant, couldn't, couldnt, didn't, didnt, doesn't, doesnt, don't, dont,"
    "hadn't, hasn't, hasnt, haven't, havent, i'd, i'll, i'm, im, i've, ive, isn't, isnt, it's,"
    "let's, shouldn't, wasn't, wasnt, weren't, won't, wont, wouldn't, you're, u, ur, pls,"
    "got, gotten, getting, gets, just, really, already, still, want, wants, wanted, need, needs,"
    "needed, like, know, tell, told, ask, asked, able, does, did, doing, having, anymore, yet,"
    "gonna, wanna, gotta, mr, mrs, ms, miss, dr",
)


@cache
def _english_stopwords() -> frozenset[str]:
    """English stop words, applied to every ticket because tickets code-mix English.

    scikit-learn's list (318 function words) minus a few content words, plus contractions.
    Not stopwords-iso's English list: its 1,298 entries include the very words support
    themes are made of ("order", "number", "problem", "help", "home", "work", "goods").
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS - _ENGLISH_CONTENT_WORDS) | _ENGLISH_EXTRA


@cache
def stopwords_for(language: str) -> frozenset[str]:
    """Stop words removed from tickets in ``language``.

    The language's own stopwords-iso list (except English, see ``_english_stopwords``), plus
    English for every language (tickets code-mix English freely), Chinese and Thai by script,
    and the support-ticket ``FILLER_WORDS``.
    """
    lang = normalize_language(language)
    return (
        (_iso_stopwords(lang) if lang != "en" else frozenset())
        | _SUPPLEMENTARY_STOPWORDS.get(lang, frozenset())
        | _english_stopwords()
        | _script_stopwords()
        | FILLER_WORDS
    )


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

            nlpo3.load_dict(str(_pythainlp_corpus("words_th.txt")), _THAI_DICT_NAME)
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
        base = _package_dir("underthesea")
        if base is None:  # pragma: no cover - declared dependency
            return None
        model = base / "pipeline" / "word_tokenize" / "models" / "ws_crf_vlsp2013_20230727"
        if model.is_dir():
            import joblib
            from underthesea_core import CRFFeaturizer, CRFTagger

            tagger = CRFTagger()
            tagger.load(str(model / "models.bin"))
            featurizer = CRFFeaturizer(
                joblib.load(model / "features.bin"), joblib.load(model / "dictionary.bin")
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
    if _HAN_CHAR.match(first):
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
