"""Daily regional alerts: which themes spiked yesterday in which region, each episode once.

Test (shared with the weekly spikes)
    For a day ``d`` every cell (theme x region, and theme x region x kind) is tested with
    :func:`insights.trends.spikes.spike_tests`, the weekly spike test run on days: the cell's
    rate per other ticket of its region (or region-kind) in the trailing ``baseline_days`` days,
    times the region's other tickets of the day, gives the expected count (other tickets, not
    all: a burst in a small region can double the day's volume and would raise its own
    expectation), the negative-binomial tail gives the p-value, Benjamini-Hochberg runs
    across every cell seen in the window (untested ones count with p = 1), and a spike needs ``q <= fdr`` and a count of at least
    ``min_ratio`` x expected. Exposure being the region's own tickets of the day, a weekend or a
    regional sale does not look like a spike. Only cells with at least ``max(min_count,
    min_group)`` tickets are tested: ``min_group`` is the digest's privacy floor, so no alert
    ever names a group smaller than what the digest may show.

Episodes (once per episode)
    An episode of a cell starts on the day it spikes and ends once the cell has been "normal"
    for ``quiet_days`` days in a row; only the start is alerted. A day is normal when the cell is
    not elevated: ``p >= normal_p`` or, below the count floor, fewer than ``min_ratio`` x the
    expected count (or under two tickets). A day that is elevated but not a spike keeps the
    episode open, so a problem that flickers around the threshold is
    one episode, not an alert every other day. :func:`advance_episodes` is a pure function of the
    previous state and the day's tests: the caller stores the returned episodes.

A kind cell (theme x region x kind) is not alerted while its theme x region cell spikes that day
or has an open episode: that is the same event told twice. It catches a seller theme spiking in
a region whose buyer volume hides it.

Days are calendar days in ``timezone`` (the trends time zone); the caller passes a frame from
:func:`insights.trends.weeks.prepare`, whose ``local_at`` holds local times.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from insights.trends.spikes import spike_tests

ALERT_FIELDS: tuple[str, ...] = (
    "theme_id",
    "title",
    "region",
    "day",
    "count",
    "expected",
    "q_value",
)


@dataclass
class AlertParams:
    """Knobs of the daily check.

    ``baseline_days`` (28): four of every weekday, so the baseline share is not a weekday's.
    ``min_count`` (5) and ``min_group`` (the digest's privacy floor, 5): the count floor.
    ``fdr`` (0.1): Benjamini-Hochberg level across all cells of a day. The backtest
    (bench/alerts.py) gave 0.031 false alerts per region-day at 0.1 (target 0.05) and 0.007 at
    0.05, which missed more bursts in cells of 3-5 tickets a day. ``min_ratio`` (2.0): a day is
    noisier than a week, so a spike must at least double the expected count. ``quiet_days`` (3):
    normal days in a row that end an episode.
    """

    baseline_days: int = 28
    min_baseline_days: int = 7
    min_count: int = 5
    min_group: int = 5
    fdr: float = 0.1
    min_ratio: float = 2.0
    dispersion: float | None = None
    max_dispersion: float = 1.0
    by_kind: bool = True
    quiet_days: int = 3
    normal_p: float = 0.1

    def __post_init__(self) -> None:
        if self.baseline_days < self.min_baseline_days or self.min_baseline_days < 1:
            raise ValueError("need baseline_days >= min_baseline_days >= 1")
        if self.quiet_days < 1:
            raise ValueError("quiet_days must be at least 1")


@dataclass
class CellTest:
    """One cell's numbers for one day (``kind`` None: all kinds of the region)."""

    theme_id: Any
    region: str
    kind: str | None
    day: date
    count: int
    expected: float | None
    p_value: float | None
    q_value: float | None
    spike: bool

    @property
    def key(self) -> tuple[Any, str, str | None]:
        return (self.theme_id, self.region, self.kind)

    def elevated(self, params: AlertParams) -> bool:
        """Still above normal: a spike, a small p-value, or (below the count floor, untested) at
        least ``min_ratio`` x expected and two tickets."""
        if self.spike:
            return True
        if self.p_value is not None:
            return self.p_value < params.normal_p
        if self.expected is None:
            return False
        return self.count >= max(2.0, params.min_ratio * self.expected)


@dataclass
class Episode:
    """A cell's spike episode; ``ended`` None while it is open. ``episode_id`` is the caller's."""

    theme_id: Any
    region: str
    kind: str | None
    started: date
    last_spike: date
    last_elevated: date
    last_day: date
    peak_count: int
    peak_q: float
    ended: date | None = None
    episode_id: int | None = None

    @property
    def key(self) -> tuple[Any, str, str | None]:
        return (self.theme_id, self.region, self.kind)


@dataclass
class Alert:
    """A new episode to announce; :meth:`to_json` is the CLI contract (plus ``kind``)."""

    theme_id: Any
    title: str
    region: str
    kind: str | None
    day: date
    count: int
    expected: float
    q_value: float
    p_value: float

    def to_json(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ALERT_FIELDS}
        out["day"] = self.day.isoformat()
        out["kind"] = self.kind
        out["p_value"] = self.p_value
        return out


@dataclass
class EpisodeUpdate:
    """What changed on a day: every episode to store (open, started, ended) and the alerts."""

    episodes: list[Episode]
    alerts: list[Alert]
    ended: list[Episode] = field(default_factory=list)


def _as_day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def daily_tests(
    frame: pd.DataFrame, day: date | datetime | str, params: AlertParams | None = None
) -> list[CellTest]:
    """Every cell with a ticket on ``day``, tested where the floors allow (see module doc).

    The Benjamini-Hochberg family is every cell with a ticket in the window (untested ones
    count with p = 1), so a day with many small cells does not find more false spikes.

    ``frame`` comes from ``weeks.prepare`` (columns ``local_at``, ``theme_id``, ``region`` and
    optionally ``kind``). Tickets without a region are counted nowhere here.
    """
    params = params or AlertParams()
    d0 = pd.Timestamp(_as_day(day))
    if frame.empty or "region" not in frame.columns:
        return []
    nb = params.baseline_days
    days = pd.DatetimeIndex([d0 - pd.Timedelta(days=nb - i) for i in range(nb + 1)])
    local_day = frame["local_at"].dt.normalize()
    themed = frame["theme_id"].notna()
    first_day = local_day[themed & (local_day <= d0)].groupby(frame["theme_id"]).min()
    window = (local_day >= days[0]) & (local_day <= d0) & frame["region"].notna()
    sub = frame.loc[window].assign(day=local_day[window])
    if sub.empty or not (sub["day"] == d0).any():
        return []

    levels: list[list[str]] = [["region"]]
    if params.by_kind and "kind" in sub.columns:
        levels.append(["region", "kind"])
    keys: list[tuple[Any, str, str | None]] = []
    blocks_c, blocks_e, blocks_m = [], [], []
    base_days = days[:-1].to_numpy(dtype="datetime64[ns]")
    for seg in levels:
        part = sub.loc[sub[seg].notna().all(axis=1)]
        if not ((part["day"] == d0) & part["theme_id"].notna()).any():
            continue
        # Every cell seen in the window: those without a ticket today are tests too (p = 1).
        cells = part.loc[part["theme_id"].notna()].groupby(["theme_id", *seg]).size().index
        counts = part.loc[part["theme_id"].notna()].groupby(["theme_id", *seg, "day"]).size()
        counts = counts.unstack("day").reindex(index=cells, columns=days).fillna(0.0)
        expo = part.groupby([*seg, "day"]).size().unstack("day").reindex(columns=days)
        seg_index = cells.droplevel(0) if len(seg) > 1 else cells.get_level_values(1)
        expo = expo.fillna(0.0).reindex(seg_index).fillna(0.0)
        fd = first_day.reindex(cells.get_level_values(0)).to_numpy(dtype="datetime64[ns]")
        blocks_c.append(counts.to_numpy(dtype=float))
        blocks_e.append(expo.to_numpy(dtype=float))
        blocks_m.append((base_days[None, :] >= fd[:, None]).astype(float))
        for cell in cells:
            tid, region = cell[0], cell[1]
            keys.append((tid, str(region), str(cell[2]) if len(seg) > 1 else None))
    if not keys:
        return []
    counts_all = np.vstack(blocks_c)
    # Exposure: the segment's *other* tickets. In a small region a burst can double the day's
    # volume, and with all tickets as exposure it would raise its own expected count.
    others = np.maximum(np.vstack(blocks_e) - counts_all, 0.0)
    tests = spike_tests(
        counts_all,
        others,
        np.vstack(blocks_m),
        min_count=max(params.min_count, params.min_group),
        min_baseline=params.min_baseline_days,
        fdr=params.fdr,
        min_ratio=params.min_ratio,
        dispersion=params.dispersion,
        max_dispersion=params.max_dispersion,
        untested_in_family=True,
    )
    c_now = counts_all[:, -1]
    # Expected count of every cell with a baseline (tested or not), for the episode logic.
    expected = tests.baseline_rate * others[:, -1]

    def num(x: float) -> float | None:
        return None if np.isnan(x) else float(x)

    return [
        CellTest(
            theme_id=_plain(tid),
            region=region,
            kind=kind,
            day=d0.date(),
            count=int(c_now[i]),
            expected=num(expected[i]),
            p_value=num(tests.p_value[i]),
            q_value=num(tests.q_value[i]),
            spike=bool(tests.spike[i]),
        )
        for i, (tid, region, kind) in enumerate(keys)
        if c_now[i] > 0
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def advance_episodes(
    open_episodes: Iterable[Episode],
    tests: Iterable[CellTest],
    day: date | datetime | str,
    params: AlertParams | None = None,
    titles: Mapping[Any, str] | None = None,
) -> EpisodeUpdate:
    """Advance the open episodes by one day of tests; start episodes for new spikes.

    Idempotent per day: an episode that already saw ``day`` (``last_day >= day``) is returned
    unchanged, and a spike of a cell with an open episode never alerts again. Days must be
    processed in order; a missed day is processed by calling this for it first.
    """
    params = params or AlertParams()
    d = _as_day(day)
    titles = titles or {}
    by_key = {t.key: t for t in tests if t.day == d}
    state: dict[tuple[Any, str, str | None], Episode] = {}
    for ep in open_episodes:
        if ep.ended is None:
            state[ep.key] = ep
    out: list[Episode] = []
    ended: list[Episode] = []
    for key, ep in state.items():
        if ep.last_day >= d:
            out.append(ep)
            continue
        test = by_key.get(key)
        ep = replace(ep, last_day=d)
        if test is not None and test.elevated(params):
            ep.last_elevated = d
            if test.spike:
                ep.last_spike = d
                if test.count > ep.peak_count:
                    ep.peak_count = test.count
                ep.peak_q = min(ep.peak_q, test.q_value if test.q_value is not None else 1.0)
        elif (d - ep.last_elevated).days >= params.quiet_days:
            ep.ended = d
            ended.append(ep)
        out.append(ep)
    region_busy = {
        (k[0], k[1])
        for k, ep in state.items()
        if k[2] is None and (ep.ended is None or ep.ended == d)
    }
    region_busy |= {(t.theme_id, t.region) for t in by_key.values() if t.spike and t.kind is None}
    alerts: list[Alert] = []
    for key, test in sorted(by_key.items(), key=lambda kv: (kv[0][2] is not None, str(kv[0]))):
        if not test.spike or key in state:
            continue
        if test.kind is not None and (test.theme_id, test.region) in region_busy:
            continue
        q = float(test.q_value if test.q_value is not None else 1.0)
        out.append(
            Episode(
                theme_id=test.theme_id,
                region=test.region,
                kind=test.kind,
                started=d,
                last_spike=d,
                last_elevated=d,
                last_day=d,
                peak_count=test.count,
                peak_q=q,
            )
        )
        alerts.append(
            Alert(
                theme_id=test.theme_id,
                title=titles.get(test.theme_id, ""),
                region=test.region,
                kind=test.kind,
                day=d,
                count=test.count,
                expected=float(test.expected or 0.0),
                q_value=q,
                p_value=float(test.p_value if test.p_value is not None else 1.0),
            )
        )
    alerts.sort(key=lambda a: (a.q_value, str(a.region), str(a.theme_id)))
    return EpisodeUpdate(episodes=out, alerts=alerts, ended=ended)


def days_to_check(last_checked: date | None, today: date, max_days: int = 7) -> list[date]:
    """Complete days not yet checked, oldest first (at most ``max_days``: a long outage does not
    flood subscribers with stale alerts). ``today`` itself is not complete."""
    end = today - timedelta(days=1)
    start = end - timedelta(days=max_days - 1)
    if last_checked is not None:
        start = max(start, last_checked + timedelta(days=1))
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
