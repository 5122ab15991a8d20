"""Trends: weekly series per theme and segment, spike tests with FDR control, and a ranking.

Pure functions over a pandas DataFrame of tickets (no database access), so the CLI, the digest,
the app and the benchmarks all compute the same numbers from the same frame.

Input columns: ``ticket_id``, ``created_at`` (naive UTC, or tz-aware / ISO strings, which are
converted to UTC), ``theme_id`` (NaN = unthemed), and optionally ``region``, ``kind``,
``language``, ``channel`` (segments) and ``csat`` (1-5, NaN when missing).

Weeks
    A week starts on ``TrendParams.week_start`` (Monday by default) at midnight in
    ``TrendParams.timezone``. The ``week`` column holds that start as a naive midnight
    ``datetime64``. A week is labelled "YYYY-Www" by the ISO week of its fourth day, so Monday
    weeks are exactly ISO weeks and, e.g., a Sunday week (Sun 9 Aug - Sat 15 Aug 2026) gets the
    label of the ISO week that holds six of its seven days ("2026-W33").

Spike test (why this one)
    For a cell (a theme, or a theme x segment value such as courier_delay x region TH) with
    this week's count ``k``, the null hypothesis is "the cell holds the same share of its
    population's volume as in the trailing baseline weeks". The population (exposure) is every
    ticket of the week (themed or not) for a theme, and every ticket of that segment value for a
    cell, so a busy week or a region that grows as a whole does not look like a spike.
    Expected count ``mu = (B + 0.5) / E_base * N_week`` where ``B`` is the cell's count in the
    baseline weeks and ``E_base`` the exposure over the same weeks (the 0.5 is a Jeffreys prior:
    a cell never seen before still has a finite expectation). The p-value is the negative-binomial
    upper tail ``P(X >= k)`` with variance ``mu + alpha_eff * mu**2``, where
    ``alpha_eff = (1 + 1/(B + 0.5)) * (1 + alpha) - 1`` combines the uncertainty of a rate
    estimated from ``B`` tickets (Poisson-gamma predictive) with week-to-week overdispersion
    ``alpha``. ``alpha`` is estimated once per call by the method of moments, pooled over every
    series that has at least 4 baseline weeks and a mean of at least 5 (real ticket volumes
    vary more than Poisson; a per-cell estimate from 8 points would be too noisy).
    Only cells with ``k >= min_count`` are tested (the count floor: tiny cells cannot be acted on
    and add multiple-testing burden), and only for themes with at least ``min_baseline_weeks``
    weeks of history. Benjamini-Hochberg (``scipy.stats.false_discovery_control``) runs across
    ALL tests of the week: themes and segment cells together. A test is a spike when
    ``q <= fdr`` and ``k >= min_ratio * mu`` (statistically and practically significant: a big
    theme 20 % above normal is "rising", not "spiking"). A theme spikes when its own test or any of
    its segment cells does.

Baseline
    The trailing ``baseline_weeks`` weeks before the week, limited to weeks since the theme's
    first ticket, so a new theme is not compared against the empty weeks before it existed.

Rank score (components returned in ``ThemeWeek.score_parts``, which sum to ``rank_score``)
    ``volume``   log1p(volume) / log1p(largest volume in the list) -- big themes matter, but a
                 10x larger theme is not 10x more important;
    ``growth``   clip((volume - baseline) / (baseline + growth_smoothing), 0, growth_cap) /
                 growth_cap -- the pseudo-count stops 1 -> 4 tickets from outranking 100 -> 150;
    ``spike``    min(-log10(q), spike_cap) / spike_cap for a spiking theme (smallest q among its
                 significant tests), else 0;
    ``severity`` (5 - mean CSAT) / 4, 0 when the week has no CSAT for the theme;
    each multiplied by its weight in ``rank_weights`` (default 0.4 / 0.2 / 0.25 / 0.15).

Bad input
    Dates after ``now + future_days`` or before ``now - max_age_years`` (and unparseable dates)
    are "out of range": dropped by :func:`prepare`, which returns their count. Weeks, themes or
    segments without tickets give zeros (never a division error); a week without any ticket gives
    an empty ranking (missing data, not every theme fading).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

SEGMENTS: tuple[str, ...] = ("region", "kind", "language", "channel")
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def _default_weights() -> dict[str, float]:
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
    rank_weights: dict[str, float] = field(default_factory=_default_weights)
    future_days: float = 1.0
    max_age_years: float = 20.0
    include_fading: bool = True

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


# --------------------------------------------------------------------------- weeks and labels


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


def _themed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame["theme_id"].notna()]


def _theme_key(value: Any) -> Any:
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
    themed = _themed(frame)
    if by:
        themed = themed.loc[themed[by].notna()]
    if themed.empty:
        return pd.DataFrame(columns=cols)
    counts = themed.groupby([*keys, "week"]).size().unstack("week")
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
    long["theme_id"] = long["theme_id"].map(_theme_key)
    return long[cols].reset_index(drop=True)


def _safe_div(num: pd.Series, den: pd.Series) -> pd.Series:
    num_a = np.asarray(num, dtype=float)
    den_a = np.asarray(den, dtype=float)
    out = np.divide(num_a, den_a, out=np.zeros_like(num_a), where=den_a > 0)
    return pd.Series(out, index=num.index)


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


# --------------------------------------------------------------------------- statistics


def _estimate_dispersion(
    counts: np.ndarray, expo: np.ndarray, mask: np.ndarray, max_alpha: float
) -> float:
    """Pooled method-of-moments NB dispersion over the baseline weeks of all series.

    Uses series with >= 4 baseline weeks and a mean >= 5 (below that Poisson noise swamps any
    overdispersion). Var = mu + alpha * mu^2, with the n/(n-1) correction because each series'
    rate is estimated from the same weeks.
    """
    if counts.size == 0:
        return 0.0
    n = mask.sum(axis=1)
    csum = (counts * mask).sum(axis=1)
    esum = (expo * mask).sum(axis=1)
    use = (n >= 4) & (csum >= 5 * np.maximum(n, 1)) & (esum > 0)
    if not use.any():
        return 0.0
    c, e, m, nn = counts[use], expo[use], mask[use], n[use]
    rate = csum[use] / esum[use]
    mu = rate[:, None] * e * m
    resid = ((c - mu) ** 2) * m
    num = (resid.sum(axis=1) * nn / (nn - 1) - mu.sum(axis=1)).sum()
    den = (mu**2).sum()
    if den <= 0:
        return 0.0
    return float(np.clip(num / den, 0.0, max_alpha))


def _nb_tests(
    counts: np.ndarray, expo: np.ndarray, mask: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Expected count and one-sided NB p-value for the last column given the masked baseline.

    ``counts`` / ``expo`` are (cells, baseline_weeks + 1); ``mask`` (cells, baseline_weeks)
    marks the baseline weeks each cell may use. Returns (mu, p); callers only pass cells with a
    baseline exposure > 0.
    """
    b = (counts[:, :-1] * mask).sum(axis=1)
    e_base = (expo[:, :-1] * mask).sum(axis=1)
    k = counts[:, -1]
    n_now = expo[:, -1]
    s = b + 0.5
    mu = s / e_base * n_now
    alpha_eff = (1.0 + 1.0 / s) * (1.0 + alpha) - 1.0
    size = 1.0 / alpha_eff
    prob = size / (size + mu)
    p = stats.nbinom.sf(k - 1, size, prob)
    return mu, np.clip(p, 0.0, 1.0)


