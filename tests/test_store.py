"""Store: migrations from the first schema version, SQLite pragmas, transactions."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from insights.store.db import (
    StoreError,
    alembic_config,
    connect,
    current_revision,
    make_engine,
    newest_migration,
    session_scope,
    upgrade,
)
from insights.store.models import Batch


def test_fresh_store_is_at_head_with_all_tables(empty_db_url):
    engine = connect(empty_db_url)
    names = set(inspect(engine).get_table_names())
    assert {"tickets", "batches", "quarantine", "embeddings", "runs", "themes"} <= names
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_newest_migration_file_is_alembics_head(empty_db_url):
    """Up-to-date stores skip alembic on opening by comparing with the newest file's stem."""
    from alembic.script import ScriptDirectory

    engine = make_engine(empty_db_url)
    assert ScriptDirectory.from_config(alembic_config(engine)).get_current_head() == (
        newest_migration()
    )
    connect(empty_db_url)
    assert current_revision(engine) == newest_migration()


def test_store_created_by_first_schema_version_upgrades(empty_db_url):
    db_url = empty_db_url
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


def test_embedding_cache_embeds_only_missing_texts_and_looks_up_once(db_url, monkeypatch):
    import numpy as np
    from sqlalchemy import insert

    from insights.embed.cache import load_vectors
    from insights.ingest.prepare import text_hash
    from insights.jobs import embedding
    from insights.jobs.embedding import EmbeddedBatch, embed_missing
    from insights.settings import load_settings
    from insights.store.models import Ticket

    engine = connect(db_url)
    lookups: list[int] = []
    real_lookup = embedding.cached_hashes

    def counting_lookup(engine, model_id, hashes):
        lookups.append(len(hashes))
        return real_lookup(engine, model_id, hashes)

    monkeypatch.setattr(embedding, "cached_hashes", counting_lookup)
    embedded: list[str] = []

    def fake_map(embed, batches):
        for texts in batches:
            embedded.extend(texts)
            yield EmbeddedBatch(np.ones((len(texts), 4), np.float32), 0.0)

    def add_tickets(start: int, stop: int) -> None:
        at = __import__("datetime").datetime(2026, 1, 1)
        with session_scope(engine) as s:
            if start == 0:
                s.add(Batch(id=1, source_path="x", source="d", file_sha256="y", started_at=at))
                s.flush()
            s.execute(
                insert(Ticket),
                [
                    {
                        "source": "d",
                        "external_id": f"t{i}",
                        "created_at": at,
                        "text": f"text {i}",
                        "language": "en",
                        "language_confidence": 1.0,
                        "language_detected": False,
                        "attributes": {},
                        "truncated": False,
                        "content_hash": f"h{i}",
                        "row_hash": f"r{i}",
                        "batch_id": 1,
                        "ingested_at": at,
                        "updated_at": at,
                    }
                    for i in range(start, stop)
                ],
            )

    settings = load_settings()
    add_tickets(0, 500)
    assert embed_missing(engine, settings, map_batches=fake_map).n_embedded == 500
    add_tickets(500, 2000)
    assert embed_missing(engine, settings, map_batches=fake_map).n_embedded == 1500
    assert len(embedded) == 2000 and len(set(embedded)) == 2000  # nothing embedded twice
    assert lookups == [500, 2000]  # one lookup per call, however many texts
    keys = [text_hash(f"text {i}") for i in (3, 1999, 3)]  # keyed by the text embedded
    vectors = load_vectors(engine, settings.embedding.key, keys)
    assert vectors.shape == (3, 4)


def test_load_vectors_keeps_order_and_repeated_hashes_and_names_missing(db_url):
    """Vectors go straight into one matrix (no per-hash arrays plus a stacked copy)."""
    import numpy as np

    from insights.embed.cache import load_vectors, store_vectors

    engine = connect(db_url)
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    store_vectors(engine, "m", ["a", "b", "c"], vectors)
    got = load_vectors(engine, "m", ["c", "a", "c", "b"])
    np.testing.assert_array_equal(got, vectors[[2, 0, 2, 1]])
    assert got.dtype == np.float32 and got.flags.c_contiguous
    assert load_vectors(engine, "m", []).shape == (0, 0)
    with pytest.raises(KeyError, match="1 vectors missing"):
        load_vectors(engine, "m", ["a", "zzz"])
