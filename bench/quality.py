"""Theme-discovery quality against labelled sets, side by side with BERTopic on the same vectors.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/quality.py [--sets NAME ...] [--no-bertopic] [--titles]
    HF_HUB_OFFLINE=1 .venv/bin/python bench/quality.py --token-curve [--sets NAME ...]

Rows per set: `bertopic` (defaults), `bertopic+ro` (its best configuration here: defaults plus
reduce_outliers), `before` (this product before issue 18: no self-training, no language-split merging,
`DiscoveryParams.before_adaptation`)
`plain` (the defaults before self-training became the default: `adapt_rounds=0`),
`adapted-1.5` (one self-training round at a fixed 1.5 x min_cluster_size, the opt-in variant of
2026-12-02, `DiscoveryParams.adapted_fixed`; `--no-adapted` skips these two) and `ours` (the
current defaults: one self-training round, granularity chosen by silhouette), all on the same
vectors in one run, with wall times.
`--titles` also embeds our titles and reports how many are nearest their own theme's centroid.

Sets: every CSV in ../shared/benchmarks/ (read in place) and, when present, data/sample/tickets.csv
with data/sample/truth.csv. Embeddings are cached in bench/.cache/ (key: model + embedded texts).
Scores count unthemed rows as one group. BERTopic runs with its defaults (UMAP seeded for
repeatability) on the same embeddings; on mixed-language sets it gets the same per-language
centering as ours. "+ro" is BERTopic followed by reduce_outliers(strategy="embeddings").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, v_measure_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

from common import BenchSet, cached_embeddings, load_sets  # noqa: E402

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL  # noqa: E402
from insights.themes.discover import (  # noqa: E402
    DiscoveryParams,
    ThemeDiscoverer,
    center,
    centering_groups,
    language_means,
)

CAPS = (32, 64, 128, 256, 512)


def scores(name: str, labels_true: list[str], labels: np.ndarray) -> dict[str, float]:
    out = {
        "V": v_measure_score(labels_true, labels),
        "ARI": adjusted_rand_score(labels_true, labels),
        "NMI": normalized_mutual_info_score(labels_true, labels),
        "unthemed": float(np.mean(labels < 0)),
        "themes": len(set(labels.tolist()) - {-1}),
    }
    if "concepts" in name:
        out["one_theme"] = one_theme_share(labels_true, labels)
    return out


def one_theme_share(labels_true: list[str], labels: np.ndarray) -> float:
    """Share of concepts (truth labels) whose rows, all languages, land in one theme."""
    truth = np.asarray(labels_true)
    concepts = np.unique(truth)
    ok = 0
    for c in concepts:
        got = set(labels[truth == c].tolist())
        ok += len(got) == 1 and -1 not in got
    return ok / len(concepts)


def run_ours(
    E: np.ndarray, langs: list[str], params: DiscoveryParams | None = None
) -> tuple[np.ndarray, float, dict]:
    labels, secs, result = fit_ours(E, langs, params)
    return labels, secs, result.params_used


def fit_ours(E: np.ndarray, langs: list[str], params: DiscoveryParams | None = None):
    t0 = time.perf_counter()
    result = ThemeDiscoverer(params or DiscoveryParams()).fit(E, langs)
    return result.labels, time.perf_counter() - t0, result


def title_check(bench: BenchSet, E: np.ndarray, groups: list[str], result, model) -> str:
    """Share of themes whose title (embedded, centred like tickets) is nearest its own centroid
    among all centroids, and whether titles are unique."""
    from insights.embed import embed_texts
    from insights.themes.label import label_themes

    Z = center(E, groups, result.language_means, 10)
    labels = label_themes(
        bench.texts, bench.languages, result.labels, embeddings=Z, centroids=result.centroids
    )
    themes = sorted(labels)
    phrases = [labels[t].phrase or labels[t].title for t in themes]
    langs = [labels[t].title_language or "en" for t in themes]
    V = embed_texts(model, DEFAULT_MODEL, phrases, max_tokens=DEFAULT_MAX_TOKENS)
    T = center(np.asarray(V), centering_groups(phrases, langs), result.language_means, 10)
    nearest = (T @ result.centroids.T).argmax(axis=1)
    own = float(np.mean(nearest == np.asarray(themes)))
    unique = len({labels[t].title.lower() for t in themes}) == len(themes)
    examples = "; ".join(labels[t].title for t in themes[:6])
    return f"titles nearest own centroid {own:.1%}, unique {unique}; e.g. {examples}"


def run_bertopic(
    texts: list[str], E: np.ndarray, langs: list[str], seed: int = 42
) -> tuple[np.ndarray, np.ndarray, float]:
    from bertopic import BERTopic
    from umap import UMAP

    if len(set(langs)) > 1:  # the same per-language centering as ours
        E = center(E, langs, language_means(E, langs, 10), 10)
    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
    )  # BERTopic's default UMAP, seeded
    model = BERTopic(embedding_model=None, umap_model=umap_model)
    t0 = time.perf_counter()
    topics, _ = model.fit_transform(texts, embeddings=E)
    seconds = time.perf_counter() - t0
    reduced = model.reduce_outliers(texts, topics, strategy="embeddings", embeddings=E)
    return np.asarray(topics), np.asarray(reduced), seconds


def warm_up() -> None:
    """Compile UMAP's numba code once so neither side pays it in the timings."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 16)).astype(np.float32)
    ThemeDiscoverer(DiscoveryParams(min_cluster_size=10)).fit(X, ["en"] * 300)


