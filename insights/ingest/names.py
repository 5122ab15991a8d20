"""Redact people's names where a message shows them as names: the salutation ("Dear Sarah",
"李静您好", "เรียนคุณสมชาย"), the closing and signature ("Regards, John Tan",
"Kind regards,\\nPriya N."), and the sender of a quoted reply ("John Tan <[EMAIL]> wrote:").

Names elsewhere in a sentence are left alone: without a salutation or a closing there is no
telling a name from a product or a place. Addressees that are not people ("Hi team",
"客服您好") are kept.
"""

from __future__ import annotations

import re

from insights.ingest import lexicon as lx
from insights.ingest.clean import _disclaimer_block
from insights.ingest.quotes import _is_reply_header, _quote_start
from insights.ingest.salutes import _CLOSING, _GREETING, _is_footer, _is_name_line

NAME = "[NAME]"

_CJK_ADDRESSEES = (
    "客服|卖家|賣家|商家|店家|老板|老闆|掌柜|掌櫃|亲|親|大家|各位|团队|團隊|小二|工作人员|"
    "工作人員|客服人员|客服人員|平台|平臺|管理员|管理員|朋友|同学|同學|师傅|師傅"
)
_CJK_GREETING_WORDS = "您好|你好|大家|各位|早上|下午|晚上|哈喽|尊敬|亲爱|親愛"
_CJK_SALUTE = re.compile(
    rf"^(\s*)(?!(?:{_CJK_ADDRESSEES}|{_CJK_GREETING_WORDS}))([\u4e00-\u9fff]{{1,4}}?)"
    r"((?:先生|女士|小姐|老师|老師|经理|經理)?(?:您好|你好))"
)
_CJK_DEAR = re.compile(
    rf"^(\s*(?:尊敬的|亲爱的|親愛的))(?!(?:{_CJK_ADDRESSEES}))([\u4e00-\u9fff]{{1,4}}?)"
    r"((?:先生|女士|小姐|老师|老師|经理|經理)?[，,：:])"
)
_JA_SALUTE = re.compile(
    r"^(\s*)(?!ご?担当者|皆|カスタマー|サポート|お客)([\u4e00-\u9fff\u3040-\u30ff]{1,8}?)(様|さま|さん|殿)"
)
_KO_SALUTE = re.compile(
    r"^(\s*)(?!담당자|고객|관리자|판매자|셀러|상담원)([\uac00-\ud7af]{2,4})(\s?(?:님|씨))"
)
_TH_KHUN = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=เรียน)|(?<=ถึง))(คุณ|คุน)\s*([\u0e00-\u0e7f]{2,20})")
_SENDER = re.compile(r"((?:[A-ZÀ-ÞĐ][\w'’.-]*\s+){0,3}[A-ZÀ-ÞĐ][\w'’.-]*)(\s*[<(]?\s*\[EMAIL\])")
_TOKEN = re.compile(r"\S+")
_THAI_WORD = re.compile("[\u0e00-\u0e7f]{2,10}")
_THAI_POLITE = re.compile("(?:ค่ะ|คะ|ครับ|จ้า|นะ)$")
_FROM_LINE = re.compile(
    rf"^\*?(?:{'|'.join(re.escape(w) for w in lx.FROM_LABELS)})\*?\s*[:：]", re.IGNORECASE
)


_EDGE = ",.!:;，。！：、،~()"
_SALUTE_SCRIPTS = re.compile(r"^[\u0600-\u06ff\u0900-\u097f\uac00-\ud7af]+$")


def _is_person(token: str, salutation: bool = False) -> bool:
    bare = token.strip(_EDGE)
    low = bare.lower()
    if not bare or low in lx.ADDRESSEES or low in lx.PARTICLES or bare == NAME:
        return False
    if any(ch.isdigit() for ch in bare) or not any(ch.isalpha() for ch in bare):
        return False  # numbers, emoji and symbols are nobody's name
    if bare[0].isalpha() and bare[0].lower() != bare[0].upper():
        return bare[0].isupper()  # a cased script: names are capitalised
    if salutation:
        # after a greeting, Thai and Chinese words run on into the sentence: only Arabic,
        # Devanagari and Hangul names stand alone there (Thai and CJK have their own rules)
        return bool(_SALUTE_SCRIPTS.match(bare)) and len(bare) <= 10
    return len(bare) <= 12


def _replace_tokens(rest: str, limit: int = 4, salutation: bool = False) -> str | None:
    """`rest` (what follows a greeting or closing) with its person tokens replaced, or None
    when it is more than a short name (then it is a sentence, not an addressee)."""
    tokens = _TOKEN.findall(rest)
    if not tokens or len(tokens) > limit:
        return None
    people = [_is_person(t, salutation) for t in tokens]
    if not any(people):
        return None
    allowed = lx.ADDRESSEES | lx.PARTICLES | lx.NAME_PARTICLES | {"", NAME.lower()}
    if any(
        not p and t.strip(_EDGE).lower() not in allowed for t, p in zip(tokens, people, strict=True)
    ):
        return None
    out: list[str] = []
    placed = False
    for t, person in zip(tokens, people, strict=True):
        if placed and t.strip(_EDGE).lower() in lx.NAME_PARTICLES:
            continue  # "dela" inside a name already replaced
        if person:
            if not placed:
                out.append(NAME + t[len(t.rstrip(_EDGE)) :])
                placed = True
            elif t[-1:] in _EDGE:
                out[-1] = NAME + t[-1]
        else:
            out.append(t)
    return " ".join(out)


