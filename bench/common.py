"""Shared helpers of the benchmarks: benchmark sets and an on-disk embedding cache."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
#: ../shared/benchmarks beside the checkout; INSIGHTS_BENCH_DIR points elsewhere (a worktree).
BENCH_DIR = Path(
    os.environ.get("INSIGHTS_BENCH_DIR")
    or os.environ.get("INSIGHTS_BENCHMARKS_DIR")
    or ROOT.parent / "shared" / "benchmarks"
)
SAMPLE_TICKETS = ROOT / "data" / "sample" / "tickets.csv"
SAMPLE_TRUTH = ROOT / "data" / "sample" / "truth.csv"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"


@dataclass
class BenchSet:
    name: str
    ids: list[str]
    texts: list[str]
    labels: list[str]
    languages: list[str]
    digest: str  # hash of the source file(s), part of the embedding cache key


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _is_ticket_set(path: Path) -> bool:
    """Labelled ticket sets have these columns; other files there (e.g. a label -> category
    map) are not sets."""
    with path.open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    return {"ticket_id", "text", "label", "language"} <= set(header)


def load_csv_set(path: Path) -> BenchSet:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return BenchSet(
        name=path.stem,
        ids=df["ticket_id"].tolist(),
        texts=df["text"].tolist(),
        labels=df["label"].tolist(),
        languages=df["language"].tolist(),
        digest=_digest(path),
    )


def load_sample_set() -> BenchSet | None:
    """The project's sample with its truth, when both files exist."""
    if not (SAMPLE_TICKETS.exists() and SAMPLE_TRUTH.exists()):
        return None
    tickets = pd.read_csv(SAMPLE_TICKETS, dtype=str, keep_default_na=False)
    truth = pd.read_csv(SAMPLE_TRUTH, dtype=str, keep_default_na=False)
    df = truth.merge(tickets, on="ticket_id", how="inner", suffixes=("", "_ticket"))
    if "text" in df.columns and "description" not in df.columns:
        texts = df["text"].tolist()
    else:
        subj = df["subject"] if "subject" in df.columns else pd.Series([""] * len(df))
        texts = [
            f"{s}\n{d}" if s.strip() else d
            for s, d in zip(subj.tolist(), df["description"].tolist(), strict=True)
        ]
    return BenchSet(
        name="sample",
        ids=df["ticket_id"].tolist(),
        texts=texts,
        labels=df["theme"].tolist(),
        languages=df["language"].tolist(),
        digest=_digest(SAMPLE_TICKETS, SAMPLE_TRUTH),
    )


def load_sets(names: list[str] | None = None) -> list[BenchSet]:
    sets = [load_csv_set(p) for p in sorted(BENCH_DIR.glob("*.csv")) if _is_ticket_set(p)]
    sample = load_sample_set()
    if sample is not None:
        sets.append(sample)
    if names:
        unknown = set(names) - {s.name for s in sets}
        if unknown:
            raise SystemExit(f"unknown set(s): {', '.join(sorted(unknown))}")
        sets = [s for s in sets if s.name in names]
    return sets


def cached_embeddings(
    bench: BenchSet, model_id: str, max_tokens: int, *, model=None, threads: int = 0
) -> tuple[np.ndarray, float | None]:
    """Embeddings of a set, from bench/.cache when present; returns (vectors, seconds or None)."""
    from insights.embed import embed_texts, load_embedder

    key = hashlib.sha256(f"{model_id}|{max_tokens}|{bench.digest}".encode()).hexdigest()[:20]
    path = CACHE_DIR / f"{bench.name}-{key}.npy"
    if path.exists():
        return np.load(path), None
    if model is None:
        model = load_embedder(model_id, threads=threads)
    t0 = time.perf_counter()
    vectors = embed_texts(model, model_id, bench.texts, max_tokens=max_tokens, progress=True)
    seconds = time.perf_counter() - t0
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, seconds
