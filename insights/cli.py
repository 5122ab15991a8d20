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

from insights.config import Settings, load_settings
from insights.ingest.mapping import load_mapping
from insights.ingest.read import FileError
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


def open_store(db: str | None) -> tuple[Settings, object]:
    try:
        settings = load_settings(db)
        return settings, connect(settings.db_url)
    except (StoreError, ValueError) as exc:
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
    from insights.export import export_tickets

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
    from insights.catalog import export_assignments

    _, engine = open_store(db)
    try:
        n = export_assignments(engine, out_path)
    except OSError as exc:
        raise fail(f"{out_path}: cannot write ({exc.strerror or exc})") from None
    out.print(f"wrote {n:,} assignments to {out_path}")


@app.command()
def refresh(db: DbOption = None) -> None:
    """Embed new tickets (cached), discover themes, keep their ids stable, write a run."""
    from rich.progress import BarColumn, MofNCompleteColumn

    from insights.embed import EmbedderError
    from insights.refresh import Progress as Hooks
    from insights.refresh import refresh as run_refresh

    settings, engine = open_store(db)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    state: dict[str, object] = {}

    def start_embedding(total: int) -> None:
        state["embed"] = progress.add_task("embedding tickets", total=total)

    def advance(n: int) -> None:
        progress.advance(state["embed"], n)

    def stage(name: str) -> None:
        if "stage" in state:
            progress.update(state["stage"], completed=1, total=1)
        state["stage"] = progress.add_task(name, total=None)

    try:
        with progress:
            result = run_refresh(engine, settings, Hooks(start_embedding, advance, stage))
            if "stage" in state:
                progress.update(state["stage"], completed=1, total=1)
    except EmbedderError as exc:
        raise fail(str(exc)) from None
    out.print(result.message)
    if result.run_id is not None:
        out.print(
            f"run {result.run_id}: embedded {result.n_embedded:,} new texts; "
            f"events {result.events or '{}'}; took {result.timings.get('total', 0):.1f}s"
        )


@app.command()
def themes(
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    limit: Annotated[int | None, typer.Option(help="show at most N themes")] = None,
    db: DbOption = None,
) -> None:
    """List the current themes: theme_id, title, keywords, size, languages."""
    from insights.catalog import current_themes

    if fmt not in ("table", "json", "csv"):
        raise fail(f"--format must be table, json or csv, not {fmt!r}")
    _, engine = open_store(db)
    rows = current_themes(engine, limit)
    if fmt == "json":
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    if fmt == "csv":
        import csv as _csv

        writer = _csv.writer(sys.stdout)
        writer.writerow(["theme_id", "title", "keywords", "size", "languages"])
        for r in rows:
            writer.writerow(
                [
                    r.theme_id,
                    r.title,
                    "; ".join(r.keywords),
                    r.size,
                    " ".join(f"{k}:{v}" for k, v in r.languages.items()),
                ]
            )
        return
    if not rows:
        out.print("No themes yet: run `insights ingest FILE` and `insights refresh`.")
        return
    table = Table(title="Themes (latest run)", title_justify="left")
    for col, just in (
        ("id", "right"),
        ("title", "left"),
        ("keywords", "left"),
        ("size", "right"),
        ("languages", "left"),
    ):
        table.add_column(col, justify=just)
    for r in rows:
        table.add_row(
            str(r.theme_id),
            r.title,
            ", ".join(r.keywords[:6]),
            f"{r.size:,}",
            " ".join(f"{k}:{v}" for k, v in list(r.languages.items())[:6]),
        )
    out.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
