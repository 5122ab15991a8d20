"""The store-wide job lock: refresh, backup and restore never run at the same time.

PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection kept for the
job; the server drops it when that session ends, so a killed job never leaves it behind. A row
in ``job_lock`` says who holds it (job, host, pid, since, heartbeat), so a waiter can say so.
A row left by a job that was killed is replaced, and logged, by the next holder.

SQLite: the row *is* the lock, taken with ``BEGIN IMMEDIATE`` (compare and set) in a small
SQLite file next to the store (``insights.db.lock``). Not in the store itself: a backup would
carry the row, and a restore, which copies pages over the store, would erase the restore's own
lock while it runs. A holder whose process is gone (same host) or whose heartbeat is older
than INSIGHTS_LOCK_STALE_AFTER is taken over, and logged.

A process that holds the lock may take it again (the CLI takes it before the flow it starts,
so it can say that it waits; the flow takes it again): the lock guards processes, not threads.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateTable

from insights.settings import Settings
from insights.store.models import job_lock_table as lock_table

log = logging.getLogger(__name__)

NAME = "store"
#: The advisory lock's key: one 64-bit number for "the ticket-insights store" in a database.
PG_KEY = 0x7469636B_65747331
#: Seconds between two tries of a waiting job.
POLL = 1.0
#: Seconds a job that finds the PostgreSQL lock taken waits for its holder's row.
RECORD_WAIT = 5.0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Holder:
    """Who holds the lock (as recorded): the job, where it runs, since when."""

    job: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    token: str = ""

    def describe(self) -> str:
        if not self.pid:  # PostgreSQL: locked, but the holder has not recorded itself (yet)
            return "holder not recorded"
        return f"pid {self.pid}, host {self.host}, since {self.started_at:%Y-%m-%d %H:%M:%S} UTC"


class JobBusy(Exception):
    """Another job holds the lock and the caller would not wait."""

    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        super().__init__(f"{holder.job} already running ({holder.describe()})")


@dataclass(frozen=True)
class LockPolicy:
    """How a job takes the lock: heartbeat and staleness from the settings; whether to wait;
    whom to tell that it waits (once) or that it took over a dead job's lock."""

    heartbeat: float
    stale_after: float
    wait: bool = True
    on_wait: Callable[[Holder], None] | None = None
    on_recover: Callable[[Holder, str], None] | None = None

    @classmethod
    def of(cls, settings: Settings, **options: object) -> LockPolicy:
        store = settings.store
        return cls(store.lock_heartbeat, store.lock_stale_after, **options)  # type: ignore[arg-type]


def waiting_message(holder: Holder) -> str:
    return f"waiting for the {holder.job} already running: {holder.describe()}"


# --------------------------------------------------------------------------- backends


def _holder(row: object) -> Holder:
    m = row._mapping  # type: ignore[attr-defined]
    return Holder(
        m["job"], m["host"], int(m["pid"]), m["started_at"], m["heartbeat_at"], m["token"]
    )


def _sqlite_holder(row: sqlite3.Row) -> Holder:
    return Holder(
        row["job"],
        row["host"],
        int(row["pid"]),
        datetime.fromisoformat(row["started_at"]),
        datetime.fromisoformat(row["heartbeat_at"]),
        row["token"],
    )


