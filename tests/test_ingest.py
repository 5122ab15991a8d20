"""Ingest: formats, validation, quarantine, dedupe, reconciliation, file-level errors."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from insights.ingest.load import ingest_file
from insights.ingest.mapping import Mapping, load_mapping
from insights.ingest.read import FileError
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Batch, Quarantine, Ticket

HEADER = ["ticket_id", "created_at", "text", "kind", "region", "channel", "csat"]
GOOD = [
    [
        "a1",
        "2026-06-01T09:00:00Z",
        "My refund has not arrived after two weeks",
        "buyer",
        "us",
        "Email",
        "2",
    ],
    [
        "a2",
        "2026-06-01 10:30:00+07:00",
        "Dana refund saya belum masuk kak",
        "buyer",
        "ID",
        "chat",
        "",
    ],
    ["a3", "06/02/2026 08:00", "ยังไม่ได้รับเงินคืนเลยค่ะ", "seller", "TH", "app", "5"],
    ["a4", "1780300800", "我的退款还没有到账，请尽快处理", "", "TW", "web_form", "good"],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter=",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def engine(db_url):
    return connect(db_url)


def count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_csv_ingest_then_reingest_is_all_duplicates(tmp_path, engine):
    path = write_csv(tmp_path / "t.csv", GOOD)
    settings = load_settings()
    first = ingest_file(engine, path, settings)
    assert first.counts() == {
        "read": 4,
        "new": 4,
        "updated": 0,
        "duplicates": 0,
        "quarantined": 0,
        "batch_id": first.batch_id,
    }
    again = ingest_file(engine, path, settings)
    assert (again.read, again.new, again.duplicates) == (4, 0, 4)
    assert count(engine, Ticket) == 4
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.external_id == "a3")).one()
        assert t.kind == "seller" and t.region == "TH" and t.channel == "app" and t.csat == 5
        assert t.language == "th" and t.language_detected
        a4 = s.scalars(select(Ticket).where(Ticket.external_id == "a4")).one()
        assert a4.language == "zh" and a4.csat == 5 and a4.kind is None
        assert a4.created_at.year == 2026
        a2 = s.scalars(select(Ticket).where(Ticket.external_id == "a2")).one()
        assert a2.created_at.hour == 3  # +07:00 stored as UTC


def test_changed_content_is_an_update(tmp_path, engine):
    settings = load_settings()
    ingest_file(engine, write_csv(tmp_path / "t.csv", GOOD), settings)
    changed = [row[:] for row in GOOD]
    changed[0][2] = "My refund has still not arrived after three weeks"
    result = ingest_file(engine, write_csv(tmp_path / "t2.csv", changed), settings)
    assert (result.new, result.updated, result.duplicates) == (0, 1, 3)
    with session_scope(engine) as s:
        assert (
            "three weeks" in s.scalars(select(Ticket.text).where(Ticket.external_id == "a1")).one()
        )
    assert count(engine, Ticket) == 4


def test_duplicate_ids_inside_one_file(tmp_path, engine):
    rows = [*GOOD, GOOD[0], [*GOOD[1][:2], "a different text now", *GOOD[1][3:]]]
    result = ingest_file(engine, write_csv(tmp_path / "t.csv", rows), load_settings())
    assert result.reconciles
    assert (result.read, result.new, result.duplicates, result.updated) == (6, 4, 1, 1)
    assert count(engine, Ticket) == 4


@pytest.mark.parametrize(
    "fmt", ["tsv", "jsonl", "parquet", "csv.gz", "jsonl.gz", "csv-bom", "utf16"]
)
def test_every_format_gives_the_same_tickets(tmp_path, engine, fmt):
    frame = pd.DataFrame(GOOD, columns=HEADER)
    path = tmp_path / f"t.{fmt}"
    if fmt == "tsv":
        write_csv(path, GOOD, delimiter="\t")
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif fmt == "parquet":
        frame.to_parquet(path)
    elif fmt == "csv.gz":
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False)
    elif fmt == "jsonl.gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            frame.to_json(fh, orient="records", lines=True, force_ascii=False)
    elif fmt == "csv-bom":
        path = tmp_path / "t.csv"
        path.write_text(frame.to_csv(index=False), encoding="utf-8-sig")
    elif fmt == "utf16":
        path = tmp_path / "t.csv"
        path.write_text(frame.to_csv(index=False), encoding="utf-16")
    result = ingest_file(engine, path, load_settings())
    assert (result.read, result.new, result.quarantined) == (4, 4, 0)
    with session_scope(engine) as s:
        texts = set(s.scalars(select(Ticket.text)))
    assert "我的退款还没有到账，请尽快处理" in texts


def bad_corpus(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A hand-written file with one row per failure mode; returns the file and id -> reason."""
    lines = [
        b"ticket_id,created_at,text,kind,region,channel,csat",
        b"ok1,2026-06-01T09:00:00Z,Parcel never arrived,buyer,US,email,",
        b",2026-06-01T09:00:00Z,no id here,buyer,US,email,",
        b"nodate,,text without a date,buyer,US,email,",
        b"baddate,next tuesday,date that is words,buyer,US,email,",
        b"baddate2,32/13/2026,impossible date,buyer,US,email,",
        b"empty,2026-06-01T09:00:00Z,   ,buyer,US,email,",
        b"badbytes,2026-06-01T09:00:00Z,broken \xff\xfe\xc3\x28 bytes,buyer,US,email,",
        b"fewfields,2026-06-01T09:00:00Z,too few",
        b"long,2026-06-01T09:00:00Z," + b"x" * 6000 + b",buyer,US,email,",
        b'quoted,2026-06-01T09:00:00Z,"multi\nline, with comma",seller,ID,chat,4',
    ]
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    expected = {
        "": "missing_id",
        "nodate": "missing_date",
        "baddate": "bad_date",
        "baddate2": "bad_date",
        "empty": "empty_text",
        "badbytes": "bad_encoding",
        "fewfields": "bad_row",
    }
    return path, expected


