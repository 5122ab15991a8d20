"""Recipes for the fast tier's token table, side by side, without writing model folders.

    INSIGHTS_BENCH_DIR=/work/shared/benchmarks HF_HUB_OFFLINE=1 nice -n 5 .venv/bin/python \
        bench/fast_variants.py --variants sif abtt3 --sets marketplace_concepts banking77 bitext sample \
        --seeds 42 7

Each variant is a function of the encoder's vocabulary that returns the (pieces, 384) table;
a text's vector is the sum of its pieces' rows (the StaticEmbedding folder's mean, same
direction), normalised, and then scored exactly like bench/fast_tier.py: the product's discovery
with its defaults (one seed per run), V-measure, V on the rows the adaptation of fast_tier.py
does not see ("held-out"), the share of concepts in one theme (concept sets), themes, and the
ratio to the transformer's V on the same seed. Transformer vectors must be in bench/.cache.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import v_measure_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

import common  # noqa: E402

if not common.BENCH_DIR.exists():
    common.BENCH_DIR = Path("/work/shared/benchmarks")

from common import cache_path  # noqa: E402
from fast_tier import load, one_theme  # noqa: E402

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL  # noqa: E402
from insights.embed import fast_model as fm  # noqa: E402
from insights.embed.e5_vocab import build_tokenizer, read_vocabulary  # noqa: E402
from insights.embed.fast_pieces import ensure_fast_model  # noqa: E402
from insights.themes.discover import (  # noqa: E402
    DiscoveryParams,
    ThemeDiscoverer,
    center,
    centering_groups,
)
from insights.themes.second_opinion import second_opinion  # noqa: E402

RESULTS = Path(__file__).resolve().parent / ".cache" / "fast_variants.jsonl"


def _pcs(X: np.ndarray, w: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mean, top-k principal directions (rows) and all variances of X."""
    w = w / w.sum()
    mu = w @ X
    Xc = X - mu
    cov = (Xc * w[:, None]).T @ Xc
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1]
    return mu, vecs[:, order[:k]].T, vals[order]


def _script(piece: str) -> str:
    import unicodedata

    for ch in piece:
        if ch.isalpha():
            return unicodedata.name(ch, "?").split(" ")[0]
    return ""


def _script_subspace(pieces, E, w, live, k: int) -> np.ndarray:
    """E's component in the span of the (weighted) mean differences between scripts: the
    directions that tell a Thai piece from a Latin one, not what it means."""
    scripts = np.array([_script(p) for p in pieces])
    names, counts = np.unique(scripts[live], return_counts=True)
    means = []
    for name in names[counts >= 200]:
        if not name:
            continue
        m = live & (scripts == name)
        means.append((w[m] @ E[m]) / max(w[m].sum(), 1e-12))
    M = np.array(means)
    M = M - M.mean(axis=0)
    _, _, Vt = np.linalg.svd(M, full_matrices=False)
    top = Vt[:k]
    return (E @ top.T) @ top


def shipped_table() -> np.ndarray:
    """The rows of the fast model as built (built first when missing: about 5 minutes)."""
    from safetensors.numpy import load_file

    from insights.settings import load_settings

    folder = ensure_fast_model(load_settings().embedding.model_cache, lambda s, d: None)
    (weights,) = folder.glob("**/model.safetensors")
    return next(iter(load_file(str(weights)).values())).astype(np.float32)


def make_table(vocab, spec: dict) -> np.ndarray:
    """The table of a variant spec; {"shipped": true} is the built fast model's, {"v2": true}
    the v2 recipe (input embeddings minus 5 common components); other specs start from the
    input embeddings."""
    if spec.get("shipped"):
        return shipped_table()
    if spec.get("v2"):
        return fm.static_table(vocab, k=5)
    E = vocab.input_embeddings.astype(np.float64)
    zero = fm.zero_rows(vocab.pieces, vocab.special_ids)
    p = np.exp(vocab.scores.astype(np.float64))
    live = np.ones(len(E), bool)
    live[zero] = False
    weighting = spec.get("pc_weight", "freq")
    w = p.copy() if weighting == "freq" else np.ones_like(p)
    if weighting == "sqrtfreq":
        w = np.sqrt(p)
    w[~live] = 0
    k = spec.get("abtt", 0)
    if spec.get("center") or k or spec.get("pca") or spec.get("whiten"):
        mu, U, _ = _pcs(E[live], w[live], max(k, spec.get("pca") or 0, 1))
        E = E - mu
        if k:
            top = U[:k]
            E = E - (E @ top.T) @ top
        if spec.get("whiten"):
            _, U2, vals2 = _pcs(E[live], w[live], E.shape[1])
            scale = (vals2 + 1e-12) ** (-spec["whiten"] / 2)
            E = (E @ U2.T) * scale
        if spec.get("pca"):
            _, U3, _ = _pcs(E[live], w[live], spec["pca"])
            E = E @ U3.T
    if spec.get("script_dirs"):
        E = E - _script_subspace(vocab.pieces, E, w, live, spec["script_dirs"])
    if spec.get("unit"):
        E = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-9)
    a = spec.get("a", fm.SIF_A)
    if spec.get("weight", "sif") == "sif":
        weight = a / (a + p)
    elif spec["weight"] == "zipf":
        rank = np.empty(len(p))
        rank[np.argsort(-p)] = np.arange(1, len(p) + 1)
        weight = np.log1p(rank)
    else:
        weight = np.ones_like(p)
    table = E * weight[:, None]
    table[zero] = 0.0
    return np.ascontiguousarray(table, dtype=np.float32)


