"""The run ledger, the typed fit state in its own tables, and the one embedding path with an
injectable map over batches (no model: a deterministic stand-in embedder)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sqlalchemy import insert, select, text

from insights.embed.cache import load_vectors
from insights.ingest.prepare import text_hash
from insights.jobs import embedding
from insights.jobs.embedding import EmbeddedBatch, EmbedStats, embed_missing
from insights.jobs.runs import (
    RunStats,
    fail_runs_of_flow,
    fail_stale_runs,
    finish_run,
    latest_fit_state,
    latest_full_run,
    latest_run_id,
    load_fit_state,
    mark_ok,
    run_record,
    save_fit_state,
    start_run,
)
from insights.settings import load_settings
from insights.store.db import connect, make_engine, session_scope, upgrade
from insights.store.models import Batch, Run, Ticket
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer


def test_ledger_start_finish_fail_and_latest(db_url):
    engine = connect(db_url)
    first = start_run(engine, "full", "m", {"discovery": {}}, flow_run_id="flow-1")
    with session_scope(engine) as session:
        assert latest_run_id(session) is None  # running is never current
        mark_ok(session, first)
    finish_run(engine, first, RunStats(n_tickets=3, n_themes=1, timings={"total": 1.5}))
    second = start_run(engine, "incremental", "m", {}, flow_run_id="flow-2")
    third = start_run(engine, "full", "m", {}, flow_run_id="flow-3")
    assert fail_runs_of_flow(engine, "flow-2") == 1
    assert fail_stale_runs(engine) == 1  # the third: killed while running
    with session_scope(engine) as session:
        assert latest_run_id(session) == first
        assert latest_run_id(session, "failed") == third
        assert latest_full_run(session).id == first
    record = run_record(engine, first)
    assert (record.mode, record.status, record.flow_run_id) == ("full", "ok", "flow-1")
    assert record.stats.n_tickets == 3 and record.stats.timings == {"total": 1.5}
    assert record.finished_at is not None
    assert run_record(engine, second).status == "failed" and run_record(engine, 99) is None
    with pytest.raises(ValueError):
        start_run(engine, "partial", "m", {})


def _fitted() -> tuple[ThemeDiscoverer, np.ndarray, list[str]]:
    """A discoverer with a known state, without UMAP: two groups, two centroids."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 8)).astype(np.float32)
    langs = ["en"] * 20 + ["th"] * 20
    d = ThemeDiscoverer(DiscoveryParams(min_language_rows=5))
    from insights.themes.discover import center, language_means

    d.language_means_ = language_means(X, langs, 5)
    Z = center(X, langs, d.language_means_, 5)
    d.centroids_ = np.vstack([Z[:10].mean(0), Z[20:30].mean(0)]).astype(np.float32)
    d.centroids_ /= np.linalg.norm(d.centroids_, axis=1, keepdims=True)
    d.floor_ = 0.1
    return d, X, langs


def test_fit_state_round_trips_through_its_tables(db_url):
    engine = connect(db_url)
    d, X, langs = _fitted()
    run_id = start_run(engine, "full", "m", {})
    with session_scope(engine) as session:
        save_fit_state(session, run_id, d.state())
        mark_ok(session, run_id)
    with session_scope(engine) as session:
        state = load_fit_state(session, run_id)
        run, latest = latest_fit_state(session)
        stats = session.scalar(select(Run.stats).where(Run.id == run_id))
    assert run.id == run_id and latest.floor == state.floor == pytest.approx(0.1)
    assert stats == {}  # nothing of the fit in the run's JSON
    assert state.params.min_language_rows == 5 and set(state.language_means) == {
        "__global__",
        "en",
        "th",
    }
    again = ThemeDiscoverer.from_state(state, d.centroids_)
    expected = d.predict(X, langs)
    got = again.predict(X, langs)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_allclose(got[1], expected[1], atol=1e-6)


