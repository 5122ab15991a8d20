"""Crash safety: a refresh killed with SIGKILL during embedding or discovery leaves a store the
next refresh completes on, without duplicates or orphans, with annotations and cached vectors
kept (issue 8, item 2).

The refresh runs in a real process of its own (``insights.jobs.refresh.refresh``, what the flow's
task calls; forked from the session's warm server, tests/forked.py);
the test polls the store to time the kill, so the kill lands where the test says it does.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from insights.ingest.load import ingest_file
from insights.ingest.prepare import embedding_inputs
from insights.jobs.refresh import RefreshResult, refresh
from insights.people.annotate import annotate, audit_trail, get_notes, resolve_theme
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import (
    Assignment,
    Embedding,
    Run,
    Theme,
    ThemeEvent,
    ThemeSnapshot,
    Ticket,
)
from insights.views.themes import current_themes
from tests.conftest import REPO, first_refresh, seed_vectors, write_sample
from tests.forked import Forked

pytestmark = pytest.mark.slow

#: What the refresh flow's task does, as a separate process we can kill.
REFRESH_SCRIPT = """
import sys
from insights.settings import load_settings
from insights.jobs.refresh import refresh
from insights.store.db import connect

if sys.argv[2] == "before-finish":  # die the moment the run's rows are committed
    import os
    import signal

    import insights.jobs.refresh

    insights.jobs.refresh.finish_run = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
settings = load_settings()
refresh(connect(settings.store.db_url), settings, full=sys.argv[1] == "full")
"""
#: Embeddings are stored in batches of max(256, INSIGHTS_EMBED_BATCH_SIZE) (insights.jobs.embedding):
#: a kill "between batches" needs more than 256 texts to embed.
STORE_BATCH = 256
#: Generous: the CI machine is shared; typical waits are a few seconds.
WAIT_SECONDS = 300.0


@pytest.fixture(autouse=True)
def _fast_embeddings(monkeypatch) -> None:
    """Shorter embedded prefixes: same code paths, less model time (vector quality does not
    matter for crash safety). Every process of a test uses the same setting."""
    monkeypatch.setenv("INSIGHTS_EMBED_MAX_TOKENS", "32")


def start_refresh(tmp_path: Path, full: bool = False, die: str = "never") -> Forked:
    """A refresh in its own process (env: the test's INSIGHTS_DB_URL and settings), forked
    from the session's warm server (tests/forked.py)."""
    return Forked(
        ["-c", REFRESH_SCRIPT, "full" if full else "auto", die],
        tmp_path / "refresh.log",
        cwd=REPO,
    )


def wait_until(proc: Forked, condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            pytest.fail(f"refresh ended (exit {proc.returncode}) before {what}:\n{tail}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"timed out after {WAIT_SECONDS:.0f}s waiting for {what}")


def sigkill(proc: Forked) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL, "the refresh ended before it was killed"


def n_cached(engine: Engine, model_id: str) -> int:
    with session_scope(engine) as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Embedding).where(Embedding.model_id == model_id)
            )
        )


def vectors(engine: Engine, model_id: str) -> dict[str, bytes]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(Embedding.content_hash, Embedding.vector).where(Embedding.model_id == model_id)
        )
        return {h: bytes(v) for h, v in rows}


def n_hashes(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count(func.distinct(Ticket.content_hash)))))


def run_statuses(engine: Engine) -> dict[int, str]:
    with session_scope(engine) as session:
        return dict(session.execute(select(Run.id, Run.status).order_by(Run.id)).all())


def first_refresh_and_annotation(db_url: str, seeded) -> tuple[Engine, int, dict, list]:
    """150 tickets refreshed to completion (the session's seeded store, built with the real
    model and UMAP), the largest theme annotated the way the app does; returns the theme id,
    its notes and its audit trail, to compare after the crash."""
    first = seeded("first-150", first_refresh)
    assert first.run_id is not None and first.n_themes >= 2, first.message
    engine = connect(db_url)
    theme_id = current_themes(engine)[0].theme_id
    annotate(
        engine,
        theme_id,
        "ana@shop.co",
        title="Refund never arrived",
        tags=["refund", "p1"],
        owner="ana@shop.co",
        status="investigating",
        tracker_url="https://tracker.example/T-1",
        note="watch this one",
    )
    return engine, theme_id, vars(get_notes(engine, theme_id)), audit_trail(engine, theme_id)


