"""Language of each ticket: the file's column when it has one, else lingua restricted to the
product's languages (fast, accurate on short text; measured in the README).

Texts in a language outside the configured set are forced into the nearest one by lingua, so a
low-confidence answer becomes `und` rather than a wrong code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

UNDETERMINED = "und"
MIN_CONFIDENCE = 0.20

#: spellings seen in exports -> ISO 639-1
ALIASES = {
    "in": "id",
    "ind": "id",
    "indonesian": "id",
    "bahasa": "id",
    "fil": "tl",
    "filipino": "tl",
    "tagalog": "tl",
    "tgl": "tl",
    "taglish": "tl",
    "zh-cn": "zh",
    "zh-tw": "zh",
    "zh-hk": "zh",
    "zh-hans": "zh",
    "zh-hant": "zh",
    "chinese": "zh",
    "cmn": "zh",
    "yue": "zh",
    "wuu": "zh",
    "english": "en",
    "eng": "en",
    "thai": "th",
    "tha": "th",
    "vietnamese": "vi",
    "vie": "vi",
    "malay": "ms",
    "msa": "ms",
    "zsm": "ms",
    "spanish": "es",
    "spa": "es",
    "portuguese": "pt",
    "por": "pt",
    "pt-br": "pt",
    "arabic": "ar",
    "ara": "ar",
    "japanese": "ja",
    "korean": "ko",
}

_CODE = re.compile(r"^[a-z]{2,3}$")


def normalize_code(value: str | None) -> str | None:
    """Map a language column's value to ISO 639-1, or None when it says nothing usable."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-")
    if not code:
        return None
    if code in ALIASES:
        return ALIASES[code]
    base = code.split("-")[0]
    if base in ALIASES:
        return ALIASES[base]
    return base if _CODE.match(base) and len(base) == 2 else None


@lru_cache(maxsize=4)
def _detector(languages: tuple[str, ...]):
    chosen = []
    for code in languages:
        try:
            chosen.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    if len(chosen) < 2:
        chosen = [Language.ENGLISH, Language.INDONESIAN]
    return LanguageDetectorBuilder.from_languages(*chosen).build()


def detect(texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
    """Return (ISO 639-1 code, confidence) for each text."""
    if not texts:
        return []
    detector = _detector(tuple(languages))
    results = detector.compute_language_confidence_values_in_parallel(list(texts))
    out: list[tuple[str, float]] = []
    for values in results:
        if not values or values[0].value < MIN_CONFIDENCE:
            out.append((UNDETERMINED, float(values[0].value) if values else 0.0))
            continue
        top = values[0]
        out.append((top.language.iso_code_639_1.name.lower(), round(float(top.value), 4)))
    return out