def process_gone(holder: Holder) -> bool:
    """True when the holder ran on this host and its process no longer does (a zombie, killed
    but not yet reaped by its parent, counts as gone). Another host's process cannot be seen."""
    if holder.host != socket.gethostname():
        return False
    if holder.pid == os.getpid():
        return True  # this process does not hold it (see _held): a former one with this pid
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{holder.pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


_SQLITE_DDL = str(CreateTable(lock_table, if_not_exists=True).compile(dialect=sqlite_dialect()))


class _SqliteLock:
    """The lock row in a SQLite file beside the store."""

    def __init__(self, store_file: Path) -> None:
        self.path = store_file.with_name(store_file.name + ".lock")
        self.key = f"sqlite:{self.path.resolve()}"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(_SQLITE_DDL)
        return conn

    def try_take(self, me: Holder, policy: LockPolicy) -> Holder | None:
        """Take the lock (None) or return who holds it."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT * FROM job_lock WHERE name = ?", (NAME,)).fetchone()
            if row is not None:
                held = _sqlite_holder(row)
                why = _stale(held, policy)
                if why is None:
                    conn.execute("ROLLBACK")
                    return held
                _recovered(held, why, policy)
            conn.execute("DELETE FROM job_lock WHERE name = ?", (NAME,))
            conn.execute(
                "INSERT INTO job_lock VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    NAME,
                    me.job,
                    me.host,
                    me.pid,
                    me.token,
                    me.started_at.isoformat(),
                    me.heartbeat_at.isoformat(),
                ),
            )
            conn.execute("COMMIT")
            return None
        finally:
            conn.close()

    def current(self) -> Holder | None:
        if not self.path.exists():
            return None
        conn = self._connect()
        try:
            row = conn.execute("SELECT * FROM job_lock WHERE name = ?", (NAME,)).fetchone()
        finally:
            conn.close()
        return _sqlite_holder(row) if row is not None else None

    def beat(self, me: Holder) -> bool:
        conn = self._connect()
        try:
            cursor = conn.execute(
                "UPDATE job_lock SET heartbeat_at = ? WHERE name = ? AND token = ?",
                (_now().isoformat(), NAME, me.token),
            )
            return cursor.rowcount == 1
        finally:
            conn.close()

    def release(self, me: Holder) -> None:
        conn = self._connect()
        try:
            conn.execute("DELETE FROM job_lock WHERE name = ? AND token = ?", (NAME, me.token))
        finally:
            conn.close()


class _PostgresLock:
    """An advisory lock on a connection of its own, and its record in the store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.key = f"pg:{engine.url.render_as_string(hide_password=True)}"
        self.conn: Connection | None = None

    def current(self) -> Holder | None:
        try:
            with self.engine.begin() as conn:
                # a restore in progress holds the table: say "another job" rather than hang
                conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                row = conn.execute(select(lock_table).where(lock_table.c.name == NAME)).first()
        except DBAPIError:  # a store not migrated yet (restore into an empty database)
            return None
        return _holder(row) if row is not None else None

    def try_take(self, me: Holder, policy: LockPolicy) -> Holder | None:
        if self.conn is None:
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if not self.conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({PG_KEY})").scalar():
            return self._recorded_holder()
        left = self.current()
        if left is not None and left.token != me.token:
            _recovered(left, "its session ended without releasing the lock", policy)
        self._write(me)
        return None

    def _recorded_holder(self) -> Holder:
        """Who holds the advisory lock. The holder records itself right after taking it: a job
        that asks in between waits up to RECORD_WAIT seconds for the row, so it can say which
        job it waits for (seen in CI: "holder not recorded" when two refreshes start together)."""
        deadline = time.monotonic() + RECORD_WAIT
        while True:
            holder = self.current()
            if holder is not None or time.monotonic() >= deadline:
                return holder or Holder("job", "", 0, _now(), _now())
            time.sleep(0.1)

    def _write(self, me: Holder) -> bool:
        row = {
            "name": NAME,
            "job": me.job,
            "host": me.host,
            "pid": me.pid,
            "token": me.token,
            "started_at": me.started_at,
            "heartbeat_at": _now(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(lock_table).where(lock_table.c.name == NAME))
                conn.execute(insert(lock_table).values(**row))
        except DBAPIError:
            return False
        return True

    def beat(self, me: Holder) -> bool:
        try:
            with self.engine.begin() as conn:
                done = conn.execute(
                    update(lock_table)
                    .where(lock_table.c.name == NAME, lock_table.c.token == me.token)
                    .values(heartbeat_at=_now())
                ).rowcount
        except DBAPIError:
            return True  # the table is being restored or migrated: the advisory lock holds
        if not done:  # a restore replaced the table: record the holder again
            self._write(me)
        return True  # the advisory lock itself never leaves a live session

    def release(self, me: Holder) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    delete(lock_table).where(
                        lock_table.c.name == NAME, lock_table.c.token == me.token
                    )
                )
        except DBAPIError:
            pass
        if self.conn is not None:
            try:
                self.conn.exec_driver_sql(f"SELECT pg_advisory_unlock({PG_KEY})")
                self.conn.close()
            except DBAPIError:
                self.conn.invalidate()  # closing the session drops the lock
            self.conn = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _stale(holder: Holder, policy: LockPolicy) -> str | None:
    """Why a recorded SQLite holder no longer holds the lock, or None while it does."""
    if process_gone(holder):
        return "its process is gone"
    silent = (_now() - holder.heartbeat_at).total_seconds()
    if silent > policy.stale_after:
        return f"no heartbeat for {silent:.0f}s (more than INSIGHTS_LOCK_STALE_AFTER)"
    return None


def _recovered(holder: Holder, why: str, policy: LockPolicy) -> None:
    log.warning("recovered a stale job lock: %s (%s): %s", holder.job, holder.describe(), why)
    if policy.on_recover:
        policy.on_recover(holder, why)


def _backend(engine: Engine) -> _SqliteLock | _PostgresLock | None:
    """The lock of the store; None for an in-memory store (no other process can see it)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            return None
        return _SqliteLock(Path(database))
    if engine.dialect.name == "postgresql":
        return _PostgresLock(engine)
    raise ValueError(f"the job lock supports SQLite and PostgreSQL, not {engine.dialect.name}")


# --------------------------------------------------------------------------- the lock


@dataclass
class _Held:
    holder: Holder
    stop: threading.Event = field(default_factory=threading.Event)


_held: dict[str, _Held] = {}
_registry = threading.Lock()


def _heartbeat(backend: _SqliteLock | _PostgresLock, held: _Held, every: float) -> None:
    while not held.stop.wait(every):
        try:
            if not backend.beat(held.holder):
                log.error(
                    "the %s lost its job lock (taken over as stale): another job may now run",
                    held.holder.job,
                )
                return
        except Exception as exc:  # a beat that fails is retried at the next one
            log.warning("job lock heartbeat failed: %s", exc)


@contextmanager
def job_lock(engine: Engine, job: str, policy: LockPolicy) -> Iterator[Holder]:
    """Hold the store-wide lock for `job` ("refresh", "backup", "restore") while the block runs.

    Busy: with ``policy.wait`` tries every second, telling ``policy.on_wait`` once who it waits
    for; without it raises :class:`JobBusy` naming the holder. Released when the block ends,
    however it ends; a killed process's lock is recovered by the next job (see the module).
    """
    backend = _backend(engine)
    if backend is None:
        yield Holder(job, socket.gethostname(), os.getpid(), _now(), _now())
        return
    with _registry:
        mine = _held.get(backend.key)
    if mine is not None:  # this process holds it: the outer block releases it
        yield mine.holder
        return

    token, told = uuid.uuid4().hex, False
    try:
        while True:
            me = Holder(job, socket.gethostname(), os.getpid(), _now(), _now(), token)
            holder = backend.try_take(me, policy)
            if holder is None:
                break
            if not policy.wait:
                raise JobBusy(holder)
            if not told:
                log.info(waiting_message(holder))
                if policy.on_wait:
                    policy.on_wait(holder)
                told = True
            time.sleep(POLL)
    except BaseException:
        if isinstance(backend, _PostgresLock):
            backend.close()
        raise
    held = _Held(me)
    with _registry:
        _held[backend.key] = held
    beating = threading.Thread(
        target=_heartbeat, args=(backend, held, policy.heartbeat), daemon=True, name="job-lock"
    )
    beating.start()
    try:
        yield me
    finally:
        held.stop.set()
        beating.join(timeout=policy.heartbeat + 5)
        with _registry:
            _held.pop(backend.key, None)
        backend.release(me)


def current_holder(engine: Engine) -> Holder | None:
    """Who holds the lock now, as recorded (None: nobody)."""
    backend = _backend(engine)
    return backend.current() if backend is not None else None
