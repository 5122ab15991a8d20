"""Weekly series per theme and segment, zeros filled (charts, breakdowns, benchmarks)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from insights.trends.params import SEGMENTS


def themed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame["theme_id"].notna()]


def theme_key(value: Any) -> Any:
    """Plain Python ids: 3.0 / np.int64(3) -> 3, strings unchanged."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def weekly_series(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Tickets per theme x week (x ``by`` value), every week from first to last, zeros filled.

    Columns: ``theme_id``, [``by``], ``week``, ``count``, ``week_total`` (all tickets of the week,
    themed or not) and, with ``by``, ``segment_total`` (all tickets of that segment value in that
    week) and ``segment_share``. ``share`` = count / week_total, 0 when the week is empty.
    Only (theme, segment value) pairs seen at least once are expanded, to keep the frame small.
    """
    if by is not None and by not in SEGMENTS:
        raise ValueError(f"by must be one of {', '.join(SEGMENTS)} or None: {by!r}")
    keys = ["theme_id"] + ([by] if by else [])
    cols = [*keys, "week", "count", "week_total", "share"]
    if by:
        cols += ["segment_total", "segment_share"]
    if frame.empty or "week" not in frame.columns or (by and by not in frame.columns):
        return pd.DataFrame(columns=cols)
    weeks = pd.date_range(frame["week"].min(), frame["week"].max(), freq="7D")
    totals = frame.groupby("week").size().reindex(weeks, fill_value=0)
    rows = themed(frame)
    if by:
        rows = rows.loc[rows[by].notna()]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    counts = rows.groupby([*keys, "week"]).size().unstack("week")
    counts = counts.reindex(columns=weeks).fillna(0).astype("int64")
    long = counts.stack().rename("count").reset_index()
    long.columns = [*keys, "week", "count"]
    long["week_total"] = long["week"].map(totals).astype("int64")
    long["share"] = _safe_div(long["count"], long["week_total"])
    if by:
        seg_tot = frame.loc[frame[by].notna()].groupby([by, "week"]).size()
        idx = pd.MultiIndex.from_arrays([long[by], long["week"]])
        long["segment_total"] = seg_tot.reindex(idx, fill_value=0).to_numpy().astype("int64")
        long["segment_share"] = _safe_div(long["count"], long["segment_total"])
    long["theme_id"] = long["theme_id"].map(theme_key)
    return long[cols].reset_index(drop=True)


def _safe_div(num: pd.Series, den: pd.Series) -> pd.Series:
    num_a = np.asarray(num, dtype=float)
    den_a = np.asarray(den, dtype=float)
    out = np.divide(num_a, den_a, out=np.zeros_like(num_a), where=den_a > 0)
    return pd.Series(out, index=num.index)
