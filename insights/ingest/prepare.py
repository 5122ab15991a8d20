"""The texts a refresh embeds: each ticket's cleaned text with the boilerplate learned from
the whole store taken out, keyed by the hash of exactly that text.

Learning needs the whole store (every ticket up to LEARN_SAMPLE, a stable sample above), so it
runs when a refresh (or the flow's embedding fan-out) starts, not at ingest. It writes in one
transaction: the learned lines (table `boilerplate`, shown in the app), a digest of what they
were learned from (`boilerplate_state`) and each ticket's `content_hash` when its embedded text
changed, so the cache key is always the hash of what was embedded and a ticket whose text did
not change is never embedded again. The next refresh whose tickets give the same digest applies
the stored lines instead of learning them again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, bindparam, case, delete, insert, select, update
from sqlalchemy.orm import Session

from insights.ingest import boilerplate
from insights.ingest.boilerplate import BoilerplateLearner, BoilerplateParams, fingerprint
from insights.ingest.clean import clean
from insights.store.db import session_scope
from insights.store.models import BoilerplateLine, BoilerplateState, Ticket


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

#: The learner's code: stored lines learned by another version of it are not reused.
_LEARNER_CODE = hashlib.sha256(Path(boilerplate.__file__).read_bytes()).hexdigest()


def _learned_from(rows, cleaned, content_hashes, params: BoilerplateParams | None) -> str:
    """A digest of everything the learning reads (each ticket's cleaned text and language) and
    of what it wrote (the embedding keys), with the tickets' ids and row hashes (a ticket
    ingest rewrote), the parameters and the learner's code."""
    digest = hashlib.sha256(f"{_LEARNER_CODE}\n{params!r}\n".encode())
    for r, c, h in zip(rows, cleaned, content_hashes, strict=True):
        digest.update(f"{r.id}:{r.row_hash}:{r.language}:{h}:{c is None}:".encode())
        digest.update(text_hash(c or "").encode())
    return digest.hexdigest()


def embedding_inputs(engine: Engine, params: BoilerplateParams | None = None) -> EmbeddingInputs:
    """Every ticket's id, embedding key, embedded text and language, in id order.

    Learned again only when the tickets changed since the stored lines were learned (a new,
    changed or removed ticket; other parameters or learner code): otherwise the stored lines
    are applied, which gives the same texts and keys without the learning. This process keeps
    its last result too, for the second call of a run.
    """
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
            )
            .order_by(Ticket.id)
            # streamed (a server-side cursor on PostgreSQL): the driver never holds the whole
            # result next to the rows made from it (~0.5 GB at a million tickets)
            .execution_options(yield_per=20_000)
        ).all()
    store = engine.url.render_as_string(hide_password=False)
    key = _learned_from(rows, [r.clean_text for r in rows], [r.content_hash for r in rows], params)
    if store in _last and _last[store][0] == key:
        return _last[store][1]
    languages = [r.language for r in rows]
    inputs = _apply_stored(engine, rows, languages, key)
    if inputs is None:
        cleaned = [
            r.clean_text if r.clean_text is not None else (clean(r.text) or r.text) for r in rows
        ]
        learner = _learn(rows, cleaned, languages, params)
        texts = [learner.transform(t) for t in cleaned]
        hashes = [text_hash(t) for t in texts]
        # as the store now holds them; a ticket ingest rewrote meanwhile has another row hash
        # there, so the next call does not match and learns again
        key = _learned_from(rows, cleaned, hashes, params)
        _write(engine, rows, cleaned, hashes, learner, key)
        inputs = EmbeddingInputs(
            np.array([r.id for r in rows], dtype=np.int64),
            hashes,
            texts,
            languages,
            len(learner.lines_),
        )
    _last[store] = (key, inputs)
    return inputs


def _apply_stored(engine: Engine, rows, languages: list[str], key: str) -> EmbeddingInputs | None:
    """The inputs from the stored lines when they were learned from exactly these tickets
    (`key`), else None. Every ticket then has its cleaned text stored, and applying the lines
    must give back each stored embedding key; if one differs, nothing is reused. A ticket
    whose key is the hash of its cleaned text is one the lines left as it was (most are):
    its text is taken as it is, without applying them again."""
    learner = BoilerplateLearner()
    with session_scope(engine) as session:  # the digest and the lines of one learning
        state = session.get(BoilerplateState, 1)
        if state is None or state.learned_from != key:
            return None
        learner.lines_ = _stored_lines(session)
    texts = []
    for r in rows:
        text = r.clean_text
        if text is None:
            return None
        if r.content_hash != text_hash(text):
            text = learner.transform(text)
            if text_hash(text) != r.content_hash:
                return None
        texts.append(text)
    ids = np.array([r.id for r in rows], dtype=np.int64)
    hashes = [r.content_hash for r in rows]
    return EmbeddingInputs(ids, hashes, texts, languages, len(learner.lines_))


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


def _write(
    engine: Engine, rows, cleaned, hashes, learner: BoilerplateLearner, key: str = ""
) -> None:
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
        session.execute(delete(BoilerplateState))
        if key:
            session.add(BoilerplateState(id=1, learned_from=key, tickets=len(rows), learned_at=now))


def forget_inputs() -> None:
    """Drop what this process kept of earlier learning (a store replaced under the same URL)."""
    _last.clear()


def stored_learner(engine: Engine) -> BoilerplateLearner:
    """The boilerplate the latest refresh learned, to mark it in a ticket's text."""
    learner = BoilerplateLearner()
    with session_scope(engine) as session:
        learner.lines_ = _stored_lines(session)
    return learner


def _stored_lines(session: Session) -> dict[str, tuple[str, str, int]]:
    rows = session.execute(
        select(
            BoilerplateLine.fingerprint,
            BoilerplateLine.text,
            BoilerplateLine.language,
            BoilerplateLine.tickets,
        )
    )
    return {fp: (text, lang, n) for fp, text, lang, n in rows}


__all__ = [
    "EmbeddingInputs",
    "embedding_inputs",
    "fingerprint",
    "forget_inputs",
    "learning_sample",
    "stored_learner",
    "text_hash",
]
