"""The `insights` command line. Thin: parses options, calls the stages, prints results."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from insights.ingest.mapping import load_mapping
from insights.ingest.read import FileError
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


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line on stderr and return the exit to raise."""
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code)


def read_settings(db: str | None, **overrides: object) -> Settings:
    """Settings from the environment and `.env`, with the command's flags on top
    ("section.field" -> value); a bad value is one line and exit 2."""
    try:
        return load_settings(db, overrides)
    except ValueError as exc:
        raise fail(str(exc)) from None


def open_store(db: str | None, **overrides: object) -> tuple[Settings, object]:
    settings = read_settings(db, **overrides)
    try:
        return settings, connect(settings.store.db_url)
    except StoreError as exc:
        raise fail(str(exc)) from None


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
            with _progress(not as_json) as progress:
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
        else:
            _print_ingest(result)
    if failed:
        raise typer.Exit(2)


def _progress(enabled: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not enabled or not err.is_terminal,
    )


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


@export_app.command("tickets")
def export_tickets_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="CSV file to write")],
    db: DbOption = None,
) -> None:
    """ticket_id,created_at,language,kind,region,channel,text (text as stored, redacted)."""
    from insights.views.export import export_tickets

    _, engine = open_store(db)
    try:
        n = export_tickets(engine, out_path)
    except OSError as exc:
        raise fail(f"{out_path}: cannot write ({exc.strerror or exc})") from None
    out.print(f"wrote {n:,} tickets to {out_path}")


@export_app.command("assignments")
def export_assignments_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="CSV file to write")],
    db: DbOption = None,
) -> None:
    """ticket_id,theme_id,theme_title for every ticket (theme_id empty when unthemed)."""
    from insights.views.catalog import export_assignments

    _, engine = open_store(db)
    try:
        n = export_assignments(engine, out_path)
    except OSError as exc:
        raise fail(f"{out_path}: cannot write ({exc.strerror or exc})") from None
    out.print(f"wrote {n:,} assignments to {out_path}")


def _copy_progress(enabled: bool) -> Progress:
    from rich.progress import BarColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not enabled or not err.is_terminal,
    )


@app.command()
def backup(
    out_path: Annotated[Path, typer.Option("--out", help="backup file to write (replaced)")],
    db: DbOption = None,
) -> None:
    """Write a consistent copy of the store to FILE, safe while the app and refreshes run
    (SQLite: online backup API; PostgreSQL: pg_dump --format=custom)."""
    from insights.jobs.backup import BackupError
    from insights.jobs.backup import backup as run_backup
    from insights.store.db import StoreError

    settings = read_settings(db)
    try:
        with _copy_progress(True) as progress:
            task = progress.add_task(f"backing up to {out_path.name}", total=None)
            result = run_backup(
                settings.store.db_url,
                out_path,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except (BackupError, StoreError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{out_path}: cannot write ({exc.strerror or exc})") from None
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
    db: DbOption = None,
) -> None:
    """Replace the store with a backup, then migrate it to this version's schema. Refuses a
    store that holds data unless --force, and a backup from a newer version."""
    from insights.jobs.backup import BackupError
    from insights.jobs.backup import restore as run_restore
    from insights.store.db import StoreError

    settings = read_settings(db)
    try:
        with _copy_progress(True) as progress:
            task = progress.add_task(f"restoring {path.name}", total=None)
            result = run_restore(
                settings.store.db_url,
                path,
                force=force,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except (BackupError, StoreError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{path}: cannot read ({exc.strerror or exc})") from None
    migrated = (
        f", migrated {result.backup_revision} -> {result.revision}" if result.migrated else ""
    )
    out.print(
        f"restored {result.path} into the {result.backend} store "
        f"({result.tickets:,} tickets, schema {result.revision}{migrated})"
    )


class RefreshBars:
    """Progress bars of a refresh on stderr: a bar for embedding, a line per stage.

    Disabled without a terminal, so piped or captured output gets no extra stderr lines.
    `hooks` plugs into insights.jobs.refresh.refresh or the refresh flow (`insights refresh` lives
    in insights/cli/flows.py, because it runs the Prefect flow and this package never imports Prefect).
    """

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn

        from insights.jobs.refresh import Progress as Hooks

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
        self.hooks = Hooks(self._start_embedding, self._advance, self._stage)

    def _start_embedding(self, total: int) -> None:
        self._state["embed"] = self.progress.add_task("embedding tickets", total=total)

    def _advance(self, n: int) -> None:
        if "embed" in self._state:
            self.progress.advance(self._state["embed"], n)

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


@app.command()
def themes(
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    limit: Annotated[int | None, typer.Option(help="show at most N themes")] = None,
    week: Annotated[
        str | None,
        typer.Option(help="YYYY-Www (or `latest`): the week's ranked themes with trend statistics"),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="only this region (implies a weekly view)")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="buyer or seller (implies a weekly view)")
    ] = None,
    db: DbOption = None,
) -> None:
    """List the current themes, or with --week/--region/--kind the week's ranked themes."""
    if fmt not in ("table", "json", "csv"):
        raise fail(f"--format must be table, json or csv, not {fmt!r}")
    if kind is not None and kind not in ("buyer", "seller"):
        raise fail(f"--kind must be buyer or seller, not {kind!r}")
    if week is not None or region is not None or kind is not None:
        _weekly_themes(fmt, limit, None if week in (None, "latest") else week, region, kind, db)
        return
    from insights.views.catalog import current_themes

    _, engine = open_store(db)
    rows = current_themes(engine, limit)
    _emit(
        fmt,
        [r.as_dict() for r in rows],
        ["theme_id", "title", "keywords", "size", "languages"],
        "Themes (latest run)",
        "No themes yet: run `insights ingest FILE` and `insights refresh`.",
    )


def _weekly_themes(
    fmt: str,
    limit: int | None,
    week: str | None,
    region: str | None,
    kind: str | None,
    db: str | None,
) -> None:
    from insights.trends.series import TrendParams, parse_week
    from insights.views.weekly import week_report

    if week is not None:
        try:
            parse_week(week)
        except ValueError as exc:
            raise fail(str(exc)) from None
    settings, engine = open_store(db)
    report = week_report(
        engine,
        week,
        region=region.upper() if region else None,
        kind=kind,
        params=TrendParams.from_settings(settings.trends),
    )
    rows = report.themes[:limit] if limit else report.themes
    if report.out_of_range:
        print(
            f"note: {report.out_of_range} ticket(s) with dates in the future or decades back "
            "left out of trends",
            file=sys.stderr,
        )
    if report.message:
        print(f"note: {report.message}", file=sys.stderr)
    _emit(
        fmt,
        rows,
        [
            "theme_id",
            "title",
            "volume",
            "share",
            "growth",
            "spike",
            "q_value",
            "rank_score",
            "lifecycle",
            "regions",
        ],
        f"Ranked themes, week {report.week}"
        + (f", region {region}" if region else "")
        + (f", {kind}" if kind else ""),
        report.message or "No themes for this week.",
    )


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value[:6])
    if isinstance(value, dict):
        return " ".join(f"{k}:{v}" for k, v in list(value.items())[:6])
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def _csv_cell(value: object) -> str:
    """Numbers stay numbers (a negative growth is no formula); text is neutralised."""
    from insights.views.export import neutralise

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _cell(value)
    return neutralise(_cell(value))


