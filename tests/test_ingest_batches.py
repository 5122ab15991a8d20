"""Ingest writes in short transactions (issue 17, item 3): between two chunks of a large file
another connection can write at once, and what is stored so far is committed and reconciles.
No timing: the other writer gets no busy timeout at all, so a held write lock fails it."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select, text

from insights.ingest.load import CHUNK, WRITE_ROWS, ingest_file
from insights.settings import load_settings
from insights.store.db import connect, make_engine, session_scope
from insights.store.models import Batch, Ticket
from tests.conftest import sample_rows, write_rows


def test_another_writer_gets_the_store_between_chunks(db_url, tmp_path):
    rows = sample_rows(0, 3 * CHUNK)
    for i, row in enumerate(rows):  # a language column: this test is about writing
        row["language"] = row.get("language") or "en"
        row["ticket_id"] = f"T-{i}"
    path = write_rows(tmp_path / "big.csv", rows)
    engine = connect(db_url)
    other = make_engine(db_url)
    seen: list[tuple[int, int, int]] = []

    def between_chunks(n_read: int) -> None:
        # the first chunk was written, the second not yet (a chunk is written once the next
        # one is validated: its language detection runs meanwhile)
        if n_read != 2 * CHUNK + WRITE_ROWS:
            return
        if db_url.startswith("sqlite"):
            conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0)
            try:
                conn.execute("BEGIN IMMEDIATE")  # the write lock, without waiting for it
                conn.execute("ROLLBACK")
            finally:
                conn.close()
        with other.begin() as conn:
            if other.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL lock_timeout = '1ms'"))
            stored = conn.scalar(select(func.count()).select_from(Ticket))
            batch = conn.execute(select(Batch.n_read, Batch.n_new)).one()
        seen.append((stored, batch.n_read, batch.n_new))

    result = ingest_file(engine, path, load_settings(db_url), on_rows=between_chunks)
    assert result.read == 3 * CHUNK and result.reconciles
    assert seen == [(CHUNK, CHUNK, CHUNK)]  # committed, and the unfinished batch reconciles
    with session_scope(engine) as session:
        batch = session.scalars(select(Batch)).one()
        assert batch.finished_at is not None and batch.n_read == batch.n_new == 3 * CHUNK
    other.dispose()
