"""Greetings and closings at the edges of a message, and lines that are only a name: the
rules the cleaner (`clean`) and the name redactor (`names`) share. They look only at whole
lines at the top or bottom of a message, never at its middle."""

from __future__ import annotations

import re
import unicodedata

from insights.ingest import lexicon as lx

#: Punctuation around greetings, closings and names, Arabic comma and semicolon included.
EDGE = ",.!?:;，。！？：；、،؛~-–—…\"'“”()"
_GREETING_RE = re.compile(rf"^(?:{lx.GREETING_ALT})", re.IGNORECASE)
_CLOSING_RE = re.compile(rf"^(?:{lx.CLOSING_ALT})", re.IGNORECASE)
_THAI_PARTICLE = re.compile(r"(?:ครับผม|ครับ|ค่ะ|คะ|จ้า|จ้ะ|นะคะ|นะครับ|น้า)+")
_HAS_DIGIT = re.compile(r"\d")
_CASED = re.compile(r"[A-Za-zÀ-ɏḀ-ỿЀ-ӿ]")
_NAME_TOKEN = re.compile(
    r"^(?:\[NAME\]|[A-ZÀ-ÞĐЀ-Я][\w'’.-]*|[A-Z]\.?|(?:de|da|do|dos|das|del|dela|della|di|van|von|"
    r"der|den|bin|binti|bte|al|el|la|le|y|e|a/l|a/p))[,.]?$"
)
_UNCASED_WORD = re.compile(
    r"^[\u0e00-\u0e7f\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af\u0600-\u06ff\u0900-\u097f]+[,.]?$"
)
_HAN = re.compile("[\u4e00-\u9fff]")
_NAME_FIRST = re.compile(r"^\s*\[NAME\]\s*")


