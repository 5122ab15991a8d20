"""Weeks: labels, the week a ticket falls in, and which week is complete.

A week starts on ``TrendParams.week_start`` (Monday by default) at midnight in
``TrendParams.timezone``. The ``week`` column holds that start as a naive midnight
``datetime64``. A week is labelled "YYYY-Www" by the ISO week of its fourth day, so Monday weeks
are exactly ISO weeks and, e.g., a Sunday week (Sun 9 Aug - Sat 15 Aug 2026) gets the label of
the ISO week that holds six of its seven days ("2026-W33").

Bad input: dates after ``now + future_days`` or before ``now - max_age_years`` (and unparseable
dates) are "out of range": dropped by :func:`prepare`, which returns their count.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from insights.trends.params import WEEKDAYS, TrendParams

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def _weekday_index(week_start: str) -> int:
    return WEEKDAYS.index(week_start.lower())


def parse_week(text: str) -> date:
    """The Monday of ISO week "YYYY-Www"; a one-line ``ValueError`` for anything else.

    Strict on purpose: "2025-5" or "2026-33" are ambiguous (month? day of year?), so the CLI
    refuses them instead of guessing.
    """
    m = _WEEK_RE.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"bad week {text!r}: expected YYYY-Www, e.g. 2026-W33")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"bad week {text!r}: {year} has no ISO week {week}") from None


def week_start_of(d: date, week_start: str = "monday") -> date:
    """The start date of the week (starting on ``week_start``) that contains ``d``."""
    if isinstance(d, datetime):
        d = d.date()
    return d - timedelta(days=(d.weekday() - _weekday_index(week_start)) % 7)


def week_label(d: date, week_start: str = "monday") -> str:
    """ "YYYY-Www" for the week containing ``d``: the ISO week of that week's fourth day."""
    mid = week_start_of(d, week_start) + timedelta(days=3)
    year, week, _ = mid.isocalendar()
    return f"{year}-W{week:02d}"


def week_from_label(text: str, week_start: str = "monday") -> date:
    """Start date of the configured week labelled ``text`` (inverse of :func:`week_label`)."""
    monday = parse_week(text)
    idx = _weekday_index(week_start)
    return monday + timedelta(days=idx if idx <= 3 else idx - 7)


# --------------------------------------------------------------------------- preparation


def _to_utc(values: pd.Series) -> pd.Series:
    """Timestamps as tz-aware UTC; naive values are taken as UTC, junk becomes NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        s = values
    else:
        s = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    if getattr(s.dt, "tz", None) is None:
        return s.dt.tz_localize("UTC")
    return s.dt.tz_convert("UTC")


def prepare(
    tickets: pd.DataFrame, params: TrendParams | None = None, now: datetime | None = None
) -> tuple[pd.DataFrame, int]:
    """Add ``week`` (and ``local_at``) columns; drop out-of-range dates and return their count.

    ``now`` (naive = UTC) defaults to the current time; tests and backtests pass it so that old
    sample data is not judged against today's clock.
    """
    params = params or TrendParams()
    frame = tickets.copy()
    if frame.empty or "created_at" not in frame.columns:
        frame = frame.iloc[0:0].copy()
        frame["created_at"] = pd.Series(dtype="datetime64[ns]")
        frame["week"] = pd.Series(dtype="datetime64[ns]")
        frame["local_at"] = pd.Series(dtype="datetime64[ns]")
        if "theme_id" not in frame.columns:
            frame["theme_id"] = pd.Series(dtype="float64")
        return frame, 0
    utc = _to_utc(frame["created_at"])
    ref = pd.Timestamp(now) if now is not None else pd.Timestamp.now(tz="UTC")
    ref = ref.tz_localize("UTC") if ref.tzinfo is None else ref.tz_convert("UTC")
    latest = ref + pd.Timedelta(days=params.future_days)
    earliest = ref - pd.Timedelta(days=365.25 * params.max_age_years)
    ok = utc.notna() & (utc <= latest) & (utc >= earliest)
    n_bad = int((~ok).sum())
    frame = frame.loc[ok.to_numpy()].copy()
    local = utc[ok].dt.tz_convert(params.timezone).dt.tz_localize(None)
    frame["created_at"] = utc[ok].dt.tz_localize(None).to_numpy()
    frame["local_at"] = local.to_numpy()
    day = local.dt.normalize()
    offset = (local.dt.day_of_week - _weekday_index(params.week_start)) % 7
    frame["week"] = (day - pd.to_timedelta(offset, unit="D")).to_numpy()
    if "theme_id" not in frame.columns:
        frame["theme_id"] = np.nan
    return frame, n_bad


def latest_complete_week(
    frame: pd.DataFrame, now: datetime | None = None, params: TrendParams | None = None
) -> date | None:
    """Start of the latest complete week, or None when the frame has no tickets.

    Rule: with ``now`` (naive = UTC), a week is complete once ``now`` (in the configured time
    zone) has reached its end. Without ``now``, the data are the clock: a week is complete when
    the newest ticket falls on or after the week's last day (a Monday-morning export of a Sunday
    week counts it; a mid-week export does not). Only weeks that hold tickets are considered.
    """
    params = params or TrendParams()
    if frame.empty or "week" not in frame.columns:
        return None
    weeks = np.sort(frame["week"].dropna().unique())
    if len(weeks) == 0:
        return None
    if now is not None:
        ts = pd.Timestamp(now)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        cutoff = ts.tz_convert(params.timezone).tz_localize(None)
        ends = pd.DatetimeIndex(weeks) + pd.Timedelta(days=7)
    else:
        col = "local_at" if "local_at" in frame.columns else "created_at"
        cutoff = pd.Timestamp(frame[col].max()).normalize()
        ends = pd.DatetimeIndex(weeks) + pd.Timedelta(days=6)
    done = weeks[np.asarray(ends <= cutoff)]
    if len(done) == 0:
        return None
    return pd.Timestamp(done[-1]).date()
