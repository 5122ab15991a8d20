"""Corpus adaptation of the fast tier (tokenlearn's idea, fitted in closed form plus a short
gradient fit): the static model is fitted to a store's own tickets so that the mean of a ticket's
token vectors points where the transformer puts the ticket.

Targets are the transformer's vectors of a seeded sample of the store's tickets (a few thousand:
the only transformer time adaptation costs; they are cached like any other vectors). Two steps:

1. a ridge-regressed linear map M (384 x 384) from the static vectors of the sample to their
   targets, applied to every row of the table (tokens the sample never saw move too);
2. the rows of the tokens the sample contains are fitted to the targets directly (Adam on the
   cosine loss of the normalised token mean, pulled towards the mapped rows by an L2 term), so
   domain words (payout, waybill, COD, voucher) get vectors of their own.

The adapted model is a StaticEmbedding folder written atomically like the plain one, named by a
digest of its table, so its vectors are cached under their own key and never mix with another
model's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from insights.embed.fast_model import FAST_MODEL_ID, MARKER, save_static_model

ADAPTED_PREFIX = "fast-adapted-"
FAST_ADAPTED_ALIAS = "fast-adapted"


@dataclass
class AdaptParams:
    ridge: float = 1.0  # ridge penalty of the linear map
    steps: int = 200  # Adam steps of the per-token fit (full batch)
    learning_rate: float = 0.05
    pull: float = 1e-3  # L2 pull of fitted rows towards the mapped rows (relative)
    seed: int = 42


def _bags(tokenizer, texts: Sequence[str]) -> list[np.ndarray]:
    encodings = tokenizer.encode_batch(list(texts), add_special_tokens=False)
    return [np.asarray(e.ids, dtype=np.int64) for e in encodings]


def _mean_vectors(bags: list[np.ndarray], table: np.ndarray) -> np.ndarray:
    out = np.zeros((len(bags), table.shape[1]), np.float32)
    for i, bag in enumerate(bags):
        if len(bag):
            out[i] = table[bag].sum(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


def fit_table(
    table: np.ndarray,
    bags: list[np.ndarray],
    targets: np.ndarray,
    zero: np.ndarray,
    params: AdaptParams | None = None,
) -> np.ndarray:
    """The adapted table: linear map on every row, then the rows the bags use fitted directly."""
    import torch

    p = params or AdaptParams()
    keep = [i for i, b in enumerate(bags) if len(b)]
    bags = [bags[i] for i in keep]
    targets = np.asarray(targets, np.float32)[keep]
    if not bags:
        return table.copy()
    X = _mean_vectors(bags, table)
    dim = table.shape[1]
    M = np.linalg.solve(X.T @ X + p.ridge * np.eye(dim), X.T @ targets).astype(np.float32)
    mapped = table @ M
    mapped[zero] = 0.0

    used = np.unique(np.concatenate(bags))
    used = used[~np.isin(used, zero)]
    position = np.full(table.shape[0], -1, dtype=np.int64)
    position[used] = np.arange(len(used))
    flat_ids = np.concatenate(bags)
    flat = position[flat_ids]
    rows_of = np.repeat(np.arange(len(bags)), [len(b) for b in bags])
    ok = flat >= 0
    torch.manual_seed(p.seed)
    start = torch.from_numpy(mapped[used].copy())
    W = start.clone().requires_grad_(True)
    index = torch.from_numpy(flat[ok])
    rows = torch.from_numpy(rows_of[ok])
    Y = torch.from_numpy(targets)
    scale = float(start.norm(dim=1).mean()) or 1.0
    optimiser = torch.optim.Adam([W], lr=p.learning_rate * scale)
    for _ in range(p.steps):
        sums = torch.zeros(len(bags), dim).index_add_(0, rows, W[index])
        pred = torch.nn.functional.normalize(sums, dim=1)
        loss = (1 - (pred * Y).sum(dim=1)).mean()
        loss = loss + p.pull * ((W - start) ** 2).sum(dim=1).mean() / scale**2
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    out = mapped
    out[used] = W.detach().numpy()
    return np.ascontiguousarray(out, dtype=np.float32)


def adapt_static_model(
    base: Path,
    texts: Sequence[str],
    targets: np.ndarray,
    models_dir: Path,
    params: AdaptParams | None = None,
) -> Path:
    """Fit the static model in folder `base` to (texts, transformer vectors); returns the new
    folder `models_dir/fast-adapted-<digest>` (written atomically; reused when it exists)."""
    from sentence_transformers import SentenceTransformer

    from insights.embed.fast_model import zero_rows

    model = SentenceTransformer(str(base), device="cpu")
    module = model[0]
    tokenizer = module.tokenizer
    table = module.embedding.weight.detach().numpy().astype(np.float32)
    vocab = tokenizer.get_vocab()
    pieces = [""] * len(vocab)
    for piece, i in vocab.items():
        pieces[i] = piece
    special = {vocab[s] for s in ("<s>", "<pad>", "</s>", "<unk>") if s in vocab}
    zero = zero_rows(pieces, special)
    fitted = fit_table(table, _bags(tokenizer, texts), targets, zero, params)
    digest = hashlib.sha256(fitted.tobytes()).hexdigest()[:12]
    target = models_dir / f"{ADAPTED_PREFIX}{digest}"
    if (target / MARKER).is_file():
        return target
    base_meta = json.loads((base / MARKER).read_text()) if (base / MARKER).is_file() else {}
    meta = {
        "model_id": target.name,
        "base": base_meta.get("model_id", FAST_MODEL_ID),
        "adapted_on_texts": len(texts),
        "params": vars(params or AdaptParams()),
    }
    return save_static_model(target, tokenizer, fitted, meta)


def latest_adapted(models_dir: Path) -> Path | None:
    """The most recently written adapted model of a store, if any."""
    found = [p for p in models_dir.glob(f"{ADAPTED_PREFIX}*") if (p / MARKER).is_file()]
    return max(found, key=lambda p: (p / MARKER).stat().st_mtime) if found else None