def assert_consistent(engine: Engine, result: RefreshResult) -> None:
    """The store after the recovery refresh: one ok current run covering every ticket once,
    no row left over from the killed run, no duplicate rows.

    "Orphan" here: a row that belongs to a run which never finished (status other than ok):
    its assignments, snapshots or events, or a theme it created; or an assignment to a theme
    that the assignment's own run did not produce (no snapshot of that theme in that run).
    """
    settings = load_settings()
    assert result.run_id is not None, result.message
    with session_scope(engine) as session:
        statuses = dict(session.execute(select(Run.id, Run.status)).all())
        assert statuses[result.run_id] == "ok"
        assert "running" not in statuses.values(), statuses
        ok = {rid for rid, status in statuses.items() if status == "ok"}
        not_ok = set(statuses) - ok

        n_tickets = session.scalar(select(func.count()).select_from(Ticket))
        dup_tickets = session.execute(
            select(Ticket.source, Ticket.external_id)
            .group_by(Ticket.source, Ticket.external_id)
            .having(func.count() > 1)
        ).all()
        assert dup_tickets == []
        dup_vectors = session.execute(
            select(Embedding.model_id, Embedding.content_hash)
            .group_by(Embedding.model_id, Embedding.content_hash)
            .having(func.count() > 1)
        ).all()
        assert dup_vectors == []
        uncached = session.scalar(
            select(func.count(func.distinct(Ticket.content_hash))).where(
                Ticket.content_hash.not_in(
                    select(Embedding.content_hash).where(
                        Embedding.model_id == settings.embedding.key
                    )
                )
            )
        )
        assert uncached == 0
        dup_assignments = session.execute(
            select(Assignment.run_id, Assignment.ticket_id)
            .group_by(Assignment.run_id, Assignment.ticket_id)
            .having(func.count() > 1)
        ).all()
        assert dup_assignments == []
        current = session.execute(
            select(func.count(), func.count(func.distinct(Assignment.ticket_id))).where(
                Assignment.run_id == result.run_id
            )
        ).one()
        assert tuple(current) == (n_tickets, n_tickets)

        if not_ok:
            for model in (Assignment, ThemeSnapshot, ThemeEvent):
                left = session.scalar(
                    select(func.count()).select_from(model).where(model.run_id.in_(not_ok))
                )
                assert left == 0, f"{left} {model.__tablename__} rows of unfinished runs"
            made = session.scalar(
                select(func.count())
                .select_from(Theme)
                .where(Theme.created_run_id.in_(not_ok) | Theme.last_run_id.in_(not_ok))
            )
            assert made == 0, f"{made} themes point at unfinished runs"
        stray = session.scalar(
            select(func.count())
            .select_from(Assignment)
            .outerjoin(
                ThemeSnapshot,
                (ThemeSnapshot.run_id == Assignment.run_id)
                & (ThemeSnapshot.theme_id == Assignment.theme_id),
            )
            .where(Assignment.theme_id.is_not(None), ThemeSnapshot.theme_id.is_(None))
        )
        assert stray == 0, f"{stray} assignments to a theme their run does not have"


def assert_annotation_intact(engine: Engine, theme_id: int, notes: dict, trail: list) -> None:
    """The person's input survives: on the theme, or on the theme it was merged into."""
    with session_scope(engine) as session:
        target = resolve_theme(session, theme_id)
    now = get_notes(engine, target)
    assert now.title == notes["title"]
    assert set(notes["tags"]) <= set(now.tags)
    for key in ("owner", "status", "tracker_url", "note"):
        assert notes[key] in (getattr(now, key) or ""), key
    assert audit_trail(engine, theme_id)[-len(trail) :] == trail


