"""The prepared ticket frame: every ticket with its current theme, its segments and its week,
the input of every ranking, chart and breakdown the CLI, digest and app show.

It depends only on the store's data version (:func:`data_version`: the latest run, the latest
merge or split, the latest ingested batch) and the trend parameters, so each process keeps the
frames of the last versions it read (:func:`load_frame`) and reads the store again only after
something moved tickets.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select

from insights.jobs.runs import latest_run_id
from insights.store.db import session_scope
from insights.store.models import Assignment, AuditEntry, Batch, Ticket
from insights.trends import (
    SEGMENTS,
    TrendParams,
    latest_complete_week,
    prepare,
    week_from_label,
    week_label,
)

FRAME_COLUMNS = [
    "ticket_id",
    "created_at",
    "theme_id",
    "region",
    "kind",
    "language",
    "channel",
    "csat",
]
#: Audit actions that move tickets between themes without a new run.
MEMBERSHIP_ACTIONS = ("merge", "split")
_CACHE_SIZE = 2


@dataclass(frozen=True)
class DataVersion:
    """What the numbers depend on: the current run, the latest merge or split (audit id), the
    latest ingested file (batch id) and the trend parameters. Equal versions, equal numbers."""

    run_id: int | None
    membership: int
    batch: int
    n_tickets: int
    params: str
    batch_at: str = ""  # when the latest file came in: tells apart two stores with equal ids

    @property
    def key(self) -> str:
        ids = f"r{self.run_id or 0}.m{self.membership}.b{self.batch}.n{self.n_tickets}"
        return f"{ids}.{self.batch_at}.{self.params}"


def params_key(params: TrendParams) -> str:
    """The trend parameters in a short stable form (part of every stored ranking's key)."""
    import hashlib

    return hashlib.sha1(repr(params).encode()).hexdigest()[:12]


def data_version(engine: Engine, params: TrendParams) -> DataVersion:
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        membership = session.scalar(
            select(func.max(AuditEntry.id)).where(AuditEntry.action.in_(MEMBERSHIP_ACTIONS))
        )
        batch = session.scalar(select(func.max(Batch.id)))
        n = session.scalar(select(func.count()).select_from(Ticket))
    return DataVersion(
        run_id, int(membership or 0), int(batch or 0), int(n or 0), params_key(params)
    )


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
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["theme_id"] = frame["theme_id"].astype("Float64")
    frame["csat"] = frame["csat"].astype("float64")
    return frame


_frames: OrderedDict[tuple[str, str], tuple[pd.DataFrame, int]] = OrderedDict()
_lock = threading.Lock()


def load_frame(
    engine: Engine, params: TrendParams, version: DataVersion | None = None
) -> tuple[pd.DataFrame, int]:
    """The prepared frame (trends.prepare: weeks in the configured zone, out-of-range dates
    dropped) and how many tickets were dropped; kept per data version in this process."""
    version = version or data_version(engine, params)
    key = (str(engine.url), version.key)
    with _lock:
        if key in _frames:
            _frames.move_to_end(key)
            return _frames[key]
    prepared = prepare(ticket_frame(engine), params)
    with _lock:
        _frames[key] = prepared
        while len(_frames) > _CACHE_SIZE:
            _frames.popitem(last=False)
    return prepared


def clear_frames() -> None:
    """Forget the frames this process kept (benchmarks: a cold start)."""
    with _lock:
        _frames.clear()


def restrict(frame: pd.DataFrame, **segments: str | None) -> pd.DataFrame:
    """Rows whose segment columns equal the given values (None: no restriction)."""
    out = frame
    for seg, value in segments.items():
        if value is not None and seg in out.columns:
            out = out.loc[out[seg] == value]
    return out


def segment_values(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Filter choices: the values each segment column takes, most frequent first."""
    return {
        seg: [str(v) for v in frame[seg].dropna().value_counts().index]
        if seg in frame.columns
        else []
        for seg in SEGMENTS
    }


def week_labels(frame: pd.DataFrame, params: TrendParams) -> list[str]:
    """Weeks that hold tickets, newest first, as "YYYY-Www"."""
    if frame.empty:
        return []
    weeks = sorted(frame["week"].dropna().unique(), reverse=True)
    return [week_label(pd.Timestamp(w).date(), params.week_start) for w in weeks]


def default_week(frame: pd.DataFrame, params: TrendParams) -> str | None:
    """The latest complete week (a half-finished week would make every theme look like
    fading); the newest week when none is complete yet; None without tickets."""
    start = latest_complete_week(frame, params=params)
    if start is not None:
        return week_label(start, params.week_start)
    labels = week_labels(frame, params)
    return labels[0] if labels else None


def week_window(week: str, params: TrendParams) -> tuple[date, date]:
    """First and last day of a labelled week."""
    start = week_from_label(week, params.week_start)
    return start, start + timedelta(days=6)
