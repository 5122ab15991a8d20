"""Which model a setting names, and the store-side steps of the fast tier.

`INSIGHTS_EMBEDDING_MODEL` accepts, besides any sentence-transformers id or folder:

* `fast`: the static tier, made on this machine (see `fast_model`, `fast_pieces`); its cache id is
  `fast_model.FAST_MODEL_ID`, which changes with the recipe, so vectors of two recipes never mix;
* `fast-adapted`: the static tier fitted to this store's tickets (see `adapt`), kept in
  `$INSIGHTS_HOME/models/`; its cache id is its folder, named by a digest of its table.

`resolve_model_id` turns those names into the id that keys the embedding cache and the runs;
callers resolve once and pass the result on (the settings' `embedding_key` is then per model).
"""

from __future__ import annotations

from pathlib import Path

from insights.embed.adapt import FAST_ADAPTED_ALIAS, latest_adapted
from insights.embed.fast_model import FAST_ALIAS, FAST_MODEL_ID
from insights.settings import Settings

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


def with_resolved_model(settings: Settings) -> Settings:
    """The settings with `embedding.model` resolved (see `resolve_model_id`)."""
    resolved = resolve_model_id(settings.embedding.model, settings.store.home)
    if resolved == settings.embedding.model:
        return settings
    return settings.override({"embedding.model": resolved})


def needs_adaptation(settings: Settings) -> bool:
    return settings.embedding.model == FAST_ADAPTED_ALIAS and (
        latest_adapted(models_dir(settings.store.home)) is None
    )
