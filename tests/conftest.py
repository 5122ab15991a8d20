"""Shared fixtures: every test gets its own store under a temp INSIGHTS_HOME, offline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Prefect's temporary server gets time to start on a busy machine (its default is 20 s); set
# here because test modules import Prefect before `flows` could set it.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
BENCHMARKS = REPO.parent / "shared" / "benchmarks"


@pytest.fixture(autouse=True)
def insights_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("INSIGHTS_HOME", str(home))
    monkeypatch.delenv("INSIGHTS_DB_URL", raising=False)
    return home


PG_URL = os.environ.get("INSIGHTS_TEST_PG_URL")


def _fresh_postgres(url: str) -> None:
    """Empty the test database: every test starts from a store with no schema."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, insights_home, monkeypatch) -> str:
    """A fresh store on each backend; also exported as INSIGHTS_DB_URL for CLI calls.

    PostgreSQL runs when INSIGHTS_TEST_PG_URL is set (CI always sets it: see .ci/run);
    locally it is skipped with a reason. In CI a missing URL is an error, not a skip.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{insights_home / 'insights.db'}"
    else:
        if not PG_URL:
            if os.environ.get("CI"):
                pytest.fail("CI must set INSIGHTS_TEST_PG_URL (see .ci/run)")
            pytest.skip(
                "no PostgreSQL: set INSIGHTS_TEST_PG_URL (bash .ci/start-postgres.sh prints one)"
            )
        _fresh_postgres(PG_URL)
        url = PG_URL
    monkeypatch.setenv("INSIGHTS_DB_URL", url)
    return url


def sync_sequences(engine) -> None:
    """Fixtures insert rows with explicit ids; on PostgreSQL move each id sequence past them so
    rows the code under test inserts later get fresh ids (SQLite needs nothing)."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import inspect, text

    with engine.begin() as conn:
        for table in inspect(conn).get_table_names():
            columns = {c["name"] for c in inspect(conn).get_columns(table)}
            if "id" not in columns:
                continue
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false) "
                    f"WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
                )
            )
