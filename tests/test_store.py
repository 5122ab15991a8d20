"""Store: migrations from the first schema version, SQLite pragmas, transactions."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from insights.store.db import (
    StoreError,
    connect,
    current_revision,
    make_engine,
    session_scope,
    upgrade,
)
from insights.store.models import Batch


def test_fresh_store_is_at_head_with_all_tables(db_url):
    engine = connect(db_url)
    names = set(inspect(engine).get_table_names())
    assert {"tickets", "batches", "quarantine", "embeddings", "runs", "themes"} <= names
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_store_created_by_first_schema_version_upgrades(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "runs" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO batches (source_path, source, file_sha256, started_at) "
                "VALUES ('old.csv', 'default', 'x', '2026-01-01 00:00:00')"
            )
        )
    engine = connect(db_url)
    assert current_revision(engine) != "0001"
    with session_scope(engine) as s:
        assert s.query(Batch).count() == 1


def test_session_scope_rolls_back_on_error(db_url):
    engine = connect(db_url)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        s.add(
            Batch(
                source_path="x",
                source="d",
                file_sha256="y",
                started_at=__import__("datetime").datetime(2026, 1, 1),
            )
        )
        s.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as s:
        assert s.query(Batch).count() == 0


def test_unusable_url_is_a_store_error():
    with pytest.raises(StoreError):
        connect("definitely not a url")
