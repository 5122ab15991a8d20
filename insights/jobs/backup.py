"""Back up and restore the store, on either backend, without stopping the app.

SQLite uses the sqlite3 online backup API: it copies a consistent snapshot page by page through
a normal connection, so it sees committed WAL content and never a half-written transaction (a
plain file copy of a WAL store can miss the `-wal` file or catch it mid-checkpoint). The backup
is one self-contained file in rollback-journal mode. PostgreSQL uses `pg_dump --format=custom` /
`pg_restore --clean --if-exists --single-transaction`.

A backup carries its Alembic revision: restore refuses a backup newer than this code, and runs
the migrations after restoring an older one. Restore refuses a store that holds data unless
forced, because it replaces everything in it.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, func, inspect, select, text
from sqlalchemy.engine import URL, make_url

from insights.jobs.lock import LockPolicy, job_lock
from insights.settings import load_settings, subprocess_env
from insights.store.db import StoreError, alembic_config, connect, current_revision, make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
VERSION_TABLE = "alembic_version"
#: Who holds the job lock (PostgreSQL): not data, never backed up, never "data in the store".
LOCK_TABLE = "job_lock"

Progress = Callable[[int, int], None]


class BackupError(Exception):
    """Backup or restore cannot go ahead; the message is one line for the user."""


@dataclass
class BackupResult:
    path: Path
    backend: str
    revision: str | None
    tickets: int
    bytes: int


@dataclass
class RestoreResult:
    path: Path
    backend: str
    backup_revision: str
    revision: str | None
    migrated: bool
    tickets: int


# --------------------------------------------------------------------------- helpers


def _known_revisions() -> tuple[list[str], str]:
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    revisions = [r.revision for r in script.walk_revisions()]
    return revisions, script.get_current_head() or ""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(f"{url!r}: an in-memory SQLite store cannot be backed up or restored")
    return Path(url.database)


def _count_tickets(engine: Engine) -> int:
    if "tickets" not in inspect(engine).get_table_names():
        return 0
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM tickets")).scalar() or 0)


def store_has_data(engine: Engine) -> bool:
    """True when any table of the store (other than the schema revision) holds a row."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            if name in (VERSION_TABLE, LOCK_TABLE):
                continue
            if conn.execute(select(func.count()).select_from(table).limit(1)).scalar():
                return True
    return False


def find_pg_tool(name: str) -> str:
    """`pg_dump` / `pg_restore` on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")

    def version(path: str) -> float:
        match = re.search(r"/postgresql/([\d.]+)/", path)
        return float(match.group(1)) if match else 0.0

    if candidates:
        return max(candidates, key=version)
    raise BackupError(
        f"{name} not found on PATH or under /usr/lib/postgresql/*/bin: install the PostgreSQL "
        "client tools (Debian/Ubuntu: apt-get install postgresql-client), same major version "
        "as the server or newer"
    )


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for the tools, with the password passed in the environment (not
    on the command line, where `ps` would show it)."""
    env = subprocess_env(PGPASSWORD=str(url.password)) if url.password else subprocess_env()
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        detail = lines[0] if lines else f"exit code {proc.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return proc.stdout


# --------------------------------------------------------------------------- backup


def backup(
    url: str,
    out: Path,
    on_progress: Progress | None = None,
    *,
    policy: LockPolicy | None = None,
) -> BackupResult:
    """Write a consistent copy of the store at `url` to `out` (replaced atomically). The store
    is not migrated first: a backup is of the store as it is.

    Holds the store's job lock (`policy`: wait or not; default from the settings, waiting), so
    a backup is never of a refresh half-way; raises JobBusy when told not to wait."""
    try:
        engine = make_engine(url)
        revision = current_revision(engine)
    except StoreError:
        raise
    except Exception as exc:
        raise BackupError(f"cannot open the store at {make_url(url)!r}: {_first(exc)}") from None
    if revision is None:
        engine.dispose()
        raise BackupError(f"{make_url(url)!r} is not a ticket-insights store (no schema revision)")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    try:
        with job_lock(engine, "backup", policy or LockPolicy.of(load_settings(url))):
            _copy_out(engine, partial, on_progress)
        os.replace(partial, out)
        tickets = _count_tickets(engine)
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()
    return BackupResult(out, engine.dialect.name, revision, tickets, out.stat().st_size)


def _copy_out(engine: Engine, partial: Path, on_progress: Progress | None) -> None:
    if engine.dialect.name == "sqlite":
        _sqlite_backup(_sqlite_path(engine.url), partial, on_progress)
    elif engine.dialect.name == "postgresql":
        uri, env = _libpq(engine.url)
        command = [
            find_pg_tool("pg_dump"),
            "--format=custom",
            f"--exclude-table-data={LOCK_TABLE}",
            f"--file={partial}",
            uri,
        ]
        _run(command, env, "pg_dump")
    else:
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {engine.dialect.name}")


def _copy_pages(
    src: sqlite3.Connection, dst: sqlite3.Connection, on_progress: Progress | None
) -> None:
    """SQLite's online backup, 1,024 pages at a time, reporting (pages done, total)."""

    def progress(_status: int, remaining: int, total: int) -> None:
        if on_progress:
            on_progress(total - remaining, total)

    src.backup(dst, pages=1024, progress=progress)


