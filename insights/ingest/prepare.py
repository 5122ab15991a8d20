"""The texts a refresh embeds: each ticket's cleaned text with the boilerplate learned from
the whole store taken out, keyed by the hash of exactly that text.

Learning needs the whole store (every ticket up to LEARN_SAMPLE, a stable sample above), so it
runs when a refresh (or the flow's embedding fan-out) starts, not at ingest. It writes in one transaction: the learned lines (table `boilerplate`, shown in the
app) and each ticket's `content_hash` when its embedded text changed, so the cache key is always
the hash of what was embedded and a ticket whose text did not change is never embedded again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, bindparam, case, delete, insert, select, update

from insights.ingest.boilerplate import BoilerplateLearner, BoilerplateParams, fingerprint
from insights.ingest.clean import clean
from insights.store.db import session_scope
from insights.store.models import BoilerplateLine, Ticket


@dataclass
class EmbeddingInputs:
    ids: np.ndarray
    hashes: list[str]
    texts: list[str]
    languages: list[str]
    n_boilerplate: int = 0


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: The last result per store, keyed by what it was learned from: the refresh flow's embedding
#: and discovery steps both need the inputs, and learning is the costly part.
_last: dict[str, tuple[str, EmbeddingInputs]] = {}


def _learned_from(rows, content_hashes, params: BoilerplateParams | None) -> str:
    digest = hashlib.sha256(repr(params).encode())
    for r, h in zip(rows, content_hashes, strict=True):
        digest.update(f"{r.id}:{r.row_hash}:{h}\n".encode())
    return digest.hexdigest()


def embedding_inputs(engine: Engine, params: BoilerplateParams | None = None) -> EmbeddingInputs:
    """Every ticket's id, embedding key, embedded text and language, in id order. Learned again
    only when the tickets changed since this process last learned them for this store."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                Ticket.id,
                # the raw text only where there is no cleaned text to learn from (rows stored
                # before cleaning existed): loading both for a million tickets cost ~1 GB that
                # the process kept for the rest of the refresh
                case((Ticket.clean_text.is_(None), Ticket.text), else_=None).label("text"),
                Ticket.clean_text,
                Ticket.language,
                Ticket.content_hash,
                Ticket.row_hash,
            ).order_by(Ticket.id)
        ).all()
    store = engine.url.render_as_string(hide_password=False)
    key = _learned_from(rows, [r.content_hash for r in rows], params)
    if store in _last and _last[store][0] == key:
        return _last[store][1]
    cleaned = [
        r.clean_text if r.clean_text is not None else (clean(r.text) or r.text) for r in rows
    ]
    languages = [r.language for r in rows]
    learner = _learn(rows, cleaned, languages, params)
    texts = [learner.transform(t) for t in cleaned]
    hashes = [text_hash(t) for t in texts]
    _write(engine, rows, cleaned, hashes, learner)
    inputs = EmbeddingInputs(
        np.array([r.id for r in rows], dtype=np.int64),
        hashes,
        texts,
        languages,
        len(learner.lines_),
    )
    # as the store now holds them; a ticket ingest rewrote meanwhile has another row hash there,
    # so the next call does not match and learns again
    _last[store] = (_learned_from(rows, hashes, params), inputs)
    return inputs


#: Boilerplate is learned from at most about this many tickets: its tests are shares of a
#: language's tickets, which a sample this size estimates well, while learning from every
#: ticket of a million-ticket store took ~3 GB and minutes (bench/README.md, 1M run).
LEARN_SAMPLE = 200_000


def learning_sample(ids: Sequence[int], cap: int = LEARN_SAMPLE) -> list[int]:
    """Positions of the tickets boilerplate is learned from: all up to `cap`, else those whose
    hashed id falls below cap / n. Membership depends on the id alone, so a growing store
    learns from a subset of the tickets it learned from before (nested, stable samples)."""
    n = len(ids)
    if n <= cap:
        return list(range(n))
    below = int(cap / n * 2**64)
    return [
        i
        for i, tid in enumerate(ids)
        if int.from_bytes(hashlib.blake2b(str(tid).encode(), digest_size=8).digest(), "big") < below
    ]


def _learn(rows, cleaned, languages, params: BoilerplateParams | None) -> BoilerplateLearner:
    picked = learning_sample([r.id for r in rows], LEARN_SAMPLE)
    if len(picked) == len(rows):
        return BoilerplateLearner(params).fit(cleaned, languages)
    learner = BoilerplateLearner(params).fit(
        [cleaned[i] for i in picked], [languages[i] for i in picked]
    )
    scale = len(rows) / max(len(picked), 1)  # tickets counted in the sample -> in the store
    learner.lines_ = {
        fp: (example, lang, round(n * scale)) for fp, (example, lang, n) in learner.lines_.items()
    }
    return learner


def _write(engine: Engine, rows, cleaned, hashes, learner: BoilerplateLearner) -> None:
    changed = [
        {"tid": r.id, "seen": r.row_hash, "h": h, "c": c}
        for r, c, h in zip(rows, cleaned, hashes, strict=True)
        if h != r.content_hash or r.clean_text is None
    ]
    now = datetime.now(UTC).replace(tzinfo=None)
    # only where ingest did not rewrite the ticket meanwhile (its row hash still holds)
    stmt = (
        update(Ticket)
        .where(Ticket.id == bindparam("tid"), Ticket.row_hash == bindparam("seen"))
        .values(content_hash=bindparam("h"), clean_text=bindparam("c"))
    )
    with session_scope(engine) as session:
        connection = session.connection()
        for start in range(0, len(changed), 1000):
            connection.execute(stmt, changed[start : start + 1000])
        session.execute(delete(BoilerplateLine))
        if learner.lines_:
            session.execute(
                insert(BoilerplateLine),
                [
                    {
                        "fingerprint": fp,
                        "text": example,
                        "language": lang[:8],
                        "tickets": n,
                        "learned_at": now,
                    }
                    for fp, (example, lang, n) in learner.lines_.items()
                ],
            )


def forget_inputs() -> None:
    """Drop what this process kept of earlier learning (a store replaced under the same URL)."""
    _last.clear()


def stored_learner(engine: Engine) -> BoilerplateLearner:
    """The boilerplate the latest refresh learned, to mark it in a ticket's text."""
    learner = BoilerplateLearner()
    with session_scope(engine) as session:
        learner.lines_ = {
            fp: (text, lang, n)
            for fp, text, lang, n in session.execute(
                select(
                    BoilerplateLine.fingerprint,
                    BoilerplateLine.text,
                    BoilerplateLine.language,
                    BoilerplateLine.tickets,
                )
            )
        }
    return learner


__all__ = [
    "EmbeddingInputs",
    "embedding_inputs",
    "fingerprint",
    "forget_inputs",
    "learning_sample",
    "stored_learner",
    "text_hash",
]