def _emit(fmt: str, rows: list[dict], columns: list[str], title: str, empty: str) -> None:
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
        return
    if fmt == "csv":
        import csv as _csv

        writer = _csv.writer(sys.stdout)
        writer.writerow(columns)
        for r in rows:  # titles are typed by people: no cell may run as a spreadsheet formula
            writer.writerow([_csv_cell(r.get(c)) for c in columns])
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


@app.command()
def events(
    since: Annotated[str | None, typer.Option(help="only events on or after YYYY-MM-DD")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    db: DbOption = None,
) -> None:
    """Lifecycle events of themes: new, continued, merged, split, retired."""
    from datetime import date

    from insights.views.weekly import lifecycle_events

    since_date = None
    if since:
        try:
            since_date = date.fromisoformat(since)
        except ValueError:
            raise fail(f"--since must be a date like 2026-07-01, not {since!r}") from None
    _, engine = open_store(db)
    rows = lifecycle_events(engine, since_date)
    if fmt == "table":
        rows = [r for r in rows if r["event"] != "continued"] or rows
    _emit(
        fmt,
        rows,
        ["at", "run_id", "event", "theme_id", "title", "related_theme_id"],
        "Theme lifecycle events",
        "No lifecycle events yet: run `insights refresh`.",
    )


@app.command()
def digest(
    week: Annotated[
        str | None, typer.Option(help="YYYY-Www (default: the latest complete week)")
    ] = None,
    region: Annotated[str | None, typer.Option(help="only this region (e.g. TH)")] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="folder for the .md/.html files and charts")
    ] = Path("digests"),
    send: Annotated[
        bool,
        typer.Option(
            "--send", help="re-send pending digests, then mail / post this one (SMTP, webhook)"
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Build the weekly digest (new, rising, spiking, fading, top themes, per region), store it,
    write it to --out and with --send deliver it. Exit 1 when a delivery failed (the digest is
    stored unsent and the next --send run re-sends it); exit 2 for bad input or settings."""
    from insights.digest import DigestConfigError, build_and_deliver
    from insights.trends.series import parse_week

    if week == "latest":
        week = None
    if week is not None:
        try:
            parse_week(week)
        except ValueError as exc:
            raise fail(str(exc)) from None
    settings, engine = open_store(db)
    try:
        result = build_and_deliver(
            engine, settings, week=week, region=region, out_dir=out_dir, send=send
        )
    except (DigestConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{out_dir}: cannot write the digest ({exc.strerror or exc})") from None
    if result.content.message:
        print(f"note: {result.content.message}", file=sys.stderr)
    out.print(f"wrote {result.markdown_path} and {result.html_path} (digest id {result.digest_id})")
    if result.resent:
        out.print(f"re-sent {len(result.resent)} earlier digest(s): ids {result.resent}")
    if send and result.sent:
        out.print(f"sent digest {result.week}" + (f" {result.region}" if result.region else ""))
    for message in result.errors:
        print(f"error: {message}", file=sys.stderr)
    if result.errors:
        raise typer.Exit(1)


@app.command("app")
def app_cmd(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8501,
    host: Annotated[
        str, typer.Option(help="address to bind (0.0.0.0 exposes it to the network)")
    ] = "127.0.0.1",
    db: DbOption = None,
) -> None:
    """Start the Streamlit app (ranked themes, theme pages, tagging) and print its URL."""
    import importlib.util
    import subprocess

    from insights.settings import child_env

    if importlib.util.find_spec("streamlit") is None:
        raise fail("streamlit is not installed in this environment")
    settings, _ = open_store(db)  # migrates the store, and fails here with one line if it can't
    script = Path(__file__).resolve().parent.parent / "app" / "Home.py"
    if not script.is_file():
        raise fail(f"the app is not installed next to the package: {script} is missing")
    env = child_env(settings)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    print(f"ticket-insights app: http://{shown}:{port}  (Ctrl+C stops it)", flush=True)
    try:
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
