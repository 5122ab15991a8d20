"""`insights alerts ...`: subscriptions to the daily regional spike alerts, and the daily run.

Exit codes: 2 with one line on stderr for bad input (a malformed or not yet checkable day, a bad
URL or address, an unknown subscription); 1 when a delivery failed after its retries (the
reason on stderr; the alerts are stored and the next run sends them again); 0 otherwise.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated

import typer

from insights.cli.common import (
    ByOption,
    DbOption,
    WaitOption,
    app,
    busy,
    emit,
    fail,
    lock_policy,
    note,
    open_store,
    out,
    who_by,
)

alerts_app = typer.Typer(
    help="Daily regional spike alerts: subscribe a webhook or an address, run the check.",
    no_args_is_help=True,
)
app.add_typer(alerts_app, name="alerts")

SUBSCRIPTION_COLUMNS = ("id", "region", "kind", "channel", "target", "created_by", "created_at")
ALERT_COLUMNS = ("theme_id", "title", "region", "kind", "day", "count", "expected", "q_value")
LIST_FORMATS = ("table", "json", "csv")
RUN_FORMATS = ("table", "json")


def _format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise fail(f"--format must be {', '.join(allowed[:-1])} or {allowed[-1]}, not {fmt!r}")


@alerts_app.command()
def subscribe(
    region: Annotated[str, typer.Option("--region", help="region code, e.g. TH")] = "",
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="Slack-compatible webhook URL")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="e-mail address")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="only this kind's alerts: buyer or seller")
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Subscribe a webhook or an e-mail address to a region's daily spike alerts."""
    from insights.people.annotate import AnnotationError
    from insights.people.subscriptions import SubscriptionError, check_subscription, subscribe

    try:  # bad input is refused before the store is opened
        check_subscription(region, webhook, email, kind)
    except SubscriptionError as exc:
        raise fail(str(exc)) from None
    settings, engine = open_store(db)
    try:
        done = subscribe(engine, region, webhook=webhook, email=email, kind=kind, who=who_by(by))
    except AnnotationError as exc:  # SubscriptionError, or a busy store
        raise fail(str(exc)) from None
    for warning in done.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    sub = done.subscription
    if sub.channel == "email" and not settings.digest.smtp_host:
        print(
            "warning: INSIGHTS_SMTP_HOST is not set: mail alerts stay queued until it is",
            file=sys.stderr,
        )
    if done.created:
        scope = f"{sub.region}" + (f" ({sub.kind})" if sub.kind else "")
        out.print(
            f"subscription {sub.id}: {scope} alerts to {sub.channel} {sub.shown_target}",
            highlight=False,
            soft_wrap=True,
        )


@alerts_app.command()
def unsubscribe(
    subscription_id: Annotated[int, typer.Argument(help="id from `insights alerts list`")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Stop a subscription (its unsent alerts are dropped from the queue)."""
    from insights.people.annotate import AnnotationError
    from insights.people.subscriptions import unsubscribe

    _, engine = open_store(db)
    try:
        sub = unsubscribe(engine, subscription_id, who=who_by(by))
    except AnnotationError as exc:  # SubscriptionError, or a busy store
        raise fail(str(exc)) from None
    out.print(f"subscription {sub.id} removed ({sub.region}, {sub.channel} {sub.shown_target})")


@alerts_app.command("list")
def list_(
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    include_removed: Annotated[
        bool, typer.Option("--all", help="also removed subscriptions")
    ] = False,
    db: DbOption = None,
) -> None:
    """The subscriptions (webhook URLs shown without their secret path)."""
    from insights.people.subscriptions import list_subscriptions

    _format(fmt, LIST_FORMATS)
    _, engine = open_store(db)
    rows = [s.as_dict() for s in list_subscriptions(engine, include_removed)]
    columns = (*SUBSCRIPTION_COLUMNS, "active") if include_removed else SUBSCRIPTION_COLUMNS
    emit(
        fmt,
        rows,
        columns,
        "Alert subscriptions",
        "No subscriptions: `insights alerts subscribe --region R --webhook URL`.",
    )


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--day must be a date like 2026-07-01, not {value!r}") from None


@alerts_app.command()
def run(
    day: Annotated[
        str | None,
        typer.Option(
            "--day",
            help="YYYY-MM-DD: check the unchecked days up to this one (default: up to yesterday "
            "in INSIGHTS_TIMEZONE, or the newest day with tickets)",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="compute and print only: store and send nothing")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    wait: WaitOption = True,
    db: DbOption = None,
) -> None:
    """Check the days due for spikes per region (and kind), store the episodes, send each new
    spike once to its subscribers, and re-send what earlier runs could not deliver.
    `--format json` prints the new alerts as a JSON list."""
    from insights.digest.alerts import AlertDayError, run_alerts
    from insights.jobs.lock import JobBusy

    _format(fmt, RUN_FORMATS)
    when = _parse_day(day)
    settings, engine = open_store(db)
    try:
        result = run_alerts(
            engine, settings, when, dry_run=dry_run, lock=lock_policy(settings, wait)
        )
    except AlertDayError as exc:
        raise fail(str(exc)) from None
    except JobBusy as exc:
        raise busy(exc) from None
    for message in result.notes:
        note(message)
    if fmt == "json":
        print(json.dumps(result.alerts, ensure_ascii=False, indent=1, default=str))
    else:
        checked = result.checked
        span = (
            (f"{checked[0]}" if len(checked) == 1 else f"{checked[0]} to {checked[-1]}")
            if checked
            else "no day"
        )
        emit("table", result.alerts, ALERT_COLUMNS, f"New spikes ({span})", "No new spikes.")
        if result.silent:
            out.print(f"{result.silent} spike(s) on the first run's catch-up days stored, not sent")
    if dry_run:
        note(f"dry run: nothing stored or sent ({result.queued} delivery(ies) would be queued)")
    for s in result.sent:
        if s.ok:
            said = f"sent {s.n_alerts} alert(s) to subscription {s.subscription_id} ({s.channel} "
            said += f"{s.target})"
            if fmt == "json":
                note(said)
            else:
                out.print(said, highlight=False, soft_wrap=True)
    for message in result.errors:
        print(f"error: {message}", file=sys.stderr)
    if result.errors:
        raise typer.Exit(1)
