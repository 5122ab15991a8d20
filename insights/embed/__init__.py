"""Embed stage: text -> unit vectors through the one interface, `SentenceTransformer`,
cached in the store by (model key, content hash)."""

from insights.embed.encoder import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_MODEL,
    EmbedderError,
    embed_texts,
    load_embedder,
    model_dimension,
)

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_MODEL",
    "EmbedderError",
    "embed_texts",
    "load_embedder",
    "model_dimension",
]
