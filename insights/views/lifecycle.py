"""A theme's lifecycle, computed once for the CLI, the digest and the app.

Two sources meet: the lifecycle events runs and people wrote (new, continued, merged, split,
retired) and the week's trend. ``new`` comes from the trend (first tickets this week or last),
not from the run that first found the theme: on a first refresh every theme has a `new` event.
``fading``: no tickets this week after a baseline. Otherwise the latest event shows, with
``merged`` also on a merge's survivor and ``split`` on both halves of a split made in the current
run, so a table shows where a theme's volume came from.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from insights.store.db import session_scope
from insights.store.models import Theme, ThemeEvent

LIFECYCLES = ("new", "active", "merged", "split", "fading", "retired")


def lifecycle_badges(session: Session, run_id: int | None) -> dict[int, str]:
    """theme id -> what its events say (see the module docstring)."""
    badges: dict[int, str] = {}
    for tid, event, related, ev_run in session.execute(
        select(
            ThemeEvent.theme_id, ThemeEvent.event, ThemeEvent.related_theme_id, ThemeEvent.run_id
        ).order_by(ThemeEvent.id)
    ):
        badges[tid] = event
        if event in ("merged", "split") and related is not None and ev_run == run_id:
            badges[related] = event
    return badges


def lifecycle(badge: str | None, is_new: bool, volume: int, baseline: float) -> str:
    """The one lifecycle rule (module docstring)."""
    if is_new:
        return "new"
    state = "active" if badge in (None, "", "new", "continued") else badge
    if state == "active" and volume == 0 and baseline > 0:
        return "fading"
    return state


def display_title(title: str | None, label: str | None, theme_id: int | None = None) -> str:
    """A person's title wins over the machine label."""
    return title or label or (f"theme {theme_id}" if theme_id is not None else "")


def lifecycle_events(engine: Engine, since: date | None = None) -> list[dict]:
    """Every lifecycle event (oldest first) with the theme's display title: `insights events`."""
    with session_scope(engine) as session:
        titles = {
            tid: display_title(title, label)
            for tid, title, label in session.execute(select(Theme.id, Theme.title, Theme.label))
        }
        stmt = select(ThemeEvent).order_by(ThemeEvent.id)
        if since:
            stmt = stmt.where(ThemeEvent.created_at >= since)
        return [
            {
                "run_id": e.run_id,
                "at": e.created_at.strftime("%Y-%m-%d %H:%M"),
                "event": e.event,
                "theme_id": e.theme_id,
                "title": titles.get(e.theme_id, ""),
                "related_theme_id": e.related_theme_id,
            }
            for e in session.scalars(stmt)
        ]
