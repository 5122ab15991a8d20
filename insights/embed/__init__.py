"""Embed stage: text -> unit vectors through the one interface, `SentenceTransformer`,
cached in the store by (model key, content hash).

The encoder's names are loaded on first use (PEP 562): reading cached vectors
(`insights.embed.cache`) must not import torch and sentence-transformers, which costs seconds
in every command and page that only reads the store.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_MODEL",
    "EmbedderError",
    "embed_texts",
    "load_embedder",
    "model_dimension",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("insights.embed.encoder"), name)
    raise AttributeError(f"module 'insights.embed' has no attribute {name!r}")
