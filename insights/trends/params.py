"""The knobs of the trends stage and the record of one theme's week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from insights.settings import WEEKDAYS, TrendsSettings

SEGMENTS: tuple[str, ...] = ("region", "kind", "language", "channel")


def default_weights() -> dict[str, float]:
    return {"volume": 0.4, "growth": 0.2, "spike": 0.25, "severity": 0.15}


@dataclass
class TrendParams:
    """Every knob of the trends stage, with defaults chosen for weekly ticket volumes.

    ``min_count`` (10): a cell needs at least 10 tickets this week to be tested; below that a
    "spike" is a handful of tickets nobody would act on, and every extra test costs power.
    ``fdr`` (0.01): the Benjamini-Hochberg level across all tests of a week. In a week without
    any real spike (most weeks) BH behaves like a familywise level: 0.05 would give a false alarm
    every ~20 weeks per view, and the spike backtest (bench/spikes.py) lost its precision to
    exactly such borderline flags (q 0.010-0.015) at 0.05; 0.01 keeps every injected spike above
    the count floor.
    ``min_ratio`` (1.5): a spike must also be at least 1.5x its expected count.
    ``dispersion``: None estimates the negative-binomial overdispersion from the baseline weeks;
    a number fixes it (0 = Poisson).
    ``include_fading``: themes with no tickets this week but a baseline are listed (volume 0,
    growth -1) so the digest can report fading themes.
    """

    week_start: str = "monday"
    timezone: str = "UTC"
    baseline_weeks: int = 8
    min_baseline_weeks: int = 2
    min_count: int = 10
    fdr: float = 0.01
    min_ratio: float = 1.5
    dispersion: float | None = None
    max_dispersion: float = 1.0
    growth_smoothing: float = 5.0
    growth_cap: float = 2.0
    spike_cap: float = 10.0
    rank_weights: dict[str, float] = field(default_factory=default_weights)
    future_days: float = 1.0
    max_age_years: float = 20.0
    include_fading: bool = True

    @classmethod
    def from_settings(cls, trends: TrendsSettings, **overrides: Any) -> TrendParams:
        """The configured week (time zone, first day): what the CLI, digest and app share."""
        return cls(timezone=trends.timezone, week_start=trends.week_start, **overrides)

    def __post_init__(self) -> None:
        if self.week_start.lower() not in WEEKDAYS:
            raise ValueError(
                f"week_start must be one of {', '.join(WEEKDAYS)}: {self.week_start!r}"
            )
        self.week_start = self.week_start.lower()
        if self.baseline_weeks < 1:
            raise ValueError("baseline_weeks must be at least 1")


@dataclass
class ThemeWeek:
    """One theme's numbers for one week; what the CLI, the app and the digest show."""

    theme_id: Any
    week: date
    label: str
    volume: int
    share: float
    baseline: float
    growth: float
    expected: float | None
    spike: bool
    p_value: float | None
    q_value: float | None
    rank_score: float
    score_parts: dict[str, float]
    is_new: bool
    age_weeks: int
    regions: dict[str, int]
    csat: float | None
    spike_segments: list[dict[str, Any]] = field(default_factory=list)
    segment_tests: list[dict[str, Any]] = field(default_factory=list)
