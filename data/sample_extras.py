"""Extra sample files: malformed.csv (+ expected outcomes) and a Zendesk-style export.

Called by generate_sample.write_sample(); deterministic from the seed.
"""

import csv
import datetime as dt
import io
import json
import os
import random

try:
    from . import generate_sample as G
    from . import phrasebook_common as PC
except ImportError:
    import generate_sample as G
    import phrasebook_common as PC

ZENDESK_COLUMNS = [
    "Id",
    "Created at",
    "Subject",
    "Description",
    "Via",
    "Requester region",
    "Tags",
    "Satisfaction Score",
    "Ticket type",
]
ZENDESK_MAPPING = {
    "source": "zendesk",
    "columns": {
        "ticket_id": "Id",
        "created_at": "Created at",
        "subject": "Subject",
        "description": "Description",
        "channel": "Via",
        "region": "Requester region",
        "csat": "Satisfaction Score",
        "category": "Ticket type",
    },
    "defaults": {"kind": "buyer"},
}
VIA = {
    "email": "Email",
    "chat": "Chat",
    "web_form": "Web form",
    "app": "Mobile SDK",
    "phone_transcript": "Voice",
}
BAD_BYTES = b"\xff\xfe\xc3\x28"


def _csv_line(fields):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue().encode("utf-8")


def _valid(rng, theme, region, day):
    """A plain valid ticket without PII (so malformed tests need no pii bookkeeping)."""
    for _ in range(50):
        t = G.make_ticket(rng, theme, region, day)
        if not t["pii"] and "\n" not in t["description"]:
            return t
    raise RuntimeError("could not draw a PII-free ticket")


