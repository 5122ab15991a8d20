"""Incremental assignment: new tickets join the current themes by nearest centroid.

The centroids are the current run's (merges and splits people made included); the centring and
the similarity floor are the latest full run's fit state. Tickets no centroid reaches wait,
unthemed, for the next full run. The new run copies the current run's assignments and snapshots
(sizes grown by what joined), all in one transaction with its `ok` status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, func, insert, literal, select, update

from insights.embed.cache import load_vectors
from insights.jobs.categories import write_categories
from insights.jobs.runs import latest_fit_state, latest_run_id, mark_ok, start_run
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import Assignment, Theme, ThemeSnapshot
from insights.themes.discover import ThemeDiscoverer


@dataclass
class Assigned:
    run_id: int
    based_on: int
    n_new: int
    n_assigned: int
    n_themes: int
    n_unthemed: int  # in the whole new run


def _current_centroids(engine: Engine, dim: int) -> tuple[int, list[int], np.ndarray]:
    with session_scope(engine) as session:
        current = latest_run_id(session)
        snaps = session.execute(
            select(ThemeSnapshot.theme_id, ThemeSnapshot.centroid)
            .where(ThemeSnapshot.run_id == current)
            .order_by(ThemeSnapshot.theme_id)
        ).all()
    theme_ids = [int(t) for t, _ in snaps]
    centroids = (
        np.vstack([np.frombuffer(b, np.float32) for _, b in snaps])
        if snaps
        else np.zeros((0, dim), np.float32)
    )
    return int(current), theme_ids, centroids


def _predict(
    engine: Engine, X: np.ndarray, groups: list[str], centroids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    with session_scope(engine) as session:
        fit = latest_fit_state(session)
    if fit is None or not len(X):
        return np.full(len(X), -1, np.int64), np.zeros(len(X), np.float32)
    _, state = fit
    return ThemeDiscoverer.from_state(state, centroids).predict(X, groups)


def assign_new(
    engine: Engine,
    settings: Settings,
    unseen: np.ndarray,
    hashes: list[str],
    groups: list[str],
    flow_run_id: str | None,
) -> Assigned:
    """Write an incremental run that assigns the `unseen` tickets (their content hashes and
    centring groups given in the same order)."""
    X = load_vectors(engine, settings.embedding.key, hashes)
    current, theme_ids, centroids = _current_centroids(engine, X.shape[1] if X.ndim == 2 else 0)
    labels, sims = _predict(engine, X, groups, centroids)
    run_id = start_run(
        engine,
        "incremental",
        settings.embedding.key,
        {"discovery": {}, "max_tokens": settings.embedding.max_tokens},
        flow_run_id,
    )
    with session_scope(engine) as session:
        session.execute(
            insert(Assignment).from_select(
                ["run_id", "ticket_id", "theme_id", "similarity", "method"],
                select(
                    literal(run_id),
                    Assignment.ticket_id,
                    Assignment.theme_id,
                    Assignment.similarity,
                    Assignment.method,
                ).where(Assignment.run_id == current),
            )
        )
        if len(unseen):
            session.execute(
                insert(Assignment),
                [
                    {
                        "run_id": run_id,
                        "ticket_id": int(t),
                        "theme_id": theme_ids[int(c)] if c >= 0 else None,
                        "similarity": float(s),
                        "method": "nearest" if c >= 0 else "waiting",
                    }
                    for t, c, s in zip(unseen, labels, sims, strict=True)
                ],
            )
        added: dict[int, int] = {}
        for c in labels[labels >= 0]:
            added[theme_ids[int(c)]] = added.get(theme_ids[int(c)], 0) + 1
        for snap in session.scalars(
            select(ThemeSnapshot).where(ThemeSnapshot.run_id == current)
        ).all():
            session.add(
                ThemeSnapshot(
                    run_id=run_id,
                    theme_id=snap.theme_id,
                    size=snap.size + added.get(snap.theme_id, 0),
                    centroid=snap.centroid,
                    keywords=snap.keywords,
                    representatives=snap.representatives,
                    languages=snap.languages,
                )
            )
            session.execute(
                update(Theme).where(Theme.id == snap.theme_id).values(last_run_id=run_id)
            )
        session.flush()
        write_categories(session, run_id)
        mark_ok(session, run_id)
        unthemed = session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.run_id == run_id, Assignment.theme_id.is_(None))
        )
    waiting = int((labels < 0).sum())
    return Assigned(
        run_id, current, len(unseen), len(unseen) - waiting, len(theme_ids), int(unthemed or 0)
    )