@dataclass
class SpikeTests:
    """Per-cell results of :func:`spike_tests`; NaN / False for cells that were not tested."""

    expected: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    tested: np.ndarray
    spike: np.ndarray
    dispersion: float
    baseline_rate: np.ndarray  # (B + 0.5) / E_base for every cell with a baseline, else NaN


def spike_tests(
    counts: np.ndarray,
    expo: np.ndarray,
    mask: np.ndarray,
    *,
    min_count: int,
    min_baseline: int,
    fdr: float,
    min_ratio: float,
    dispersion: float | None = None,
    max_dispersion: float = 1.0,
    untested_in_family: bool = False,
) -> SpikeTests:
    """The spike test of the module docstring for any period (weeks here, days for alerts).

    ``counts`` / ``expo`` are (cells, baseline periods + 1), the last column being the period
    under test; ``mask`` (cells, baseline periods) marks the baseline periods each cell may use.
    Cells below the count floor, with fewer than ``min_baseline`` baseline periods or without
    exposure are not tested. Benjamini-Hochberg runs across every tested cell of the call, so a
    caller passes all the cells of one period together. ``dispersion`` None: pooled
    method-of-moments estimate over the baselines (capped at ``max_dispersion``).
    ``untested_in_family``: every cell with a baseline joins the Benjamini-Hochberg family, the
    untested ones with p = 1. Use it when most cells sit below the count floor (days, not
    weeks): a low-rate cell reaches the floor only on an extreme day, so a family of the tested
    cells alone is selected for extremes and BH would under-count its tests.
    """
    counts = np.asarray(counts, dtype=float)
    expo = np.asarray(expo, dtype=float)
    mask = np.asarray(mask, dtype=float)
    n = len(counts)
    if dispersion is None:
        alpha = _estimate_dispersion(counts[:, :-1], expo[:, :-1], mask, max_dispersion)
    else:
        alpha = float(dispersion)
    mu_all = np.full(n, np.nan)
    p_all = np.full(n, np.nan)
    q_all = np.full(n, np.nan)
    if n == 0:
        empty = np.zeros(0, dtype=bool)
        return SpikeTests(mu_all, p_all, q_all, empty, empty, alpha, np.zeros(0))
    n_base = mask.sum(axis=1)
    e_base = (expo[:, :-1] * mask).sum(axis=1)
    b_sum = (counts[:, :-1] * mask).sum(axis=1)
    has_base = (n_base >= min_baseline) & (e_base > 0)
    rate = np.full(n, np.nan)
    rate[has_base] = (b_sum[has_base] + 0.5) / e_base[has_base]
    testable = (
        (counts[:, -1] >= min_count) & (n_base >= min_baseline) & (e_base > 0) & (expo[:, -1] > 0)
    )
    if testable.any():
        mu, p = _nb_tests(counts[testable], expo[testable], mask[testable], alpha)
        mu_all[testable] = mu
        p_all[testable] = p
        family = p
        if untested_in_family:
            family = np.concatenate([p, np.ones(int((has_base & ~testable).sum()))])
        q_all[testable] = stats.false_discovery_control(family, method="bh")[: len(p)]
    with np.errstate(invalid="ignore"):
        sig = testable & (q_all <= fdr) & (counts[:, -1] >= min_ratio * mu_all)
    return SpikeTests(mu_all, p_all, q_all, testable, sig, alpha, rate)


