"""Hostile input, each with one defined outcome (the README's "Hostile input" table points here).

Cases already covered elsewhere are not repeated: the plain Latin-1 file and UTF-8/UTF-16 with
byte-order marks (test_ingest), in-file duplicates in one chunk (test_ingest), HTML escaping in
the digest (test_digest) and the app (test_app).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import random
import tracemalloc
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from insights.cli.main import app
from insights.ingest import load as ingest_load
from insights.ingest import validate as ingest_validate
from insights.ingest.load import ingest_file
from insights.ingest.read import FileError
from insights.ingest.validate import parse_timestamp
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import (
    Assignment,
    Batch,
    Quarantine,
    Run,
    Theme,
    ThemeEvent,
    ThemeSnapshot,
    Ticket,
)
from insights.views.export import neutralise, table_csv

runner = CliRunner()
HEADER = ["ticket_id", "created_at", "text"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
]


@pytest.fixture
def engine(db_url):
    return connect(db_url)


def write_rows(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def stored(engine) -> dict[str, Ticket]:
    with session_scope(engine) as s:
        return {t.external_id: t for t in s.scalars(select(Ticket))}


def quarantined(engine) -> dict[str, Quarantine]:
    with session_scope(engine) as s:
        return {(q.external_id or ""): q for q in s.scalars(select(Quarantine))}


# --------------------------------------------------------------------------- a 10 MB text


def test_ten_megabyte_text_is_truncated_counted_and_redacted_cheaply(engine, tmp_path, monkeypatch):
    """A 10 MB cell costs no more than a short one: it is cut to INSIGHTS_MAX_TEXT_CHARS (and
    counted), and PII redaction only looks at a window around the cut, never at 10 MB."""
    seen: list[int] = []
    real_redact = ingest_validate.redact
    monkeypatch.setattr(
        ingest_validate, "redact", lambda text: seen.append(len(text)) or real_redact(text)
    )
    huge = "refund not received " * 500_000  # 10,000,000 characters
    rows = [
        ["big", "2026-06-01T09:00:00Z", huge, huge],  # and as an extra attribute column
        ["bigbaddate", "someday", huge, "x"],  # quarantined: its raw copy is bounded too
        ["small", "2026-06-01T09:00:00Z", "parcel late", ""],
    ]
    path = write_rows(tmp_path / "big.csv", rows, [*HEADER, "notes"])
    assert path.stat().st_size > 20_000_000
    result = ingest_file(engine, path, load_settings())
    assert (result.read, result.new, result.quarantined, result.truncated) == (3, 2, 1, 1)
    limit = load_settings().ingest.max_text_chars
    tickets = stored(engine)
    assert len(tickets["big"].text) == limit and tickets["big"].truncated
    assert len(tickets["big"].attributes["notes"]) == 1000
    assert len(quarantined(engine)["bigbaddate"].raw) <= 2000
    assert max(seen) <= 2 * limit + 1000  # never the whole 10 MB
    with session_scope(engine) as s:
        assert s.scalars(select(Batch.n_truncated)).one() == 1


def test_identifier_cut_by_truncation_is_still_redacted(engine, tmp_path):
    """Truncation must not cut an email in half before redaction sees it (half an address is
    no longer an address to the pattern, and its user name would be stored)."""
    limit = load_settings().ingest.max_text_chars
    email = "maria.santos88@gmail.com"
    text = "x" * (limit - 10) + " " + email + " and more words" * 10
    write_rows(tmp_path / "cut.csv", [["cut", "2026-06-01", text]])
    ingest_file(engine, tmp_path / "cut.csv", load_settings())
    got = stored(engine)["cut"].text
    assert len(got) <= limit and "maria" not in got and "santos" not in got


# --------------------------------------------------------------------------- binary junk


def _junk(kind: str, tmp_path: Path) -> Path:
    rng = random.Random(8)
    noise = bytes(rng.getrandbits(8) for _ in range(50_000))
    high = bytes(rng.randrange(0x80, 0x100) for _ in range(50_000))  # no NUL, not UTF-8
    files = {
        "random.csv": noise,
        "png.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise,
        "high-bytes.csv": high,
        "junk.csv.gz": noise,
        "junk.jsonl": high,
        "junk.parquet": noise,
        "zip.csv": b"PK\x03\x04" + noise,
    }
    path = tmp_path / kind
    path.write_bytes(files[kind])
    return path


@pytest.mark.parametrize(
    "kind",
    [
        "random.csv",
        "png.csv",
        "high-bytes.csv",
        "junk.csv.gz",
        "junk.jsonl",
        "junk.parquet",
        "zip.csv",
    ],
)
def test_binary_junk_is_a_one_line_file_error_and_writes_nothing(engine, tmp_path, kind):
    path = _junk(kind, tmp_path)
    with pytest.raises(FileError) as info:
        ingest_file(engine, path, load_settings())
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Batch)) == 0
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0


def test_junk_bytes_inside_a_good_file_quarantine_only_their_row(engine, tmp_path):
    """Past the first 64 KB (where the file is sniffed) junk bytes, a NUL included, reach the
    row parser: the row with undecodable bytes is quarantined, a NUL is dropped (PostgreSQL
    cannot store one), every other row is stored."""
    lines = [b"ticket_id,created_at,text"]
    lines += [b"ok%d,2026-06-01,the courier never came number %d" % (i, i) for i in range(2000)]
    lines.append(b"junk,2026-06-01,broken \xff\xfe\x81 bytes")
    lines.append(b"nul,2026-06-01,refund\x00 missing")
    path = tmp_path / "tail.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert path.stat().st_size > 1 << 16
    result = ingest_file(engine, path, load_settings())
    assert (result.new, result.quarantined) == (2001, 1)
    assert quarantined(engine)["junk"].reason == "bad_encoding"
    assert stored(engine)["nul"].text == "refund missing"


def test_jsonl_lone_surrogate_and_nul_escapes(engine, tmp_path):
    """JSON can spell characters no file encoding can: a lone surrogate (unstorable, so the row
    is quarantined as bad_encoding) and NUL (dropped from values and keys)."""
    records = [
        '{"ticket_id": "half", "created_at": "2026-06-01", "text": "emoji half \\ud83d here"}',
        '{"ticket_id": "nul", "created_at": "2026-06-01", "text": "a\\u0000b", "k\\u0000ey": "v"}',
        '{"ticket_id": "fine", "created_at": "2026-06-01", "text": "fine \\ud83d\\ude00"}',
    ]
    path = tmp_path / "esc.jsonl"
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    result = ingest_file(engine, path, load_settings())
    assert (result.new, result.quarantined) == (2, 1)
    assert quarantined(engine)["half"].reason == "bad_encoding"
    tickets = stored(engine)
    assert tickets["nul"].text == "ab" and tickets["nul"].attributes == {"key": "v"}
    assert tickets["fine"].text == "fine 😀"


# --------------------------------------------------------------------------- encodings

ACCENTED = [
    ["e1", "2026-06-01T09:00:00Z", "“Reembolso” de €20 – não chegou"],
    ["e2", "2026-06-01T09:00:00Z", "Le colis est arrivé abîmé, ça fait 3 fois…"],
]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16-be-bom", "utf-16-le-no-bom"])
def test_legacy_and_utf16_files_read_exactly(engine, tmp_path, encoding):
    """cp1252 (Windows "Latin-1" with curly quotes, euro sign, dash and ellipsis), big-endian
    UTF-16 with its byte-order mark, and UTF-16 without one (as some exporters write it)."""
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *ACCENTED])
    body = buf.getvalue()
    if encoding == "cp1252":
        data = body.encode("cp1252")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + body.encode("utf-16-be")
    else:
        data = body.encode("utf-16-le")
    path = tmp_path / "enc.csv"
    path.write_bytes(data)
    result = ingest_file(engine, path, load_settings())
    assert (result.new, result.quarantined) == (2, 0)
    assert {k: t.text for k, t in stored(engine).items()} == {r[0]: r[2] for r in ACCENTED}


# --------------------------------------------------------------------------- formulas in CSVs


def _all_cells(data: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data, newline="")) for cell in row]


def _assert_neutralised(data: str, payloads: list[str]) -> None:
    cells = _all_cells(data)
    live = [c for c in cells if c.startswith(FORMULA_START)]
    assert live == [], f"cells a spreadsheet would evaluate: {live}"
    for payload in payloads:
        assert "'" + payload in cells or any(("'" + payload) in c for c in cells), payload


def _themed_store(engine, tmp_path) -> None:
    """Tickets, themes, a run, assignments and events whose free text is a formula."""
    rows = [[f"{p}", "2026-06-01T09:00:00Z", p] for p in FORMULAS]
    ingest_file(engine, write_rows(tmp_path / "f.csv", rows), load_settings())
    now = datetime(2026, 6, 2)
    with session_scope(engine) as s:
        run = Run(mode="full", status="ok", model_id="m", parameters={}, stats={}, started_at=now)
        s.add(run)
        s.flush()
        ids = [t.id for t in s.scalars(select(Ticket).order_by(Ticket.id))]
        for i, payload in enumerate(FORMULAS):
            theme = Theme(label=payload, title=payload, created_run_id=run.id, last_run_id=run.id)
            s.add(theme)
            s.flush()
            s.add(
                ThemeSnapshot(
                    run_id=run.id,
                    theme_id=theme.id,
                    size=10 - i,
                    centroid=np.zeros(4, dtype=np.float32).tobytes(),
                    keywords={"all": [payload, "refund"], "by_language": {}},
                    representatives={},
                    languages={"en": 1},
                )
            )
            s.add(
                Assignment(
                    run_id=run.id,
                    ticket_id=ids[i],
                    theme_id=theme.id,
                    similarity=0.9,
                    method="cluster",
                )
            )
            s.add(ThemeEvent(run_id=run.id, theme_id=theme.id, event="new", created_at=now))


def test_formulas_are_neutralised_in_every_csv_export(engine, db_url, tmp_path):
    """`insights export tickets`, `insights export assignments`, `insights themes --format csv`,
    `insights events --format csv` and the app's CSV download: no cell starts with = + - @ tab
    or CR; the store itself keeps the text as written."""
    _themed_store(engine, tmp_path)
    assert set(stored(engine)) == set(FORMULAS)  # stored verbatim, ids included
    outputs = {}
    for name in ("tickets", "assignments"):
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(app, ["export", name, "--out", str(out), "--db", db_url])
        assert result.exit_code == 0, result.output
        outputs[name] = out.read_text(encoding="utf-8")
    for command in (["themes"], ["events"]):
        result = runner.invoke(app, [*command, "--format", "csv", "--db", db_url])
        assert result.exit_code == 0, result.output
        outputs[command[0]] = result.stdout
    for data in outputs.values():
        _assert_neutralised(data, FORMULAS)
    tickets = list(csv.DictReader(io.StringIO(outputs["tickets"], newline="")))
    assert {r["ticket_id"] for r in tickets} == {"'" + p for p in FORMULAS}


def test_app_csv_download_neutralises_every_text_column():
    table = pd.DataFrame(
        {
            "theme_id": [1, 2, 3, 4, 5, 6],
            "title": [*FORMULAS, "\t=1+1", "\r=1+1"],
            "tags": [["=cmd"], ["+x"], [], ["ok"], ["@a"], ["-1"]],
            "owner": ["@owner", "ana", "=1", "", "-", "+"],
            "growth": [-0.5, 0.1, -2.0, 0.0, 1.0, -1.0],  # numbers stay numbers
        }
    )
    data = table_csv(table, ["theme_id", "title", "tags", "owner", "growth"]).decode()
    rows = list(csv.reader(io.StringIO(data, newline="")))[1:]
    text_cells = [cell for row in rows for cell in row[1:4]]
    assert [c for c in text_cells if c.startswith(FORMULA_START)] == []
    assert [row[4] for row in rows] == ["-0.5", "0.1", "-2.0", "0.0", "1.0", "-1.0"]
    assert rows[4][1] == "'\t=1+1" and rows[0][1] == "'" + FORMULAS[0]


@pytest.mark.parametrize("payload", [*FORMULAS, "\t=1", "\r=1"])
def test_neutralise_prefixes_each_formula_start(payload):
    assert neutralise(payload) == "'" + payload
    assert neutralise("refund " + payload) == "refund " + payload  # only the start matters


# --------------------------------------------------------------------------- HTML, SQL


def test_html_and_sql_looking_text_is_stored_verbatim_and_tables_survive(engine, db_url, tmp_path):
    """Markup and SQL are data: stored and exported as written (escaping happens where HTML is
    rendered: the digest and the app), the SQL never runs, every table is still there."""
    tables_before = set(inspect(engine).get_table_names())
    rows = [
        ["'; DROP TABLE tickets; --", "2026-06-01", "Robert'); DROP TABLE tickets; --"],
        ["x' OR '1'='1", "2026-06-01", "1; DELETE FROM quarantine WHERE 1=1"],
        ["h1", "2026-06-01", "<script>alert('x')</script> refund"],
        ["h2", "2026-06-01", '<img src=x onerror="alert(1)"> <b>bold</b> &amp; &lt;'],
    ]
    path = write_rows(tmp_path / "sql.csv", rows, [*HEADER])
    first = ingest_file(engine, path, load_settings())
    again = ingest_file(engine, path, load_settings())
    assert (first.new, again.duplicates) == (4, 4)  # the quote-laden ids are found again
    assert set(inspect(engine).get_table_names()) == tables_before
    assert {k: t.text for k, t in stored(engine).items()} == {r[0]: r[2] for r in rows}
    out = tmp_path / "out.csv"
    assert (
        runner.invoke(app, ["export", "tickets", "--out", str(out), "--db", db_url]).exit_code == 0
    )
    exported = {r["ticket_id"]: r["text"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert exported == {r[0]: r[2] for r in rows}


# --------------------------------------------------------------------------- emoji, RTL

UNICODE_ROWS = [
    ["🎫-1", "2026-06-01T09:00:00Z", "refund 😡😡 👨‍👩‍👧 family order 🇹🇭 never came 🙏🏽"],
    ["طلب-٢", "2026-06-01T09:00:00Z", "لم أستلم المبلغ المسترد بعد، الطلب متأخر"],
    ["he-3", "2026-06-01T09:00:00Z", "ההחזר לא הגיע עדיין"],
    ["rlo-4", "2026-06-01T09:00:00Z", "invoice \u202egnp.exe attached \u202c please check"],
    ["zw-5", "2026-06-01T09:00:00Z", "\u200bre\u200cfu\u200dnd\u2060 \ufeffmissing\u2028next line"],
    ["mix-6", "2026-06-01T09:00:00Z", "Cafe\u0301 e\u0301 é: ship to שלום مرحبا ok"],
]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_emoji_and_right_to_left_text_round_trip_unchanged(engine, db_url, tmp_path, fmt):
    """Emoji sequences, Arabic and Hebrew, a right-to-left override, zero-width and combining
    characters come out of `insights export tickets` exactly as they went in; only personal
    data is replaced."""
    rows = [*UNICODE_ROWS, ["pii-7", "2026-06-01", "راسلني على maria.santos88@gmail.com شكرا"]]
    path = tmp_path / f"u.{fmt}"
    if fmt == "csv":
        write_rows(path, rows)
    else:
        path.write_text(
            "".join(json.dumps(dict(zip(HEADER, r, strict=True))) + "\n" for r in rows),
            encoding="utf-8",
        )
    result = ingest_file(engine, path, load_settings())
    assert (result.new, result.quarantined) == (7, 0)
    out = tmp_path / "out.csv"
    assert (
        runner.invoke(app, ["export", "tickets", "--out", str(out), "--db", db_url]).exit_code == 0
    )
    with out.open(encoding="utf-8", newline="") as fh:
        exported = {r["ticket_id"]: r["text"] for r in csv.DictReader(fh)}
    assert {k: exported[k] for k, *_ in UNICODE_ROWS} == {r[0]: r[2] for r in UNICODE_ROWS}
    assert exported["pii-7"] == "راسلني على [EMAIL] شكرا"


# --------------------------------------------------------------------------- dates

ACCEPTED = {
    "2026-11-27T10:00:00+07:00": "2026-11-27 03:00:00",
    "2026-11-27 10:00:00+07:00": "2026-11-27 03:00:00",
    "2026-11-27T03:00:00Z": "2026-11-27 03:00:00",
    "2026-11-27T03:00:00.250Z": "2026-11-27 03:00:00.250000",
    "2026-11-27T10:00:00+0530": "2026-11-27 04:30:00",
    "2026-11-27T10:00:00 -03:00": "2026-11-27 13:00:00",
    "Fri, 27 Nov 2026 10:00:00 +0700": "2026-11-27 03:00:00",
    "1795755600": "2026-11-27 05:00:00",  # epoch seconds
    "1795755600000": "2026-11-27 05:00:00",  # epoch milliseconds
    "27/11/2026": "2026-11-27 00:00:00",  # day first: 27 cannot be a month
    "27.11.2026": "2026-11-27 00:00:00",
    "2026/11/27": "2026-11-27 00:00:00",
    "27 Nov 2026": "2026-11-27 00:00:00",
    "November 27, 2026 10:00 AM": "2026-11-27 10:00:00",
    "05/06/2026": "2026-05-06 00:00:00",  # ambiguous: month first, as US exports write it
}
REJECTED = [
    "2026-02-30",  # no such day
    "2026-11-27T25:00",
    "27/11/26",  # two-digit year
    "2026",  # no month or day: would be filled in from today
    "Nov 2026",  # no day
    "2026-11-27 10:00 PST",  # time-zone abbreviation: ambiguous (and ignored by the parser)
    "2026-11-27 10:00 Asia/Jakarta",
    "9999-12-31T23:59:59-01:00",  # past the largest representable UTC time
    "0001-01-01T00:00:00+01:00",
    "next tuesday",
    "999999999",  # nine digits: not epoch seconds
    "NaN",
]


@pytest.mark.parametrize("value, expected", ACCEPTED.items())
def test_accepted_dates_are_stored_as_utc(value, expected):
    assert str(parse_timestamp(value, "UTC")) == expected


@pytest.mark.parametrize("value", REJECTED)
def test_unusable_dates_are_refused(value):
    assert parse_timestamp(value, "UTC") is None


def test_naive_times_use_insights_timezone_and_bad_dates_are_quarantined(
    engine, tmp_path, monkeypatch
):
    monkeypatch.setenv("INSIGHTS_TIMEZONE", "Asia/Jakarta")
    rows = [[f"ok{i}", v, "refund missing"] for i, v in enumerate(ACCEPTED)]
    rows += [[f"bad{i}", v, "refund missing"] for i, v in enumerate(REJECTED)]
    rows.append(["naive", "2026-11-27 10:00:00", "refund missing"])
    result = ingest_file(engine, write_rows(tmp_path / "d.csv", rows), load_settings())
    assert (result.new, result.quarantined) == (len(ACCEPTED) + 1, len(REJECTED))
    assert str(stored(engine)["naive"].created_at) == "2026-11-27 03:00:00"  # UTC+7
    bad = quarantined(engine)
    assert {q.reason for q in bad.values()} == {"bad_date"}
    assert REJECTED[5] in bad["bad5"].detail  # the detail names the value


# --------------------------------------------------------------------------- duplicate ids


def test_duplicate_ids_across_chunks_and_spelled_with_spaces(engine, tmp_path, monkeypatch):
    """One file, the same id again after the chunk holding it was written: same content is a
    duplicate, changed content an update (the last one wins); surrounding spaces do not make a
    new id, a different case does."""
    monkeypatch.setattr(ingest_load, "CHUNK", 3)
    rows = [
        ["d1", "2026-06-01", "first text"],
        ["d2", "2026-06-01", "other"],
        ["d3", "2026-06-01", "other 3"],
        ["d4", "2026-06-01", "other 4"],  # a new chunk starts here
        [" d1 ", "2026-06-01", "first text"],  # duplicate
        ["d2", "2026-06-01", "changed"],  # update
        ["d2", "2026-06-01", "changed again"],  # update
        ["D1", "2026-06-01", "first text"],  # another ticket
    ]
    result = ingest_file(engine, write_rows(tmp_path / "dup.csv", rows), load_settings())
    assert result.reconciles
    assert (result.read, result.new, result.duplicates, result.updated) == (8, 5, 1, 2)
    tickets = stored(engine)
    assert set(tickets) == {"d1", "d2", "d3", "d4", "D1"}
    assert tickets["d2"].text == "changed again"


# --------------------------------------------------------------------------- memory


def _peak_ingest_memory(tmp_path: Path, rows: int) -> int:
    path = tmp_path / f"m{rows}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*HEADER, "language", "region"])
        for i in range(rows):
            writer.writerow(
                [f"m{i}", "2026-06-01T09:00:00Z", f"my refund {i} has not arrived yet", "en", "US"]
            )
    engine = connect(f"sqlite:///{tmp_path / f'm{rows}.db'}")
    tracemalloc.start()
    try:
        ingest_file(engine, path, load_settings())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        engine.dispose()


def test_ingest_memory_does_not_grow_with_rows(tmp_path, monkeypatch):
    """Streaming: ten times the rows (in ten times the chunks) may not need much more memory.
    Small chunks keep it fast; bench/ingest_memory.py measures peak RSS at up to 1,000,000 rows
    with the real chunk size."""
    monkeypatch.setattr(ingest_load, "CHUNK", 200)
    small = _peak_ingest_memory(tmp_path, 600)
    large = _peak_ingest_memory(tmp_path, 6_000)
    assert large < 1.5 * small, (small, large)


def test_generated_bench_file_is_what_ingest_reads(tmp_path):
    """The memory bench must feed ingest realistic, valid rows (else it measures nothing)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "ingest_memory", Path(__file__).resolve().parent.parent / "bench" / "ingest_memory.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    path = tmp_path / "g.csv"
    module.generate(path, 300)
    engine = connect(f"sqlite:///{tmp_path / 'g.db'}")
    result = ingest_file(engine, path, load_settings())
    assert (result.read, result.new, result.quarantined) == (300, 300, 0)
    assert os.path.getsize(path) > 300 * 50
