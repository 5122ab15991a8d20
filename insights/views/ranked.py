"""The read model: a week's themes ranked by impact and trend, as typed records.

:func:`rank` computes a :class:`RankedWeek` from the prepared ticket frame (trends.rank_week for
the numbers, :mod:`insights.views.lifecycle` for the lifecycle, the current themes for titles);
:func:`ranked_week` is what the CLI, the flows, the digest and the app call: it returns the week
stored for the store's current data version (:mod:`insights.views.store`), computing and storing
it first when nobody has yet. A refresh stores the default week when it finishes, so the app's
first page after a refresh reads a table instead of every ticket.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from insights.trends import ThemeWeek, TrendParams, rank_week, week_from_label, week_label
from insights.views.frame import restrict
from insights.views.lifecycle import lifecycle

SCORE_PARTS = ("volume", "growth", "spike", "severity")
SEGMENT_NAMES = ("region", "kind", "language", "channel")
#: Weeks of the sparkline and the digest's charts, ending with the ranked week.
TREND_WEEKS = 12


@dataclass(frozen=True)
class Selection:
    """Which tickets a ranking counts: region and kind restrict every number (a theme's age
    stays global); language and channel restrict the tickets first."""

    region: str | None = None
    kind: str | None = None
    language: str | None = None
    channel: str | None = None

    @property
    def key(self) -> str:
        return "|".join(f"{k}={v}" for k, v in asdict(self).items() if v is not None)

    def segments(self) -> dict[str, str | None]:
        return asdict(self)


@dataclass
class ScoreParts:
    """The weighted parts of the rank score (they sum to it)."""

    volume: float
    growth: float
    spike: float
    severity: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class RankedTheme:
    """One theme in one week's ranking; what every view of the week shows."""

    theme_id: int
    title: str
    volume: int
    share: float
    growth: float
    baseline: float
    expected: float | None
    spike: bool
    p_value: float | None
    q_value: float | None
    rank_score: float
    score_parts: ScoreParts
    lifecycle: str
    regions: dict[str, int] = field(default_factory=dict)
    csat: float | None = None
    spike_segments: list[dict[str, Any]] = field(default_factory=list)
    trend: list[int] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        """The row of `insights themes --week --format json` (its field names are a contract)."""
        return {
            "theme_id": self.theme_id,
            "title": self.title,
            "volume": self.volume,
            "share": round(self.share, 4),
            "growth": round(self.growth, 4),
            "baseline": round(self.baseline, 2),
            "expected": None if self.expected is None else round(self.expected, 2),
            "spike": self.spike,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "rank_score": round(self.rank_score, 4),
            "score_parts": {k: round(v, 4) for k, v in self.score_parts.as_dict().items()},
            "lifecycle": self.lifecycle,
            "regions": self.regions,
            "csat": self.csat,
            "spike_segments": self.spike_segments,
        }


@dataclass
class RankedWeek:
    """A week's ranking for one selection, with the week's headline counts."""

    week: str | None
    selection: Selection
    themes: list[RankedTheme]
    total_tickets: int = 0
    previous_tickets: int = 0
    unthemed: int = 0
    out_of_range: int = 0
    message: str = ""
    totals: list[int] = field(default_factory=list)  # tickets per week, TREND_WEEKS to `week`

    @property
    def change(self) -> float | None:
        """Relative change of the ticket count against the previous week (None: none then)."""
        if not self.previous_tickets:
            return None
        return (self.total_tickets - self.previous_tickets) / self.previous_tickets

    @property
    def unthemed_share(self) -> float:
        return self.unthemed / self.total_tickets if self.total_tickets else 0.0

    def rows(self) -> list[dict[str, Any]]:
        return [t.as_row() for t in self.themes]

    def with_titles(self, titles: dict[int, str]) -> RankedWeek:
        """The same ranking with current titles (stored rankings keep numbers, not titles)."""
        for t in self.themes:
            t.title = titles.get(t.theme_id, t.title or f"theme {t.theme_id}")
        return self


def trend_weeks(start: date) -> pd.DatetimeIndex:
    end = pd.Timestamp(start)
    return pd.DatetimeIndex(
        [end - pd.Timedelta(weeks=TREND_WEEKS - 1 - i) for i in range(TREND_WEEKS)]
    )


def _sparklines(frame: pd.DataFrame, weeks: pd.DatetimeIndex) -> dict[int, list[int]]:
    part = frame.loc[frame["theme_id"].notna() & frame["week"].isin(weeks)]
    if part.empty:
        return {}
    counts = part.groupby(["theme_id", "week"]).size().unstack("week")
    counts = counts.reindex(columns=weeks).fillna(0).astype(int)
    return {int(t): row.tolist() for t, row in zip(counts.index, counts.to_numpy(), strict=True)}


def _theme(tw: ThemeWeek, badge: str | None, trend: list[int]) -> RankedTheme:
    return RankedTheme(
        theme_id=int(tw.theme_id),
        title="",
        volume=int(tw.volume),
        share=float(tw.share),
        growth=float(tw.growth),
        baseline=float(tw.baseline),
        expected=tw.expected,
        spike=bool(tw.spike),
        p_value=tw.p_value,
        q_value=tw.q_value,
        rank_score=float(tw.rank_score),
        score_parts=ScoreParts(**{k: float(tw.score_parts.get(k, 0.0)) for k in SCORE_PARTS}),
        lifecycle=lifecycle(badge, tw.is_new, tw.volume, tw.baseline),
        regions=dict(tw.regions),
        csat=tw.csat,
        spike_segments=list(tw.spike_segments),
        trend=trend,
    )


def rank(
    frame: pd.DataFrame,
    week: str,
    params: TrendParams,
    selection: Selection,
    badges: dict[int, str],
    titles: dict[int, str],
    out_of_range: int = 0,
) -> RankedWeek:
    """Rank `week` of the prepared `frame`; only current themes (`titles`) are listed, merged-
    away ones are not: their tickets already count for the survivor."""
    start = week_from_label(week, params.week_start)
    label = week_label(start, params.week_start)
    sub = restrict(frame, language=selection.language, channel=selection.channel)
    ranked = rank_week(sub, start, params, region=selection.region, kind=selection.kind)
    scope = restrict(sub, region=selection.region, kind=selection.kind)
    weeks = trend_weeks(start)
    sparks = _sparklines(scope, weeks)
    themes = [
        _theme(tw, badges.get(int(tw.theme_id)), sparks.get(int(tw.theme_id), [0] * len(weeks)))
        for tw in ranked
        if int(tw.theme_id) in titles
    ]
    now = scope.loc[scope["week"] == pd.Timestamp(start)]
    previous = int((scope["week"] == pd.Timestamp(start) - pd.Timedelta(weeks=1)).sum())
    totals = scope.groupby("week").size().reindex(weeks, fill_value=0) if len(scope) else None
    return RankedWeek(
        week=label,
        selection=selection,
        themes=themes,
        total_tickets=len(now),
        previous_tickets=previous,
        unthemed=int(now["theme_id"].isna().sum()),
        out_of_range=out_of_range,
        message="" if len(now) else f"No tickets in {label} for this selection.",
        totals=[int(n) for n in totals] if totals is not None else [0] * len(weeks),
    ).with_titles(titles)