# --------------------------------------------------------------------------- ranking


def rank_week(
    frame: pd.DataFrame,
    week: date,
    params: TrendParams | None = None,
    region: str | None = None,
    kind: str | None = None,
) -> list[ThemeWeek]:
    """The week's themes, ranked by ``rank_score`` (see the module docstring for the method).

    ``frame`` comes from :func:`prepare`; ``week`` is a week start date (e.g. from
    :func:`week_from_label`; any date inside the week works too). ``region`` / ``kind`` restrict
    every number (volume, share, baseline, tests) to that segment; theme age and the new flag stay
    global, because a theme is new to the product, not to a region. Unthemed tickets count in the
    week totals (shares, exposures) but are not listed. Listed: themes with tickets this week and,
    with ``include_fading``, themes with none this week but some in the baseline.
    """
    params = params or TrendParams()
    if frame.empty or "week" not in frame.columns:
        return []
    w0 = pd.Timestamp(week_start_of(pd.Timestamp(week).date(), params.week_start))
    nb = params.baseline_weeks
    weeks = pd.DatetimeIndex([w0 - pd.Timedelta(weeks=nb - i) for i in range(nb + 1)])

    themed_all = _themed(frame)
    hist = themed_all.loc[themed_all["week"] <= w0]
    first_week = hist.groupby("theme_id")["week"].min()

    sub = frame
    if region is not None and "region" in sub.columns:
        sub = sub.loc[sub["region"] == region]
    if kind is not None and "kind" in sub.columns:
        sub = sub.loc[sub["kind"] == kind]
    sub = sub.loc[sub["week"].isin(weeks)]
    if sub.empty:
        return []
    totals = sub.groupby("week").size().reindex(weeks, fill_value=0).to_numpy(dtype=float)
    if totals[-1] == 0:  # no tickets at all this week: nothing to rank (not "all fading")
        return []
    themed = _themed(sub)
    if themed.empty:
        return []
    tc = themed.groupby(["theme_id", "week"]).size().unstack("week")
    tc = tc.reindex(columns=weeks).fillna(0.0)
    theme_ids = tc.index
    t_counts = tc.to_numpy(dtype=float)
    # Baseline weeks each theme may use: the trailing window, from its first week on.
    fw = first_week.reindex(theme_ids).to_numpy(dtype="datetime64[ns]")
    base_weeks = weeks[:-1].to_numpy(dtype="datetime64[ns]")
    t_mask = (base_weeks[None, :] >= fw[:, None]).astype(float)
    age = ((w0.to_datetime64() - fw) // np.timedelta64(7, "D")).astype(int)

    # Segment cells: theme x segment value, with that segment value's totals as exposure.
    seg_cols = [
        s
        for s in SEGMENTS
        if s in sub.columns
        and not (s == "region" and region is not None)
        and not (s == "kind" and kind is not None)
    ]
    cell_keys: list[tuple[Any, str, Any]] = []
    cell_counts: list[np.ndarray] = []
    cell_expo: list[np.ndarray] = []
    cell_rows: list[int] = []
    pos = {t: i for i, t in enumerate(theme_ids)}
    for seg in seg_cols:
        part = themed.loc[themed[seg].notna()]
        if part.empty:
            continue
        cc = part.groupby(["theme_id", seg, "week"]).size().unstack("week")
        cc = cc.reindex(columns=weeks).fillna(0.0)
        st = sub.loc[sub[seg].notna()].groupby([seg, "week"]).size().unstack("week")
        st = st.reindex(columns=weeks).fillna(0.0)
        values = cc.index.get_level_values(1)
        cell_counts.append(cc.to_numpy(dtype=float))
        cell_expo.append(st.reindex(values).fillna(0.0).to_numpy(dtype=float))
        for tid, val in cc.index:
            cell_keys.append((tid, seg, val))
            cell_rows.append(pos[tid])
    t_expo = np.broadcast_to(totals, t_counts.shape)
    if cell_keys:
        c_counts = np.vstack(cell_counts)
        c_expo = np.vstack(cell_expo)
        c_mask = t_mask[np.asarray(cell_rows)]
    else:
        c_counts = np.zeros((0, nb + 1))
        c_expo = np.zeros((0, nb + 1))
        c_mask = np.zeros((0, nb))

    all_counts = np.vstack([t_counts, c_counts])
    all_expo = np.vstack([t_expo, c_expo])
    all_mask = np.vstack([t_mask, c_mask])
    tests = spike_tests(
        all_counts,
        all_expo,
        all_mask,
        min_count=params.min_count,
        min_baseline=params.min_baseline_weeks,
        fdr=params.fdr,
        min_ratio=params.min_ratio,
        dispersion=params.dispersion,
        max_dispersion=params.max_dispersion,
    )
    mu_all, p_all, q_all = tests.expected, tests.p_value, tests.q_value
    testable, sig = tests.tested, tests.spike

    n_t = len(theme_ids)
    seg_by_theme: dict[int, list[dict[str, Any]]] = {}
    for j, (_tid, seg, val) in enumerate(cell_keys):
        i = n_t + j
        if not testable[i]:
            continue
        seg_by_theme.setdefault(cell_rows[j], []).append(
            {
                "segment": seg,
                "value": val,
                "volume": int(all_counts[i, -1]),
                "expected": float(mu_all[i]),
                "p_value": float(p_all[i]),
                "q_value": float(q_all[i]),
                "spike": bool(sig[i]),
            }
        )

    now_rows = sub.loc[sub["week"] == w0]
    themed_now = _themed(now_rows)
    if "region" in themed_now.columns:
        reg = themed_now.loc[themed_now["region"].notna()].groupby(["theme_id", "region"]).size()
    else:
        reg = pd.Series(dtype="int64")
    if "csat" in themed_now.columns:
        csat = pd.to_numeric(themed_now["csat"], errors="coerce").groupby(themed_now["theme_id"])
        csat_mean = csat.mean()
    else:
        csat_mean = pd.Series(dtype=float)

    week_total = float(totals[-1])
    label = week_label(w0.date(), params.week_start)
    items: list[ThemeWeek] = []
    for i, tid in enumerate(theme_ids):
        vol = int(t_counts[i, -1])
        nbw = float(t_mask[i].sum())
        base = float((t_counts[i, :-1] * t_mask[i]).sum() / nbw) if nbw > 0 else 0.0
        if vol == 0 and (not params.include_fading or base == 0.0):
            continue
        tests = sorted(seg_by_theme.get(i, []), key=lambda d: d["q_value"])
        sig_q = [d["q_value"] for d in tests if d["spike"]]
        if sig[i]:
            sig_q.append(float(q_all[i]))
        spike = bool(sig_q)
        cs = csat_mean.get(tid, np.nan)
        cs_val = None if cs is None or pd.isna(cs) else float(cs)
        regions = {}
        if len(reg) and tid in reg.index.get_level_values(0):
            regions = {str(r): int(n) for r, n in reg.loc[tid].items() if n > 0}
        items.append(
            ThemeWeek(
                theme_id=_theme_key(tid),
                week=w0.date(),
                label=label,
                volume=vol,
                share=vol / week_total if week_total > 0 else 0.0,
                baseline=base,
                growth=(vol - base) / max(base, 1.0),
                expected=None if np.isnan(mu_all[i]) else float(mu_all[i]),
                spike=spike,
                p_value=None if np.isnan(p_all[i]) else float(p_all[i]),
                q_value=None if np.isnan(q_all[i]) else float(q_all[i]),
                rank_score=0.0,
                score_parts={},
                is_new=bool(age[i] <= 1),
                age_weeks=int(age[i]),
                regions=regions,
                csat=cs_val,
                spike_segments=[d for d in tests if d["spike"]],
                segment_tests=tests,
            )
        )
        items[-1].score_parts["_q"] = min(sig_q) if sig_q else 1.0
    _score(items, params)
    items.sort(key=lambda t: (-t.rank_score, -t.volume, str(t.theme_id)))
    return items


def _score(items: list[ThemeWeek], params: TrendParams) -> None:
    """Fill ``rank_score`` and ``score_parts`` (weighted contributions that sum to the score)."""
    w = {**_default_weights(), **params.rank_weights}
    top = max((t.volume for t in items), default=0)
    for t in items:
        q = t.score_parts.pop("_q", 1.0)
        vol = math.log1p(t.volume) / math.log1p(top) if top > 0 else 0.0
        g = (t.volume - t.baseline) / (t.baseline + params.growth_smoothing)
        growth = min(max(g, 0.0), params.growth_cap) / params.growth_cap
        spike = 0.0
        if t.spike:
            spike = min(-math.log10(max(q, 1e-300)), params.spike_cap) / params.spike_cap
        severity = 0.0 if t.csat is None else min(max((5.0 - t.csat) / 4.0, 0.0), 1.0)
        parts = {
            "volume": w["volume"] * vol,
            "growth": w["growth"] * growth,
            "spike": w["spike"] * spike,
            "severity": w["severity"] * severity,
        }
        t.score_parts = parts
        t.rank_score = float(sum(parts.values()))
