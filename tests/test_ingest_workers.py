"""A large file is validated by worker processes (insights.ingest.load._ingest_in_workers):
the store must come out exactly as when one process does it all, bad rows, duplicates and
updates included, and a file that fails mid-way keeps the chunks read before the failure."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from insights.ingest import load
from insights.ingest.read import FileError
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Batch, Quarantine, Ticket
from tests.conftest import sample_rows, write_rows

COLUMNS = [
    "source",
    "external_id",
    "created_at",
    "text",
    "clean_text",
    "thread",
    "language",
    "language_confidence",
    "language_detected",
    "kind",
    "region",
    "channel",
    "category",
    "csat",
    "attributes",
    "truncated",
    "content_hash",
    "row_hash",
]


def _messy_file(path):
    rows = sample_rows(0, 430)
    rows[7]["created_at"] = "not a date"  # quarantined
    rows[50]["ticket_id"] = ""  # quarantined
    rows[120] = dict(rows[3])  # a duplicate in another chunk
    rows[300] = dict(rows[4], description="changed " + rows[4]["description"])  # an update
    rows[301] = dict(rows[300])  # and its duplicate in the same chunk
    return write_rows(path, rows)


def _stored(url: str) -> tuple[list[tuple], list[tuple], tuple]:
    engine = connect(url)
    with session_scope(engine) as session:
        tickets = [
            tuple(getattr(t, c) for c in COLUMNS)
            for t in session.scalars(select(Ticket).order_by(Ticket.id))
        ]
        quarantined = [
            (q.row_number, q.external_id, q.reason, q.detail, q.raw)
            for q in session.scalars(select(Quarantine).order_by(Quarantine.row_number))
        ]
        b = session.scalars(select(Batch)).one()
        batch = (b.n_read, b.n_new, b.n_updated, b.n_duplicates, b.n_quarantined, b.finished_at)
    engine.dispose()
    return tickets, quarantined, (*batch[:-1], batch[-1] is not None)


def test_workers_store_exactly_what_one_process_stores(tmp_path, monkeypatch):
    path = _messy_file(tmp_path / "tickets.csv")
    monkeypatch.setattr(load, "CHUNK", 100)  # several chunks in flight at once
    monkeypatch.setattr(load, "PARALLEL_ROWS", 0)
    results = {}
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        # four languages: each spawned worker loads the detector's models for fewer of them
        settings = load_settings(url).override(
            {"ingest.ingest_workers": workers, "ingest.languages": ("en", "vi", "th", "id")}
        )
        seen: list[int] = []
        results[workers] = load.ingest_file(connect(url), path, settings, on_rows=seen.append)
        assert seen[-1] == 430
    one, two = results[1], results[2]
    assert (two.read, two.new, two.updated, two.duplicates, two.quarantined) == (
        one.read,
        one.new,
        one.updated,
        one.duplicates,
        one.quarantined,
    )
    assert one.read == 430 and one.quarantined == 2 and one.duplicates == 2 and one.reconciles
    in_process, in_workers = (
        _stored(f"sqlite:///{tmp_path / 'w1.db'}"),
        _stored(f"sqlite:///{tmp_path / 'w2.db'}"),
    )
    assert in_workers == in_process
    assert in_workers[2][-1] is True  # the batch is finished


def test_a_file_failing_mid_way_keeps_what_workers_read_before(tmp_path, monkeypatch):
    rows = [r | {"language": "en"} for r in sample_rows(0, 350)]  # no detector to load
    path = write_rows(tmp_path / "tickets.csv", rows)
    monkeypatch.setattr(load, "CHUNK", 100)
    monkeypatch.setattr(load, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(load, "_check_readable", lambda p: 350)  # changed after the first pass
    real_open = load.open_rows

    def failing_open(p):
        header, rows, handle = real_open(p)

        def cut():
            for i, row in enumerate(rows):
                if i == 250:
                    raise FileError(f"{p}: cannot decode line 252")
                yield row

        return header, cut(), handle

    monkeypatch.setattr(load, "open_rows", failing_open)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = load_settings(url).override({"ingest.ingest_workers": 2})
    with pytest.raises(FileError, match="the 200 rows before it are stored"):
        load.ingest_file(connect(url), path, settings)
    tickets, _, batch = _stored(url)
    assert len(tickets) == 200 and batch[0] == 200 and batch[-1] is False
