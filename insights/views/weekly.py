"""The week's ranked themes from the store: joins the current assignments with the trend
statistics and the themes' titles and lifecycle, for the CLI, digest and app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from insights.jobs.runs import latest_run_id
from insights.store.db import session_scope
from insights.store.models import Assignment, Theme, ThemeEvent, Ticket
from insights.trends.series import (
    ThemeWeek,
    TrendParams,
    latest_complete_week,
    prepare,
    rank_week,
    week_from_label,
    week_label,
)


@dataclass
class WeekReport:
    week: str | None
    themes: list[dict]
    out_of_range: int
    total_tickets: int
    message: str = ""


def ticket_frame(engine: Engine) -> pd.DataFrame:
    """Every ticket with its theme in the latest run (NaN when unthemed or not yet refreshed)."""
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        stmt = select(
            Ticket.id,
            Ticket.created_at,
            Assignment.theme_id,
            Ticket.region,
            Ticket.kind,
            Ticket.language,
            Ticket.channel,
            Ticket.csat,
        ).outerjoin(Assignment, (Assignment.ticket_id == Ticket.id) & (Assignment.run_id == run_id))
        rows = session.execute(stmt).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "ticket_id",
            "created_at",
            "theme_id",
            "region",
            "kind",
            "language",
            "channel",
            "csat",
        ],
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["theme_id"] = frame["theme_id"].astype("Float64")
    frame["csat"] = frame["csat"].astype("float64")
    return frame


def _lifecycle(engine: Engine) -> tuple[dict[int, str], dict[int, str]]:
    """theme id -> latest lifecycle event, and theme id -> display title."""
    with session_scope(engine) as session:
        events: dict[int, str] = {}
        for theme_id, event in session.execute(
            select(ThemeEvent.theme_id, ThemeEvent.event).order_by(ThemeEvent.id)
        ):
            events[theme_id] = event
        titles = {
            tid: title or label
            for tid, title, label in session.execute(select(Theme.id, Theme.title, Theme.label))
        }
    return events, titles


def week_report(
    engine: Engine,
    week: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    params: TrendParams | None = None,
) -> WeekReport:
    """Ranked themes of `week` ("YYYY-Www"; default the latest complete week).

    Raises ValueError (one line) for a malformed week.
    """
    params = params or TrendParams()
    start: date | None = week_from_label(week, params.week_start) if week else None
    frame, out_of_range = prepare(ticket_frame(engine), params)
    if start is None:
        start = latest_complete_week(frame, params=params)
    if start is None:
        return WeekReport(None, [], out_of_range, 0, "No tickets in the store yet.")
    ranked: list[ThemeWeek] = rank_week(frame, start, params, region=region, kind=kind)
    events, titles = _lifecycle(engine)
    themes = []
    for tw in sorted(ranked, key=lambda t: -t.rank_score):
        tid = int(tw.theme_id)
        lifecycle = (
            "new"
            if tw.is_new
            else {"continued": "active"}.get(events.get(tid, ""), events.get(tid, "active"))
        )
        if tw.volume == 0 and tw.baseline > 0:
            lifecycle = "fading" if lifecycle == "active" else lifecycle
        themes.append(
            {
                "theme_id": tid,
                "title": titles.get(tid, f"theme {tid}"),
                "volume": tw.volume,
                "share": round(tw.share, 4),
                "growth": round(tw.growth, 4),
                "baseline": round(tw.baseline, 2),
                "spike": tw.spike,
                "p_value": tw.p_value,
                "q_value": tw.q_value,
                "rank_score": round(tw.rank_score, 4),
                "score_parts": {k: round(v, 4) for k, v in tw.score_parts.items()},
                "lifecycle": lifecycle,
                "regions": tw.regions,
                "csat": tw.csat,
                "spike_segments": tw.spike_segments,
            }
        )
    in_week = frame[frame["week"] == pd.Timestamp(start)]
    if region:
        in_week = in_week[in_week["region"] == region]
    if kind:
        in_week = in_week[in_week["kind"] == kind]
    label = week_label(start, params.week_start)
    message = "" if len(in_week) else f"No tickets in {label} for this selection."
    return WeekReport(label, themes, out_of_range, len(in_week), message)


def lifecycle_events(engine: Engine, since: date | None = None) -> list[dict]:
    with session_scope(engine) as session:
        stmt = select(ThemeEvent).order_by(ThemeEvent.id)
        if since:
            stmt = stmt.where(ThemeEvent.created_at >= since)
        _, titles = _lifecycle(engine)
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