def fmt(row: dict) -> str:
    one = f"{row['one_theme']:.2f}" if "one_theme" in row else "   -"
    return (
        f"{row['V']:.3f} {row['ARI']:.3f} {row['NMI']:.3f} {row['unthemed']:6.1%} "
        f"{row['themes']:4d} {one:>5}"
    )


def quality(
    sets: list[BenchSet], bertopic: bool, titles: bool = False, adapted: bool = True
) -> None:
    warm_up()
    model = None
    if titles:
        from insights.embed import load_embedder

        model = load_embedder(DEFAULT_MODEL)
    header = f"{'set':22} {'method':12} {'V':>5} {'ARI':>5} {'NMI':>5} {'unthm':>6} {'k':>4} "
    header += f"{'1thm':>5} {'secs':>6}"
    print(header)
    print("-" * len(header))
    for bench in sets:
        E, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
        groups = centering_groups(bench.texts, bench.languages)  # as the refresh centres
        rows = []
        if bertopic:
            topics, reduced, bsecs = run_bertopic(bench.texts, E, groups)
            rows.append(("bertopic", scores(bench.name, bench.labels, topics), bsecs))
            rows.append(("bertopic+ro", scores(bench.name, bench.labels, reduced), bsecs))
        before, bsecs, _ = fit_ours(E, groups, DiscoveryParams.before_adaptation())
        rows.append(("before", scores(bench.name, bench.labels, before), bsecs))
        if adapted:
            labels, psecs, _ = fit_ours(E, groups, DiscoveryParams(adapt_rounds=0))
            rows.append(("plain", scores(bench.name, bench.labels, labels), psecs))
            labels, asecs, _ = fit_ours(E, groups, DiscoveryParams.adapted_fixed())
            rows.append(("adapted-1.5", scores(bench.name, bench.labels, labels), asecs))
        labels, secs, result = fit_ours(E, groups, DiscoveryParams())
        rows.append(("ours", scores(bench.name, bench.labels, labels), secs))
        n_labels = len(set(bench.labels))
        for method, row, s in rows:
            print(f"{bench.name:22} {method:12} {fmt(row)} {s:6.1f}", flush=True)
        used = result.params_used
        keys = ("n_neighbors", "min_cluster_size", "min_samples", "adapted_dims")
        keys += ("adapted_min_cluster_size", "adapted_silhouettes")
        shown = {k: used.get(k) for k in keys} | {"labels": n_labels}
        print(f"{'':22} params: " + json.dumps(shown), flush=True)
        if model is not None:
            print(f"{'':22} {title_check(bench, E, groups, result, model)}", flush=True)


