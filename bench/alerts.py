"""Daily-alert backtest: one-day regional bursts found that day, false alerts on quiet days.

Simulated marketplace days (the benchmark sets are too small per region and day): 10 regions
with the sample's region shares, ``--volume`` tickets a day in all (weekends at 70 %, a slow
trend, 10 % log-normal noise per region and day), 80 themes with Zipf shares (buyer or seller),
15 % unthemed tickets. A cell's count on a day is negative-binomial around its share of the
region's tickets, with a per-theme overdispersion drawn around 0.05 (0.01-0.3).

(a) quiet days: ``--days`` days after a 28-day baseline, every day through ``daily_tests`` and
    ``advance_episodes`` exactly as a daily run would; every alert is false. Target: at most one
    false alert per 20 region-days (0.05).
(b) bursts: a (theme, region) cell on a random test day gets 4 x its usual daily count extra
    (so the day holds ~5x usual), grouped by the usual count (the simulation's expected
    count). Found = the cell (or its theme x region x kind cell) alerted that day.
(c) the shipped sample (``data/sample``: truth themes, 16 weeks): alerts over its last 8 weeks,
    and whether they fall on the planted spike (theme, region, week).

Run: ``.venv/bin/python bench/alerts.py`` (a few minutes on 2 shared cores).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
from common import ROOT
from spikes import REGION_SHARES

from insights.trends import TrendParams, prepare, week_label
from insights.trends.alerts import AlertParams, advance_episodes, daily_tests

SAMPLE = ROOT / "data" / "sample"
START = date(2026, 3, 2)
BUCKETS = ((1, 2), (2, 3), (3, 5), (5, 10), (10, 1000))


class World:
    """Expected counts of every (day, region, theme) cell, and tickets drawn from them."""

    def __init__(self, seed: int, days: int, volume: float, themes: int = 80) -> None:
        rng = np.random.default_rng(seed)
        self.rng = rng
        regions = np.array(list(REGION_SHARES))
        shares = np.array(list(REGION_SHARES.values()))
        dow = np.array([(START + timedelta(days=d)).weekday() for d in range(days)])
        trend = 1 + rng.uniform(-0.2, 0.2) * np.arange(days) / days
        day_volume = volume * np.where(dow >= 5, 0.7, 1.0) * trend
        noise = np.exp(rng.normal(0, 0.1, (days, len(regions))))
        region_volume = day_volume[:, None] * shares[None, :] / shares.sum() * noise
        zipf = 1.0 / np.arange(1, themes + 1) ** 0.9
        theme_share = 0.85 * zipf / zipf.sum()
        self.kinds = np.where(rng.random(themes) < 0.65, "buyer", "seller")
        self.alpha = np.clip(np.exp(rng.normal(np.log(0.05), 0.7, themes)), 0.01, 0.3)
        # (days, regions, themes + 1): the last column is unthemed
        self.mu = region_volume[:, :, None] * np.r_[theme_share, 0.15][None, None, :]
        self.regions, self.days = regions, days

    def counts(self) -> np.ndarray:
        mu = self.mu[:, :, :-1]
        gamma = self.rng.gamma(1 / self.alpha, self.alpha, mu.shape)
        themed = self.rng.poisson(mu * gamma)
        unthemed = self.rng.poisson(self.mu[:, :, -1:])
        return np.concatenate([themed, unthemed], axis=2)

    def frame(self, counts: np.ndarray) -> pd.DataFrame:
        d, r, t = np.nonzero(counts)
        n = counts[d, r, t]
        d, r, t = np.repeat(d, n), np.repeat(r, n), np.repeat(t, n)
        n_themes = counts.shape[2] - 1
        theme = np.where(t < n_themes, t, -1).astype(float)
        theme[theme < 0] = np.nan
        kind = np.where(
            t < n_themes,
            self.kinds[np.minimum(t, n_themes - 1)],
            np.where(self.rng.random(len(t)) < 0.65, "buyer", "seller"),
        )
        secs = self.rng.uniform(0, 86399, len(t))
        created = (
            pd.Timestamp(START) + pd.to_timedelta(d, unit="D") + pd.to_timedelta(secs, unit="s")
        )
        df = pd.DataFrame(
            {
                "ticket_id": np.arange(len(t)),
                "created_at": created,
                "theme_id": theme,
                "region": self.regions[r],
                "kind": kind,
            }
        )
        end = pd.Timestamp(START) + pd.Timedelta(days=self.days + 1)
        frame, _ = prepare(df, TrendParams(), now=end)
        return frame


def quiet(world: World, counts: np.ndarray, test_days: int, params: AlertParams) -> tuple[int, int]:
    frame = world.frame(counts)
    episodes: list = []
    alerts = 0
    for i in range(world.days - test_days, world.days):
        day = START + timedelta(days=i)
        update = advance_episodes(episodes, daily_tests(frame, day, params), day, params)
        episodes = [e for e in update.episodes if e.ended is None]
        alerts += len(update.alerts)
    return alerts, test_days * len(world.regions)


def bursts(
    world: World, counts: np.ndarray, n: int, test_days: int, params: AlertParams
) -> dict[tuple[int, int], list[int]]:
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    frame = world.frame(counts)
    mu = world.mu[:, :, :-1]
    for lo, hi in BUCKETS:
        cells = np.argwhere((mu >= lo) & (mu < hi))
        cells = cells[cells[:, 0] >= world.days - test_days]
        if len(cells) == 0:
            continue
        for k in world.rng.choice(len(cells), size=min(n, len(cells)), replace=False):
            d, r, t = cells[k]
            extra = round(4 * float(mu[d, r, t]))
            day = START + timedelta(days=int(d))
            rows = pd.DataFrame(
                {
                    "ticket_id": np.arange(extra) + 10_000_000,
                    "created_at": pd.Timestamp(day) + pd.Timedelta(hours=12),
                    "theme_id": float(t),
                    "region": world.regions[r],
                    "kind": world.kinds[t],
                }
            )
            rows["local_at"] = rows["created_at"]
            rows["week"] = pd.Timestamp(day - timedelta(days=day.weekday()))
            injected = pd.concat([frame, rows], ignore_index=True)
            tests = daily_tests(injected, day, params)
            update = advance_episodes([], tests, day, params)
            hit = any(a.theme_id == t and a.region == world.regions[r] for a in update.alerts)
            found[(lo, hi)].append(int(hit))
    return found


def sample(params: AlertParams, weeks: int = 8) -> tuple[int, int, list[str]]:
    """(alerts, region-days, alerts on the planted spike) over the sample's last weeks."""
    patterns = json.loads((SAMPLE / "patterns.json").read_text())
    tickets = pd.read_csv(SAMPLE / "tickets.csv")
    truth = pd.read_csv(SAMPLE / "truth.csv", usecols=["ticket_id", "theme"])
    df = tickets.merge(truth, on="ticket_id").rename(columns={"theme": "theme_id"})
    now = pd.to_datetime(df["created_at"], utc=True).max().tz_localize(None)
    frame, _ = prepare(df, TrendParams(), now=now)
    last = frame["local_at"].max().normalize()
    spike = patterns["spike"]
    episodes: list = []
    alerts: list[str] = []
    for i in range(7 * weeks, 0, -1):
        day = (last - pd.Timedelta(days=i)).date()
        update = advance_episodes(episodes, daily_tests(frame, day, params), day, params)
        episodes = [e for e in update.episodes if e.ended is None]
        for a in update.alerts:
            planted = (a.theme_id, week_label(a.day)) == (spike["theme"], spike["week"])
            alerts.append(f"{a.theme_id} {a.region} {a.day} ({'planted' if planted else 'false'})")
    region_days = 7 * weeks * frame["region"].nunique()
    return len(alerts), region_days, alerts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--days", type=int, default=14, help="test days after the 28-day baseline")
    ap.add_argument("--volume", type=float, default=3000.0, help="tickets a day, all regions")
    ap.add_argument("--bursts", type=int, default=15, help="bursts per usual-count bucket and seed")
    args = ap.parse_args()
    params = AlertParams()
    t0 = time.time()
    false_alerts = region_days = 0
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    for seed in range(args.seeds):
        world = World(seed, 28 + args.days, args.volume)
        counts = world.counts()
        a, rd = quiet(world, counts, args.days, params)
        false_alerts += a
        region_days += rd
        for key, hits in bursts(world, counts, args.bursts, args.days, params).items():
            found[key].extend(hits)
    print(
        f"volume={args.volume:.0f}/day, seeds={args.seeds}, baseline {params.baseline_days} days,"
        f" fdr={params.fdr}, min_ratio={params.min_ratio}, floor {max(params.min_count, params.min_group)}"
    )
    print(
        f"quiet days: {false_alerts} false alerts in {region_days} region-days"
        f" = {false_alerts / region_days:.3f} per region-day (target <= 0.05)"
    )
    print("| usual count / day (region) | bursts | found that day | recall |")
    print("| --- | ---: | ---: | ---: |")
    for (lo, hi), hits in sorted(found.items()):
        label = f"{lo}-{hi}" if hi < 1000 else f">= {lo}"
        print(f"| {label} | {len(hits)} | {sum(hits)} | {np.mean(hits):.2f} |")
    n, rd, detail = sample(params)
    print(f"sample, last 8 weeks: {n} alerts in {rd} region-days: {detail}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
