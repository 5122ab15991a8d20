"""Ingest one file into the store: new, updated, duplicate or quarantined.

Rows are read, validated and language-detected outside any transaction (a chunk's detection on
a worker thread while the next chunk is validated; for a large file, chunks are validated and
detected by worker processes, one per core, while this process reads and writes), then
written in short
transactions of WRITE_ROWS rows each (with the batch's running counts), so a large file never holds
the store's write lock for long: on SQLite a person tagging in the app waits for one chunk's
write at most, not for the whole file. The batch's `finished_at` is set with its last chunk:
a file that cannot be read to its end is found by a first reading pass and writes nothing;
one cut short by a crash (or changed between the passes) leaves a batch without it, and
ingesting the file again stores what is missing (rows already stored count as duplicates).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select, update

from insights.ingest.language import detect
from insights.ingest.mapping import Mapping, check_required
from insights.ingest.read import FileError, RawRow, open_rows
from insights.ingest.validate import RowValidator, row_hash
from insights.records import IngestResult, QuarantinedRow, TicketRow
from insights.settings import Settings
from insights.store.db import session_scope, write_scope
from insights.store.models import Batch, Quarantine, Ticket

#: Rows validated and language-detected together (detection runs in parallel over a chunk).
CHUNK = 2000
#: Rows per write transaction: what a person saving a tag on SQLite may wait for.
WRITE_ROWS = 500
DEFAULT_SOURCE = "default"
#: Files with at least this many rows are validated by worker processes (when
#: INSIGHTS_INGEST_WORKERS allows more than one): below it, starting them costs more than
#: they save.
PARALLEL_ROWS = 20_000


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise FileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return digest.hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ingest_file(
    engine: Engine,
    path: Path,
    settings: Settings,
    *,
    kind: str | None = None,
    mapping: Mapping | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> IngestResult:
    """Ingest `path`; raises FileError (and writes nothing) when the file cannot be ingested."""
    mapping = mapping or Mapping()
    if not path.is_file():
        raise FileError(f"{path}: {'is a folder, not a file' if path.is_dir() else 'no such file'}")
    sha = file_sha256(path)
    n_rows = _check_readable(path)
    workers = ingest_workers(settings) if n_rows >= PARALLEL_ROWS else 1
    header, rows, handle = open_rows(path)
    detector = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-detect")
    try:
        resolved = mapping.resolve(header)
        conversation = mapping.conversation_for(header)
        if conversation is not None:  # Intercom's `source` is its first message, not a system
            resolved = {k: v for k, v in resolved.items() if v not in conversation.top_fields}
        check_required(resolved, mapping.defaults, path, conversation)
        source = mapping.source or mapping.defaults.get("source") or DEFAULT_SOURCE
        validator = RowValidator(
            resolved,
            mapping.defaults,
            source,
            kind,
            settings.ingest.max_text_chars,
            settings.trends.timezone,
            conversation=conversation,
        )
        with session_scope(engine) as session:
            batch = Batch(source_path=str(path), source=source, file_sha256=sha, started_at=_now())
            session.add(batch)
            session.flush()
            batch_id = batch.id
        result = IngestResult(path=str(path), batch_id=batch_id)
        if workers > 1:
            _ingest_in_workers(engine, rows, validator, settings, workers, result, on_rows)
            if on_rows:
                on_rows(result.read)
            return result
        chunk: list[TicketRow] = []
        quarantined: list[QuarantinedRow] = []
        previous: _Detected | None = None  # the chunk whose languages are being detected
        try:
            for raw in rows:
                result.read += 1
                outcome = validator.validate(raw)
                if isinstance(outcome, QuarantinedRow):
                    quarantined.append(outcome)
                else:
                    chunk.append(outcome)
                if len(chunk) + len(quarantined) >= CHUNK:
                    detected = _Detected.start(detector, chunk, quarantined, settings)
                    if previous is not None:
                        previous.write(engine, batch_id, result)
                    previous, chunk, quarantined = detected, [], []
                if on_rows and result.read % 500 == 0:
                    on_rows(result.read)
        except FileError as exc:
            if previous is not None:  # a chunk read in full before the error is stored
                previous.write(engine, batch_id, result)
                previous = None
            stored = result.read - len(chunk) - len(quarantined)
            if stored == 0:  # nothing written but the batch: as if never started
                with session_scope(engine) as session:
                    session.execute(delete(Batch).where(Batch.id == batch_id))
                raise
            raise FileError(
                f"{exc} (the {stored:,} rows before it are stored; ingesting the fixed file "
                "again adds only what is missing)"
            ) from None
        detected = _Detected.start(detector, chunk, quarantined, settings)
        if previous is not None:
            previous.write(engine, batch_id, result)
            previous = None
        detected.write(engine, batch_id, result, last=True)
    finally:
        detector.shutdown()  # waits for a detection still running (an error stopped the file)
        handle.close()
    if on_rows:
        on_rows(result.read)
    return result


def _check_readable(path: Path) -> int:
    """Read the whole file once (no validation, nothing kept) so a file that cannot be read to
    its end (cut short, undecodable) fails before its first chunk is stored: a bad file
    writes nothing. Reading is a small part of ingesting (language detection is most).
    Returns the number of rows."""
    _, rows, handle = open_rows(path)
    n = 0
    try:
        for _ in rows:
            n += 1
    finally:
        handle.close()
    return n


def ingest_workers(settings: Settings) -> int:
    """Processes that validate a large file: INSIGHTS_INGEST_WORKERS, 0 = one per core."""
    return settings.ingest.ingest_workers or os.cpu_count() or 1


def _ingest_in_workers(
    engine: Engine,
    rows: Iterator[RawRow],
    validator: RowValidator,
    settings: Settings,
    workers: int,
    result: IngestResult,
    on_rows: Callable[[int], None] | None,
) -> None:
    """The rows of a large file validated and language-detected in `workers` processes,
    chunk by chunk, and written here in file order as they come back (the same chunks, the
    same writes and the same outcome as in this process: validation is per row). Validation
    and detection are ~1.2 CPU-ms a ticket against ~0.3 to write it, so on two cores this
    process mostly waits (bench/README.md, 1M run). A file that fails to read mid-way keeps
    the chunks read before the failure, as in this process."""
    pool = ProcessPoolExecutor(
        workers,
        # spawned, not forked: this process holds store connections and threads
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(validator, tuple(settings.ingest.languages)),
    )
    running: deque[Future[tuple[list[TicketRow], list[QuarantinedRow]]]] = deque()
    raws: list[RawRow] = []

    def write_next(last: bool = False) -> None:
        chunk, quarantined = running.popleft().result()
        _write_chunk(engine, result.batch_id, chunk, quarantined, result, last)

    try:
        try:
            for raw in rows:
                result.read += 1
                raws.append(raw)
                if len(raws) >= CHUNK:
                    running.append(pool.submit(_validate_chunk, raws))
                    raws = []
                    while len(running) > 2 * workers:  # bounded: memory stays flat
                        write_next()
                if on_rows and result.read % 500 == 0:
                    on_rows(result.read)
        except FileError as exc:
            while running:  # chunks read in full before the error are stored
                write_next()
            stored = result.read - len(raws)
            if stored == 0:
                with session_scope(engine) as session:
                    session.execute(delete(Batch).where(Batch.id == result.batch_id))
                raise
            raise FileError(
                f"{exc} (the {stored:,} rows before it are stored; ingesting the fixed file "
                "again adds only what is missing)"
            ) from None
        running.append(pool.submit(_validate_chunk, raws))
        while running:
            write_next(last=len(running) == 1)
    finally:
        pool.shutdown(cancel_futures=True)


_WORKER: dict[str, object] = {}


def _start_worker(validator: RowValidator, languages: tuple[str, ...]) -> None:
    _WORKER["validator"], _WORKER["languages"] = validator, languages


def _validate_chunk(raws: list[RawRow]) -> tuple[list[TicketRow], list[QuarantinedRow]]:
    """In a worker process: one chunk validated, its languages detected, its rows hashed."""
    validator = _WORKER["validator"]
    assert isinstance(validator, RowValidator)
    chunk: list[TicketRow] = []
    quarantined: list[QuarantinedRow] = []
    for raw in raws:
        outcome = validator.validate(raw)
        (quarantined if isinstance(outcome, QuarantinedRow) else chunk).append(outcome)
    _detect(chunk, _WORKER["languages"])  # type: ignore[arg-type]
    return chunk, quarantined


@dataclass
class _Detected:
    """A validated chunk whose languages are detected on a worker thread while the next chunk
    is validated: lingua releases the GIL, so on two cores detection (about half of a row's
    cost) overlaps with validation instead of adding to it. Chunks are written in file order."""

    future: Future[None]
    chunk: list[TicketRow]
    quarantined: list[QuarantinedRow]

    @classmethod
    def start(
        cls,
        pool: ThreadPoolExecutor,
        chunk: list[TicketRow],
        quarantined: list[QuarantinedRow],
        settings: Settings,
    ) -> _Detected:
        return cls(pool.submit(_detect_languages, chunk, settings), chunk, quarantined)

    def write(
        self, engine: Engine, batch_id: int, result: IngestResult, last: bool = False
    ) -> None:
        self.future.result()
        _write_chunk(engine, batch_id, self.chunk, self.quarantined, result, last)


def _write_chunk(
    engine: Engine,
    batch_id: int,
    chunk: list[TicketRow],
    quarantined: list[QuarantinedRow],
    result: IngestResult,
    last: bool = False,
) -> None:
    """The chunk's tickets and quarantined rows in short write transactions of WRITE_ROWS,
    each with the batch's counts so far (finished with the last). Detection ran before."""
    starts = range(0, max(len(chunk), len(quarantined), 1), WRITE_ROWS)
    for start in starts:
        with write_scope(engine) as session:
            for row in quarantined[start : start + WRITE_ROWS]:
                _quarantine(session, batch_id, row, result)
            _store_chunk(session, batch_id, chunk[start : start + WRITE_ROWS], result)
            session.execute(
                update(Batch)
                .where(Batch.id == batch_id)
                .values(
                    # rows stored so far: an unfinished batch still reconciles
                    n_read=result.new + result.updated + result.duplicates + result.quarantined,
                    n_new=result.new,
                    n_updated=result.updated,
                    n_duplicates=result.duplicates,
                    n_quarantined=result.quarantined,
                    n_truncated=result.truncated,
                    finished_at=_now() if last and start == starts[-1] else None,
                )
            )


