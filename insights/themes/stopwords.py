"""Stop words for theme keywords, per language, and the language codes they are keyed by.

Each language's stopwords-iso list, English everywhere (tickets code-mix it), Chinese and Thai by
script, and the greetings and thanks that open and close support tickets. Package data is read
from the installed files: importing pythainlp creates ``~/pythainlp-data`` as a side effect.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import cache
from pathlib import Path

import stopwordsiso

from insights.themes.scripts import HAN_CHAR, THAI

__all__ = ["FILLER_WORDS", "normalize_language", "package_dir", "pythainlp_corpus", "stopwords_for"]


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
    "yth, tim,"
    "lah, je, bantu, bantuannya",
    # Tagalog
    "po, opo, poh, pong, salamat, naman, lang, ba, sana",
    # Thai, romanised and in script
    "krub, krab, khrap, kha, na, ครับ, คับ, ครับผม, ค่ะ, คะ, ค่า, นะ, นะคะ, นะครับ, จ้า, จ้ะ,"
    "ขอบคุณ, สวัสดี, รบกวน, เรียน, ทีมงาน",
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
    # indefinite pronouns ("someone", "no one", "something") the Portuguese list lacks
    "pt": _words("alguém, alguem, ninguém, ninguem, algo, nada"),
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


def package_dir(name: str) -> Path | None:
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
def pythainlp_corpus(filename: str) -> Path:
    """Path of a file in pythainlp's bundled corpus (no import: that creates ~/pythainlp-data)."""
    base = package_dir("pythainlp")
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
    thai = re.compile(f"[{THAI}]")
    words = {w for w in _iso_stopwords("zh") if HAN_CHAR.search(w)}
    words |= {w for w in _iso_stopwords("th") if thai.search(w)}
    words |= _read_word_list(pythainlp_corpus("stopwords_th.txt"))  # 1,030 entries
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


def strip_tone_marks(word: str) -> str:
    """Vietnamese as typed in a hurry: no tone or vowel marks, đ as d ("không" -> "khong")."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


@cache
def _unmarked_vietnamese() -> frozenset[str]:
    """Vietnamese stop words written without marks. Chat Vietnamese is often typed that way,
    and "khong", "ma", "roi", "minh" then named themes. Single words only (a multi-word entry
    stripped of its marks is too ambiguous); for tickets labelled Vietnamese only, since the
    bare forms ("ban", "cao") are words in other languages."""
    return frozenset(
        strip_tone_marks(w) for w in _iso_stopwords("vi") | FILLER_WORDS if " " not in w
    )


@cache
def stopwords_for(language: str) -> frozenset[str]:
    """Stop words removed from tickets in ``language``.

    The language's own stopwords-iso list (except English, see ``_english_stopwords``; for
    Vietnamese also written without marks), plus English for every language (tickets code-mix English freely), Chinese and Thai by script,
    and the support-ticket ``FILLER_WORDS``.
    """
    lang = normalize_language(language)
    return (
        (_iso_stopwords(lang) if lang != "en" else frozenset())
        | _SUPPLEMENTARY_STOPWORDS.get(lang, frozenset())
        | (_unmarked_vietnamese() if lang == "vi" else frozenset())
        | _english_stopwords()
        | _script_stopwords()
        | FILLER_WORDS
    )
