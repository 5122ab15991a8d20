"""Backup and restore on both backends: everything comes back exactly, a store with data is not
overwritten by accident, old backups are migrated, newer ones refused."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from typer.testing import CliRunner

from insights.cli.main import app
from insights.ingest.load import ingest_file
from insights.jobs import backup as bk
from insights.people.annotate import annotate, get_notes
from insights.settings import load_settings
from insights.store.db import connect, current_revision, make_engine, session_scope, upgrade
from insights.store.models import AuditEntry, Batch, Run, Theme, Ticket
from tests.test_ingest import GOOD, write_csv

runner = CliRunner()
NOTE = "Refunds stuck at the bank: TH payments team owns it — ติดตามกับธนาคาร"


def _counts(engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model))
            for model in (Ticket, Batch, Theme, AuditEntry)
        }


def _store_with_data(db_url: str, tmp_path: Path):
    engine = connect(db_url)
    ingest_file(engine, write_csv(tmp_path / "t.csv", GOOD), load_settings())
    now = datetime(2026, 7, 1)
    with session_scope(engine) as s:
        s.add(Run(mode="full", status="ok", model_id="m", parameters={}, stats={}, started_at=now))
        s.flush()
        run_id = s.scalar(select(Run.id))
        s.add(
            Theme(
                label="refund missing", status="active", created_run_id=run_id, last_run_id=run_id
            )
        )
    theme_id = _theme_id(engine)
    annotate(engine, theme_id, "lead@shop.co", note=NOTE, tags=["refunds", "bank"], owner="ana")
    return engine, theme_id


def _theme_id(engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(Theme.id))


def _reset(db_url: str) -> None:
    """An empty database where the store was (a new server or a lost file)."""
    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        path = Path(engine.url.database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def test_backup_change_restore_gives_everything_back(db_url, tmp_path):
    engine, theme_id = _store_with_data(db_url, tmp_path)
    before = _counts(engine)
    texts_before = sorted(_texts(engine))
    out = tmp_path / "backups" / "store.bak"
    result = runner.invoke(app, ["backup", "--out", str(out), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "4 tickets" in result.stdout and out.is_file()

    # the store changes after the backup: tickets deleted and edited, the note rewritten
    annotate(engine, theme_id, "someone", note="overwritten", tags=[])
    with session_scope(engine) as s:
        s.execute(delete(Ticket).where(Ticket.external_id == "a1"))
        s.execute(update(Ticket).where(Ticket.external_id == "a2").values(text="edited"))
    assert _counts(engine) != before

    refused = runner.invoke(app, ["restore", str(out), "--db", db_url])
    assert refused.exit_code == 2
    assert "--force" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert get_notes(engine, theme_id).note == "overwritten"  # nothing touched

    engine.dispose()
    restored = runner.invoke(app, ["restore", str(out), "--force", "--db", db_url])
    assert restored.exit_code == 0, restored.output
    engine = connect(db_url)
    assert _counts(engine) == before
    assert sorted(_texts(engine)) == texts_before
    notes = get_notes(engine, theme_id)
    assert (notes.note, notes.tags, notes.owner) == (NOTE, ["refunds", "bank"], "ana")
    # ids continue after the restored rows (PostgreSQL sequences came back too)
    ingest_file(engine, write_csv(tmp_path / "n.csv", [["n1", *GOOD[0][1:]]]), load_settings())
    assert _counts(engine)["tickets"] == before["tickets"] + 1


def _texts(engine) -> list[str]:
    with session_scope(engine) as s:
        return list(s.scalars(select(Ticket.text)))


def test_backup_sees_committed_data_only_while_a_writer_is_busy(db_url, tmp_path):
    """What a running app or refresh has not committed is not in the backup; what it committed
    is, even when it still sits in SQLite's write-ahead log."""
    engine, _ = _store_with_data(db_url, tmp_path)
    with engine.connect() as conn:
        trans = conn.begin()
        conn.execute(
            insert(Ticket).values(
                source="default",
                external_id="uncommitted",
                created_at=datetime(2026, 6, 1),
                text="not yet committed",
                language="en",
                language_confidence=1.0,
                language_detected=False,
                attributes={},
                truncated=False,
                content_hash="c",
                row_hash="r",
                batch_id=1,
                ingested_at=datetime(2026, 6, 1),
                updated_at=datetime(2026, 6, 1),
            )
        )
        result = bk.backup(db_url, tmp_path / "hot.bak")
        trans.rollback()
    assert result.tickets == 4
    if engine.dialect.name == "sqlite":
        assert not Path(f"{tmp_path / 'hot.bak'}-wal").exists()  # one self-contained file
    engine.dispose()
    _reset(db_url)
    bk.restore(db_url, tmp_path / "hot.bak")
    engine = connect(db_url)
    assert "uncommitted" not in {t.external_id for t in _tickets(engine)}
    assert _counts(engine)["tickets"] == 4