# -- token-cap curve ---------------------------------------------------------------------------
def long_set(bench: BenchSet, n: int = 300, chars: int = 800, seed: int = 0) -> BenchSet:
    """~`chars`-character tickets made of sentences that share a label (realistic length)."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(bench.labels)
    names = np.unique(labels)
    texts, out_labels = [], []
    for _ in range(n):
        label = rng.choice(names)
        pool = np.flatnonzero(labels == label)
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < chars:
            parts.append(bench.texts[int(rng.choice(pool))].strip().rstrip(".") + ".")
        texts.append(" ".join(parts))
        out_labels.append(str(label))
    return BenchSet(
        name=f"{bench.name}-long",
        ids=[f"long-{i}" for i in range(n)],
        texts=texts,
        labels=out_labels,
        languages=[bench.languages[0]] * n,
        digest=f"{bench.digest}-long{n}-{chars}-{seed}",
    )


def token_curve(sets: list[BenchSet]) -> None:
    from insights.embed import embed_texts, load_embedder

    model = load_embedder(DEFAULT_MODEL)
    module = model[0]
    warm_up()
    extra = [long_set(s) for s in sets if s.name == "bitext"]
    print(f"{'set':22} {'cap':>4} {'cut%':>5} {'chars/t':>7} {'texts/s':>8} {'V':>6} {'unthm':>6}")
    for bench in [*sets, *extra]:
        for cap in CAPS:
            cut = [module.truncate(t, cap) for t in bench.texts]
            changed = float(np.mean([c != t for c, t in zip(cut, bench.texts, strict=True)]))
            # Cache key is the embedded text itself, so caps that cut nothing reuse vectors.
            digest = hashlib.sha256("\n".join(cut).encode()).hexdigest()[:16]
            view = BenchSet(bench.name, bench.ids, cut, bench.labels, bench.languages, digest)
            E, secs = cached_embeddings(view, DEFAULT_MODEL, 512, model=model)
            timing = f"{len(cut) / secs:8.1f}" if secs else "  cached"
            if secs is None:  # speed of a cached cap: time a fixed subsample (<= 200 texts)
                idx = np.random.default_rng(0).choice(len(cut), min(200, len(cut)), replace=False)
                t0 = time.perf_counter()
                embed_texts(model, DEFAULT_MODEL, [bench.texts[i] for i in idx], max_tokens=cap)
                timing = f"{len(idx) / (time.perf_counter() - t0):8.1f}"
            labels, _, _ = run_ours(E, centering_groups(cut, bench.languages))
            row = scores(bench.name, bench.labels, labels)
            avg = np.mean([len(c) for c in cut])
            print(
                f"{bench.name:22} {cap:4d} {changed:5.1%} {avg:7.0f} {timing} "
                f"{row['V']:6.3f} {row['unthemed']:6.1%}",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sets", nargs="+", help="only these sets (file stems, or 'sample')")
    ap.add_argument("--no-bertopic", action="store_true", help="skip the BERTopic baseline")
    ap.add_argument("--token-curve", action="store_true", help="quality/speed per token cap")
    ap.add_argument("--titles", action="store_true", help="embed titles: nearest own centroid?")
    ap.add_argument("--no-adapted", action="store_true", help="skip the plain / adapted-1.5 rows")
    args = ap.parse_args()
    sets = load_sets(args.sets)
    if args.token_curve:
        token_curve(sets)
    else:
        quality(
            sets, bertopic=not args.no_bertopic, titles=args.titles, adapted=not args.no_adapted
        )


if __name__ == "__main__":
    main()