def test_fit_states_move_out_of_run_stats_on_upgrade(empty_db_url):
    """A store written before fit states had their tables (means and floor in runs.stats)."""
    db_url = empty_db_url
    engine = make_engine(db_url)
    upgrade(engine, "0003")
    means = {"__global__": [0.5, 0.5], "en": [1.0, 0.0]}
    with engine.begin() as conn:
        conn.execute(
            insert(Run.__table__).values(
                id=1,
                mode="full",
                status="ok",
                model_id="m",
                parameters={"discovery": {"min_language_rows": 7, "seed": 3}},
                stats={"floor": 0.42, "language_means": means, "n_themes": 2},
                started_at=text("CURRENT_TIMESTAMP"),
            )
        )
    engine = connect(db_url)
    with session_scope(engine) as session:
        state = load_fit_state(session, 1)
    assert state.floor == pytest.approx(0.42) and state.params.min_language_rows == 7
    assert state.params.seed == 3
    assert {k: v.tolist() for k, v in state.language_means.items()} == means


def _tickets(engine, texts: list[str]) -> None:
    from datetime import datetime

    now = datetime(2026, 1, 5)
    with session_scope(engine) as s:
        s.add(Batch(id=1, source_path="t", source="t", file_sha256="h", started_at=now))
        s.flush()
        s.execute(
            insert(Ticket),
            [
                {
                    "source": "t",
                    "external_id": f"t{i}",
                    "created_at": now,
                    "text": t,
                    "language": "en",
                    "language_confidence": 1.0,
                    "language_detected": False,
                    "attributes": {},
                    "truncated": False,
                    "content_hash": f"hash-{t}",
                    "row_hash": f"row-{i}",
                    "batch_id": 1,
                    "ingested_at": now,
                    "updated_at": now,
                }
                for i, t in enumerate(texts)
            ],
        )


def fake_vectors(texts: list[str]) -> np.ndarray:
    return np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)


def test_one_embedding_path_with_an_injected_map(db_url, monkeypatch):
    engine = connect(db_url)
    texts = [f"ticket text {i}" for i in range(7)] + ["ticket text 0"]  # one duplicate text
    _tickets(engine, texts)
    monkeypatch.setattr(embedding, "FANOUT_BATCH", 3)
    settings = load_settings().override({"embedding.batch_size": 1})
    seen: list[list[str]] = []

    def fake_map(embed, batches):  # what a Dask map does: batches elsewhere, in order
        assert embed.model_id == settings.embedding.model
        for batch in batches:
            seen.append(batch)
            yield EmbeddedBatch(fake_vectors(batch), 0.25)

    stats = embed_missing(engine, settings, map_batches=fake_map, runner="fake")
    assert [len(b) for b in seen] == [3, 3, 1]  # 7 distinct texts, in ticket order
    assert stats == EmbedStats(7, 3, stats.seconds, 0.75, "fake")
    hashes = [text_hash(t) for t in texts]  # the key is the hash of the text embedded
    np.testing.assert_array_equal(
        load_vectors(engine, settings.embedding.key, hashes), fake_vectors(texts)
    )
    again = embed_missing(engine, settings, map_batches=fake_map, runner="fake")
    assert again.n_embedded == 0 and len(seen) == 3  # cached: the map is not even called
    total = replace(stats, seconds=1.0) + EmbedStats(2, 1, 1.0, 0.5, "sequential")
    assert (total.n_embedded, total.n_batches, total.runner) == (9, 4, "fake")


def test_a_failing_batch_keeps_the_batches_before_it(db_url, monkeypatch):
    engine = connect(db_url)
    _tickets(engine, [f"text {i}" for i in range(6)])
    monkeypatch.setattr(embedding, "FANOUT_BATCH", 2)
    settings = load_settings().override({"embedding.batch_size": 1})

    def dies_on_the_second(embed, batches):
        yield EmbeddedBatch(fake_vectors(batches[0]), 0.0)
        raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError, match="worker lost"):
        embed_missing(engine, settings, map_batches=dies_on_the_second)
    left = embedding.missing_items(engine, settings.embedding.key)
    assert [t for _, t in left] == [f"text {i}" for i in range(2, 6)]
