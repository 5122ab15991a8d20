"""Spike tests: is a theme's (or a theme x segment cell's) count this week more than its
share of the week's volume predicts?

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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from insights.trends.params import SEGMENTS, TrendParams


@dataclass
class Cells:
    """Theme x segment-value cells of a week's window: counts, exposure (that segment value's
    tickets) per window week, and the theme row each cell belongs to."""

    keys: list[tuple[Any, str, Any]]
    counts: np.ndarray
    expo: np.ndarray
    rows: list[int]


def segment_cells(
    sub: pd.DataFrame,
    themed: pd.DataFrame,
    weeks: pd.DatetimeIndex,
    theme_ids: pd.Index,
    skip: tuple[str, ...] = (),
) -> Cells:
    """The cells of every segment column but those in `skip` (already restricted to one value)."""
    keys: list[tuple[Any, str, Any]] = []
    counts: list[np.ndarray] = []
    expo: list[np.ndarray] = []
    rows: list[int] = []
    pos = {t: i for i, t in enumerate(theme_ids)}
    for seg in (s for s in SEGMENTS if s in sub.columns and s not in skip):
        part = themed.loc[themed[seg].notna()]
        if part.empty:
            continue
        cc = part.groupby(["theme_id", seg, "week"]).size().unstack("week")
        cc = cc.reindex(columns=weeks).fillna(0.0)
        st = sub.loc[sub[seg].notna()].groupby([seg, "week"]).size().unstack("week")
        st = st.reindex(columns=weeks).fillna(0.0)
        values = cc.index.get_level_values(1)
        counts.append(cc.to_numpy(dtype=float))
        expo.append(st.reindex(values).fillna(0.0).to_numpy(dtype=float))
        for tid, val in cc.index:
            keys.append((tid, seg, val))
            rows.append(pos[tid])
    width = len(weeks)
    return Cells(
        keys,
        np.vstack(counts) if counts else np.zeros((0, width)),
        np.vstack(expo) if expo else np.zeros((0, width)),
        rows,
    )


@dataclass
class Tests:
    """Per tested series (themes first, then cells): expected count, p, BH q, and whether it
    is a spike; NaN where a series was not tested."""

    testable: np.ndarray
    mu: np.ndarray
    p: np.ndarray
    q: np.ndarray
    spike: np.ndarray


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
    from scipy import stats  # ~2 s to import: only when testing, not to render the app

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
        from scipy import stats

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


def run_tests(counts: np.ndarray, expo: np.ndarray, mask: np.ndarray, params: TrendParams) -> Tests:
    """Test every series that passes the count floor and has a baseline; Benjamini-Hochberg
    across all of them; a spike needs q <= fdr and at least min_ratio x the expected count."""
    t = spike_tests(
        counts,
        expo,
        mask,
        min_count=params.min_count,
        min_baseline=params.min_baseline_weeks,
        fdr=params.fdr,
        min_ratio=params.min_ratio,
        dispersion=params.dispersion,
        max_dispersion=params.max_dispersion,
    )
    return Tests(t.tested, t.expected, t.p_value, t.q_value, t.spike)


def cell_results(cells: Cells, tests: Tests, n_themes: int) -> dict[int, list[dict[str, Any]]]:
    """theme row -> its tested cells (segment, value, volume, expected, p, q, spike)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for j, (_tid, seg, val) in enumerate(cells.keys):
        i = n_themes + j
        if not tests.testable[i]:
            continue
        out.setdefault(cells.rows[j], []).append(
            {
                "segment": seg,
                "value": val,
                "volume": int(cells.counts[j, -1]),
                "expected": float(tests.mu[i]),
                "p_value": float(tests.p[i]),
                "q_value": float(tests.q[i]),
                "spike": bool(tests.spike[i]),
            }
        )
    return out
