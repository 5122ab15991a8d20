"""Spike backtest: precision and recall of the spike flags of ``insights.trends.rank_week``.

A flag is a (theme, week) pair with ``ThemeWeek.spike``. Two settings:

(a) the sample (``data/sample/tickets.csv``) with the truth themes of ``truth.csv`` as theme ids,
    so this measures the statistics, not the clustering. ``patterns.json`` plants one spike
    (theme x region x week): that flag is the only true positive. Flags on the planted rising,
    new and fading themes are false positives too, reported on their own line.
(b) spikes injected into the benchmark sets (banking77, bitext: 12 weeks, no trend). Each row
    gets a seeded region (10 regions, the sample's shares). For each seed one (label, region,
    week after the 8 baseline weeks) cell gets its rate multiplied by ``--factor`` by duplicating
    its rows under new ids. Two ways to draw the cell: "random" (any cell with a ticket) and
    "floor" (cells whose injected count reaches the count floor), because in these small sets
    most random cells stay far below the floor. "above floor" rows keep the seeds whose injected
    cell holds at least ``min_count`` tickets in the spike week. Flags on un-injected weeks are
    false positives of every seed they occur in.

Run: ``.venv/bin/python bench/spikes.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from common import BENCH_DIR, ROOT

from insights.trends import TrendParams, prepare, rank_week, week_label

SAMPLE = ROOT / "data" / "sample"
REGION_SHARES = {
    "ID": 0.18,
    "TH": 0.13,
    "VN": 0.11,
    "MY": 0.08,
    "PH": 0.10,
    "SG": 0.05,
    "US": 0.10,
    "UK": 0.06,
    "MX": 0.07,
    "BR": 0.09,
}


@dataclass
class Score:
    """Counts behind precision / recall for one setting."""

    name: str
    injected: int = 0
    found: int = 0
    flags: int = 0
    false_flags: int = 0
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return (self.flags - self.false_flags) / self.flags if self.flags else float("nan")

    @property
    def recall(self) -> float:
        return self.found / self.injected if self.injected else float("nan")


def flags_by_week(frame: pd.DataFrame, weeks: list[pd.Timestamp], params: TrendParams) -> dict:
    """{week: set of spiking theme ids} for the given weeks."""
    return {w: {t.theme_id for t in rank_week(frame, w.date(), params) if t.spike} for w in weeks}


# --------------------------------------------------------------------------- (a) sample


def sample_backtest(params: TrendParams) -> tuple[Score, dict[str, list[str]]]:
    patterns = json.loads((SAMPLE / "patterns.json").read_text())
    tickets = pd.read_csv(SAMPLE / "tickets.csv")
    truth = pd.read_csv(SAMPLE / "truth.csv", usecols=["ticket_id", "theme", "language"])
    df = tickets.merge(truth, on="ticket_id", how="inner").rename(columns={"theme": "theme_id"})
    now = pd.to_datetime(df["created_at"], utc=True, format="ISO8601").max()
    frame, _ = prepare(df, params, now=now.tz_localize(None))
    spike = patterns["spike"]
    planted = (spike["theme"], spike["week"])
    special = {
        "rising": patterns["rising"]["theme"],
        "new": patterns["new_theme"]["theme"],
        "fading": patterns["fading"]["theme"],
    }
    weeks = sorted(frame["week"].unique())
    score = Score("sample (planted)", injected=1)
    detail: dict[str, list[str]] = {"true": [], "false": []}
    for w, themes in flags_by_week(frame, [pd.Timestamp(w) for w in weeks], params).items():
        label = week_label(w.date(), params.week_start)
        for theme in themes:
            score.flags += 1
            if (theme, label) == planted:
                score.found += 1
                detail["true"].append(f"{theme} {label}")
                continue
            score.false_flags += 1
            detail["false"].append(f"{theme} {label}")
            kind = next((k for k, v in special.items() if v == theme), "other")
            score.notes[kind] = score.notes.get(kind, 0) + 1
    return score, detail


# --------------------------------------------------------------------------- (b) injected


def load_benchmark(name: str, assign_seed: int) -> pd.DataFrame:
    df = pd.read_csv(BENCH_DIR / f"{name}.csv", usecols=["ticket_id", "created_at", "label"])
    rng = np.random.default_rng(1000 + assign_seed)
    regions = np.array(list(REGION_SHARES))
    p = np.array(list(REGION_SHARES.values()))
    df["region"] = rng.choice(regions, size=len(df), p=p / p.sum())
    df["theme_id"] = df["label"]
    return df


def inject_backtest(
    name: str, params: TrendParams, seeds: int, assigns: int, factor: float, mode: str
) -> tuple[Score, Score]:
    """Returns (all injections, injections whose cell reaches the count floor)."""
    allsc = Score(f"{name} {mode}")
    above = Score(f"{name} {mode}, above floor")
    for a in range(assigns):
        raw = load_benchmark(name, a)
        now = pd.to_datetime(raw["created_at"], utc=True).max().tz_localize(None)
        frame, _ = prepare(raw, params, now=now)
        weeks = [pd.Timestamp(w) for w in sorted(frame["week"].unique())]
        spike_weeks = weeks[params.baseline_weeks :]
        base_flags = flags_by_week(frame, weeks, params)
        cells = frame.groupby(["theme_id", "region", "week"]).size()
        cells = cells[cells.index.get_level_values("week").isin(spike_weeks)]
        if mode == "floor":
            cells = cells[np.floor(cells * factor) >= params.min_count]
        for s in range(seeds):
            rng = np.random.default_rng(s * 100 + a)
            if cells.empty:
                break
            label, region, week = cells.index[rng.integers(len(cells))]
            rows = frame.loc[
                (frame["theme_id"] == label) & (frame["region"] == region) & (frame["week"] == week)
            ]
            n_extra = round(len(rows) * (factor - 1))
            extra = rows.sample(n=n_extra, replace=True, random_state=s).copy()
            extra["ticket_id"] = [f"inj-{s}-{i}" for i in range(n_extra)]
            injected = pd.concat([frame, extra], ignore_index=True)
            cell_volume = len(rows) + n_extra
            # Only weeks from the spike on can change; earlier weeks keep their flags.
            later = [w for w in weeks if w >= week]
            flags = {**base_flags, **flags_by_week(injected, later, params)}
            n_flags = sum(len(v) for v in flags.values())
            hit = label in flags[week]
            for sc in [allsc] + ([above] if cell_volume >= params.min_count else []):
                sc.injected += 1
                sc.found += int(hit)
                sc.flags += n_flags
                sc.false_flags += n_flags - int(hit)
    return allsc, above


def fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="injections per region assignment")
    ap.add_argument("--assigns", type=int, default=2, help="seeded region assignments")
    ap.add_argument("--factor", type=float, default=4.0)
    ap.add_argument("--min-count", type=int, default=TrendParams().min_count)
    ap.add_argument("--fdr", type=float, default=TrendParams().fdr)
    args = ap.parse_args()
    params = TrendParams(min_count=args.min_count, fdr=args.fdr)
    t0 = time.time()
    sample, detail = sample_backtest(params)
    rows = [sample]
    for name in ["banking77", "bitext"]:
        for mode in ["random", "floor"]:
            allsc, above = inject_backtest(
                name, params, args.seeds, args.assigns, args.factor, mode
            )
            # In "floor" mode every injected cell reaches the floor: one row says it all.
            rows.extend([allsc, above] if mode == "random" else [above])
    print(
        f"min_count={params.min_count} fdr={params.fdr} min_ratio={params.min_ratio} "
        f"baseline_weeks={params.baseline_weeks} factor={args.factor} "
        f"seeds={args.seeds}x{args.assigns}"
    )
    print("| setting | spikes | found | flags | false flags | precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r.name} | {r.injected} | {r.found} | {r.flags} | {r.false_flags} "
            f"| {fmt(r.precision)} | {fmt(r.recall)} |"
        )
    notes = ", ".join(f"{k} {v}" for k, v in sorted(sample.notes.items())) or "none"
    print(f"\nsample: true {detail['true']}; false flags by planted pattern: {notes}")
    if detail["false"]:
        print(f"sample false flags: {detail['false']}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
