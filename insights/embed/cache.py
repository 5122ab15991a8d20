"""Embedding vectors cached in the store by (model id, content hash).

Each batch is committed on its own, so a crash mid-way keeps what was already embedded and
the next refresh embeds only the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from insights.store.db import session_scope
from insights.store.models import Embedding

LOOKUP_CHUNK = 900


def cached_hashes(engine: Engine, model_id: str, hashes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    unique = list(dict.fromkeys(hashes))
    with session_scope(engine) as session:
        for start in range(0, len(unique), LOOKUP_CHUNK):
            part = unique[start : start + LOOKUP_CHUNK]
            stmt = select(Embedding.content_hash).where(
                Embedding.model_id == model_id, Embedding.content_hash.in_(part)
            )
            found.update(session.scalars(stmt))
    return found


def store_vectors(
    engine: Engine, model_id: str, hashes: Sequence[str], vectors: np.ndarray
) -> None:
    rows = [
        {
            "model_id": model_id,
            "content_hash": h,
            "dim": int(v.shape[0]),
            "vector": np.asarray(v, dtype=np.float32).tobytes(),
        }
        for h, v in zip(hashes, vectors, strict=True)
    ]
    if not rows:
        return
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with session_scope(engine) as session:
        session.execute(insert(Embedding).on_conflict_do_nothing(), rows)


def load_vectors(
    engine: Engine, model_id: str, hashes: Sequence[str], dtype: type = np.float32
) -> np.ndarray:
    """Vectors for `hashes` in the same order (every hash must be cached), as `dtype` (a full
    run over a large store holds them as float16: half the memory, see `jobs.refresh`)."""
    if not hashes:
        return np.zeros((0, 0), dtype=dtype)
    # each distinct hash -> its rows; vectors go straight into one preallocated matrix (a dict
    # of a million small arrays plus their stacked copy would be twice the store's vectors)
    rows_of: dict[str, list[int]] = {}
    for i, h in enumerate(hashes):
        rows_of.setdefault(h, []).append(i)
    unique = list(rows_of)
    out: np.ndarray | None = None
    found = 0
    with session_scope(engine) as session:
        for start in range(0, len(unique), LOOKUP_CHUNK):
            part = unique[start : start + LOOKUP_CHUNK]
            stmt = select(Embedding.content_hash, Embedding.vector).where(
                Embedding.model_id == model_id, Embedding.content_hash.in_(part)
            )
            for h, blob in session.execute(stmt):
                vector = np.frombuffer(blob, dtype=np.float32)
                if out is None:
                    out = np.empty((len(hashes), vector.shape[0]), dtype=dtype)
                out[rows_of[h]] = vector
                found += 1
    if found < len(unique):
        raise KeyError(f"{len(unique) - found} vectors missing from the cache for {model_id}")
    assert out is not None
    return out
