"""Trends: weekly series per theme and segment, spike tests with FDR control, and a ranking.

Pure functions over a pandas DataFrame of tickets (no database access), so the CLI, the digest,
the app and the benchmarks all compute the same numbers from the same frame.

Input columns: ``ticket_id``, ``created_at`` (naive UTC, or tz-aware / ISO strings, which are
converted to UTC), ``theme_id`` (NaN = unthemed), and optionally ``region``, ``kind``,
``language``, ``channel`` (segments) and ``csat`` (1-5, NaN when missing).

Modules: params (TrendParams, ThemeWeek), weeks (labels, prepare, the latest complete week),
series (weekly series), spikes (the spike test), ranking (rank_week and its score).
"""

from insights.trends.params import SEGMENTS, WEEKDAYS, ThemeWeek, TrendParams
from insights.trends.ranking import rank_week
from insights.trends.series import weekly_series
from insights.trends.weeks import (
    latest_complete_week,
    parse_week,
    prepare,
    week_from_label,
    week_label,
    week_start_of,
)

__all__ = [
    "SEGMENTS",
    "WEEKDAYS",
    "ThemeWeek",
    "TrendParams",
    "latest_complete_week",
    "parse_week",
    "prepare",
    "rank_week",
    "week_from_label",
    "week_label",
    "week_start_of",
    "weekly_series",
]
