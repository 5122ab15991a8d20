"""Commands that move data in and out of the store: ingest, export, backup, restore."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from insights.cli.common import (
    DbOption,
    WaitOption,
    app,
    busy,
    export_app,
    fail,
    lock_policy,
    open_store,
    out,
    read_settings,
    spinner,
)
from insights.ingest.mapping import load_mapping
from insights.ingest.read import FileError

T = TypeVar("T")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV, TSV, JSONL or Parquet files (.gz too)")],
    kind: Annotated[
        str | None, typer.Option(help="buyer or seller, for rows without a kind column")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="JSON file mapping this export's columns to ours")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object per file")] = False,
    db: DbOption = None,
) -> None:
    """Validate, redact, detect language and store tickets; bad rows go to quarantine."""
    from insights.ingest.load import ingest_file

    if kind is not None and kind not in ("buyer", "seller"):
        raise fail(f"--kind must be buyer or seller, not {kind!r}")
    try:
        column_map = load_mapping(mapping)
    except FileError as exc:
        raise fail(str(exc)) from None
    settings, engine = open_store(db)
    failed = False
    for path in paths:
        try:
            with spinner(not as_json) as progress:
                task = progress.add_task(f"ingesting {path.name}", total=None)
                result = ingest_file(
                    engine,
                    path,
                    settings,
                    kind=kind,
                    mapping=column_map,
                    on_rows=lambda n, task=task, name=path.name: progress.update(
                        task, description=f"ingesting {name}: {n:,} rows"
                    ),
                )
        except FileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
            continue
        if as_json:
            print(json.dumps(result.counts()))
            if result.truncated:
                print(f"note: {result.truncated} over-long text(s) truncated", file=sys.stderr)
            if result.messages_dropped:
                print(_capped_note(result.messages_dropped), file=sys.stderr)
        else:
            _print_ingest(result)
    if failed:
        raise typer.Exit(2)


def _print_ingest(result) -> None:
    table = Table(title=f"{result.path} (batch {result.batch_id})", title_justify="left")
    for name in ("read", "new", "updated", "duplicates", "quarantined"):
        table.add_column(name, justify="right")
    table.add_row(
        *(
            f"{result.counts()[k]:,}"
            for k in ("read", "new", "updated", "duplicates", "quarantined")
        )
    )
    out.print(table)
    if result.reasons:
        reasons = ", ".join(f"{k}: {v}" for k, v in result.reasons.most_common())
        out.print(f"quarantined by reason: {reasons}")
    if result.truncated:
        out.print(
            f"truncated: {result.truncated} text(s) longer than the limit (INSIGHTS_MAX_TEXT_CHARS)"
        )
    if result.messages_dropped:
        out.print(_capped_note(result.messages_dropped))


def _capped_note(n: int) -> str:
    return (
        f"note: {n:,} message(s) of over-long conversations capped (not kept; each ticket's "
        "thread counts them)"
    )


OutOption = Annotated[Path, typer.Option("--out", help="CSV file to write")]


def _export(what: str, out_path: Path, db: str | None) -> None:
    from insights.views import export

    _, engine = open_store(db)
    try:
        n = getattr(export, f"export_{what}")(engine, out_path)
    except OSError as exc:
        raise fail(f"{out_path}: cannot write ({exc.strerror or exc})") from None
    out.print(f"wrote {n:,} {what} to {out_path}")


@export_app.command("tickets")
def export_tickets_cmd(out_path: OutOption, db: DbOption = None) -> None:
    """ticket_id,created_at,language,kind,region,channel,text (text as stored, redacted)."""
    _export("tickets", out_path, db)


@export_app.command("assignments")
def export_assignments_cmd(out_path: OutOption, db: DbOption = None) -> None:
    """ticket_id,theme_id,theme_title for every ticket (theme_id empty when unthemed)."""
    _export("assignments", out_path, db)


def _copying(label: str, path: Path, verb: str, copy: Callable[[Callable], T]) -> T:
    """Run a backup or restore with a progress bar; its errors are one line, exit 2."""
    from insights.jobs.backup import BackupError
    from insights.jobs.lock import JobBusy
    from insights.store.db import StoreError

    try:
        with spinner(bar=True) as progress:
            task = progress.add_task(label, total=None)
            return copy(lambda done, total: progress.update(task, completed=done, total=total))
    except JobBusy as exc:
        raise busy(exc) from None
    except (BackupError, StoreError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{path}: cannot {verb} ({exc.strerror or exc})") from None


@app.command()
def backup(
    out_path: Annotated[Path, typer.Option("--out", help="backup file to write (replaced)")],
    wait: WaitOption = True,
    db: DbOption = None,
) -> None:
    """Write a consistent copy of the store to FILE, safe while the app runs (SQLite: online
    backup API; PostgreSQL: pg_dump --format=custom); waits for a running refresh first."""
    from insights.jobs.backup import backup as run_backup

    settings = read_settings(db)
    url, policy = settings.store.db_url, lock_policy(settings, wait)
    result = _copying(
        f"backing up to {out_path.name}",
        out_path,
        "write",
        lambda on_progress: run_backup(url, out_path, on_progress=on_progress, policy=policy),
    )
    out.print(
        f"backed up the {result.backend} store (schema {result.revision}, "
        f"{result.tickets:,} tickets) to {result.path} ({result.bytes / 1e6:,.1f} MB)"
    )


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="a file written by `insights backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="replace a store that already holds data")
    ] = False,
    wait: WaitOption = True,
    db: DbOption = None,
) -> None:
    """Replace the store with a backup, then migrate it to this version's schema. Refuses a
    store that holds data unless --force, and a backup from a newer version. Never runs under
    a refresh or backup: waits for it (or, with --no-wait, says so and exits)."""
    from insights.jobs.backup import restore as run_restore

    settings = read_settings(db)
    url, policy = settings.store.db_url, lock_policy(settings, wait)
    result = _copying(
        f"restoring {path.name}",
        path,
        "read",
        lambda on_progress: run_restore(
            url, path, force=force, on_progress=on_progress, policy=policy
        ),
    )
    migrated = (
        f", migrated {result.backup_revision} -> {result.revision}" if result.migrated else ""
    )
    out.print(
        f"restored {result.path} into the {result.backend} store "
        f"({result.tickets:,} tickets, schema {result.revision}{migrated})"
    )
