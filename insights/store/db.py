"""Engine creation and schema migration; every stage gets its session from here."""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")
#: PostgreSQL's "try again" errors: serialization failure, deadlock, lock not available.
RETRY_SQLSTATES = {"40001", "40P01", "55P03"}
#: Every engine this process made, so that an exiting command can close them all.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


class StoreError(Exception):
    """The store cannot be opened or migrated; the message is one line for the user."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"cannot parse database URL {url!r} (--db / INSIGHTS_DB_URL)") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except Exception as exc:  # driver missing or bad options
            raise StoreError(f"cannot use database URL {parsed!r}: {exc}") from None
    _ENGINES.add(engine)
    return engine


def dispose_engines() -> None:
    """Close the pooled connections of every engine this process made (SQLite checkpoints its
    write-ahead log when the last one closes): for a process about to exit without collecting
    its garbage (insights.cli.main.main)."""
    for engine in list(_ENGINES):
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def newest_migration() -> str:
    """The newest migration file's stem, which is its revision id (a test checks that it is
    alembic's head): lets a store that is up to date open without
    importing alembic and reading every migration script (~1 s, most of a first app render)."""
    return max(p.stem for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def _stamped(engine: Engine) -> str | None:
    """The store's alembic revision by plain SQL (None when it has none or no table yet)."""
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            found = list(versions)
    except DBAPIError:
        return None
    return found[0] if len(found) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    if revision == "head" and _stamped(engine) == newest_migration():
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if revision == "head" and current_revision(engine) == head:
        return
    command.upgrade(cfg, revision)


def connect(url: str, migrate: bool = True) -> Engine:
    """Open the store at `url`, bringing its schema up to date."""
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
    except Exception as exc:
        engine.dispose()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot open the store at {engine.url!r}: {first}") from None
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def write_scope(engine: Engine) -> Iterator[Session]:
    """One short read-modify-write transaction whose reads cannot go stale before its write.

    SQLite: ``BEGIN IMMEDIATE`` takes the write lock before the first read, waiting for any
    other writer (busy_timeout). Without it the reads run before the lock and a concurrent
    change is silently overwritten; and a read transaction that later upgrades to a write fails
    at once with "database is locked" when another connection wrote meanwhile: busy_timeout
    does not cover that case. PostgreSQL: callers lock the rows they read (``FOR UPDATE``).
    """
    with session_scope(engine) as session:
        if engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield session


def is_contention(exc: BaseException) -> bool:
    """Did the store refuse because another transaction got there first (worth a retry)?"""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRY_SQLSTATES:
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database table is locked" in message


def retry_on_contention(fn: Callable[[], T], attempts: int = 4, delay: float = 0.2) -> T:
    """Run the transaction ``fn`` again (with jittered backoff) when the store was busy.

    ``fn`` must be one whole transaction, so a retry never repeats half of one. After the
    last attempt the error propagates: callers turn it into a one-line message.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except DBAPIError as exc:
            if attempt == attempts - 1 or not is_contention(exc):
                raise
            time.sleep(delay * 2**attempt * (0.5 + random.random()))
    raise AssertionError("unreachable")