def _tickets(engine) -> list[Ticket]:
    with session_scope(engine) as s:
        return list(s.scalars(select(Ticket)))


def test_old_backup_is_migrated_after_restore(empty_db_url, tmp_path):
    db_url = empty_db_url
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO batches (source_path, source, file_sha256, started_at) "
                "VALUES ('old.csv', 'default', 'x', '2026-01-01 00:00:00')"
            )
        )
    result = bk.backup(db_url, tmp_path / "old.bak")
    assert result.revision == "0001"
    assert current_revision(engine) == "0001"  # a backup never migrates the store it copies
    engine.dispose()
    _reset(db_url)
    connect(db_url).dispose()  # a fresh store at the latest revision, no data: no --force needed
    restored = bk.restore(db_url, tmp_path / "old.bak")
    head = bk._known_revisions()[1]
    assert (restored.backup_revision, restored.revision, restored.migrated) == ("0001", head, True)
    engine = connect(db_url)
    assert current_revision(engine) == head
    with session_scope(engine) as s:
        assert s.scalars(select(Batch.source_path)).all() == ["old.csv"]
        assert s.scalar(select(func.count()).select_from(Run)) == 0  # tables of later revisions


def test_backup_from_a_newer_version_is_refused(db_url, tmp_path):
    engine, _ = _store_with_data(db_url, tmp_path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    bk.backup(db_url, tmp_path / "new.bak")
    engine.dispose()
    _reset(db_url)
    result = runner.invoke(app, ["restore", str(tmp_path / "new.bak"), "--db", db_url])
    assert result.exit_code == 2
    assert "9999" in result.stderr and "newer" in result.stderr


def test_backup_of_the_other_backend_and_junk_are_one_line_errors(db_url, tmp_path):
    other = tmp_path / "other.bak"
    if db_url.startswith("sqlite"):
        other.write_bytes(bk.PGDUMP_MAGIC + b"\x01" * 100)
    else:
        other.write_bytes(bk.SQLITE_MAGIC + b"\x00" * 100)
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"hello, not a backup\n")
    for path, message in ((other, "backup but the store is"), (junk, "not a backup")):
        result = runner.invoke(app, ["restore", str(path), "--db", db_url])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    missing = runner.invoke(app, ["restore", str(tmp_path / "nope.bak"), "--db", db_url])
    assert missing.exit_code == 2 and "no such backup file" in missing.stderr


def test_backup_of_a_store_that_does_not_exist_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'never.db'}"
    result = runner.invoke(app, ["backup", "--out", str(tmp_path / "x.bak"), "--db", url])
    assert result.exit_code == 2 and "not a ticket-insights store" in result.stderr
    assert not (tmp_path / "x.bak").exists()


def test_missing_pg_tools_name_what_to_install(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(bk.glob, "glob", lambda pattern: [])
    with pytest.raises(bk.BackupError, match="postgresql-client") as info:
        bk.find_pg_tool("pg_dump")
    assert "\n" not in str(info.value)
    monkeypatch.setattr(
        bk.glob,
        "glob",
        lambda pattern: [
            "/usr/lib/postgresql/9.6/bin/pg_dump",
            "/usr/lib/postgresql/16/bin/pg_dump",
        ],
    )
    assert bk.find_pg_tool("pg_dump") == "/usr/lib/postgresql/16/bin/pg_dump"
