"""Fix impact: did a theme's rate drop after a fix shipped?

A PM marks that a fix for a theme shipped on a date (optionally for one region or kind). The
question is whether the theme's *rate* changed: its share of all tickets of the segment, so a
quiet holiday week or a growing market does not look like a fix working or failing.

Method (why this one)
    A Poisson GLM of the theme's weekly counts ``y_w`` with ``log(total_w)`` as offset and an
    indicator ``after_w``: ``log E[y_w] = log total_w + b0 + b1 * after_w``. ``exp(b1)`` is the
    rate ratio after / before; ``change = exp(b1) - 1`` (-0.5 = halved). With one binary
    regressor the maximum-likelihood fit is closed form (each side's rate is its tickets over its
    exposure), so no iterative solver is needed; ``tests/test_fix_impact.py`` checks it against
    statsmodels' GLM. Weekly ticket counts vary more than Poisson, so the standard error is
    scaled by the Pearson dispersion ``phi`` of the fit (quasi-Poisson, never below 1) and the
    interval and p-value use Student's t with ``n_weeks - 2`` degrees of freedom: with 8-20
    weeks, ``phi`` is itself uncertain, and a normal interval would be too narrow (the backtest,
    ``bench/fix_impact.py``, measures the false-alarm rate this gives). The interval is the Wald
    interval; the p-value uses the standard error under the null (one pooled rate, a score-type
    test), which stays calibrated when the after side holds few tickets. A Jeffreys half ticket
    is added to each side so a theme that vanished after the fix has a finite estimate.

Weeks
    The week that holds the fix date is left out unless the fix shipped on its first day (it
    mixes before and after). "Before" is the ``before_weeks`` complete weeks ending before that
    week; "after" is every complete week from the first week entirely after the fix to
    ``today``. Weeks without any ticket in the segment carry no exposure and are skipped.

Verdict
    ``too early``  fewer than ``min_after_weeks`` weeks after the fix, or no significant change
                   yet and the data so far cannot see a ``detect_change`` (30 %) drop with
                   ``power`` (80 %): ``weeks_needed`` says how many more weeks would (None
                   when no number of weeks would, because the theme is too small);
    ``improved`` / ``worse``  p < ``level`` and the rate moved by at least ``min_change``;
    ``no change``  otherwise (the data could have seen a 30 % drop and did not).

Bad input raises :class:`FixInputError` with a one-line message: a fix date in the future, a
fix date before the first ticket, too little history before the fix.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from insights.trends.series import weekly_series
from insights.trends.weeks import week_start_of

VERDICTS: tuple[str, ...] = ("improved", "worse", "no change", "too early")
JSON_FIELDS: tuple[str, ...] = (
    "theme_id",
    "fix_date",
    "before_rate",
    "after_rate",
    "change",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
)


class FixInputError(ValueError):
    """A fix that cannot be measured as given; the message is one line for the user."""


@dataclass
class FixParams:
    """Knobs of the impact test.

    ``before_weeks`` (12): enough weeks that the "before" rate is precise (the after side then
    dominates the uncertainty), few enough that a slow drift long before the fix does not count.
    ``level`` (0.04): two-sided test level. The t approximation is a little liberal on skewed,
    overdispersed weekly counts (at 0.05 the backtest called 5-9 % of unchanged themes
    improved or worse); 0.04 keeps that near or under 5 % while a halved 20-a-week theme is
    still found in 4 weeks. ``min_change`` (0.15): a significant change smaller than 15 % is
    reported as "no change" (on a big theme a 5 % wiggle is significant and meaningless).
    ``detect_change`` / ``power``: the change the "too early" rule must be able to see before
    it says "no change".
    """

    before_weeks: int = 12
    min_before_weeks: int = 4
    min_after_weeks: int = 2
    level: float = 0.04
    min_change: float = 0.15
    detect_change: float = 0.3
    power: float = 0.8
    max_weeks: int = 52
    week_start: str = "monday"

    def __post_init__(self) -> None:
        if self.min_before_weeks < 2 or self.before_weeks < self.min_before_weeks:
            raise ValueError("need before_weeks >= min_before_weeks >= 2")
        if not 0 < self.level < 1 or not 0 < self.power < 1:
            raise ValueError("level and power must lie between 0 and 1")
        if not 0 < self.detect_change < 1:
            raise ValueError("detect_change must lie between 0 and 1 (a relative drop)")


@dataclass
class FixImpact:
    """The measured impact of one fix; :meth:`to_json` is the CLI contract."""

    theme_id: Any
    fix_date: date
    region: str | None
    kind: str | None
    verdict: str
    before_rate: float
    after_rate: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    weeks_before: int
    weeks_after: int
    before_count: int
    after_count: int
    dispersion: float | None
    weeks_needed: int | None
    first_after_week: date

    def to_json(self) -> dict[str, Any]:
        """The contract fields first, then the supporting numbers."""
        out = asdict(self)
        out["fix_date"] = self.fix_date.isoformat()
        out["first_after_week"] = self.first_after_week.isoformat()
        return {
            **{k: out[k] for k in JSON_FIELDS},
            **{k: out[k] for k in out if k not in JSON_FIELDS},
        }


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _weekly(values: pd.Series, name: str) -> pd.Series:
    s = pd.Series(values, dtype=float)
    s.index = pd.DatetimeIndex(pd.to_datetime(s.index)).normalize()
    if s.index.has_duplicates:
        raise ValueError(f"{name} has more than one value for a week")
    if (s < 0).any() or s.isna().any():
        raise ValueError(f"{name} must be non-negative numbers")
    return s


def fix_impact(
    counts: pd.Series,
    totals: pd.Series,
    fix_date: date | datetime | str,
    *,
    today: date | datetime | str,
    theme_id: Any = None,
    region: str | None = None,
    kind: str | None = None,
    first_ticket: date | datetime | str | None = None,
    params: FixParams | None = None,
) -> FixImpact:
    """Impact of a fix from the theme's weekly counts and the segment's weekly totals.

    ``counts`` / ``totals`` are indexed by week start (any date-like); missing weeks count as
    zero. ``today`` decides which weeks are complete. ``first_ticket`` (the segment's first
    ticket) defaults to the start of the first week with tickets.
    """
    params = params or FixParams()
    fix = _as_date(fix_date)
    now = _as_date(today)
    counts = _weekly(counts, "counts")
    totals = _weekly(totals, "totals")
    if fix > now:
        raise FixInputError(f"fix date {fix} is in the future (today is {now})")
    busy = totals[totals > 0]
    if busy.empty:
        raise FixInputError("the segment has no tickets: nothing to measure")
    first = _as_date(first_ticket) if first_ticket is not None else busy.index.min().date()
    if fix < first:
        raise FixInputError(f"fix date {fix} is before the first ticket ({first})")
    weeks = pd.date_range(min(busy.index.min(), counts.index.min()), busy.index.max(), freq="7D")
    counts = counts.reindex(weeks, fill_value=0.0)
    if (counts > totals.reindex(weeks, fill_value=0.0)).any():
        raise ValueError("a week has more theme tickets than tickets in the segment")
    totals = totals.reindex(weeks, fill_value=0.0)

    fix_week = np.datetime64(week_start_of(fix, params.week_start), "ns")
    first_after = (
        fix_week
        if fix == week_start_of(fix, params.week_start)
        else fix_week + np.timedelta64(7, "D")
    )
    starts = weeks.to_numpy(dtype="datetime64[ns]")
    y_all, t_all = counts.to_numpy(), totals.to_numpy()
    usable = (starts + np.timedelta64(7, "D") <= np.datetime64(now, "ns")) & (t_all > 0)
    before_pos = np.flatnonzero(usable & (starts < fix_week))[-params.before_weeks :]
    after_pos = np.flatnonzero(usable & (starts >= first_after))
    if len(before_pos) < params.min_before_weeks:
        raise FixInputError(
            f"only {len(before_pos)} complete week(s) of tickets before the fix on {fix}; "
            f"measuring impact needs {params.min_before_weeks}"
        )
    y_b, t_b = y_all[before_pos], t_all[before_pos]
    y_a, t_a = y_all[after_pos], t_all[after_pos]
    base = dict(
        theme_id=theme_id,
        fix_date=fix,
        region=region,
        kind=kind,
        weeks_before=len(before_pos),
        weeks_after=len(after_pos),
        before_count=int(y_b.sum()),
        after_count=int(y_a.sum()),
        first_after_week=pd.Timestamp(first_after).date(),
    )
    before_rate = float(y_b.sum() / t_b.sum())
    if len(after_pos) == 0:
        needed = weeks_needed(y_b, t_b, 0, params, phi=_pearson_dispersion(y_b, t_b))
        return FixImpact(
            **base,
            verdict="too early",
            before_rate=before_rate,
            after_rate=None,
            change=None,
            ci_low=None,
            ci_high=None,
            p_value=None,
            dispersion=None,
            weeks_needed=needed,
        )
    fit = rate_ratio_test(y_b, t_b, y_a, t_a, params.level)
    needed = weeks_needed(y_b, t_b, len(after_pos), params, phi=fit.dispersion)
    if len(after_pos) < params.min_after_weeks:
        verdict = "too early"
        if needed is not None:
            needed = max(needed, params.min_after_weeks - len(after_pos))
    elif fit.p_value < params.level and abs(fit.change) >= params.min_change:
        verdict = "improved" if fit.change < 0 else "worse"
    elif needed == 0:
        verdict = "no change"
    else:
        verdict = "too early"
    return FixImpact(
        **base,
        verdict=verdict,
        before_rate=before_rate,
        after_rate=float(y_a.sum() / t_a.sum()),
        change=fit.change,
        ci_low=fit.ci_low,
        ci_high=fit.ci_high,
        p_value=fit.p_value,
        dispersion=fit.dispersion,
        weeks_needed=needed,
    )


@dataclass
class RateRatio:
    """Quasi-Poisson rate-ratio fit (see the module docstring)."""

    log_ratio: float
    se: float
    dispersion: float
    df: int
    change: float
    ci_low: float
    ci_high: float
    p_value: float


def rate_ratio_test(
    y_b: np.ndarray, t_b: np.ndarray, y_a: np.ndarray, t_a: np.ndarray, level: float = 0.05
) -> RateRatio:
    """After / before rate ratio of weekly counts with exposures; two-sided t test."""
    from scipy import stats  # ~2 s to import: pages that list no fix never need it

    y_b, t_b, y_a, t_a = (np.asarray(v, dtype=float) for v in (y_b, t_b, y_a, t_a))
    s_b, s_a = y_b.sum() + 0.5, y_a.sum() + 0.5
    r_b, r_a = s_b / t_b.sum(), s_a / t_a.sum()
    log_ratio = math.log(r_a / r_b)
    mu = np.concatenate([r_b * t_b, r_a * t_a])
    y = np.concatenate([y_b, y_a])
    df = len(y) - 2
    phi = float(((y - mu) ** 2 / mu).sum() / df) if df > 0 else 1.0
    phi = max(phi, 1.0)
    se = math.sqrt(phi * (1.0 / s_b + 1.0 / s_a))
    # p-value from the standard error under the null (one pooled rate): the Wald error of a
    # small after-count is too small when the count rose by chance ("worse" false alarms) and
    # too large when it fell (lost power on real drops).
    pooled = (s_b + s_a) / (t_b.sum() + t_a.sum())
    se0 = math.sqrt(phi * (1.0 / (pooled * t_b.sum()) + 1.0 / (pooled * t_a.sum())))
    if df > 0:
        crit = float(stats.t.ppf(1 - level / 2, df))
        p = float(2 * stats.t.sf(abs(log_ratio) / se0, df))
    else:
        crit = float(stats.norm.ppf(1 - level / 2))
        p = float(2 * stats.norm.sf(abs(log_ratio) / se0))
    return RateRatio(
        log_ratio=log_ratio,
        se=se,
        dispersion=phi,
        df=df,
        change=math.exp(log_ratio) - 1.0,
        ci_low=math.exp(log_ratio - crit * se) - 1.0,
        ci_high=math.exp(log_ratio + crit * se) - 1.0,
        p_value=min(p, 1.0),
    )


def _pearson_dispersion(y: np.ndarray, t: np.ndarray) -> float:
    """Pearson dispersion of weekly counts around one constant rate (never below 1)."""
    y, t = np.asarray(y, dtype=float), np.asarray(t, dtype=float)
    mu = (y.sum() + 0.5) / t.sum() * t
    if len(y) < 2:
        return 1.0
    return max(1.0, float(((y - mu) ** 2 / mu).sum() / (len(y) - 1)))


def weeks_needed(
    y_b: np.ndarray, t_b: np.ndarray, weeks_after: int, params: FixParams, phi: float
) -> int | None:
    """More weeks after the fix needed to see a ``detect_change`` drop with ``power``.

    Normal approximation of the test above: the drop is seen when
    ``|log(1 - d)| >= (z_{1-level/2} + z_power) * se`` with
    ``se^2 = phi * (1 / Y_before + 1 / (k * m))``, ``m`` the expected weekly count after the drop
    (before rate x mean weekly total of the before weeks x (1 - d)). None when even
    ``max_weeks`` would not do (the before side alone is too uncertain or the theme too small).
    """
    from scipy import stats

    y_b, t_b = np.asarray(y_b, dtype=float), np.asarray(t_b, dtype=float)
    s_b = y_b.sum() + 0.5
    m = s_b / t_b.sum() * t_b.mean() * (1 - params.detect_change)
    z = stats.norm.ppf(1 - params.level / 2) + stats.norm.ppf(params.power)
    room = (math.log(1 - params.detect_change) / z) ** 2 / phi - 1.0 / s_b
    if room <= 0 or m <= 0:
        return None
    k = math.ceil(1.0 / (m * room))
    if k > params.max_weeks:
        return None
    return max(0, k - weeks_after)


def segment_weekly(
    frame: pd.DataFrame, theme_id: Any, region: str | None = None, kind: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """(theme counts, segment totals) per week from a frame made by ``weeks.prepare``.

    Totals count every ticket of the segment, themed or not, as the weekly spike test does.
    """
    sub = frame
    for col, value in (("region", region), ("kind", kind)):
        if value is not None:
            if col not in sub.columns:
                raise FixInputError(f"the tickets have no {col} column")
            sub = sub.loc[sub[col] == value]
    if sub.empty:
        where = ", ".join(f"{c} {v}" for c, v in (("region", region), ("kind", kind)) if v)
        raise FixInputError(f"no tickets in {where or 'the store'}")
    series = weekly_series(sub)
    totals = sub.groupby("week").size().astype(float)
    weeks = pd.date_range(totals.index.min(), totals.index.max(), freq="7D")
    totals = totals.reindex(weeks, fill_value=0.0)
    mine = series.loc[series["theme_id"] == theme_id] if not series.empty else series
    counts = (
        mine.set_index("week")["count"].astype(float).reindex(weeks, fill_value=0.0)
        if len(mine)
        else pd.Series(0.0, index=weeks)
    )
    return counts, totals
