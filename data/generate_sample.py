#!/usr/bin/env python3
"""Seeded, multilingual marketplace support-ticket sample generator (standard library only).

    python3 data/generate_sample.py --out data/sample --n 8000 --seed 7
    python3 data/generate_sample.py --out /tmp/x --n 50000 --no-extras

Writes tickets.csv, truth.csv, pii.csv, patterns.json and (unless --no-extras)
malformed.csv, malformed_expected.json, zendesk_export.csv, zendesk_mapping.json,
zendesk_truth.csv.  Same seed and n give byte-identical files.  See data/README.md.

Importable: ``generate(n, seed)`` returns the ticket records, ``write_sample(out, n, seed)``
writes the files.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import sys
import unicodedata

try:  # imported as data.generate_sample
    from . import phrasebook_buyer1, phrasebook_buyer2, phrasebook_seller
    from . import phrasebook_common as PC
    from . import sample_slots as SL
except ImportError:  # run as a script or with data/ on sys.path
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import phrasebook_buyer1
    import phrasebook_buyer2
    import phrasebook_common as PC
    import phrasebook_seller
    import sample_slots as SL

import random

START = dt.date(2026, 6, 1)  # Monday of ISO week 2026-W23
WEEKS = 16
END_UTC = dt.datetime(2026, 6, 1, tzinfo=dt.UTC) + dt.timedelta(weeks=WEEKS)
COLUMNS = [
    "ticket_id",
    "created_at",
    "subject",
    "description",
    "kind",
    "region",
    "channel",
    "category",
    "csat",
]

THEMES = {}
for _mod in (phrasebook_buyer1, phrasebook_buyer2, phrasebook_seller):
    THEMES.update(_mod.THEMES)
THEME_ORDER = list(THEMES)

# Relative volume of each theme (buyer ~65 %, seller ~35 %).
BASE_WEIGHT = {
    "refund_not_received": 7,
    "refund_amount_wrong": 3.5,
    "return_label_missing": 3,
    "return_rejected": 3.5,
    "courier_delay": 7,
    "parcel_lost": 4.5,
    "wrong_item": 4.5,
    "damaged_item": 4,
    "missing_parts": 3,
    "cancel_order_request": 4,
    "payment_failed": 4,
    "double_charged": 2.5,
    "voucher_not_applied": 3,
    "cod_refusal_fee": 3,
    "account_locked_buyer": 3,
    "fake_product_counterfeit": 2.5,
    "seller_payout_delayed": 6,
    "payout_amount_wrong": 3.5,
    "listing_taken_down": 4.5,
    "fee_dispute": 3.5,
    "pickup_missed": 4,
    "account_suspended_seller": 3,
    "penalty_points": 3.5,
    "ads_budget_overspent": 2.5,
    "api_integration_error": 2.5,
    "stock_sync_issue": 2.5,
}
# Theme x region affinity (default 1.0).
AFFINITY = {
    "cod_refusal_fee": {
        "ID": 1.6,
        "TH": 1.3,
        "VN": 1.6,
        "PH": 1.6,
        "MY": 1.0,
        "SG": 0.2,
        "US": 0.05,
        "UK": 0.05,
        "MX": 0.8,
        "BR": 0.1,
        "TW": 0.8,
    },
    "courier_delay": {"TH": 1.8, "PH": 1.2, "BR": 1.2},
    "fake_product_counterfeit": {"ID": 1.3, "PH": 1.3, "VN": 1.3, "UK": 0.6},
    "api_integration_error": {"SG": 1.8, "US": 1.5, "UK": 1.5, "TW": 1.4},
}
PATTERNS = {
    "rising": "voucher_not_applied",  # ~3x from week 1 to week 16
    "spike": {"theme": "courier_delay", "region": "TH", "week_index": 10, "factor": 5.5},
    "fading": "stock_sync_issue",  # decays to zero by week 16
    "new_theme": "ads_budget_overspent",  # zero before week index 9 (2026-W32)
    "new_from_week_index": 9,
}
WEEKDAY = [1.4, 1.2, 1.15, 1.15, 1.1, 0.5, 0.5]  # Mon..Sun, mean 1.0, UTC calendar days
# Local hour-of-day weights (business hours, evening chat bump).
HOURS = [
    0.15,
    0.1,
    0.05,
    0.05,
    0.05,
    0.1,
    0.3,
    0.6,
    1.0,
    1.6,
    1.8,
    1.7,
    1.2,
    1.5,
    1.6,
    1.5,
    1.3,
    1.1,
    0.8,
    0.9,
    1.0,
    0.9,
    0.6,
    0.3,
]
CHANNELS = ["email", "chat", "web_form", "app", "phone_transcript"]
CHANNEL_W = {"buyer": [0.15, 0.35, 0.15, 0.25, 0.10], "seller": [0.35, 0.2, 0.3, 0.05, 0.10]}
CATEGORY_NEIGHBOURS = {
    "refunds": ["returns", "payments"],
    "returns": ["refunds", "order_issue"],
    "delivery": ["order_issue", "returns"],
    "order_issue": ["returns", "delivery"],
    "orders": ["refunds", "payments"],
    "payments": ["refunds", "account"],
    "promotions": ["payments", "orders"],
    "account": ["payments", "orders"],
    "seller_payouts": ["seller_fees", "payments"],
    "seller_fees": ["seller_payouts", "seller_ads"],
    "listing": ["seller_account", "seller_tools"],
    "seller_logistics": ["delivery", "seller_account"],
    "seller_account": ["listing", "seller_logistics"],
    "seller_ads": ["seller_fees", "promotions"],
    "seller_tools": ["listing", "seller_logistics"],
}
GENERIC_CATEGORIES = ["other", "other", "general_inquiry"]
DELIVERY_THEMES = (
    "courier_delay",
    "parcel_lost",
    "return_label_missing",
    "pickup_missed",
    "damaged_item",
    "wrong_item",
)
CARD_THEMES = ("payment_failed", "double_charged", "refund_not_received")
FOLLOW_UP = {
    "en": ["Any update?", "Still waiting.", "Hello?? any update on this", "Following up again."],
    "id": ["Ada update kak?", "Masih nunggu nih.", "Min??", "Tolong difollow up lagi."],
    "th": ["มีอัปเดตไหมคะ", "ยังรออยู่นะครับ", "แอดมินคะ??"],
    "vi": ["Có cập nhật gì chưa ạ?", "Vẫn đang chờ.", "Shop ơi??"],
    "ms": ["Ada update?", "Masih tunggu ni.", "Helo??"],
    "tl": ["Update po?", "Naghihintay pa rin po ako.", "Hello po??"],
    "es": ["¿Alguna novedad?", "Sigo esperando.", "¿Hola??"],
    "pt": ["Alguma novidade?", "Continuo aguardando.", "Oi??"],
    "zh": ["有进展吗？", "还在等。", "在吗？？"],
}
LATIN = {"en", "id", "vi", "ms", "tl", "es", "pt"}
PH_RE = re.compile("\x00(\\d+)\x00")
SLOT_RE = re.compile(r"\{(\w+)\}")


def _parse_block(text):
    terse, body = {}, {}
    for line in text.strip().splitlines():
        lang, mark, tpl = line[:2], line[2], line[3:].strip()
        (terse if mark == "~" else body).setdefault(lang, []).append(tpl)
    return terse, body


TEMPLATES = {t: _parse_block(THEMES[t]["text"]) for t in THEME_ORDER}


def iso_week(week_index):
    y, w, _ = (START + dt.timedelta(weeks=week_index)).isocalendar()
    return f"{y}-W{w:02d}"


def temporal(theme, w):
    """Multiplier of a theme's base volume in week index w (0..15)."""
    g = 1.0 + 0.025 * w
    if theme == PATTERNS["rising"]:
        return g * (0.5 + w / 15.0)
    if theme == PATTERNS["fading"]:
        return g * 2.0 * max(0.0, (15 - w) / 15.0)
    if theme == PATTERNS["new_theme"]:
        return g * (0.0 if w < PATTERNS["new_from_week_index"] else 1.6)
    return g


