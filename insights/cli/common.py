"""What every command shares: the Typer app, the consoles, one-line errors, settings and the
store with the command's flags on top, progress bars, and table / JSON / CSV output."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Engine

from insights.jobs.lock import JobBusy, LockPolicy, job_lock, waiting_message
from insights.settings import Settings, load_settings
from insights.store.db import StoreError, connect

app = typer.Typer(
    help="Turn multilingual support tickets into stable, ranked product themes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
export_app = typer.Typer(help="Write what the store holds to CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")

out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLAlchemy URL of the store (default: INSIGHTS_DB_URL or a SQLite file)"
    ),
]
FORMATS = ("table", "json", "csv")


ByOption = Annotated[
    str | None,
    typer.Option("--by", help="who makes the change, for the audit log (default: your login)"),
]


def who_by(by: str | None) -> str:
    """Who the audit log names for a change made here: --by, else the operating-system user."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return "cli"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line on stderr and return the exit to raise."""
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code)


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def read_settings(db: str | None, **overrides: object) -> Settings:
    """Settings from the environment and `.env`, the command's flags on top ("section.field"
    -> value); a bad value is one line and exit 2."""
    try:
        return load_settings(db, overrides)
    except ValueError as exc:
        raise fail(str(exc)) from None


def open_store(db: str | None, **overrides: object) -> tuple[Settings, Engine]:
    settings = read_settings(db, **overrides)
    try:
        return settings, connect(settings.store.db_url)
    except StoreError as exc:
        raise fail(str(exc)) from None


WaitOption = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait",
        help="when a refresh, backup or restore is already running on the store: wait for it "
        "(default), or exit at once (0) saying so",
    ),
]


def _say_waiting(holder) -> None:
    print(waiting_message(holder), file=sys.stderr, flush=True)


def lock_policy(settings: Settings, wait: bool) -> LockPolicy:
    """The job lock as commands take it: say once (on stderr) who they wait for."""
    return LockPolicy.of(settings, wait=wait, on_wait=_say_waiting)


def busy(exc: JobBusy) -> typer.Exit:
    """--no-wait found a job running: say which (stdout) and exit 0, since nothing failed."""
    out.print(str(exc), highlight=False, soft_wrap=True)
    return typer.Exit(0)


@contextmanager
def guarded(engine: Engine, job: str, settings: Settings, wait: bool) -> Iterator[None]:
    """Hold the store's job lock (insights.jobs.lock) for the command's block."""
    try:
        with job_lock(engine, job, lock_policy(settings, wait)):
            yield
    except JobBusy as exc:
        raise busy(exc) from None


def spinner(enabled: bool = True, bar: bool = False) -> Progress:
    """A transient progress line on stderr, only on a terminal."""
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if bar:
        columns.append(BarColumn())
    return Progress(
        *columns,
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not enabled or not err.is_terminal,
    )


class RefreshBars:
    """Progress of a refresh on stderr: a bar for embedding, a line per stage; disabled without
    a terminal, so piped or captured output gets no extra lines. `hooks` plugs into
    insights.jobs.refresh.refresh or the refresh flow."""

    def __init__(self) -> None:
        from insights.records import Progress as Hooks

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=not err.is_terminal,
        )
        self._state: dict[str, object] = {}
        self.hooks = Hooks(self._start_embedding, self._advance, self._stage, self._build)

    def _start_embedding(self, total: int) -> None:
        self._state["embed"] = self.progress.add_task("embedding tickets", total=total)

    def _advance(self, n: int) -> None:
        if "embed" in self._state:
            self.progress.advance(self._state["embed"], n)

    def _build(self, step: str, done: float) -> None:
        if "build" not in self._state:
            self._finish_stage()
            self._state.pop("stage", None)
            self._state["build"] = self.progress.add_task(step, total=100)
        self.progress.update(self._state["build"], description=step, completed=round(100 * done))

    def _stage(self, name: str) -> None:
        self._finish_stage()
        self._state["stage"] = self.progress.add_task(name, total=None)

    def _finish_stage(self) -> None:
        if "stage" in self._state:
            self.progress.update(self._state["stage"], completed=1, total=1)

    def __enter__(self) -> RefreshBars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._finish_stage()
        self.progress.__exit__(*exc)


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise fail(f"--format must be table, json or csv, not {fmt!r}")


def _cell(value: object) -> str:
    """A table cell: lists and mappings shortened, numbers to three digits."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value[:6])
    if isinstance(value, dict):
        return " ".join(f"{k}:{v}" for k, v in list(value.items())[:6])
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def emit(fmt: str, rows: list[dict], columns: tuple[str, ...], title: str, empty: str) -> None:
    """Print rows as a table, JSON (every field) or CSV (`columns`, formulas neutralised)."""
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
        return
    if fmt == "csv":
        from insights.views.export import records_csv

        sys.stdout.write(records_csv(rows, columns))
        return
    if not rows:
        out.print(empty)
        return
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col)
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    out.print(table)