def _detect_languages(chunk: list[TicketRow], settings: Settings) -> None:
    _detect(chunk, settings.ingest.languages)


def _detect(chunk: list[TicketRow], languages: tuple[str, ...]) -> None:
    undetected = [r for r in chunk if not r.language]
    # the customer's own words: an English signature or disclaimer must not decide the language
    texts = [r.clean_text or r.text for r in undetected]
    for row, (code, confidence) in zip(undetected, detect(texts, languages), strict=True):
        row.language, row.language_confidence, row.language_detected = code, confidence, True
    for row in chunk:
        row.row_hash = row_hash(row)


def _quarantine(session, batch_id: int, row: QuarantinedRow, result: IngestResult) -> None:
    session.execute(
        insert(Quarantine),
        [
            {
                "batch_id": batch_id,
                "row_number": row.row_number,
                "external_id": row.external_id,
                "reason": row.reason,
                "detail": row.detail[:1000],
                "raw": row.raw,
            }
        ],
    )
    result.quarantined += 1
    result.reasons[row.reason] += 1


def _store_chunk(session, batch_id: int, chunk: list[TicketRow], result: IngestResult) -> None:
    if not chunk:
        return

    existing: dict[tuple[str, str], tuple[int, str]] = {}
    by_source: dict[str, set[str]] = {}
    for row in chunk:
        by_source.setdefault(row.source, set()).add(row.external_id)
    for source, ids in by_source.items():
        id_list = list(ids)
        for start in range(0, len(id_list), 500):
            part = id_list[start : start + 500]
            stmt = select(Ticket.id, Ticket.external_id, Ticket.row_hash).where(
                Ticket.source == source, Ticket.external_id.in_(part)
            )
            for tid, ext, rhash in session.execute(stmt):
                existing[(source, ext)] = (tid, rhash)

    now = _now()
    pending: dict[tuple[str, str], dict] = {}
    for row in chunk:
        key = (row.source, row.external_id)
        values = _values(row, batch_id, now)
        if key in pending:
            if pending[key]["row_hash"] == row.row_hash:
                result.duplicates += 1
            else:
                pending[key] = values
                result.updated += 1
                result.truncated += row.truncated
                result.messages_dropped += row.messages_dropped
            continue
        if key in existing:
            tid, rhash = existing[key]
            if rhash == row.row_hash:
                result.duplicates += 1
            else:
                values.pop("ingested_at")
                session.execute(update(Ticket).where(Ticket.id == tid).values(**values))
                existing[key] = (tid, row.row_hash)
                result.updated += 1
                result.truncated += row.truncated
                result.messages_dropped += row.messages_dropped
            continue
        pending[key] = values
        result.new += 1
        result.truncated += row.truncated
        result.messages_dropped += row.messages_dropped
    if pending:
        session.execute(insert(Ticket), list(pending.values()))
    session.flush()


def _values(row: TicketRow, batch_id: int, now: datetime) -> dict:
    return {
        "source": row.source,
        "external_id": row.external_id,
        "created_at": row.created_at,
        "text": row.text,
        "clean_text": row.clean_text,
        "thread": row.thread,
        "language": row.language or "und",
        "language_confidence": row.language_confidence,
        "language_detected": row.language_detected,
        "kind": row.kind,
        "region": row.region,
        "channel": row.channel,
        "category": row.category,
        "csat": row.csat,
        "attributes": row.attributes,
        "truncated": row.truncated,
        "content_hash": row.content_hash,
        "row_hash": row.row_hash,
        "batch_id": batch_id,
        "ingested_at": now,
        "updated_at": now,
    }
