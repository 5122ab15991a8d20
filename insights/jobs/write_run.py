"""Writing a full run: track its clusters onto the existing themes and store everything at once.

One transaction holds the run's themes, lifecycle events, assignments, snapshots, fit state and
its `ok` status, so a crash leaves the previous run current. The previous run's themes are read
inside that transaction, so a merge a person made while discovery ran is respected.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from insights.jobs.categories import write_categories
from insights.jobs.runs import latest_run_id, mark_ok, now, save_fit_state
from insights.people.annotate import carry_over
from insights.store.db import session_scope
from insights.store.models import Assignment, Run, Theme, ThemeEvent, ThemeSnapshot
from insights.themes.discover import DiscoveryResult, FitState
from insights.themes.label import ThemeLabel
from insights.themes.track import PreviousTheme, match_clusters

#: assignment rows per INSERT of a full run (all in the run's one transaction)
ASSIGNMENT_ROWS = 50_000


def previous_themes(session: Session, run_id: int | None) -> tuple[list[PreviousTheme], set[int]]:
    """The themes of run `run_id` that were not merged away, with their members, and every
    ticket that run saw."""
    if run_id is None:
        return [], set()
    snaps = session.execute(
        select(ThemeSnapshot.theme_id, ThemeSnapshot.centroid)
        .join(Theme, Theme.id == ThemeSnapshot.theme_id)
        .where(ThemeSnapshot.run_id == run_id, Theme.merged_into.is_(None))
    ).all()
    members: dict[int, set[int]] = {tid: set() for tid, _ in snaps}
    seen: set[int] = set()
    for ticket_id, theme_id in session.execute(
        select(Assignment.ticket_id, Assignment.theme_id).where(Assignment.run_id == run_id)
    ):
        seen.add(ticket_id)
        if theme_id in members:
            members[theme_id].add(ticket_id)
    previous = [
        PreviousTheme(tid, np.frombuffer(blob, dtype=np.float32), members[tid])
        for tid, blob in snaps
    ]
    return previous, seen


def anchor_labels(engine: Engine, ids: np.ndarray) -> np.ndarray | None:
    """Each ticket's theme in the latest ok run (-1: unthemed or new), or None before any run.

    Read before discovery as a hint only; :func:`write_full_run` reads the previous themes again
    inside its write transaction."""
    with session_scope(engine) as session:
        previous, _ = previous_themes(session, latest_run_id(session))
    if not previous:
        return None
    theme_of = {ticket: p.theme_id for p in previous for ticket in p.members}
    return np.array([theme_of.get(int(t), -1) for t in ids], dtype=np.int64)


def recentred(previous: list[PreviousTheme], ids: np.ndarray, Z: np.ndarray) -> list[PreviousTheme]:
    """Previous themes with centroids recomputed from their members in this run's (centred)
    space: after a model switch the stored centroids are another model's vectors."""
    row = {int(t): i for i, t in enumerate(ids.tolist())}
    out = []
    for p in previous:
        rows = [row[t] for t in p.members if t in row]
        centroid = Z[rows].mean(axis=0) if rows else np.zeros(Z.shape[1], np.float32)
        norm = float(np.linalg.norm(centroid)) or 1.0
        out.append(PreviousTheme(p.theme_id, (centroid / norm).astype(np.float32), p.members))
    return out


