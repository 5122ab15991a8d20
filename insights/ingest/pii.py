"""Redact personal data from ticket text before anything is stored.

Patterns favour recall on the identifiers tickets really carry (emails, phones, payment cards,
order and tracking numbers, street addresses, and people's names where a salutation or a
signature shows them: `names`); money amounts and dates are left alone because
themes and trends need them less than privacy needs the rest gone.
"""

from __future__ import annotations

import re

from insights.ingest.names import redact_names

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL_CREDENTIALS = re.compile(r"(?i)\b(https?://)[^\s/@]+:[^\s/@]+@")
CARD = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
PHONE = re.compile(
    r"(?<![A-Za-z0-9+])(?:\+|00)?(?:\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d(?:[\s.-]?\d){6,13}"
    r"(?![A-Za-z0-9])"
)
_ID_WORDS = (
    r"order|orders|pesanan|pedido|đơn hàng|mã đơn|don hang|คำสั่งซื้อ|ออเดอร์|订单号?|訂單號?|"
    r"no\.? pesanan|invoice|inv|tracking|resi|awb|airway bill|mã vận đơn|vận đơn|เลขพัสดุ|"
    r"เลขแทร็ก|运单号?|快递单号|運單號?|rastreio|rastreamento|código|guía|guia|numero de guía|"
    r"ref|reference|ticket|case|no|nombor|nomor|số"
)
KEYED_ID = re.compile(
    rf"(?i)(?P<key>(?:{_ID_WORDS})\s*(?:#|no\.?|number|nr\.?|:|：|=)?\s*)(?P<id>#?(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{{5,}})",
    re.UNICODE,
)
HASH_ID = re.compile(r"#[A-Za-z]{0,5}-?\d{5,}[A-Za-z0-9-]*")
MIXED_ID = re.compile(
    r"(?<![A-Za-z0-9-])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{10,}(?![A-Za-z0-9-])"
)
LONG_DIGITS = re.compile(r"(?<!\d)(?<!\d[.,])\d{9,}(?!\d|[.,]\d)")
_CAP = r"[A-ZĐ\u00C0-\u00DE\u1EA0-\u1EF8][\w\u00C0-\u1EF9'.-]*"
ADDRESS = re.compile(
    "|".join(
        [
            # 12 Oak Ave / 45 Rizal St. / Blk 123 Tampines St 11 / 3 High Street
            rf"\b(?:Blk[ \t]+)?\d{{1,5}}[A-Za-z]?[ \t]+(?:{_CAP}[ \t]+){{1,3}}"
            r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Lane|Ln|Drive|Dr|Way|Close|Crescent)\b\.?(?:[ \t]+\d+)?",
            # Jl. Sudirman No. 45 / Jalan X / Rua das Flores, 12 / Calle Juárez 45 / Av. Insurgentes Sur 1234
            r"(?i:\b(?:jl\.?|jalan|jln\.?|lorong|rua|avenida|av\.|calle|carrera|rodovia|estrada))[ \t]+"
            r"[^\n,;:!?]{1,40}?(?:,[ \t]*|[ \t]+)(?:(?i:no\.?|nº|n°|#)[ \t]*)?\d+[A-Za-z]?\b",
            # No. 60, Jalan Ampang
            r"(?i:\bno\.?)[ \t]*\d+[A-Za-z]?,[ \t]*(?i:jalan|jln\.?|lorong)[ \t]+[\w/]+(?:[ \t]+[A-Z][\w/]*)*",
            # Thai: 12/3 ถ.นิมมานเหมินท์ / ซอยสุขุมวิท 18
            r"\d{1,4}/\d{1,4}[ \t]+(?:ถ\.|ถนน|ซอย|หมู่)\S*(?:[ \t]+\d+)?",
            # Vietnamese: 13 Trần Duy Hưng, / 25 Nguyễn Trãi,
            rf"\b\d{{1,4}}[A-Za-z]?[ \t]+(?:{_CAP}[ \t]?){{2,4}}(?=,)",
            # Chinese: 台北市信義區松仁路33號19樓
            r"[\u4e00-\u9fff]{0,4}[市縣县][\u4e00-\u9fff]{1,4}[區区][\u4e00-\u9fff]{1,8}[路街道]"
            r"(?:[\d一二三四五六七八九十]+段)?(?:\d+[巷弄])*\d+[號号](?:\d+[樓楼])?",
        ]
    ),
    re.UNICODE,
)
_DIGIT = re.compile(r"\d")  # the same digits as the patterns' \d (any Unicode decimal digit)
DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")

TOKENS = ("[EMAIL]", "[CARD]", "[PHONE]", "[ID]", "[ADDRESS]", "[NAME]")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return "[CARD]"
    return match.group(0)


def _phone(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 8 or DATE.fullmatch(raw.strip()):
        return raw
    # amounts such as 1.250.000 or 1,299.00 look like digit groups of three after one separator
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?", raw.strip()):
        return raw
    return "[PHONE]"


def redact(text: str) -> str:
    """Return `text` with personal data replaced by bracketed placeholders."""
    if not text:
        return text
    if "@" in text:
        text = URL_CREDENTIALS.sub(r"\1", text)
        text = EMAIL.sub("[EMAIL]", text)
    if not _DIGIT.search(text):  # every pattern below needs a digit: skip them (exact, faster)
        return redact_names(text)
    text = CARD.sub(_card, text)
    text = KEYED_ID.sub(lambda m: m.group("key") + "[ID]", text)
    text = HASH_ID.sub("[ID]", text)
    text = MIXED_ID.sub("[ID]", text)
    text = PHONE.sub(_phone, text)
    text = LONG_DIGITS.sub("[ID]", text)
    text = ADDRESS.sub("[ADDRESS]", text)
    return redact_names(text)
