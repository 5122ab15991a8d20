"""`insights fix add|remove|list|impact`: mark that a fix shipped for a theme, and read what it
did. Writes go through insights.people.fixes (audited), numbers come from insights.views.fixes,
the same the app and the digest show."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from insights.cli.common import (
    ByOption,
    DbOption,
    app,
    check_format,
    emit,
    fail,
    note,
    open_store,
    out,
    who_by,
)

fix_app = typer.Typer(
    help="Fixes shipped for themes and their measured impact.", no_args_is_help=True
)
app.add_typer(fix_app, name="fix")


@fix_app.command("add")
def add(
    theme_id: Annotated[int, typer.Argument(help="the theme the fix is for")],
    fix_date: Annotated[str, typer.Option("--date", help="the day it shipped, YYYY-MM-DD")],
    note_text: Annotated[str, typer.Option("--note", help="what shipped (a sentence, a link)")],
    region: Annotated[str | None, typer.Option(help="only for this region (e.g. TH)")] = None,
    kind: Annotated[str | None, typer.Option(help="only for buyer or seller tickets")] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record that a fix for THEME_ID shipped on --date (audited). Refused, exit 2, for an
    unknown or merged theme, a date in the future or before the first ticket, a region or kind
    without tickets."""
    from insights.people.annotate import AnnotationError
    from insights.people.fixes import FixError, add_fix
    from insights.views.fixes import fix_verdicts, verdict_words
    from insights.views.weekly import trend_params

    settings, engine = open_store(db)
    try:
        fix = add_fix(
            engine,
            theme_id,
            fix_date,
            note_text,
            who_by(by),
            region=region,
            kind=kind,
            params=trend_params(settings),
        )
    except (FixError, AnnotationError) as exc:
        raise fail(str(exc)) from None
    where = "".join(f" {v}" for v in (fix.region, fix.kind) if v)
    out.print(
        f"recorded fix {fix.fix_id} for theme {fix.theme_id}{where} on {fix.fix_date}",
        highlight=False,
    )
    mine = [v for v in fix_verdicts(engine, settings, theme_id) if v.fix.fix_id == fix.fix_id]
    if mine:
        note(verdict_words(mine[0]))


@fix_app.command("remove")
def remove(
    fix_id: Annotated[int, typer.Argument(help="the fix's id (insights fix list)")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Delete a fix marked by mistake (the audit log keeps what it was)."""
    from insights.people.annotate import AnnotationError
    from insights.people.fixes import FixError, remove_fix

    _, engine = open_store(db)
    try:
        fix = remove_fix(engine, fix_id, who_by(by))
    except (FixError, AnnotationError) as exc:
        raise fail(str(exc)) from None
    out.print(f"removed fix {fix.fix_id} (theme {fix.theme_id}, {fix.fix_date})", highlight=False)


@fix_app.command("list")
def list_(
    theme: Annotated[int | None, typer.Option(help="only the fixes of this theme")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    db: DbOption = None,
) -> None:
    """Every fix with its verdict, newest first."""
    from insights.views.fixes import FIX_COLUMNS, FIX_TABLE_COLUMNS, fix_verdicts

    check_format(fmt)
    settings, engine = open_store(db)
    rows = [v.as_dict() for v in fix_verdicts(engine, settings, theme)]
    emit(
        fmt,
        rows,
        FIX_TABLE_COLUMNS if fmt == "table" else FIX_COLUMNS,
        "Fixes shipped",
        "No fixes recorded yet: insights fix add THEME_ID --date YYYY-MM-DD --note TEXT",
    )


@fix_app.command("impact")
def impact(
    theme_id: Annotated[int, typer.Argument(help="the theme whose latest fix to measure")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    db: DbOption = None,
) -> None:
    """The theme's rate before and after its latest fix: change, confidence interval, p-value
    and verdict (improved, worse, no change, too early). Exit 2 when it cannot be measured."""
    from insights.people.fixes import FixError
    from insights.views.fixes import latest_impact, verdict_words

    if fmt not in ("table", "json"):
        raise fail(f"--format must be table or json, not {fmt!r}")
    settings, engine = open_store(db)
    try:
        found = latest_impact(engine, settings, theme_id)
    except FixError as exc:
        raise fail(str(exc)) from None
    if found.impact is None:
        raise fail(
            f"fix {found.fix.fix_id} of theme {found.theme_id} ({found.fix.fix_date}) "
            f"cannot be measured: {found.reason}"
        )
    row = found.as_dict()
    if fmt == "json":
        print(json.dumps(row, ensure_ascii=False, indent=1, default=str))
        return
    table = Table(title=f"Fix {found.fix.fix_id}: theme {found.theme_id}", title_justify="left")
    table.add_column("")
    table.add_column("")
    for key, value in row.items():
        if value is not None and key != "reason":
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
            table.add_row(key, shown)
    out.print(table)
    out.print(verdict_words(found), highlight=False)
