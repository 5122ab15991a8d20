"""Corpus adaptation of the fast tier (tokenlearn's idea, fitted in closed form): the static
model is fitted to a store's own tickets so that the mean of a ticket's token vectors points
where the transformer puts the ticket.

Targets are the transformer's vectors of a seeded sample of the store's tickets (a few thousand:
the only transformer time adaptation costs; they are cached like any other vectors). Two steps:

1. a ridge-regressed linear map M (384 x 384) from the static vectors of the sample to their
   targets, applied to every row of the table (tokens the sample never saw move too);
2. the rows of the tokens the sample contains are fitted to the targets directly (sparse least
   squares: each text's mean row = its target, pulled towards the mapped rows by an L2 term),
   so domain words (payout, waybill, COD, voucher) get vectors of their own.

Measured (bench/README.md, "Fast tier"): it pays off only with enough sampled tickets per
language; on a 225-text, 9-language set it made things worse.

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
    pull: float = 0.01  # L2 pull of fitted rows towards the mapped rows (x mean token weight)


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
    """The adapted table: a ridge map of every row into the targets' space, then the rows the
    bags use solved by sparse least squares (mean of a text's rows = its target, scaled to the
    norm of its current mean), pulled towards the mapped rows."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import factorized

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

    bags = [b[~np.isin(b, zero)] for b in bags]
    used = np.unique(np.concatenate(bags))
    if not len(used):
        return np.ascontiguousarray(mapped, dtype=np.float32)
    position = np.full(table.shape[0], -1, dtype=np.int64)
    position[used] = np.arange(len(used))
    rows = np.repeat(np.arange(len(bags)), [len(b) for b in bags])
    cols = position[np.concatenate(bags)]
    vals = np.concatenate([np.full(len(b), 1.0 / max(len(b), 1)) for b in bags])
    C = sp.csr_matrix((vals, (rows, cols)), shape=(len(bags), len(used)))
    scale = np.linalg.norm(C @ mapped[used], axis=1, keepdims=True)
    Y = targets * scale
    pull = p.pull * float(np.asarray(C.sum(axis=0)).mean())
    solve = factorized((C.T @ C + pull * sp.eye(len(used))).tocsc())
    rhs = C.T @ Y + pull * mapped[used]
    fitted = np.column_stack([solve(np.ascontiguousarray(rhs[:, j])) for j in range(dim)])
    out = mapped
    out[used] = fitted.astype(np.float32)
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
