"""Embed stage: text -> unit vectors, cached in the store by (model key, content hash).

`load_embedder` gives any model as a `SentenceTransformer` (the one public interface); the
pipeline embeds through `text_embedder`, which gives the same vectors for the product's own
models without sentence-transformers' imports.

Names are loaded on first use (PEP 562): importing `insights.embed.cache` or catching
`EmbedderError` must not import torch and sentence-transformers (seconds of a refresh that has
nothing to embed).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "DEFAULT_MAX_TOKENS": "insights.settings",
    "DEFAULT_MODEL": "insights.settings",
    "embed_texts": "insights.embed.encoder",
    "load_embedder": "insights.embed.encoder",
    "model_dimension": "insights.embed.encoder",
    "EmbedderError": "insights.embed.errors",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'insights.embed' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