VARIANTS: dict[str, dict] = {
    "shipped": {"shipped": True},
    "v2": {"v2": True},
    "sif": {},
    "center": {"center": True},
    "abtt1": {"abtt": 1},
    "abtt2": {"abtt": 2},
    "abtt3": {"abtt": 3},
    "abtt5": {"abtt": 5},
    "abtt10": {"abtt": 10},
    "abtt3u": {"abtt": 3, "pc_weight": "uniform"},
    "abtt10u": {"abtt": 10, "pc_weight": "uniform"},
    "abtt3s": {"abtt": 3, "pc_weight": "sqrtfreq"},
    "pca256": {"pca": 256},
    "whiten.5": {"whiten": 0.5},
    "whiten1": {"whiten": 1.0},
    "zipf": {"weight": "zipf"},
    "sif3e-4": {"a": 3e-4},
    "sif3e-5": {"a": 3e-5},
    "unit": {"unit": True},
    "abtt3unit": {"abtt": 3, "unit": True},
    "sif2e-5": {"a": 2e-5},
    "sif5e-5": {"a": 5e-5},
    "sif1e-5": {"a": 1e-5},
    "s3e-5abtt3": {"a": 3e-5, "abtt": 3},
    "s3e-5abtt5": {"a": 3e-5, "abtt": 5},
    "s3e-5abtt10": {"a": 3e-5, "abtt": 10},
    "s5e-5abtt5": {"a": 5e-5, "abtt": 5},
    "abtt20": {"abtt": 20},
    "abtt3script8": {"abtt": 3, "script_dirs": 8},
    "script3": {"script_dirs": 3},
    "script8": {"script_dirs": 8},
    "abtt5script3": {"abtt": 5, "a": 5e-5, "script_dirs": 3},
    "abtt5script8": {"abtt": 5, "a": 5e-5, "script_dirs": 8},
    "text1": {"text_abtt": 1},
    "text3": {"text_abtt": 3},
    "text5": {"text_abtt": 5},
}


def parse_variant(name: str) -> dict:
    """A named variant, or a JSON spec."""
    return VARIANTS[name] if name in VARIANTS else json.loads(name)


class Bags:
    """Count matrices (texts x pieces) of each set, tokenized once."""

    def __init__(self, tokenizer, n_pieces: int) -> None:
        self.tokenizer, self.n = tokenizer, n_pieces
        self.cache: dict[str, sp.csr_matrix] = {}

    def __call__(self, name: str, texts: list[str]) -> sp.csr_matrix:
        if name not in self.cache:
            enc = self.tokenizer.encode_batch(texts, add_special_tokens=False)
            rows = np.repeat(np.arange(len(enc)), [len(e.ids) for e in enc])
            cols = np.concatenate([np.asarray(e.ids, np.int64) for e in enc])
            data = np.ones(len(cols), np.float32)
            self.cache[name] = sp.csr_matrix((data, (rows, cols)), shape=(len(enc), self.n))
        return self.cache[name]


def vectors(C: sp.csr_matrix, table: np.ndarray, text_abtt: int = 0) -> np.ndarray:
    """Normalised sums of rows; `text_abtt` > 0: then minus the set's mean and its top PCs."""
    V = np.asarray(C @ table, dtype=np.float32)
    V /= np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-9)
    if text_abtt:
        V = V - V.mean(axis=0)
        _, _, Vt = np.linalg.svd(V, full_matrices=False)
        top = Vt[:text_abtt]
        V = V - (V @ top.T) @ top
        V /= np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-9)
    return V


POOLS = ("mean", "pmeans", "pmeans-table128", "pmeans-random384", "pmeans-sample384")


def _unit(X: np.ndarray) -> np.ndarray:
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-9)


