"""Categories for a run: group its themes (insights.themes.categories) and store the result.

Called inside the transaction that writes a run (full or incremental), before it is marked ok,
so every ok run has its categories and a crash never leaves a run with half of them. The
grouping reads the run's theme snapshots (centroids in the centred space, keywords, sizes), the
previous categorised run (for stable ids), and the people's edits: moves (``category_pins``)
and titles (``categories.human_title``). Stores written before categories existed get theirs
from :func:`ensure_categories` (the CLI calls it), built on the latest run.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from insights.jobs.runs import latest_run_id
from insights.store.db import session_scope
from insights.store.models import (
    Category,
    CategoryPin,
    CategorySnapshot,
    Theme,
    ThemeSnapshot,
)
from insights.themes.categories import (
    CategoryParams,
    CategoryResult,
    PreviousCategory,
    ThemeInfo,
    build_categories,
)


def categorised_run(session: Session, up_to: int | None = None) -> int | None:
    """The newest run (at most ``up_to``) that has categories."""
    stmt = select(func.max(CategorySnapshot.run_id))
    if up_to is not None:
        stmt = stmt.where(CategorySnapshot.run_id <= up_to)
    return session.scalar(stmt)


def _themes(session: Session, run_id: int) -> list[ThemeInfo]:
    rows = session.execute(
        select(
            ThemeSnapshot.theme_id,
            ThemeSnapshot.centroid,
            ThemeSnapshot.keywords,
            ThemeSnapshot.size,
        )
        .join(Theme, Theme.id == ThemeSnapshot.theme_id)
        .where(ThemeSnapshot.run_id == run_id, Theme.merged_into.is_(None))
        .order_by(ThemeSnapshot.theme_id)
    ).all()
    return [
        ThemeInfo(
            theme_id=int(tid),
            centroid=np.frombuffer(centroid, dtype=np.float32),
            keywords=list((keywords or {}).get("all", [])),
            volume=int(size),
        )
        for tid, centroid, keywords, size in rows
    ]


def _previous(session: Session, run_id: int | None) -> list[PreviousCategory]:
    if run_id is None:
        return []
    snaps = session.scalars(select(CategorySnapshot).where(CategorySnapshot.run_id == run_id))
    return [
        PreviousCategory(
            category_id=s.category_id,
            centroid=np.frombuffer(s.centroid, dtype=np.float32),
            theme_ids={int(t) for t in s.theme_ids},
            parent_id=s.parent_id,
        )
        for s in snaps
    ]


def write_categories(
    session: Session, run_id: int, params: CategoryParams | None = None
) -> CategoryResult:
    """Group the run's themes, carry ids over from the last categorised run, store both."""
    themes = _themes(session, run_id)
    previous = _previous(session, categorised_run(session, up_to=run_id - 1))
    pins = {int(p.theme_id): int(p.category_id) for p in session.scalars(select(CategoryPin))}
    titles = {
        int(c.id): c.human_title
        for c in session.scalars(select(Category).where(Category.human_title.is_not(None)))
    }
    next_id = int(session.scalar(select(func.max(Category.id))) or 0) + 1
    result = build_categories(
        themes, previous, pins=pins, titles=titles, next_id=next_id, params=params
    )
    live = {c.category_id for c in result.categories}
    known = {int(c.id): c for c in session.scalars(select(Category))}
    for cat in result.categories:  # parents first: the list holds top levels before subs
        row = known.get(cat.category_id)
        if row is None:
            session.add(
                Category(
                    id=cat.category_id,
                    parent_id=cat.parent_id,
                    machine_title=cat.machine_title,
                    status="active",
                    created_run_id=run_id,
                    last_run_id=run_id,
                )
            )
            session.flush()
        else:
            row.machine_title = cat.machine_title
            row.parent_id = cat.parent_id
            row.status = "active"
            row.last_run_id = run_id
        session.add(
            CategorySnapshot(
                run_id=run_id,
                category_id=cat.category_id,
                parent_id=cat.parent_id,
                theme_ids=list(cat.theme_ids),
                keywords=list(cat.keywords),
                centroid=np.asarray(cat.centroid, dtype=np.float32).tobytes(),
                cut=(
                    {k: _finite(v) for k, v in result.cut.items()} if cat.parent_id is None else {}
                ),
            )
        )
    gone = [cid for cid, row in known.items() if cid not in live and row.status == "active"]
    if gone:
        session.execute(update(Category).where(Category.id.in_(gone)).values(status="retired"))
    if result.stale_pins:
        session.execute(
            CategoryPin.__table__.delete().where(CategoryPin.theme_id.in_(result.stale_pins))
        )
    return result


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def ensure_categories(engine: Engine) -> bool:
    """Categorise the latest run when it has none yet (a store whose runs predate categories).
    Returns whether it wrote anything; a refresh writing the same run's at once wins."""
    try:
        with session_scope(engine) as session:
            run_id = latest_run_id(session)
            if run_id is None or categorised_run(session) == run_id:
                return False
            write_categories(session, run_id)
            return True
    except IntegrityError:
        return False
