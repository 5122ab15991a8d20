"""Fit the fast tier to this store's tickets (`insights refresh --adapt`).

A store-side step: it reads the tickets the refresh embeds, has the transformer embed a seeded
sample of them through the one embedding path (the vectors stay cached under the transformer's
key, so a second adaptation does not pay again), and fits the static model's token vectors so
their means match those targets (`insights.embed.adapt`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from insights.embed.adapt import adapt_static_model
from insights.embed.fast_model import in_tenths
from insights.embed.fast_pieces import ensure_fast_model
from insights.embed.models import AdaptationNeeded, models_dir
from insights.jobs.embedding import embedded_texts, transformer_vectors
from insights.settings import Settings


def adapt_for_store(
    engine: Engine,
    settings: Settings,
    on_step: Callable[[str], None] | None = None,
    base: Path | None = None,
) -> Path:
    """Fit the fast tier to the store's tickets; returns the adapted model's folder.
    `base`: the static model to adapt (default: the fast model, built once per machine)."""
    say = on_step or (lambda step: None)
    unique = embedded_texts(engine)
    minimum = settings.embedding.adapt_min_tickets
    if len(unique) < minimum:
        raise AdaptationNeeded(
            f"only {len(unique):,} distinct ticket texts: adapting the fast model needs at least "
            f"{minimum:,} (it overfits below); use INSIGHTS_EMBEDDING_MODEL=fast"
        )
    hashes = list(unique)
    rng = np.random.default_rng(settings.discovery.seed)
    size = min(settings.embedding.adapt_sample, len(hashes))
    chosen = [hashes[i] for i in np.sort(rng.choice(len(hashes), size=size, replace=False))]
    say(f"adapting: transformer vectors of {len(chosen):,} sampled tickets (targets)")
    targets, _ = transformer_vectors(engine, settings, chosen, [unique[h] for h in chosen])
    if base is None:
        base = ensure_fast_model(
            settings.embedding.model_cache,
            in_tenths(lambda step, done: say(f"adapting: building the fast model: {done:.0%}")),
        )
    say("adapting: fitting the token vectors")
    folder = models_dir(settings.store.home)
    return adapt_static_model(base, [unique[h] for h in chosen], targets, folder)