def _track(
    session: Session,
    run_id: int,
    result: DiscoveryResult,
    members: list[set[int]],
    labels: dict,
    space: tuple[np.ndarray, np.ndarray, str] | None = None,
) -> tuple[dict[int, int], dict[str, int]]:
    """Give each cluster a theme id (an existing one where tracking matched it) and store the
    lifecycle events; returns cluster -> theme id and the count of each event.

    `space`: (ticket ids, their centred vectors, model key) of this run; when the previous run
    used another model its centroids are recomputed in this run's space before matching."""
    previous_run = latest_run_id(session)
    previous, seen = previous_themes(session, previous_run)
    if space is not None and previous_run is not None:
        ids, Z, model_key = space
        before = session.scalar(select(Run.model_id).where(Run.id == previous_run))
        if before != model_key:
            previous = recentred(previous, ids, Z)
    tracked = match_clusters(previous, result.centroids, members, seen)
    theme_ids: dict[int, int] = {}
    for c in range(result.n_themes):
        label = labels.get(c)
        machine = label.title if label else f"theme {c + 1}"
        tid = tracked.theme_for_cluster[c]
        if tid is None:
            theme = Theme(label=machine, status="active", created_run_id=run_id, last_run_id=run_id)
            session.add(theme)
            session.flush()
            tid = theme.id
        else:
            session.execute(
                update(Theme)
                .where(Theme.id == tid)
                .values(label=machine, status="active", merged_into=None, last_run_id=run_id)
            )
        theme_ids[c] = tid
    counts: dict[str, int] = {}
    rows = []
    at = now()
    for event, tid, cluster, related in tracked.events:
        theme_id = tid if tid is not None else theme_ids[cluster]
        counts[event] = counts.get(event, 0) + 1
        rows.append(
            {
                "run_id": run_id,
                "theme_id": theme_id,
                "event": event,
                "related_theme_id": related,
                "created_at": at,
            }
        )
        if event == "merged":
            carry_over(session, theme_id, related, "refresh")
            session.execute(
                update(Theme)
                .where(Theme.id == theme_id)
                .values(status="merged", merged_into=related)
            )
        elif event == "retired":
            session.execute(update(Theme).where(Theme.id == theme_id).values(status="retired"))
    if rows:
        session.execute(insert(ThemeEvent), rows)
    return theme_ids, counts


def _snapshots(
    run_id: int,
    ids: np.ndarray,
    languages: list[str],
    result: DiscoveryResult,
    labels: dict[int, ThemeLabel],
    theme_ids: dict[int, int],
) -> list[dict]:
    langs = np.asarray(languages)
    rows = []
    for c in range(result.n_themes):
        mask = result.labels == c
        label = labels.get(c)
        values, counts = np.unique(langs[mask], return_counts=True)
        reps = {}
        if label:
            reps = {lang: [int(ids[i]) for i in idx] for lang, idx in label.representatives.items()}
        rows.append(
            {
                "run_id": run_id,
                "theme_id": theme_ids[c],
                "size": int(mask.sum()),
                "centroid": result.centroids[c].astype(np.float32).tobytes(),
                "keywords": {
                    "all": label.keywords if label else [],
                    "by_language": label.keywords_by_language if label else {},
                },
                "representatives": reps,
                "languages": {str(v): int(n) for v, n in zip(values, counts, strict=True)},
            }
        )
    return rows


def write_full_run(
    engine: Engine,
    run_id: int,
    ids: np.ndarray,
    languages: list[str],
    result: DiscoveryResult,
    labels: dict[int, ThemeLabel],
    state: FitState,
    space: tuple[np.ndarray, str] | None = None,
) -> dict[str, int]:
    """Store the run (one transaction, status ok included); returns the lifecycle event counts.
    `space`: this run's centred vectors and model key (tracking across a model switch)."""
    members = [set(ids[result.labels == c].tolist()) for c in range(result.n_themes)]
    with session_scope(engine) as session:
        tracked_in = (ids, *space) if space is not None else None
        theme_ids, counts = _track(session, run_id, result, members, labels, tracked_in)
        # in parts of ASSIGNMENT_ROWS (one transaction still): a million rows as dicts at once
        # held ~0.4 GB at the peak of a refresh
        for start in range(0, len(ids), ASSIGNMENT_ROWS):
            part = slice(start, start + ASSIGNMENT_ROWS)
            session.execute(
                insert(Assignment),
                [
                    {
                        "run_id": run_id,
                        "ticket_id": int(t),
                        "theme_id": theme_ids.get(int(c)) if c >= 0 else None,
                        "similarity": float(s),
                        "method": "cluster" if c >= 0 else "none",
                    }
                    for t, c, s in zip(
                        ids[part], result.labels[part], result.similarity[part], strict=True
                    )
                ],
            )
        snapshots = _snapshots(run_id, ids, languages, result, labels, theme_ids)
        if snapshots:
            session.execute(insert(ThemeSnapshot), snapshots)
        save_fit_state(session, run_id, state)
        session.flush()
        write_categories(session, run_id)
        mark_ok(session, run_id)
    return counts