def test_bad_rows_are_quarantined_with_their_reason(tmp_path, engine):
    path, expected = bad_corpus(tmp_path)
    result = ingest_file(engine, path, load_settings())
    assert result.reconciles
    assert (result.read, result.new, result.quarantined, result.truncated) == (10, 3, 7, 1)
    with session_scope(engine) as s:
        got = {(q.external_id or ""): q.reason for q in s.scalars(select(Quarantine))}
        long = s.scalars(select(Ticket).where(Ticket.external_id == "long")).one()
        quoted = s.scalars(select(Ticket).where(Ticket.external_id == "quoted")).one()
    assert got == expected
    assert long.truncated and len(long.text) == load_settings().ingest.max_text_chars
    assert quoted.text == "multi\nline, with comma"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"ticket_id,created_at,body\nx1,2025-01-06,hello\n", "required column"),
        (b"", "empty"),
        (b"\x00\x01\x02\xff" * 100, "binary"),
    ],
)
def test_file_level_errors_write_nothing(tmp_path, engine, content, message):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(FileError, match=message):
        ingest_file(engine, path, load_settings())
    assert count(engine, Batch) == 0 and count(engine, Ticket) == 0


def test_corrupt_gzip_midway_rolls_back_the_whole_file(tmp_path, engine):
    rows = [
        [
            f"id{i}",
            "2026-06-01T09:00:00Z",
            f"ticket number {i} about refunds",
            "buyer",
            "US",
            "email",
            "",
        ]
        for i in range(5000)
    ]
    plain = write_csv(tmp_path / "big.csv", rows)
    data = gzip.compress(plain.read_bytes())
    broken = tmp_path / "big.csv.gz"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileError):
        ingest_file(engine, broken, load_settings())
    assert count(engine, Batch) == 0 and count(engine, Ticket) == 0


