"""The week's ranking: every theme's volume, share, growth against its baseline, spike test and
a score whose parts are shown to the user.

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from insights.trends.params import ThemeWeek, TrendParams, default_weights
from insights.trends.series import theme_key, themed
from insights.trends.spikes import cell_results, run_tests, segment_cells
from insights.trends.weeks import week_label, week_start_of


@dataclass
class _Window:
    """The week and its trailing baseline weeks, restricted to the selection."""

    start: pd.Timestamp
    weeks: pd.DatetimeIndex
    sub: pd.DataFrame  # the selection's tickets in the window
    totals: np.ndarray  # all its tickets per window week
    first_week: pd.Series  # theme id -> first week with tickets (whole store, up to the week)


def _window(
    frame: pd.DataFrame, week: date, params: TrendParams, region: str | None, kind: str | None
) -> _Window | None:
    if frame.empty or "week" not in frame.columns:
        return None
    w0 = pd.Timestamp(week_start_of(pd.Timestamp(week).date(), params.week_start))
    nb = params.baseline_weeks
    weeks = pd.DatetimeIndex([w0 - pd.Timedelta(weeks=nb - i) for i in range(nb + 1)])
    history = themed(frame)
    first_week = history.loc[history["week"] <= w0].groupby("theme_id")["week"].min()
    sub = frame
    if region is not None and "region" in sub.columns:
        sub = sub.loc[sub["region"] == region]
    if kind is not None and "kind" in sub.columns:
        sub = sub.loc[sub["kind"] == kind]
    sub = sub.loc[sub["week"].isin(weeks)]
    if sub.empty:
        return None
    totals = sub.groupby("week").size().reindex(weeks, fill_value=0).to_numpy(dtype=float)
    if totals[-1] == 0:  # no tickets at all this week: nothing to rank (not "all fading")
        return None
    return _Window(w0, weeks, sub, totals, first_week)


def _week_extras(sub: pd.DataFrame, w0: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Tickets per theme x region in the week, and each theme's mean CSAT in the week."""
    now = themed(sub.loc[sub["week"] == w0])
    if "region" in now.columns:
        regions = now.loc[now["region"].notna()].groupby(["theme_id", "region"]).size()
    else:
        regions = pd.Series(dtype="int64")
    if "csat" in now.columns:
        csat = pd.to_numeric(now["csat"], errors="coerce").groupby(now["theme_id"]).mean()
    else:
        csat = pd.Series(dtype=float)
    return regions, csat


def _regions_of(regions: pd.Series, tid: Any) -> dict[str, int]:
    if not len(regions) or tid not in regions.index.get_level_values(0):
        return {}
    return {str(r): int(n) for r, n in regions.loc[tid].items() if n > 0}


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


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
    win = _window(frame, week, params, region, kind)
    if win is None:
        return []
    in_themes = themed(win.sub)
    if in_themes.empty:
        return []
    counts = in_themes.groupby(["theme_id", "week"]).size().unstack("week")
    counts = counts.reindex(columns=win.weeks).fillna(0.0)
    theme_ids = counts.index
    t_counts = counts.to_numpy(dtype=float)
    # Baseline weeks each theme may use: the trailing window, from its first week on.
    fw = win.first_week.reindex(theme_ids).to_numpy(dtype="datetime64[ns]")
    base_weeks = win.weeks[:-1].to_numpy(dtype="datetime64[ns]")
    t_mask = (base_weeks[None, :] >= fw[:, None]).astype(float)
    age = ((win.start.to_datetime64() - fw) // np.timedelta64(7, "D")).astype(int)

    skip = tuple(s for s, v in (("region", region), ("kind", kind)) if v is not None)
    cells = segment_cells(win.sub, in_themes, win.weeks, theme_ids, skip)
    c_mask = t_mask[np.asarray(cells.rows)] if cells.keys else np.zeros((0, len(base_weeks)))
    tests = run_tests(
        np.vstack([t_counts, cells.counts]),
        np.vstack([np.broadcast_to(win.totals, t_counts.shape), cells.expo]),
        np.vstack([t_mask, c_mask]),
        params,
    )
    by_theme = cell_results(cells, tests, len(theme_ids))
    regions, csat_mean = _week_extras(win.sub, win.start)

    week_total = float(win.totals[-1])
    label = week_label(win.start.date(), params.week_start)
    items: list[ThemeWeek] = []
    best_q: list[float] = []
    for i, tid in enumerate(theme_ids):
        vol = int(t_counts[i, -1])
        nbw = float(t_mask[i].sum())
        base = float((t_counts[i, :-1] * t_mask[i]).sum() / nbw) if nbw > 0 else 0.0
        if vol == 0 and (not params.include_fading or base == 0.0):
            continue
        segment_tests = sorted(by_theme.get(i, []), key=lambda d: d["q_value"])
        sig_q = [d["q_value"] for d in segment_tests if d["spike"]]
        if tests.spike[i]:
            sig_q.append(float(tests.q[i]))
        cs = csat_mean.get(tid, np.nan)
        items.append(
            ThemeWeek(
                theme_id=theme_key(tid),
                week=win.start.date(),
                label=label,
                volume=vol,
                share=vol / week_total if week_total > 0 else 0.0,
                baseline=base,
                growth=(vol - base) / max(base, 1.0),
                expected=_optional(tests.mu[i]),
                spike=bool(sig_q),
                p_value=_optional(tests.p[i]),
                q_value=_optional(tests.q[i]),
                rank_score=0.0,
                score_parts={},
                is_new=bool(age[i] <= 1),
                age_weeks=int(age[i]),
                regions=_regions_of(regions, tid),
                csat=None if cs is None or pd.isna(cs) else float(cs),
                spike_segments=[d for d in segment_tests if d["spike"]],
                segment_tests=segment_tests,
            )
        )
        best_q.append(min(sig_q) if sig_q else 1.0)
    score(items, best_q, params)
    items.sort(key=lambda t: (-t.rank_score, -t.volume, str(t.theme_id)))
    return items


def score(items: list[ThemeWeek], best_q: list[float], params: TrendParams) -> None:
    """Fill ``rank_score`` and ``score_parts`` (weighted contributions that sum to the score);
    `best_q`: each item's smallest q among its significant tests (1 when none)."""
    w = {**default_weights(), **params.rank_weights}
    top = max((t.volume for t in items), default=0)
    for t, q in zip(items, best_q, strict=True):
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