class _Bounded:
    """A phrase pattern that must end at a word boundary when the phrase ends in a cased
    letter ("ty" is not "type"); phrases in scripts written without spaces need none."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def match(self, s: str) -> re.Match[str] | None:
        m = self.pattern.match(s)
        if not m:
            return None
        end = m.end()
        if end < len(s) and _CASED.search(m.group(0)[-1]) and (s[end].isalnum() or s[end] == "'"):
            return None
        return m


_GREETING = _Bounded(_GREETING_RE)
_CLOSING = _Bounded(_CLOSING_RE)


def _words(s: str) -> list[str]:
    return s.split()


_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")


def _lower(s: str) -> str:
    """Compare text case-folded, NFKC-normalised and without Arabic vowel marks (أُرسلت is
    أرسلت)."""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", s)).strip().lower()


def _is_rest_of_salute(rest: str) -> bool:
    """What may follow a greeting or closing on its own line: an addressee, a name, particles."""
    tokens = [t.strip(EDGE) for t in _words(rest)]
    tokens = [t for t in tokens if t]
    if len(tokens) > 4:
        return False
    for t in tokens:
        low = t.lower()
        if low in lx.ADDRESSEES or low in lx.PARTICLES or t == "[NAME]":
            continue
        if _NAME_TOKEN.match(t) and not _HAS_DIGIT.search(t):
            continue
        if not _CASED.search(t) and len(tokens) <= 3 and _uncased_addressee(t):
            continue
        return False
    return True


def _uncased_addressee(token: str) -> bool:
    """A name or addressee in a script without case: Thai phrases that name a team or a
    person, Chinese names of up to four characters, short Arabic, Hindi or Korean words."""
    if _THAI.search(token):
        if _THAI_PARTICLE.fullmatch(token):
            return True
        particle = _THAI_PARTICLE.match(token)
        bare = token[particle.end() :] if particle else token
        return bare.startswith(lx.THAI_ADDRESSEE_PREFIXES)  # "ครับทีมงาน": particle + team
    if _HAN.search(token):
        return len(token) <= 4
    return len(token) <= 12


def _particles_len(rest: str) -> int:
    """Length of the particles (and spaces) at the start of `rest` ("kak ", "ครับ ")."""
    pos = 0
    while True:
        m = _THAI_PARTICLE.match(rest, pos)
        if m and m.end() > pos:
            pos = m.end()
        word = re.match(r"\s*(\S+)", rest[pos:])
        if not word or word.group(1).strip(EDGE).lower() not in lx.PARTICLES:
            break
        pos += word.end()
    return pos + len(rest[pos:]) - len(rest[pos:].lstrip())


def greeting_end(line: str) -> int:
    """Characters of `line` that are a salutation (0: none): the whole line when it is only
    a greeting, else the greeting up to its punctuation ("Hi team, my refund ..." -> "Hi team,")."""
    named = _NAME_FIRST.match(line)  # "[NAME]您好", "[NAME]様": the name comes first
    s = line[named.end() :] if named else line.lstrip()
    lead = len(line) - len(s)
    m = _GREETING.match(s)
    if not m:
        return 0
    word = m.group(0).lower()
    end = m.end() + (s[m.end() : m.end() + 1] == "." and s[m.end() + 1 : m.end() + 2].isspace())
    rest = s[end:]  # past an abbreviation's period: "Yth. Customer Service, ..."
    punct = re.match(r"^((?:\s*[^\s,.!:;，。！：、،]+){0,4}?)\s*([,!:;，！：、،])\s*", rest)
    addressee = punct.group(1).strip() if punct else ""
    after = rest[punct.end() :] if punct else ""
    if not rest.strip(" " + EDGE) or (
        not after.strip() and (_is_rest_of_salute(rest) or _salutation_line(s))
    ):
        return len(line)
    if not punct and _is_rest_of_salute(rest):
        return len(line)  # "Dear [NAME]", "สวัสดีค่ะ"
    new_sentence = bool(after[:1]) and after[:1].isupper()  # "Kính gửi quý công ty, Đơn ..."
    loose = punct is not None and punct.group(2) in ",:，：、،"
    if punct and (
        not addressee
        or _is_rest_of_salute(addressee)
        or (loose and len(_words(addressee)) <= (4 if new_sentence else 2))
    ):
        cut = lead + end + punct.end()
        again = greeting_end(line[cut:]) if cut < len(line) else 0  # "Hola, buen día, ..."
        return len(line) if cut + again >= len(line.rstrip()) else cut + again
    if _THAI.match(word):
        cut = lead + _thai_salutation(s)
        again = greeting_end(line[cut:]) if lead < cut < len(line) else 0  # "ถึงทีม สวัสดีครับ"
        return cut + again
    if word in lx.WEAK_GREETINGS:
        return 0
    after = rest[: len(rest) - len(rest.lstrip())]
    if not after and _CASED.search(word):
        return 0  # "Hiking boots ..." : a cased greeting must be followed by a space
    return lead + end + _particles_len(rest)


def _after_closings(s: str) -> str | None:
    """What follows the closing phrase(s) at the start of `s` ("Mohon bantuannya, terima
    kasih, Budi" -> "Budi"), or None when `s` does not open with one."""
    m = _CLOSING.match(s)
    if not m:
        return None
    rest = s[m.end() :]
    while True:
        trimmed = rest.lstrip(" " + EDGE)
        again = _CLOSING.match(trimmed)
        if not again or again.end() == 0:
            return rest
        rest = trimmed[again.end() :]


_SALUTE_END = re.compile(r"[,:，：،]\s*$")
_CJK_HELLO = re.compile(r"(?:您好|你好|大家好|您们好|你们好|各位好)")
_CJK_HELLO_HEAD = re.compile(
    r"^\s*[\u4e00-\u9fff]{0,6}?(?:您好|你好|大家好|您们好|你们好|各位好)[，,：:！!。~\s]*"
)


def _salutation_line(s: str) -> bool:
    """A short line that opens with a greeting and ends like a salutation ("Kính gửi quý công
    ty,"), so whatever addressee it names, it holds no content."""
    return bool(_SALUTE_END.search(s)) and (
        len(_words(s)) <= 6 if _CASED.search(s) else len(s.strip()) <= 20
    )


def _addressee_first(line: str) -> bool:
    """ "客服小姐姐你好，": Chinese puts the addressee before the greeting."""
    s = line.strip()
    return (
        bool(_CJK_HELLO.search(s))
        and len(s) <= 15
        and _CJK_HELLO.search(s).end() >= len(s.rstrip(EDGE))
    )


_THAI = re.compile("[\u0e00-\u0e7f]")


def _thai_salutation(s: str) -> int:
    """Thai separates phrases with spaces: the greeting phrase, and an addressee phrase after it
    ("สวัสดีค่ะ แอดมิน ...", "ถึงทีมซัพพอร์ต ...")."""
    phrases = s.split(" ")
    if len(phrases) < 2:
        return 0
    cut = len(phrases[0]) + 1
    nxt = phrases[1]
    if len(phrases) > 2 and (nxt in lx.ADDRESSEES or nxt.startswith(lx.THAI_ADDRESSEE_PREFIXES)):
        cut += len(nxt) + 1
    return cut


def is_closing_line(line: str, trailing: bool = False) -> bool:
    """A closing with at most a name after it ("Thanks, John Tan"). `trailing`: the line stands
    below the message's last sentence, where any short line that opens with a closing phrase is
    one ("Thank you so much, David Lee", "ขอบคุณที่ช่วยเหลือค่ะ")."""
    s = line.strip()
    rest = _after_closings(s)
    if rest is None:
        return False
    if not rest.strip(" " + EDGE) or _is_rest_of_salute(rest):
        return True
    if trailing and "?" not in s and len(s) <= 70 and len(_words(s)) <= 9:
        tail = rest.rsplit(",", 1)[-1] if "," in rest else ""
        return len(_words(rest)) <= 4 or _is_rest_of_salute(tail) or not _CASED.search(s)
    return False


def _is_name_line(line: str) -> bool:
    s = line.strip().lstrip("-–—~ ").strip()
    tokens = _words(s)
    if not tokens or len(tokens) > 4 or len(s) > 40 or _HAS_DIGIT.search(s):
        return False
    if re.search(r"[!?。！？:]", s):
        return False
    if _is_footer(s):
        return False
    return all(
        _NAME_TOKEN.match(t) or (_UNCASED_WORD.match(t) and len(t) <= (4 if _HAN.search(t) else 14))
        for t in tokens
    )


def _is_footer(line: str) -> bool:
    """ "Sent from my iPhone" in any language: a device or mail app with a sending verb, or two
    of them on a short line ("Outlook for Android")."""
    low = _lower(line)
    if len(low) > 90 or len(_words(low)) > 10:
        return False
    devices = sum(1 for d in lx.DEVICE_WORDS if d in low)
    if devices and any(v in low for v in lx.FOOTER_VERBS):
        return True
    return devices >= 2 and len(_words(low)) <= 6
