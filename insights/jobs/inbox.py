"""The drop folder: ticket files put in the inbox are ingested once, then moved out of the way.

Layout (default ``$INSIGHTS_HOME/inbox``, setting INSIGHTS_INBOX)::

    inbox/               files waiting (hidden files and *.part / *.tmp are skipped, so a
                         copy in progress under a temporary name is never read half-written)
    inbox/processed/     ingested files, or files whose exact bytes were ingested before
    inbox/failed/        files that are not ticket files, each with <name>.reason.txt

"Once" is by content: the SHA-256 of the file is compared with ``batches.file_sha256``, so
the same export dropped again (under any name, or ingested earlier with ``insights ingest``)
adds nothing and is simply filed under processed/. A file that cannot be ingested (unknown
type, required column missing, unreadable) is filed under failed/ with the one-line reason
and never stops the other files. Anything else (the store is locked or down, the disk is
full) propagates, so the caller's retry policy decides; the file then stays in the inbox.

No Prefect here: the refresh flow wraps :func:`process_file` in a task with retries.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from insights.ingest.load import file_sha256, ingest_file
from insights.ingest.read import FileError
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import Batch

PROCESSED = "processed"
FAILED = "failed"
REASON_SUFFIX = ".reason.txt"
#: Names that mean "still being written": copy as `x.csv.part`, then rename to `x.csv`.
SKIPPED_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".swp")


@dataclass
class InboxOutcome:
    """What happened to one dropped file. ``status``: ingested, duplicate or failed."""

    name: str
    status: str
    moved_to: str
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in ``inbox`` (not in its sub-folders), oldest first so exports that were
    dropped in order are ingested in order (a later export may update an earlier ticket)."""
    if not inbox.is_dir():
        return []
    files = [
        p
        for p in inbox.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.lower().endswith(SKIPPED_SUFFIXES)
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def already_ingested(engine: Engine, sha256: str) -> bool:
    """True when a batch with these exact bytes was stored, to its end, before (a file cut
    short is ingested again: what it stored counts as duplicates)."""
    with session_scope(engine) as session:
        found = session.scalar(
            select(Batch.id)
            .where(Batch.file_sha256 == sha256, Batch.finished_at.is_not(None))
            .limit(1)
        )
    return found is not None


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/<stem>-<utc time>[-n]<suffix>`` when that name is taken:
    a second export with the same file name must not overwrite the first."""
    target = folder / name
    if not target.exists():
        return target
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    stem, suffix = Path(name).stem, "".join(Path(name).suffixes[-1:])
    n = 0
    while True:
        candidate = folder / f"{stem}-{stamp}{f'-{n}' if n else ''}{suffix}"
        if not candidate.exists():
            return candidate
        n += 1


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, path.name)
    shutil.move(str(path), str(target))
    return target


def process_file(engine: Engine, settings: Settings, path: Path) -> InboxOutcome:
    """Ingest one dropped file (unless its bytes were ingested before) and file it away.

    Raises only for trouble that is not the file's fault (store errors, OS errors while
    moving), leaving the file in the inbox for the next attempt.
    """
    inbox = path.parent
    try:
        sha = file_sha256(path)
        if already_ingested(engine, sha):
            target = _move(path, inbox / PROCESSED)
            return InboxOutcome(path.name, "duplicate", str(target), "already ingested")
        result = ingest_file(engine, path, settings)
    except FileError as exc:
        reason = str(exc)
        target = _move(path, inbox / FAILED)
        reason_file = target.with_name(target.name + REASON_SUFFIX)
        reason_file.write_text(
            f"{reason}\n(moved here {datetime.now(UTC).isoformat(timespec='seconds')}; fix the "
            "file and drop it into the inbox again)\n",
            encoding="utf-8",
        )
        return InboxOutcome(path.name, "failed", str(target), reason)
    target = _move(path, inbox / PROCESSED)
    return InboxOutcome(path.name, "ingested", str(target), "", result.counts())


def process_inbox(engine: Engine, settings: Settings, inbox: Path) -> list[InboxOutcome]:
    """Process every waiting file; one bad file never stops the others."""
    return [process_file(engine, settings, p) for p in pending_files(inbox)]