def _pmeans(tokenizer, texts: list[str], table: np.ndarray) -> np.ndarray:
    """Concatenated power means (Rücklé et al. 2018): the unit mean, max and min of each
    text's non-zero rows, 3 x the table's dimensions."""
    parts: list[list[np.ndarray]] = [[], [], []]
    for enc in tokenizer.encode_batch(texts, add_special_tokens=False):
        R = table[np.asarray(enc.ids, np.int64)] if enc.ids else np.zeros((1, table.shape[1]))
        live = np.abs(R).sum(axis=1) > 0
        R = R[live] if live.any() else R
        for part, pooled in zip(parts, (R.sum(axis=0), R.max(axis=0), R.min(axis=0)), strict=True):
            part.append(pooled)
    return _unit(np.hstack([_unit(np.asarray(p, np.float64)) for p in parts])).astype(np.float32)


def pooled(pool: str, tokenizer, texts: list[str], table: np.ndarray, vocab) -> np.ndarray:
    """A pooling other than the model's mean. The 384-dimensional forms keep the store's
    vector size: the table reduced to 128 dims by its own unigram-weighted PCA first, or the
    1,152 dims projected by a fixed random orthogonal map or by the PCA of the shipped
    sample's pooled vectors."""
    if pool == "pmeans-table128":
        p = np.exp(vocab.scores.astype(np.float64))
        live = np.abs(table).sum(axis=1) > 0
        _, U, _ = _pcs(table[live].astype(np.float64), p[live], 128)
        reduced = (table @ U.T).astype(np.float32)
        reduced[~live] = 0.0
        return _pmeans(tokenizer, texts, reduced)
    F = _pmeans(tokenizer, texts, table)
    if pool == "pmeans-random384":
        Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((F.shape[1], 384)))
        return _unit(F @ Q).astype(np.float32)
    if pool == "pmeans-sample384":
        S = _pmeans(tokenizer, load("sample").texts, table)
        _, _, Vt = np.linalg.svd(S - S.mean(axis=0), full_matrices=False)
        return _unit(F @ Vt[:384].T).astype(np.float32)
    return F