def expected_cells(n_base, rng):
    """Expected ticket count per (week, theme, region), summing to n_base."""
    cells = []
    sp = PATTERNS["spike"]
    patterned = {PATTERNS["rising"], PATTERNS["fading"], PATTERNS["new_theme"], sp["theme"]}
    for w in range(WEEKS):
        for t in THEME_ORDER:
            noise = rng.uniform(0.95, 1.05) if t in patterned else rng.uniform(0.85, 1.15)
            for r, cfg in PC.REGIONS.items():
                e = (
                    BASE_WEIGHT[t]
                    * temporal(t, w)
                    * noise
                    * cfg["share"]
                    * AFFINITY.get(t, {}).get(r, 1.0)
                )
                cells.append([w, t, r, e])
    tot = sum(c[3] for c in cells)
    scale = n_base / tot
    for c in cells:
        c[3] *= scale
    # the spike is added on top of the normalised baseline so "normal level" stays comparable
    for c in cells:
        if c[0] == sp["week_index"] and c[1] == sp["theme"] and c[2] == sp["region"]:
            c.append(c[3])  # baseline kept for patterns.json
            c[3] *= sp["factor"]
    over = sum(c[3] for c in cells) - n_base
    non_spike = [c for c in cells if len(c) == 4]
    base_sum = sum(c[3] for c in non_spike)
    for c in non_spike:  # take the spike's extra volume proportionally out of everything else
        c[3] *= (base_sum - over) / base_sum
    return cells