def test_kill_during_embedding_keeps_cached_vectors(db_url, seeded, tmp_path):
    settings = load_settings()
    engine, theme_id, notes, trail = first_refresh_and_annotation(db_url, seeded)
    before_kill = n_cached(engine, settings.embedding.key)
    ingest_file(engine, write_sample(tmp_path / "second.csv", 150, 360), settings)
    embedding_inputs(engine)  # what a refresh does first: key each ticket by its embedded text
    total = n_hashes(engine)
    assert total - before_kill > STORE_BATCH + 20, "too few new texts for a kill between batches"

    proc = start_refresh(tmp_path)
    wait_until(
        proc,
        lambda: n_cached(engine, settings.embedding.key) > before_kill,
        "the first batch of new vectors was stored",
        tmp_path / "refresh.log",
    )
    sigkill(proc)
    kept = vectors(engine, settings.embedding.key)
    assert before_kill < len(kept) < total, "the kill did not land during embedding"
    assert run_statuses(engine) == {1: "ok"}  # killed before discovery started a run

    result = refresh(engine, settings)
    assert result.mode == "full"
    # the keys refresh embeds; vectors of texts the first run saw before boilerplate learned
    # from the new tickets changed them stay cached but are no longer asked for
    with session_scope(engine) as session:
        current = set(session.scalars(select(Ticket.content_hash)))
    assert len(current) == total
    assert result.n_embedded == len(current - set(kept))  # only what was missing
    after = vectors(engine, settings.embedding.key)
    assert current <= set(after)
    assert all(after[h] == v for h, v in kept.items())  # the cached vectors are the ones kept
    assert_consistent(engine, result)
    assert_annotation_intact(engine, theme_id, notes, trail)
    assert list(run_statuses(engine).values()) == ["ok", "ok"]


def test_kill_during_discovery_leaves_the_previous_run_current(db_url, seeded, tmp_path):
    settings = load_settings()
    engine, theme_id, notes, trail = first_refresh_and_annotation(db_url, seeded)
    ingest_file(engine, write_sample(tmp_path / "second.csv", 150, 60), settings)
    embedding_inputs(engine)  # what a refresh does first: key each ticket by its embedded text
    total = n_hashes(engine)

    def discovering() -> bool:
        return (
            "running" in run_statuses(engine).values()
            and n_cached(engine, settings.embedding.key) == total
        )

    proc = start_refresh(tmp_path)
    wait_until(proc, discovering, "discovery started", tmp_path / "refresh.log")
    sigkill(proc)
    killed = [rid for rid, status in run_statuses(engine).items() if status == "running"]
    assert len(killed) == 1
    with session_scope(engine) as session:  # the killed run wrote nothing but its runs row
        for model in (Assignment, ThemeSnapshot, ThemeEvent):
            assert not session.scalar(
                select(func.count()).select_from(model).where(model.run_id == killed[0])
            )
    assert current_themes(engine)[0].title == notes["title"]  # the previous run is current

    result = refresh(engine, settings)
    assert result.mode == "full"
    assert result.n_embedded == 0  # everything the killed run embedded was kept
    assert run_statuses(engine)[killed[0]] == "failed"
    assert_consistent(engine, result)
    assert_annotation_intact(engine, theme_id, notes, trail)


def test_kill_between_writing_a_run_and_finishing_it(db_url, seeded, tmp_path):
    """The narrowest window: the run's themes and assignments are committed, its status not yet
    updated. A SIGKILL cannot be timed into it from outside, so the process kills itself there
    (in place of the call that marks the run finished). The run must be all there or not at
    all: never half-made rows that outlive it, never themes retired or merged by a dead run."""
    settings = load_settings()
    engine, theme_id, notes, trail = first_refresh_and_annotation(db_url, seeded)
    with session_scope(engine) as session:
        themes_before = session.execute(
            select(Theme.id, Theme.status, Theme.merged_into).order_by(Theme.id)
        ).all()
    second = write_sample(tmp_path / "second.csv", 150, 60)
    seed_vectors(db_url, "sample-150-210-32tok", second)  # the run's writing is under test here
    ingest_file(engine, second, settings)

    proc = start_refresh(tmp_path, die="before-finish")
    assert proc.wait(timeout=WAIT_SECONDS) == -signal.SIGKILL, (tmp_path / "refresh.log").read_text(
        errors="replace"
    )[-2000:]
    statuses = run_statuses(engine)
    assert len(statuses) == 2
    if statuses[max(statuses)] != "ok":  # not finished: none of its changes may show
        with session_scope(engine) as session:
            themes_now = session.execute(
                select(Theme.id, Theme.status, Theme.merged_into)
                .where(Theme.id.in_([t.id for t in themes_before]))
                .order_by(Theme.id)
            ).all()
        assert themes_now == themes_before

    result = refresh(engine, settings, full=True)
    assert result.n_embedded == 0
    assert_consistent(engine, result)
    assert_annotation_intact(engine, theme_id, notes, trail)