def _salutation(line: str) -> str:
    for pattern in (_CJK_SALUTE, _CJK_DEAR, _JA_SALUTE, _KO_SALUTE):
        m = pattern.match(line)
        if m and m.group(2):
            return line[: m.start(2)] + NAME + line[m.end(2) :]
    m = _GREETING.match(line.lstrip())
    if not m:
        return line
    lead = len(line) - len(line.lstrip())
    start = lead + m.end()
    rest = line[start:]
    stop = re.search(r"[,!:;，！：、،]|$", rest)
    addressee = rest[: stop.start()] if stop else rest
    if not addressee.strip():
        return line
    replaced = _replace_tokens(addressee, limit=3, salutation=True)
    if replaced is None:
        return _TH_KHUN.sub(lambda k: k.group(1) + NAME, line, count=1)
    gap = addressee[: len(addressee) - len(addressee.lstrip())]
    return line[:start] + gap + replaced + rest[len(addressee) :]


def _closing_same_line(line: str) -> str:
    s = line.strip()
    m = _CLOSING.match(s)
    if not m:
        return line
    rest = s[m.end() :]
    sep = re.match(r"^[\s,，、،!！.~-]*", rest)
    body = rest[sep.end() :] if sep else rest
    if not body.strip():
        return line
    lead = line[: len(line) - len(line.lstrip())]
    replaced = _replace_tokens(body)
    if replaced is not None:
        return lead + s[: m.end()] + (sep.group(0) if sep else "") + replaced
    # "Thank you so much, David Lee": a name after the closing's last comma
    for comma in (",", "，", "،"):
        if comma in body:
            head, tail = body.rsplit(comma, 1)
            named = _replace_tokens(tail) if len(head.split()) <= 5 else None
            if named is not None:
                gap = tail[: len(tail) - len(tail.lstrip())]
                prefix = s[: m.end()] + (sep.group(0) if sep else "") + head + comma
                return lead + prefix + gap + named
    return line


def redact_names(text: str) -> str:
    """`text` with names in salutations, closings, signatures and reply headers -> [NAME]."""
    if not text or len(text) > 200_000:
        return text
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    for i in nonblank[:3]:
        lines[i] = _salutation(lines[i])
    for pos, i in enumerate(nonblank):
        line = lines[i]
        stripped = line.strip()
        if _is_reply_header(line) or _FROM_LINE.match(stripped):
            lines[i] = _SENDER.sub(
                lambda m: (NAME if _replace_tokens(m.group(1)) else m.group(1)) + m.group(2), line
            )
            continue
        if pos == 0 or not _CLOSING.match(stripped) or len(stripped.split()) > 9:
            continue  # a closing never opens a message
        lines[i] = _closing_same_line(line)
        for j in nonblank[pos + 1 : pos + 3]:
            candidate = lines[j].strip()
            lead = lines[j][: len(lines[j]) - len(lines[j].lstrip())]
            if candidate.startswith(("-", "–", "—")) and _is_name_line(candidate):
                lines[j] = lead + candidate[0] + " " + NAME
            elif _is_name_line(candidate) and _replace_tokens(candidate) is not None:
                lines[j] = lead + (_replace_tokens(candidate) or candidate)
            else:
                break
    _last_line_name(lines, nonblank)
    return "\n".join(lines)


def _last_line_name(lines: list[str], nonblank: list[int]) -> None:
    """A message whose last own line (above any quote, footer or notice) is one to three
    capitalised words under a short line ("Please advise\nEmma Wilson") is signed with a
    name, whatever the closing said; in Thai, a single short word under a line that ends in a
    polite particle ("ช่วยตอบกลับด่วนค่ะ\nสุดา")."""
    quote = _quote_start(lines)
    own = [i for i in nonblank if quote is None or i < quote]
    while own and (_is_footer(lines[own[-1]]) or _disclaimer_block([lines[own[-1]]])):
        own.pop()
    if len(own) < 3:
        return
    last, above = own[-1], lines[own[-2]].strip()
    candidate = lines[last].strip()
    if NAME in candidate or len(candidate.split()) > 3 or len(above.split()) > 6:
        return
    words = [t for t in candidate.split() if t not in lx.NAME_PARTICLES]
    thai = _THAI_WORD.fullmatch(candidate) and _THAI_POLITE.search(above)
    if not thai and not all(t[:1].isupper() and t[:1].isalpha() for t in words):
        return
    if _is_name_line(candidate) and _replace_tokens(candidate) is not None:
        lead = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
        lines[last] = lead + (_replace_tokens(candidate) or candidate)