def score(bench, E: np.ndarray, seed: int, check: np.ndarray | None = None) -> dict:
    """`check`: the transformer's vectors of the set; the fast tier's themes then get the
    transformer's second opinion on their doubtful rows (`insights.themes.second_opinion`,
    as a refresh with the fast tier does; vectors of the rows it asks for are read from `check`)."""
    groups = centering_groups(bench.texts, bench.languages)
    discoverer = ThemeDiscoverer(DiscoveryParams(seed=seed))
    result = discoverer.fit(E, groups)
    labels = result.labels
    extra: dict = {}
    if check is not None:
        Z = center(E, groups, result.language_means, discoverer.params.min_language_rows)
        asked: list[np.ndarray] = []

        def encode(rows: np.ndarray) -> np.ndarray:
            asked.append(rows)
            return check[rows]

        t0 = time.perf_counter()
        moved, stats = second_opinion(Z, labels, result.centroids, groups, encode)
        labels = discoverer.relabel(Z, moved, result).labels
        extra = {"check": stats.as_dict(), "check_s": time.perf_counter() - t0}
        extra["asked"] = np.concatenate(asked) if asked else np.zeros(0, np.int64)
    truth = np.asarray(bench.labels)
    rng = np.random.default_rng(42)
    size = min(2000, max(20, len(bench.texts) // 5))
    seen = np.sort(rng.choice(len(bench.texts), size=size, replace=False))
    rest = np.setdiff1d(np.arange(len(bench.texts)), seen)
    return {
        "V": float(v_measure_score(truth, labels)),
        "heldV": float(v_measure_score(truth[rest], labels[rest])),
        "one": one_theme(bench, labels) if "concepts" in bench.name else None,
        "k": len(set(labels.tolist()) - {-1}),
        "unthemed": float(np.mean(labels < 0)),
        **extra,
    }


def knn_proxy(bench, E: np.ndarray, k: int = 10) -> float:
    """Share of each text's k nearest neighbours (cosine, after per-language centering) with its
    label: a seconds-fast screen before the discovery runs."""
    groups = np.asarray(centering_groups(bench.texts, bench.languages))
    X = E.astype(np.float32).copy()
    for g in np.unique(groups):
        X[groups == g] -= X[groups == g].mean(axis=0)
    X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-9)
    truth = np.asarray(bench.labels)
    hits = 0
    for start in range(0, len(X), 1024):
        S = X[start : start + 1024] @ X.T
        S[np.arange(len(S)), np.arange(start, start + len(S))] = -np.inf
        nn = np.argpartition(-S, k, axis=1)[:, :k]
        hits += int((truth[nn] == truth[start : start + len(S), None]).sum())
    return hits / (len(X) * k)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--variants", nargs="+", default=["sif"])
    ap.add_argument("--sets", nargs="+", default=["marketplace_concepts", "banking77", "bitext"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[42])
    ap.add_argument(
        "--small-seeds",
        nargs="+",
        type=int,
        default=[42, 7, 1, 2, 3],
        help="seeds for sets under 1,000 texts (their V swings by +-0.02 between seeds)",
    )
    ap.add_argument(
        "--pool",
        choices=POOLS,
        default="mean",
        help="how a text's pieces are pooled (mean = the model as shipped)",
    )
    ap.add_argument("--knn", action="store_true", help="kNN proxy only (no discovery)")
    ap.add_argument(
        "--second-opinion",
        action="store_true",
        help="also score each run after the transformer's second opinion on doubtful rows",
    )
    ap.add_argument(
        "--time-encoder",
        action="store_true",
        help="with --second-opinion: encode the rows asked for on each set's first seed with "
        "the real transformer and report the seconds",
    )
    args = ap.parse_args()
    vocab = read_vocabulary()
    tokenizer = build_tokenizer(vocab)
    bags = Bags(tokenizer, len(vocab.pieces))
    benches = {name: load(name) for name in args.sets}
    transformer: dict[tuple[str, int], dict] = {}
    for name in args.variants:
        t0 = time.perf_counter()
        table = make_table(vocab, parse_variant(name))
        built = time.perf_counter() - t0
        for set_name, bench in benches.items():
            path = cache_path(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
            if not path.exists():
                raise SystemExit(f"no cached transformer vectors for {set_name} ({path})")
            spec = parse_variant(name)
            if args.pool == "mean":
                F = vectors(bags(set_name, bench.texts), table, spec.get("text_abtt", 0))
            else:
                F = pooled(args.pool, tokenizer, bench.texts, table, vocab)
            if args.knn:
                if (set_name, 0) not in transformer:
                    transformer[set_name, 0] = {"knn": knn_proxy(bench, np.load(path))}
                got = knn_proxy(bench, F)
                print(
                    f"{name:12} {set_name:21} knn {got:.3f} "
                    f"(transformer {transformer[set_name, 0]['knn']:.3f})",
                    flush=True,
                )
                continue
            seeds = args.small_seeds if len(bench.texts) < 1000 else args.seeds
            for seed in seeds:
                if (set_name, seed) not in transformer:
                    transformer[set_name, seed] = score(bench, np.load(path), seed)
                base = transformer[set_name, seed]
                got = score(bench, F, seed)
                if args.second_opinion:
                    checked = score(bench, F, seed, check=np.load(path))
                    report_check(name, set_name, seed, bench, base, checked, args, seeds)
                row = {"variant": name, "pool": args.pool, "set": set_name, "seed": seed, **got}
                row["x"] = got["V"] / base["V"]
                row["tV"] = base["V"]
                row["table_s"] = round(built, 1)
                with RESULTS.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                one = f"{got['one']:.2f}" if got["one"] is not None else "   -"
                print(
                    f"{name:12} {args.pool:9} {set_name:21} s{seed:<3} V {got['V']:.3f} held {got['heldV']:.3f} "
                    f"1thm {one} k {got['k']:3d} x {row['x']:.3f} (transformer {base['V']:.3f}, "
                    f"1thm {base['one'] if base['one'] is not None else '-'})",
                    flush=True,
                )


_ENCODER: list = []


def report_check(name, set_name, seed, bench, base, got, args, seeds) -> None:
    """One line and one results row for a run with the transformer's second opinion."""
    asked = got.pop("asked")
    row = {"variant": name + "+check", "set": set_name, "seed": seed, **got}
    row["x"] = got["V"] / base["V"]
    row["tV"] = base["V"]
    if args.time_encoder and seed == seeds[0] and len(asked):
        from insights.embed import embed_texts, load_embedder

        if not _ENCODER:
            _ENCODER.append(load_embedder(DEFAULT_MODEL))
        t0 = time.perf_counter()
        embed_texts(_ENCODER[0], DEFAULT_MODEL, [bench.texts[i] for i in asked])
        row["encode_s"] = time.perf_counter() - t0
    with RESULTS.open("a") as fh:
        fh.write(json.dumps(row) + "\n")
    one = f"{got['one']:.2f}" if got["one"] is not None else "   -"
    c = got["check"]
    timed = f" encoder {row['encode_s']:.1f}s" if "encode_s" in row else ""
    print(
        f"{name + '+check':12} {set_name:21} s{seed:<3} V {got['V']:.3f} held {got['heldV']:.3f} "
        f"1thm {one} k {got['k']:3d} x {row['x']:.3f} | encoded {c['encoded']} "
        f"(reps {c['representatives']}, doubtful {c['doubtful']}) moved {c['moved']} "
        f"assigned {c['assigned']} floor {c['floor']:.3f} {got['check_s']:.2f}s{timed}",
        flush=True,
    )


if __name__ == "__main__":
    main()