def round_cells(cells, n_base):
    counts = [int(c[3]) for c in cells]
    rest = n_base - sum(counts)
    order = sorted(range(len(cells)), key=lambda i: (-(cells[i][3] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


# ----------------------------------------------------------------------------- text


def strip_diacritics(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize(
        "NFC",
        "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn"),
    )


def _on_text(text, fn):
    """Apply fn to the parts of text that are not PII placeholders."""
    parts = PH_RE.split(text)
    return "".join(fn(p) if i % 2 == 0 else f"\x00{p}\x00" for i, p in enumerate(parts))


def typo(rng, s, k):
    chars = list(s)
    for _ in range(k):
        idx = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(idx) < 4:
            return "".join(chars)
        i = rng.choice(idx)
        op = rng.randrange(3)
        if op == 0 and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == 1:
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


class Ctx:
    """Per-ticket slot values; PII values are kept aside as placeholders."""

    def __init__(self, rng, region, lang, local_date):
        self.rng, self.region, self.lang, self.local_date = rng, region, lang, local_date
        self.cfg = PC.REGIONS[region]
        usd = min(400.0, rng.lognormvariate(3.0, 0.8))
        mv = rng.randrange(3)
        self.values = {
            "amount": SL.money(rng, self.cfg["cur"], usd, mv),
            "amount2": SL.money(rng, self.cfg["cur"], usd * rng.uniform(0.3, 0.8), mv),
            "days": str(rng.randint(3, 21)),
            "n": str(rng.randint(2, 6)),
            "date": PC.fmt_date(
                lang, local_date - dt.timedelta(days=rng.randint(2, 20)), rng.randrange(3)
            ),
            "courier": rng.choice(self.cfg["couriers"]),
            "product": rng.choice(PC.PRODUCTS[lang]),
            "code": rng.choice(PC.ERROR_CODES),
        }
        self.pii = []  # (type, value) in placeholder order

    def _pii(self, kind):
        rng = self.rng
        if kind == "order":
            v, t = (
                SL.order_number(rng, self.local_date - dt.timedelta(days=rng.randint(1, 25))),
                "order_number",
            )
        elif kind == "trk":
            v, t = SL.tracking_number(rng, self.region), "tracking_number"
        elif kind == "email":
            v, t = SL.email(rng, self.region), "email"
        elif kind == "phone":
            v, t = SL.phone(rng, self.region), "phone"
        elif kind == "card":
            v, t = SL.luhn_card(rng), "card"
        else:
            v, t = SL.address(rng, self.region), "address"
        self.pii.append((t, v))
        return f"\x00{len(self.pii) - 1}\x00"

    def fill(self, tpl):
        def rep(m):
            key = m.group(1)
            if key in ("order", "trk", "email", "phone", "card", "address"):
                return self._pii(key)
            return self.values[key]

        return SLOT_RE.sub(rep, tpl)


def compose(rng, theme, lang, region, channel, local_date):
    """Return subject, description, pii list for one ticket."""
    meta = THEMES[theme]
    terse, body = TEMPLATES[theme]
    ctx = Ctx(rng, region, lang, local_date)
    sep = "" if lang == "zh" else " "
    parts = []
    if rng.random() < 0.13:  # terse ticket
        parts.append(rng.choice(terse[lang]))
        if rng.random() < 0.6:
            tail = rng.choice(PC.TERSE_TAIL[lang])
            parts[-1] += tail if lang == "zh" or tail.startswith("?") else " " + tail
        if rng.random() < 0.25:
            parts.append(rng.choice(PC.REF_ORDER[lang]))
    else:
        ctx_lines = PC.CONTEXT_SELLER if meta["kind"] == "seller" else PC.CONTEXT_BUYER
        if rng.random() < 0.1:  # long, rambling story
            main = rng.sample(body[lang], 3)
            contexts = rng.sample(ctx_lines[lang], rng.randint(2, 4))
        else:
            main = rng.sample(body[lang], 2 if rng.random() < 0.2 else 1)
            contexts = rng.sample(
                ctx_lines[lang], rng.choices([0, 1, 2, 3], [0.5, 0.3, 0.14, 0.06])[0]
            )
        if rng.random() < 0.45:
            parts.append(rng.choice(PC.OPENERS[lang]))
        if contexts and rng.random() < 0.4:
            parts += contexts + main
        else:
            parts += main + contexts
        p_order = 0.12 if meta["kind"] == "seller" else 0.16
        for p, table in (
            (p_order, PC.REF_ORDER),
            (0.25 if theme in DELIVERY_THEMES else 0.03, PC.REF_TRACKING),
            (0.05, PC.REF_EMAIL),
            (0.06, PC.REF_PHONE),
            (0.22 if theme in CARD_THEMES else 0.004, PC.REF_CARD),
            (0.12 if theme in ("parcel_lost", "courier_delay") else 0.008, PC.REF_ADDRESS),
        ):
            if rng.random() < p:
                parts.insert(rng.randint(1, len(parts)), rng.choice(table[lang]))
        if rng.random() < 0.08 + 0.25 * meta["pain"]:
            parts.append(rng.choice(PC.ANGRY[lang]))
        if rng.random() < 0.4:
            parts.append(rng.choice(PC.CLOSERS[lang]))
    filled = [ctx.fill(p) for p in parts]
    if lang == "zh":  # sentences are joined without spaces: end each with punctuation
        filled = [p if p[-1:] in "。！？!?，：）" else p + "。" for p in filled]
    while len(sep.join(filled)) > 660 and len(filled) > 2:  # keep bodies under ~650 chars
        filled.pop(len(filled) // 2)
    if channel == "email" and len(filled) > 2 and rng.random() < 0.5:
        text = filled[0] + "\n\n" + sep.join(filled[1:-1]) + "\n\n" + filled[-1]
    else:
        text = sep.join(filled)

    # subject (~60 % empty)
    subject = ""
    if rng.random() < 0.4:
        subject = (
            rng.choice(terse[lang]) if rng.random() < 0.6 else rng.choice(PC.GENERIC_SUBJECTS[lang])
        )
        if lang in LATIN and rng.random() < 0.7:
            subject = subject[:1].upper() + subject[1:]
        if rng.random() < 0.08:
            subject = "Re: " + subject

    # noise (never touches PII placeholders)
    if region == "TW" and lang == "zh":
        text, subject = PC.to_traditional(text), PC.to_traditional(subject)
    if lang == "vi" and rng.random() < 0.3:
        text, subject = _on_text(text, strip_diacritics), strip_diacritics(subject)
    chatty = 0.3 if channel in ("chat", "app") else 0.08
    if rng.random() < chatty:
        text = _on_text(text, lambda s: re.sub(r"[.,!?。，！？]+(?=\s|$)", "", s.lower()))
    elif lang in LATIN and rng.random() < 0.03:
        text, subject = _on_text(text, str.upper), subject.upper()
    if rng.random() < 0.10:
        k = rng.randint(1, 3)
        text = _on_text(text, lambda s: typo(rng, s, k) if len(s) > 12 else s)
    if rng.random() < 0.07:
        text += rng.choice(["", " "]) + rng.choice(PC.EMOJI)
    pii = list(ctx.pii)
    used = [pii[int(i)] for i in PH_RE.findall(text)]  # trimmed parts may have dropped some
    text = PH_RE.sub(lambda m: pii[int(m.group(1))][1], text)
    return subject, text, used


# ----------------------------------------------------------------------------- records


def pick(rng, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights)[0]


def category_for(rng, theme):
    true = THEMES[theme]["category"]
    u = rng.random()
    if u < 0.08:
        return rng.choice(GENERIC_CATEGORIES)
    if u < 0.15:
        return rng.choice(CATEGORY_NEIGHBOURS[true])
    return true


def csat_for(rng, theme, kind):
    if rng.random() < (0.45 if kind == "buyer" else 0.6):
        return ""
    mean = 4.3 - 2.4 * THEMES[theme]["pain"]
    return str(min(5, max(1, round(rng.gauss(mean, 1.0)))))


def make_ticket(rng, theme, region, utc_day):
    """One ticket dict (without id) created on utc_day (a date) in region."""
    cfg = PC.REGIONS[region]
    kind = THEMES[theme]["kind"]
    local_hour = rng.choices(range(24), HOURS)[0]
    utc_hour = (local_hour - cfg["tz"]) % 24
    ts = dt.datetime(
        utc_day.year,
        utc_day.month,
        utc_day.day,
        utc_hour,
        rng.randrange(60),
        rng.randrange(60),
        tzinfo=dt.UTC,
    )
    local = ts.astimezone(dt.timezone(dt.timedelta(hours=cfg["tz"])))
    lang = pick(rng, cfg["langs"])
    channel = rng.choices(CHANNELS, CHANNEL_W[kind])[0]
    subject, description, pii = compose(rng, theme, lang, region, channel, local.date())
    return {
        "ts": ts,
        "local_fmt": rng.random() < 0.22,
        "subject": subject,
        "description": description,
        "kind": kind,
        "region": region,
        "channel": channel,
        "category": category_for(rng, theme),
        "csat": csat_for(rng, theme, kind),
        "theme": theme,
        "language": lang,
        "pii": pii,
        "dup_of": None,
    }


def fmt_created(t):
    if t["local_fmt"]:
        tz = PC.REGIONS[t["region"]]["tz"]
        return t["ts"].astimezone(dt.timezone(dt.timedelta(hours=tz))).isoformat()
    return t["ts"].strftime("%Y-%m-%dT%H:%M:%SZ")


def near_edit(rng, t):
    lang = t["language"]
    sub, desc = t["subject"], t["description"]
    op = rng.randrange(4)
    if op == 0:
        fu = rng.choice(FOLLOW_UP[lang])
        if t["region"] == "TW":
            fu = PC.to_traditional(fu)
        desc = desc + ("" if lang == "zh" else " ") + fu
    elif op == 1:
        desc = desc.rstrip(".!。 ") + rng.choice(["!!", "!!!", "??", " 🙏"])
    elif op == 2:
        sub = "Re: " + sub if sub else rng.choice(FOLLOW_UP[lang])
        desc = desc[:1].lower() + desc[1:] if desc[:1].isupper() else desc + " ."
    else:
        first = rng.choice(PC.OPENERS[lang])
        desc = first + ("" if lang == "zh" else " ") + desc
    return sub, desc


def add_duplicates(rng, base, n_exact, n_near):
    chosen = rng.sample(range(len(base)), n_exact + n_near)
    out = []
    for j, i in enumerate(chosen):
        o = base[i]
        room = (END_UTC - o["ts"]).total_seconds() - 1
        delay = min(room, rng.uniform(600, 3 * 86400))
        d = dict(o)
        d["ts"] = o["ts"] + dt.timedelta(seconds=int(max(1, delay)))
        d["dup_of"] = i
        if rng.random() < 0.3:
            d["channel"] = rng.choices(CHANNELS, CHANNEL_W[o["kind"]])[0]
        d["category"] = category_for(rng, o["theme"])
        d["csat"] = csat_for(rng, o["theme"], o["kind"])
        d["local_fmt"] = rng.random() < 0.22
        if j >= n_exact:
            d["subject"], d["description"] = near_edit(rng, o)
            d["near"] = True
        out.append(d)
    return out


def generate(n=8000, seed=7):
    """Return (tickets sorted by created_at with ids assigned, info dict)."""
    rng = random.Random(seed)
    n_exact = round(n * 0.03)
    n_near = round(n * 0.03)
    n_base = n - n_exact - n_near
    cells = expected_cells(n_base, rng)
    counts = round_cells(cells, n_base)
    base = []
    for (w, theme, region, *_), c in zip(cells, counts, strict=True):
        week_start = START + dt.timedelta(weeks=w)
        days = rng.choices(range(7), WEEKDAY, k=c)
        for d in days:
            base.append(make_ticket(rng, theme, region, week_start + dt.timedelta(days=d)))
    for i, t in enumerate(base):
        t["seq"] = i
    dups = add_duplicates(rng, base, n_exact, n_near)
    for k, t in enumerate(dups):
        t["seq"] = len(base) + k
    allt = base + dups
    allt.sort(key=lambda t: (t["ts"], t["seq"]))
    for k, t in enumerate(allt, 1):
        t["ticket_id"] = f"T-{k:06d}"
    for t in allt:
        if t["dup_of"] is not None:
            t["duplicate_of"] = base[t["dup_of"]]["ticket_id"]
    return allt, {"cells": cells, "counts": counts, "n_exact": n_exact, "n_near": n_near}


# ----------------------------------------------------------------------------- writers


def _csv_bytes(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def week_index_of(ts):
    return (ts.date() - START).days // 7


def patterns_doc(tickets, info, n, seed):
    cells = info["cells"]
    sp = PATTERNS["spike"]

    def exp(theme, region=None):
        e = [0.0] * WEEKS
        for c in cells:
            if c[1] == theme and (region is None or c[2] == region):
                e[c[0]] += c[3]
        return [round(x, 1) for x in e]

    def act(theme, region=None):
        a = [0] * WEEKS
        for t in tickets:
            if t["theme"] == theme and (region is None or t["region"] == region):
                a[week_index_of(t["ts"])] += 1
        return a

    base_cell = next(c for c in cells if len(c) == 5)
    weeks = [iso_week(w) for w in range(WEEKS)]
    totals = [0] * WEEKS
    for t in tickets:
        totals[week_index_of(t["ts"])] += 1
    spike_act = act(sp["theme"], sp["region"])
    others = [x for i, x in enumerate(spike_act) if i != sp["week_index"]]
    return {
        "generator": "data/generate_sample.py",
        "seed": seed,
        "n": n,
        "start_date": START.isoformat(),
        "weeks": WEEKS,
        "iso_weeks": weeks,
        "time_basis": "ISO weeks and weekdays of created_at in UTC",
        "themes": [
            {"theme": t, "kind": THEMES[t]["kind"], "category": THEMES[t]["category"]}
            for t in THEME_ORDER
        ],
        "languages": PC.LANGS,
        "regions": {
            r: {"share": c["share"], "languages": dict(c["langs"]), "utc_offset_hours": c["tz"]}
            for r, c in PC.REGIONS.items()
        },
        "rising": {
            "theme": PATTERNS["rising"],
            "description": "grows linearly, ~3x from first to last week",
            "expected_per_week": exp(PATTERNS["rising"]),
            "actual_per_week": act(PATTERNS["rising"]),
        },
        "spike": {
            "theme": sp["theme"],
            "region": sp["region"],
            "week": iso_week(sp["week_index"]),
            "factor": sp["factor"],
            "expected_baseline_that_week": round(base_cell[4], 1),
            "expected_in_spike_week": round(base_cell[3], 1),
            "expected_extra": round(base_cell[3] - base_cell[4], 1),
            "actual_per_week_in_region": spike_act,
            "actual_median_other_weeks": sorted(others)[len(others) // 2],
        },
        "fading": {
            "theme": PATTERNS["fading"],
            "description": "decays to zero by the last week",
            "expected_per_week": exp(PATTERNS["fading"]),
            "actual_per_week": act(PATTERNS["fading"]),
        },
        "new_theme": {
            "theme": PATTERNS["new_theme"],
            "first_week": iso_week(PATTERNS["new_from_week_index"]),
            "description": "no tickets before first_week, steady afterwards",
            "expected_per_week": exp(PATTERNS["new_theme"]),
            "actual_per_week": act(PATTERNS["new_theme"]),
        },
        "weekday": {
            "basis": "UTC calendar day",
            "factors": dict(
                zip(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], WEEKDAY, strict=True)
            ),
        },
        "growth": "all themes x (1 + 0.025 * week_index)",
        "duplicates": {
            "exact": info["n_exact"],
            "near": info["n_near"],
            "note": "duplicates are created 10 min - 3 days after their original",
        },
        "weekly_totals": totals,
    }


def write_sample(out, n=8000, seed=7, extras=True):
    os.makedirs(out, exist_ok=True)
    tickets, info = generate(n, seed)
    rows, truth, pii = [], [], []
    for t in tickets:
        rows.append(
            [
                t["ticket_id"],
                fmt_created(t),
                t["subject"],
                t["description"],
                t["kind"],
                t["region"],
                t["channel"],
                t["category"],
                t["csat"],
            ]
        )
        truth.append([t["ticket_id"], t["theme"], t["language"], t.get("duplicate_of", "")])
        pii += [[t["ticket_id"], typ, val] for typ, val in t["pii"]]
    _write(os.path.join(out, "tickets.csv"), _csv_bytes(COLUMNS, rows))
    _write(
        os.path.join(out, "truth.csv"),
        _csv_bytes(["ticket_id", "theme", "language", "duplicate_of"], truth),
    )
    _write(os.path.join(out, "pii.csv"), _csv_bytes(["ticket_id", "pii_type", "value"], pii))
    doc = patterns_doc(tickets, info, n, seed)
    _write(
        os.path.join(out, "patterns.json"),
        (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode(),
    )
    if extras:
        try:
            from . import sample_extras
        except ImportError:
            import sample_extras
        sample_extras.write_extras(out, seed)
    return tickets


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample")
    )
    ap.add_argument("--n", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-extras", action="store_true", help="skip malformed/zendesk files")
    a = ap.parse_args(argv)
    tickets = write_sample(a.out, a.n, a.seed, extras=not a.no_extras)
    print(f"wrote {len(tickets)} tickets to {a.out}")


if __name__ == "__main__":
    main()