def _sqlite_backup(source: Path, dest: Path, on_progress: Progress | None) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such store file")
    dest.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        _copy_pages(src, dst, on_progress)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        dst.commit()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup of {source} failed: {exc}") from None
    finally:
        dst.close()
        src.close()


# --------------------------------------------------------------------------- restore


def backup_kind(path: Path) -> str:
    """'sqlite' or 'postgresql' from the file's first bytes."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path}: not a backup made by `insights backup` (neither a SQLite file nor a pg_dump "
        "custom-format archive)"
    )


def backup_revision(path: Path) -> str:
    """The Alembic revision recorded in a backup file."""
    kind = backup_kind(path)
    if kind == "sqlite":
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BackupError(f"{path}: the SQLite backup is damaged (quick_check failed)")
                row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise BackupError(f"{path}: cannot read the SQLite backup ({exc})") from None
        revision = row[0] if row else None
    else:
        listing = _run(
            [
                find_pg_tool("pg_restore"),
                "--data-only",
                f"--table={VERSION_TABLE}",
                "--file=-",
                str(path),
            ],
            subprocess_env(),
            "reading the backup with pg_restore",
        )
        revision = _revision_from_copy(listing)
    if not revision:
        raise BackupError(
            f"{path}: the backup has no schema revision (not a ticket-insights store)"
        )
    return revision


def _revision_from_copy(sql: str) -> str | None:
    lines = sql.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and VERSION_TABLE in line and i + 1 < len(lines):
            value = lines[i + 1].strip()
            return None if value in ("\\.", "") else value
    return None


def restore(
    url: str,
    path: Path,
    *,
    force: bool = False,
    on_progress: Progress | None = None,
    policy: LockPolicy | None = None,
) -> RestoreResult:
    """Replace the store at `url` with the backup `path`, then migrate it to this code's schema.

    Refuses when the store holds data (unless `force`), when the backup comes from the other
    backend, and when its schema revision is unknown to this code (a newer version made it).
    Holds the store's job lock throughout (`policy`, as for :func:`backup`): a restore never
    runs under a refresh or a backup."""
    kind = backup_kind(path)
    engine = make_engine(url)
    try:
        with job_lock(engine, "restore", policy or LockPolicy.of(load_settings(url))):
            return _restore(engine, url, path, kind, force, on_progress)
    finally:
        engine.dispose()


def _restore(
    engine: Engine, url: str, path: Path, kind: str, force: bool, on_progress: Progress | None
) -> RestoreResult:
    if engine.dialect.name != kind:
        raise BackupError(
            f"{path} is a {kind} backup but the store is {engine.dialect.name}: restore it "
            f"into a {kind} store (--db)"
        )
    revision = backup_revision(path)
    known, head = _known_revisions()
    if revision not in known:
        raise BackupError(
            f"{path}: schema revision {revision} is newer than this ticket-insights knows "
            f"(latest {head}): upgrade ticket-insights before restoring it"
        )
    if not force and _has_data(engine):
        raise BackupError(
            f"the store at {engine.url!r} already holds data: pass --force to replace it "
            "with the backup (back it up first)"
        )
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_path(engine.url), on_progress)
    else:
        _pg_restore(engine, path)
    try:
        migrated_engine = connect(url)  # runs the migrations when the backup is older
    except StoreError as exc:
        raise BackupError(f"restored, but migrating the store failed: {exc}") from None
    try:
        now = current_revision(migrated_engine)
        tickets = _count_tickets(migrated_engine)
    finally:
        migrated_engine.dispose()
    return RestoreResult(path, kind, revision, now, now != revision, tickets)


def _has_data(engine: Engine) -> bool:
    try:
        return store_has_data(engine)
    except Exception as exc:
        raise BackupError(f"cannot open the store at {engine.url!r}: {_first(exc)}") from None


def _sqlite_restore(backup_file: Path, target: Path, on_progress: Progress | None) -> None:
    """Copy the backup into the live store file through SQLite itself, so connections that
    are open (the app) see the new content and no stale -wal file survives."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        _copy_pages(src, dst, on_progress)
        dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise BackupError(f"restoring into {target} failed: {exc}") from None
    finally:
        dst.close()
        src.close()


def _pg_restore(engine: Engine, path: Path) -> None:
    """pg_restore in one transaction. Tables the backup does not have (added by a later
    migration) are dropped first: they would block dropping the backup's tables, and the
    migrations recreate them."""
    tool = find_pg_tool("pg_restore")
    listing = _run([tool, "--list", str(path)], subprocess_env(), "reading the backup")
    in_backup = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE))
    existing = set(inspect(engine).get_table_names())
    extra = sorted(existing - in_backup)
    if extra:
        with engine.begin() as conn:
            for name in extra:
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    uri, env = _libpq(engine.url)
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={uri}",
            str(path),
        ],
        env,
        "pg_restore",
    )


def _first(exc: BaseException) -> str:
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