def test_unknown_extension_and_missing_file(tmp_path, engine):
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(FileError, match="unknown file type"):
        ingest_file(engine, tmp_path / "x.xlsx", load_settings())
    with pytest.raises(FileError, match="no such file"):
        ingest_file(engine, tmp_path / "nope.csv", load_settings())


def test_mapping_renames_columns_and_sets_defaults(tmp_path, engine):
    header = ["Id", "Created at", "Subject", "Description", "Via", "Satisfaction Score"]
    rows = [
        [
            "9001",
            "2026-07-14 09:31:02 +0700",
            "Refund",
            "Still waiting for my refund",
            "email",
            "bad",
        ]
    ]
    path = write_csv(tmp_path / "zd.csv", rows, header=header)
    mapping_file = tmp_path / "map.json"
    mapping_file.write_text(
        json.dumps(
            {
                "source": "zendesk",
                "columns": {
                    "ticket_id": "Id",
                    "created_at": "Created at",
                    "subject": "Subject",
                    "description": "Description",
                    "channel": "Via",
                    "csat": "Satisfaction Score",
                },
                "defaults": {"kind": "buyer"},
            }
        )
    )
    result = ingest_file(engine, path, load_settings(), mapping=load_mapping(mapping_file))
    assert result.new == 1
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket)).one()
    assert (t.source, t.external_id, t.kind, t.csat, t.channel) == (
        "zendesk",
        "9001",
        "buyer",
        1,
        "email",
    )
    assert t.text == "Refund\nStill waiting for my refund"


def test_bad_mapping_file_is_a_file_error(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text("{not json")
    with pytest.raises(FileError, match="not valid JSON"):
        load_mapping(bad)
    bad.write_text(json.dumps({"columns": {"nonsense": "x"}}))
    with pytest.raises(FileError, match="unknown target"):
        load_mapping(bad)


def test_language_column_is_used_and_normalised(tmp_path, engine):
    header = ["ticket_id", "created_at", "text", "language"]
    rows = [
        ["l1", "2026-06-01", "salamat po", "fil"],
        ["l2", "2026-06-01", "hello, where is my parcel", "zh-TW"],
        ["l3", "2026-06-01", "Kapan paket saya sampai?", ""],
    ]
    ingest_file(
        engine,
        write_csv(tmp_path / "l.csv", rows, header=header),
        load_settings(),
        mapping=Mapping(),
    )
    with session_scope(engine) as s:
        langs = dict(s.execute(select(Ticket.external_id, Ticket.language)).all())
    assert langs == {"l1": "tl", "l2": "zh", "l3": "id"}


def test_pii_never_reaches_the_store(tmp_path, engine):
    rows = [
        ["p1", "2026-06-01", "email me at maria.santos88@gmail.com or call +63 917 123 4567"],
        ["p2", "2026-06-01", "card 4111-1111-1111-1111 charged twice, order #SO-58213347"],
    ]
    header = ["ticket_id", "created_at", "text"]
    ingest_file(engine, write_csv(tmp_path / "p.csv", rows, header=header), load_settings())
    with session_scope(engine) as s:
        stored = " ".join(s.scalars(select(Ticket.text)))
    for secret in ("maria.santos88@gmail.com", "917 123 4567", "4111-1111-1111-1111", "58213347"):
        assert secret not in stored


def test_latin1_export_is_read_as_latin1(tmp_path, engine):
    rows = [
        [
            "l1",
            "2026-06-01T09:00:00Z",
            "Não recebi o reembolso; é um absurdo",
            "buyer",
            "BR",
            "email",
            "",
        ],
        ["l2", "2026-06-01T09:00:00Z", "El pedido llegó dañado", "buyer", "MX", "chat", ""],
    ]
    path = tmp_path / "latin1.csv"
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    path.write_bytes(text.encode("latin-1"))
    result = ingest_file(engine, path, load_settings())
    assert (result.new, result.quarantined) == (2, 0)
    with session_scope(engine) as s:
        texts = set(s.scalars(select(Ticket.text)))
    assert "El pedido llegó dañado" in texts
