"""Daily alerts as people see them: the recent spike episodes with their themes' current titles,
links into the app and what became of their deliveries (the app's Alerts page)."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from sqlalchemy import Engine, func, select

from insights.jobs.runs import latest_run_id
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import AlertDelivery, AlertEpisode
from insights.views.themes import current_titles

EPISODE_COLUMNS = [
    "region",
    "kind",
    "theme_id",
    "title",
    "link",
    "day",
    "count",
    "expected",
    "q_value",
    "last_spike",
    "ended",
    "delivered",
]


def current_alert_titles(engine: Engine) -> dict[int, str]:
    """theme id -> the title people see now (a rename after the alert shows the new name)."""
    with session_scope(engine) as session:
        return current_titles(session, latest_run_id(session))


def _delivered(counts: dict[str, int], silent: bool) -> str:
    if silent:
        return "not sent (first run's catch-up)"
    if not counts:
        return "no subscriber"
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def recent_episodes(
    engine: Engine, settings: Settings, limit: int = 200, region: str | None = None
) -> pd.DataFrame:
    """The newest spike episodes (EPISODE_COLUMNS), newest first: ``day`` is the day it was
    announced, ``count`` / ``expected`` / ``q_value`` that day's numbers, ``ended`` empty while
    it lasts."""
    stmt = select(AlertEpisode).order_by(AlertEpisode.started.desc(), AlertEpisode.id.desc())
    if region:
        stmt = stmt.where(func.upper(AlertEpisode.region) == region.upper())
    with session_scope(engine) as session:
        episodes = list(session.scalars(stmt.limit(limit)))
        ids = [e.id for e in episodes]
        status: dict[int, dict[str, int]] = defaultdict(dict)
        if ids:
            for eid, state, n in session.execute(
                select(AlertDelivery.episode_id, AlertDelivery.status, func.count())
                .where(AlertDelivery.episode_id.in_(ids))
                .group_by(AlertDelivery.episode_id, AlertDelivery.status)
            ):
                status[eid][state] = int(n)
        titles = current_titles(session, latest_run_id(session))
    rows = []
    for e in episodes:
        alert = e.alert or {}
        rows.append(
            {
                "region": e.region,
                "kind": e.kind,
                "theme_id": e.theme_id,
                "title": titles.get(e.theme_id) or alert.get("title") or f"theme {e.theme_id}",
                "link": settings.app.theme_url(e.theme_id),
                "day": e.started,
                "count": alert.get("count", e.peak_count),
                "expected": alert.get("expected"),
                "q_value": alert.get("q_value", e.peak_q),
                "last_spike": e.last_spike,
                "ended": e.ended,
                "delivered": _delivered(status.get(e.id, {}), bool(alert.get("silent"))),
            }
        )
    return pd.DataFrame.from_records(rows, columns=EPISODE_COLUMNS)