def write_malformed(out, seed):
    rng = random.Random(f"{seed}-malformed")
    day = dt.date(2026, 7, 14)
    V = lambda theme, region: _valid(rng, theme, region, day)  # noqa: E731

    def row(tid, created, t, subject=None, description=None, csat=None):
        return [
            tid,
            created,
            t["subject"] if subject is None else subject,
            t["description"] if description is None else description,
            t["kind"],
            t["region"],
            t["channel"],
            t["category"],
            t["csat"] if csat is None else csat,
        ]

    t1, t2, t3 = V("refund_not_received", "US"), V("courier_delay", "TH"), V("double_charged", "TW")
    long_base = V("parcel_lost", "UK")
    para = (
        "Pasting the whole chat history because nobody reads my tickets. "
        + long_base["description"]
        + " "
    )
    long_text = (para * (24000 // len(para) + 2))[:24000]
    enc = V("payment_failed", "BR")
    specs = [  # (row fields or raw bytes, key ticket id or None, expected)
        (row("M-0001", "2026-07-14T09:31:02Z", t1), "ok"),
        (row("M-0002", "2026-07-14T10:02:45+07:00", t2), "ok"),
        (row("M-0003", "2026-07-14T03:15:00Z", t3), "ok"),
        (row("", "2026-07-14T04:00:00Z", V("wrong_item", "PH")), "missing_id"),
        (row("M-0005", "", V("payment_failed", "MX")), "missing_date"),
        (row("M-0006", "next tuesday", V("voucher_not_applied", "ID")), "bad_date"),
        (row("M-0007", "32/13/2026", V("damaged_item", "VN")), "bad_date"),
        (
            row(
                "M-0008",
                "2026-07-14T05:00:00Z",
                V("cancel_order_request", "SG"),
                subject="",
                description="   ",
            ),
            "empty_text",
        ),
        (
            row(
                "M-0009",
                "2026-07-14T05:10:00Z",
                V("missing_parts", "MY"),
                subject=" ",
                description="",
            ),
            "empty_text",
        ),
        (
            row("M-0010", "2026-07-14T06:00:00Z", long_base, subject="", description=long_text),
            "truncated",
        ),
        ("ENC", "bad_encoding"),
        ("MANY", "bad_row"),
        ("FEW", "bad_row"),
        (row("M-0001", "2026-07-14T09:31:02Z", t1), "duplicate"),
        (
            row(
                "M-0002",
                "2026-07-14T10:02:45+07:00",
                t2,
                description=t2["description"] + " อัปเดต: ยังไม่ได้ของเลยค่ะ",
            ),
            "update",
        ),
        (row("M-0016", "2026-07-14T07:45:00Z", V("return_rejected", "ID"), csat=""), "ok"),
        (row("M-0017", "2026-07-14T08:20:00+07:00", V("seller_payout_delayed", "VN")), "ok"),
        (row("  ", "2026-07-14T08:30:00Z", V("fee_dispute", "UK")), "missing_id"),
        (
            row(
                "M-0019",
                "2026-07-14T09:00:00Z",
                V("account_locked_buyer", "US"),
                subject="Can't log in since Monday",
                description="",
            ),
            "ok",
        ),
        (
            row(
                "M-0020",
                "2026-07-14T09:05:00-03:00",
                V("fake_product_counterfeit", "BR"),
                description='O vendedor diz "original", mas a caixa veio sem selo, com vírgulas, aspas "" e tudo.',
            ),
            "ok",
        ),
        (row("M-0021", "2026-02-30T10:00:00Z", V("penalty_points", "PH")), "bad_date"),
        (row("M-0022", "2026-07-14T11:00:00Z", V("listing_taken_down", "MX")), "ok"),
        (row("M-0023", "2026-07-14T11:30:00-06:00", V("parcel_lost", "MX")), "ok"),
        (row("M-0024", "2026-07-14T12:00:00+08:00", V("pickup_missed", "TW")), "ok"),
        (
            row(
                "M-0025",
                "2026-07-14T12:30:00Z",
                V("refund_amount_wrong", "SG"),
                description="Hi,\n\nI paid S$42.90 but only got S$20.00 back.\nThe shipping fee was not refunded.\n\nThanks.",
            ),
            "ok",
        ),
    ]
    data = _csv_line(G.COLUMNS)
    rows_meta = []
    seen = set()
    for i, (spec, expected) in enumerate(specs, 1):
        if spec == "ENC":
            tid = "M-0011"
            pre = _csv_line(
                row(tid, "2026-07-14T06:30:00-03:00", enc, description="@@BAD,@@")
            )  # comma forces quotes
            desc = enc["description"].replace('"', '""').encode("utf-8")
            cut = desc.index(b" ", len(desc) // 2)  # split between characters, not inside one
            line = pre.replace(b"@@BAD,@@", desc[:cut] + b" " + BAD_BYTES + desc[cut:])
        elif spec == "MANY":
            tid = "M-0012"
            t = V("stock_sync_issue", "SG")
            line = _csv_line(
                [
                    *row(tid, "2026-07-14T07:00:00Z", t, description="stock not syncing"),
                    "extra",
                    "fields",
                ]
            )
        elif spec == "FEW":
            tid = "M-0013"
            t = V("api_integration_error", "US")
            line = _csv_line(
                [tid, "2026-07-14T07:10:00Z", "", "API returns 500 since morning", "seller"]
            )
        else:
            tid = spec[0]
            line = _csv_line(spec)
        data += line
        key = tid.strip()
        if not key or key in seen:
            key = f"row:{i}"
        seen.add(tid.strip())
        rows_meta.append({"row": i, "ticket_id": tid, "key": key, "expected": expected})
    with open(os.path.join(out, "malformed.csv"), "wb") as f:
        f.write(data)
    quarantine = {"missing_id", "missing_date", "bad_date", "empty_text", "bad_encoding", "bad_row"}
    ex = [r["expected"] for r in rows_meta]
    doc = {
        "file": "malformed.csv",
        "row_numbering": "row N = N-th data record after the header (1-based). Only the last record spans "
        "several physical lines, so for every keyed row N the physical line is N + 1.",
        "key_rule": "key is the ticket_id for its first occurrence; rows without an id, and later "
        "occurrences of a repeated id, are keyed 'row:N'",
        "outcomes": {
            "ok": "ingested as new",
            "truncated": "ingested, text cut to the product limit (> 20,000 chars)",
            "duplicate": "same id, identical content: counted as duplicate, nothing written",
            "update": "same id, changed content: counted as updated",
            "missing_id": "quarantine",
            "missing_date": "quarantine",
            "bad_date": "quarantine",
            "empty_text": "quarantine (subject and description blank)",
            "bad_encoding": "quarantine (row holds bytes that are not UTF-8)",
            "bad_row": "quarantine (wrong number of fields)",
        },
        "expected": {r["key"]: r["expected"] for r in rows_meta},
        "rows": rows_meta,
        "counts": {
            "read": len(ex),
            "new": sum(e in ("ok", "truncated") for e in ex),
            "updated": ex.count("update"),
            "duplicates": ex.count("duplicate"),
            "quarantined": sum(e in quarantine for e in ex),
        },
    }
    with open(os.path.join(out, "malformed_expected.json"), "wb") as f:
        f.write((json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode())


def write_zendesk(out, seed, n=300):
    rng = random.Random(f"{seed}-zendesk")
    buyer = [t for t in G.THEME_ORDER if G.THEMES[t]["kind"] == "buyer"]
    regions = list(PC.REGIONS)
    rows, truth, pii = [], [], []
    zid = 48213
    for _ in range(n):
        w = rng.randrange(G.WEEKS)
        theme = rng.choices(buyer, [G.BASE_WEIGHT[t] * G.temporal(t, w) for t in buyer])[0]
        region = rng.choices(
            regions,
            [PC.REGIONS[r]["share"] * G.AFFINITY.get(theme, {}).get(r, 1.0) for r in regions],
        )[0]
        day = G.START + dt.timedelta(weeks=w, days=rng.choices(range(7), G.WEEKDAY)[0])
        t = G.make_ticket(rng, theme, region, day)
        tz = PC.REGIONS[region]["tz"]
        if rng.random() < 0.8:
            created = (
                t["ts"]
                .astimezone(dt.timezone(dt.timedelta(hours=tz)))
                .strftime("%Y-%m-%d %H:%M:%S %z")
            )
        else:  # US-style, no zone: UTC
            created = t["ts"].strftime("%m/%d/%Y %H:%M")
        subject = t["subject"] or (
            "Chat with Web User" if t["channel"] == "chat" and rng.random() < 0.5 else ""
        )
        if t["csat"] == "":
            sat = rng.choice(["offered", "unoffered", ""])
        else:
            sat = "good" if int(t["csat"]) >= 4 else "bad" if int(t["csat"]) <= 2 else "offered"
        tags = [
            t["category"],
            region.lower(),
            *rng.sample(
                ["vip", "escalated", "repeat_contact", "sla_breach", "macro_used"],
                rng.randint(0, 2),
            ),
        ]
        ttype = rng.choices(
            ["incident", "question", "problem", "task", ""], [0.5, 0.3, 0.08, 0.04, 0.08]
        )[0]
        rows.append(
            [
                zid,
                created,
                subject,
                t["description"],
                VIA[t["channel"]],
                region,
                " ".join(tags),
                sat,
                ttype,
            ]
        )
        truth.append([zid, theme, t["language"]])
        pii += [[zid, typ, val] for typ, val in t["pii"]]
        zid += rng.randint(1, 40)
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])
    with open(os.path.join(out, "zendesk_export.csv"), "wb") as f:
        f.write(G._csv_bytes(ZENDESK_COLUMNS, [rows[i] for i in order]))
    with open(os.path.join(out, "zendesk_truth.csv"), "wb") as f:
        f.write(G._csv_bytes(["Id", "theme", "language"], [truth[i] for i in order]))
    with open(os.path.join(out, "zendesk_pii.csv"), "wb") as f:
        f.write(G._csv_bytes(["Id", "pii_type", "value"], pii))
    with open(os.path.join(out, "zendesk_mapping.json"), "wb") as f:
        f.write((json.dumps(ZENDESK_MAPPING, indent=1) + "\n").encode())


def write_extras(out, seed):
    write_malformed(out, seed)
    write_zendesk(out, seed)
    try:
        from . import sample_conversations
    except ImportError:
        import sample_conversations
    sample_conversations.write_conversations(out, seed)
