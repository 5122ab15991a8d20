"""Exact against approximate neighbours for UMAP's graph, above umap-learn's 4,096-row cut-off.

    INSIGHTS_BENCH_DIR=../shared/benchmarks HF_HUB_OFFLINE=1 \\
        .venv/bin/python bench/exact_neighbours.py [--sets bitext sample] [--seeds 0 1 2]

Discovery with the product's defaults on the same cached vectors (the transformer's and the fast
model's), once per limit given for `neighbours.EXACT_KNN_MAX_ROWS`, the most rows whose graph is
exact (`--limits`, default 4095: below umap-learn's own cut-off, as before 2026-12-04, and
20000: the default fit sample, so that no fit builds an NNDescent). V-measure, ARI, themes, unthemed share
and fit seconds per set, model, seed and limit. The first approximate fit of the process
includes compiling pynndescent's NNDescent (numba cannot cache it): that cost is printed apart,
as it is paid once per refresh process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, v_measure_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

from common import cached_embeddings, load_sets  # noqa: E402

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL  # noqa: E402
from insights.embed.fast_pieces import ensure_fast_model  # noqa: E402
from insights.themes import neighbours  # noqa: E402
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, centering_groups  # noqa: E402


def fit(E: np.ndarray, langs: list[str], truth: list[str], seed: int, limit: int) -> dict:
    neighbours.EXACT_KNN_MAX_ROWS = limit
    t0 = time.perf_counter()
    result = ThemeDiscoverer(DiscoveryParams(seed=seed)).fit(E, langs)
    seconds = time.perf_counter() - t0
    labels = result.labels
    return {
        "V": v_measure_score(truth, labels),
        "ARI": adjusted_rand_score(truth, labels),
        "themes": result.n_themes,
        "unthemed": float(np.mean(labels < 0)),
        "seconds": seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["bitext", "sample"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--limits", nargs="+", type=int, default=[4095, 20000])
    ap.add_argument("--models", nargs="+", default=["transformer", "fast"])
    args = ap.parse_args()
    fast_dir = ensure_fast_model()
    compile_paid = False
    print("set  model  limit  seed  V  ARI  themes  unthemed  fit_s", flush=True)
    for bench in load_sets(args.sets):
        for model in args.models:
            if model == "transformer":
                E, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
            else:
                E, _ = cached_embeddings(bench, str(fast_dir), DEFAULT_MAX_TOKENS)
            groups = centering_groups(bench.texts, bench.languages)  # as the refresh centres
            rows: dict[int, list[dict]] = {}
            for seed in args.seeds:
                for limit in args.limits:
                    fig = fit(E, groups, bench.labels, seed, limit)
                    note = ""
                    if len(E) > limit and not compile_paid:
                        compile_paid, note = True, "  (includes compiling NNDescent)"
                    rows.setdefault(limit, []).append(fig)
                    print(
                        f"{bench.name:10} {model:11} {limit:6} {seed:3}  {fig['V']:.3f}  "
                        f"{fig['ARI']:.3f}  {fig['themes']:4}  {fig['unthemed']:6.1%}  "
                        f"{fig['seconds']:6.1f}{note}",
                        flush=True,
                    )
            for limit, figs in rows.items():
                v = [f["V"] for f in figs]
                print(
                    f"== {bench.name} ({len(E):,} rows) {model} limit {limit}: V mean "
                    f"{statistics.mean(v):.3f} ({' / '.join(f'{x:.3f}' for x in v)}), ARI mean "
                    f"{statistics.mean(f['ARI'] for f in figs):.3f}, unthemed mean "
                    f"{statistics.mean(f['unthemed'] for f in figs):.1%}, fit median "
                    f"{statistics.median(f['seconds'] for f in figs):.1f} s",
                    flush=True,
                )


if __name__ == "__main__":
    main()
