"""Commands that show what the store says: themes (current, or a week's ranking), lifecycle
events and the weekly digest. Every number comes from the read model (insights.views), the same
the app and the digest show."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from insights.cli.common import (
    DbOption,
    app,
    check_format,
    emit,
    fail,
    note,
    open_store,
    out,
)
from insights.views.export import EVENT_COLUMNS, RANKED_COLUMNS, THEME_COLUMNS

KINDS = ("buyer", "seller")


def _check_week(week: str | None) -> str | None:
    """None for the default week ("latest" too); exit 2 for a malformed one."""
    from insights.trends import parse_week

    if week in (None, "latest"):
        return None
    try:
        parse_week(week)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return week


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
    check_format(fmt)
    if kind is not None and kind not in KINDS:
        raise fail(f"--kind must be buyer or seller, not {kind!r}")
    if week is not None or region is not None or kind is not None:
        _weekly(fmt, limit, _check_week(week), region.upper() if region else None, kind, db)
        return
    from insights.views.themes import current_themes

    _, engine = open_store(db)
    emit(
        fmt,
        [r.as_dict() for r in current_themes(engine, limit)],
        THEME_COLUMNS,
        "Themes (latest run)",
        "No themes yet: run `insights ingest FILE` and `insights refresh`.",
    )


def _weekly(
    fmt: str, limit: int | None, week: str | None, region: str | None, kind: str | None, db
) -> None:
    from insights.views.ranked import Selection
    from insights.views.weekly import ranked_week

    settings, engine = open_store(db)
    ranked = ranked_week(engine, settings, week, Selection(region=region, kind=kind))
    rows = ranked.rows()[:limit] if limit else ranked.rows()
    if ranked.out_of_range:
        note(
            f"{ranked.out_of_range} ticket(s) with dates in the future or decades back "
            "left out of trends"
        )
    if ranked.message:
        note(ranked.message)
    title = f"Ranked themes, week {ranked.week}"
    title += (f", region {region}" if region else "") + (f", {kind}" if kind else "")
    emit(fmt, rows, RANKED_COLUMNS, title, ranked.message or "No themes for this week.")


@app.command()
def events(
    since: Annotated[str | None, typer.Option(help="only events on or after YYYY-MM-DD")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    db: DbOption = None,
) -> None:
    """Lifecycle events of themes: new, continued, merged, split, retired."""
    from insights.views.lifecycle import lifecycle_events

    check_format(fmt)
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
    emit(
        fmt,
        rows,
        EVENT_COLUMNS,
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

    week = _check_week(week)
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
        note(result.content.message)
    out.print(f"wrote {result.markdown_path} and {result.html_path} (digest id {result.digest_id})")
    if result.resent:
        out.print(f"re-sent {len(result.resent)} earlier digest(s): ids {result.resent}")
    if send and result.sent:
        out.print(f"sent digest {result.week}" + (f" {result.region}" if result.region else ""))
    for message in result.errors:
        print(f"error: {message}", file=sys.stderr)
    if result.errors:
        raise typer.Exit(1)
