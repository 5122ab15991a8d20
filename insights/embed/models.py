"""Which model a setting names, and the store-side steps of the fast tier.

`INSIGHTS_EMBEDDING_MODEL` accepts, besides any sentence-transformers id or folder:

* `fast`: the static tier, built once per machine (see `fast_model`); its cache id is
  `fast_model.FAST_MODEL_ID`, which changes with the recipe, so vectors of two recipes never mix;
* `fast-adapted`: the static tier fitted to this store's tickets (see `adapt`), kept in
  `$INSIGHTS_HOME/models/`; its cache id is its folder, named by a digest of its table.

`resolve_model_id` turns those names into the id that keys the embedding cache and the runs;
callers resolve once and pass the result on (the settings' `embedding_key` is then per model).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from insights.embed.adapt import FAST_ADAPTED_ALIAS, adapt_static_model, latest_adapted
from insights.embed.fast_model import FAST_ALIAS, FAST_MODEL_ID, ensure_fast_model

#: transformer vectors of this many tickets (seeded sample) are the adaptation's targets
ADAPT_SAMPLE = 2000
#: fewer tickets than this: adaptation overfits (measured: 45 texts over 9 languages lost a
#: third of the plain model's V-measure), so it is refused with a message
ADAPT_MIN_TICKETS = 500
MODELS_FOLDER = "models"


class AdaptationNeeded(Exception):
    """`fast-adapted` is set but this store has no adapted model yet."""


def models_dir(home: Path) -> Path:
    return Path(home) / MODELS_FOLDER


def resolve_model_id(model_id: str, home: Path) -> str:
    if model_id == FAST_ALIAS:
        return FAST_MODEL_ID
    if model_id == FAST_ADAPTED_ALIAS:
        found = latest_adapted(models_dir(home))
        if found is None:
            raise AdaptationNeeded(
                "INSIGHTS_EMBEDDING_MODEL=fast-adapted: this store has no adapted model yet "
                "(`insights refresh --adapt` makes one)"
            )
        return str(found.resolve())
    return model_id


def with_resolved_model(settings):
    """The settings with `embedding_model` resolved (see `resolve_model_id`)."""
    resolved = resolve_model_id(settings.embedding_model, settings.home)
    if resolved == settings.embedding_model:
        return settings
    return dataclasses.replace(settings, embedding_model=resolved)


def needs_adaptation(settings) -> bool:
    return settings.embedding_model == FAST_ADAPTED_ALIAS and (
        latest_adapted(models_dir(settings.home)) is None
    )


def adapt_for_store(
    engine: Engine,
    settings,
    sample: int = ADAPT_SAMPLE,
    on_step: Callable[[str], None] | None = None,
    base: Path | None = None,
) -> Path:
    """Fit the fast tier to the store's tickets: transformer vectors of a seeded sample
    (embedded once, cached under the transformer's key) are the targets. Returns the folder.
    `base`: the static model to adapt (default: the fast model)."""
    from insights.embed.cache import ensure_embeddings, load_vectors
    from insights.embed.encoder import DEFAULT_MODEL, embed_texts, load_embedder
    from insights.store.db import session_scope
    from insights.store.models import Ticket

    say = on_step or (lambda step: None)
    with session_scope(engine) as session:
        rows = session.execute(select(Ticket.content_hash, Ticket.text).order_by(Ticket.id)).all()
    unique = dict((h, t) for h, t in rows)
    if len(unique) < ADAPT_MIN_TICKETS:
        raise AdaptationNeeded(
            f"only {len(unique):,} distinct ticket texts: adapting the fast model needs at least "
            f"{ADAPT_MIN_TICKETS} (it overfits below); use INSIGHTS_EMBEDDING_MODEL=fast"
        )
    hashes = list(unique)
    rng = np.random.default_rng(settings.seed)
    pick = np.sort(rng.choice(len(hashes), size=min(sample, len(hashes)), replace=False))
    chosen = [hashes[i] for i in pick]
    transformer = dataclasses.replace(settings, embedding_model=DEFAULT_MODEL)
    key = transformer.embedding_key
    state: dict = {}

    def embed(batch: list[str]) -> np.ndarray:
        if "model" not in state:
            state["model"] = load_embedder(DEFAULT_MODEL, settings.threads)
        return embed_texts(
            state["model"],
            DEFAULT_MODEL,
            batch,
            batch_size=settings.embed_batch_size,
            max_tokens=settings.embed_max_tokens,
        )

    say(f"adapting: transformer vectors of {len(chosen):,} sampled tickets (targets)")
    ensure_embeddings(engine, key, [(h, unique[h]) for h in chosen], embed)
    targets = load_vectors(engine, key, chosen)
    if base is None:
        say("adapting: building the fast model (once per machine)")
        base = ensure_fast_model()
    say("adapting: fitting the token vectors")
    return adapt_static_model(base, [unique[h] for h in chosen], targets, models_dir(settings.home))
