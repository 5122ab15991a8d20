"""Fix-impact backtest: power on planted drops, false alarms on planted no-change themes.

Each trial simulates one segment over ``--before`` weeks before a fix and up to 8 complete
weeks after it:

* the segment's weekly volume varies: a base volume drawn from 500-20,000 tickets a week, a
  linear trend of -30 % .. +30 % over the period, week-to-week noise (10 % log-normal), and in
  half of the trials a step of -40 % .. +60 % in the whole segment at the fix (a sale, a new
  market: total volume moves while the theme's share does not, which must not read as impact);
* the theme's expected weekly count is its share x the week's volume, with share set so that
  the mean before the fix is the volume under test (5, 10, 20, 50, 100 tickets a week);
* counts are negative-binomial (var = mu + a mu^2), a drawn per theme from a log-normal around
  0.05 (0.01-0.25): real weekly ticket counts are overdispersed, and more so than Poisson;
* the fix ships on a random weekday; a planted drop multiplies the theme's rate from that day
  on (the week of the fix is mixed, as in real data); no-change themes keep their rate.

Reported per volume and weeks after the fix (2, 4, 8): the share of trials whose verdict is
improved / worse / no change / too early. Power = "improved" on drops; false alarms = anything
but "no change" / "too early" on unchanged themes.

Run: ``.venv/bin/python bench/fix_impact.py`` (about a minute; ``--trials`` per cell).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pandas as pd

from insights.trends.fix_impact import VERDICTS, FixParams, fix_impact

START = date(2026, 1, 5)  # a Monday
VOLUMES = (5, 10, 20, 50, 100)
AFTER = (2, 4, 8)


def simulate(
    rng: np.random.Generator, volume: float, effect: float, before: int, after: int
) -> tuple[pd.Series, pd.Series, date, date]:
    """(weekly counts, weekly totals, fix date, today) for one theme in one segment."""
    n = before + 1 + after  # the fix week is mixed
    base = float(np.exp(rng.uniform(np.log(500), np.log(20000))))
    trend = rng.uniform(-0.3, 0.3)
    w = np.arange(n)
    totals = base * (1 + trend * w / n) * np.exp(rng.normal(0, 0.1, n))
    fix_day = int(rng.integers(1, 7))  # Tuesday .. Sunday: the fix week mixes both rates
    if rng.random() < 0.5:
        step = rng.uniform(0.6, 1.6)
        totals[before + 1 :] *= step
        totals[before] *= (fix_day + (7 - fix_day) * step) / 7
    totals = np.round(totals)
    share = volume / totals[:before].mean()
    rate = np.full(n, share)
    rate[before + 1 :] *= 1 + effect
    rate[before] *= (fix_day + (7 - fix_day) * (1 + effect)) / 7
    mu = rate * totals
    alpha = float(np.clip(np.exp(rng.normal(np.log(0.05), 0.7)), 0.01, 0.25))
    lam = mu * rng.gamma(1 / alpha, alpha, n)
    counts = np.minimum(rng.poisson(lam), totals)
    weeks = pd.date_range(START, periods=n, freq="7D")
    fix = START + timedelta(weeks=before, days=fix_day)
    today = START + timedelta(weeks=n)
    return pd.Series(counts, weeks), pd.Series(totals, weeks), fix, today


def run(trials: int, before: int, params: FixParams, seed: int) -> dict:
    out: dict[tuple[str, int, int], Counter] = {}
    for effect_name, effect in (("drop 50%", -0.5), ("drop 30%", -0.3), ("no change", 0.0)):
        for vol in VOLUMES:
            for after in AFTER:
                rng = np.random.default_rng([seed, vol, after, int(-effect * 100)])
                tally: Counter = Counter()
                for _ in range(trials):
                    counts, totals, fix, today = simulate(rng, vol, effect, before, after)
                    res = fix_impact(counts, totals, fix, today=today, params=params)
                    tally[res.verdict] += 1
                out[(effect_name, vol, after)] = tally
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--before", type=int, default=FixParams().before_weeks)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--level", type=float, default=FixParams().level)
    args = ap.parse_args()
    params = FixParams(before_weeks=args.before, level=args.level)
    t0 = time.time()
    res = run(args.trials, args.before, params, args.seed)
    print(
        f"trials={args.trials} per cell, before_weeks={params.before_weeks}, level={params.level},"
        f" min_change={params.min_change}, detect {params.detect_change:.0%} at power"
        f" {params.power:.0%}"
    )
    print("| planted | tickets/week | weeks after | " + " | ".join(VERDICTS) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in VERDICTS) + " |")
    for (effect, vol, after), tally in res.items():
        n = sum(tally.values())
        cells = " | ".join(f"{tally[v] / n:.1%}" for v in VERDICTS)
        print(f"| {effect} | {vol} | {after} | {cells} |")
    print("\nsummary: power = improved on drops; false alarms = improved + worse on no change")
    for after in AFTER:
        power = {v: res[("drop 50%", v, after)]["improved"] / args.trials for v in VOLUMES}
        alarms = [
            (res[("no change", v, after)]["improved"] + res[("no change", v, after)]["worse"])
            / args.trials
            for v in VOLUMES
        ]
        power_txt = ", ".join(f"{v}/wk {p:.0%}" for v, p in power.items())
        print(
            f"  {after} weeks after: 50% drop power {power_txt}; false alarms max {max(alarms):.1%}"
        )
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
