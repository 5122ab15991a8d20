"""The daily alerts flow: check the days due for spikes per region, store the episodes, send
each new spike once (insights.digest.alerts), publish what it found as a markdown artifact.

Thin, like the other flows: `check-alert-days` and `deliver-alerts` are calls into insights/.
Checking is idempotent per day (a checked day is never checked again), so its task retries
safely; delivery retries inside each send (tries with backoff), and the task is retried on top
while some subscription still fails, as the weekly digest's `resend-pending` is. A failure
that outlasts the retries fails the flow run, after the artifact; the deliveries stay queued
and the next run sends them. The whole run holds the store's job lock (as a refresh does).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.refresh import IO_RETRIES, _engine
from insights.jobs.lock import LockPolicy, job_lock, waiting_message


class DeliveryFailed(RuntimeError):
    """Some subscription could not be reached; raised so that Prefect retries the task."""


def _worth_retrying(task: Any, task_run: Any, state: Any) -> bool:
    """Store trouble is retried; a day that cannot be checked yet is not (it stays so)."""
    from insights.digest.alerts import AlertDayError

    try:
        state.result()
    except AlertDayError:
        return False
    except Exception:
        return True
    return True


@task(
    name="check-alert-days",
    cache_policy=NO_CACHE,
    retry_condition_fn=_worth_retrying,
    **IO_RETRIES,
)
def check_alert_days(db_url: str | None, day: str | None, dry_run: bool) -> dict[str, Any]:
    """Check the days due (store episodes and queue deliveries unless ``dry_run``)."""
    from insights.digest.alerts import run_alerts

    settings, engine = _engine(db_url)
    when = date.fromisoformat(day) if day else None
    result = run_alerts(engine, settings, when, dry_run=dry_run, send=False)
    logger = get_run_logger()
    for message in result.notes:
        logger.info(message)
    logger.info(
        "checked %s: %d new spike(s)%s",
        ", ".join(d.isoformat() for d in result.checked) or "no day",
        len(result.alerts),
        f", {result.silent} recorded silently" if result.silent else "",
    )
    return result.as_dict()


@task(name="deliver-alerts", cache_policy=NO_CACHE, **IO_RETRIES)
def deliver_alerts(db_url: str | None) -> list[dict[str, Any]]:
    """Send every pending or failed delivery; raise while any fails so the retries kick in."""
    from insights.digest.alerts import send_due

    settings, engine = _engine(db_url)
    sent = send_due(engine, settings)
    failed = [s.error for s in sent if s.error]
    if failed:
        raise DeliveryFailed("; ".join(str(e) for e in failed))
    return [s.as_dict() for s in sent]


def alerts_markdown(report: dict[str, Any], sent: list[dict[str, Any]]) -> str:
    """The flow run's artifact: the days checked, the new spikes, the messages sent."""
    days = report["days"]
    lines = [
        "# Daily alerts",
        "",
        f"Days checked: {', '.join(days) if days else 'none'}"
        + (" (dry run: nothing stored or sent)" if report["dry_run"] else ""),
        "",
    ]
    lines += [f"- {n}" for n in report["notes"]]
    lines += ["", "## New spikes", ""]
    if report["alerts"]:
        lines += [
            "| theme | title | region | kind | day | count | expected | q |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for a in report["alerts"]:
            title = str(a["title"]).replace("|", "\\|")
            lines.append(
                f"| {a['theme_id']} | {title} | {a['region']} | {a.get('kind') or ''} | "
                f"{a['day']} | {a['count']} | {a['expected']:.1f} | {a['q_value']:.2g} |"
            )
    else:
        lines.append("None.")
    if report["silent"]:
        lines += [
            "",
            f"{report['silent']} spike(s) of a first run's catch-up days stored, not sent.",
        ]
    lines += ["", "## Messages", ""]
    lines += [
        f"- subscription {s['subscription_id']} ({s['region']}, {s['channel']} {s['target']}): "
        f"{s['alerts']} alert(s), {s['status']}"
        for s in sent
    ] or ["None due."]
    return "\n".join(lines) + "\n"


@flow(name="daily-alerts", log_prints=False)
def daily_alerts(
    day: str | None = None, dry_run: bool = False, db_url: str | None = None
) -> dict[str, Any]:
    """Check the days due up to ``day`` (YYYY-MM-DD; default: yesterday in INSIGHTS_TIMEZONE,
    or the newest day with tickets), store the spike episodes and send each new one to its
    subscribers; ``dry_run``: compute and publish only."""
    if day is not None:
        date.fromisoformat(day)  # a malformed day fails at once (ValueError), not after retries
    logger = get_run_logger()
    settings, engine = _engine(db_url)
    policy = LockPolicy.of(settings, on_wait=lambda holder: logger.info(waiting_message(holder)))
    if dry_run:
        report = check_alert_days(settings.store.db_url, day, True)
        create_markdown_artifact(
            key="daily-alerts", markdown=alerts_markdown(report, []), description="daily alerts"
        )
        return report
    with job_lock(engine, "alerts", policy):
        report = check_alert_days(settings.store.db_url, day, False)
        state = deliver_alerts(settings.store.db_url, return_state=True)
        sent = state.result(raise_on_failure=False) if state.is_completed() else []
        create_markdown_artifact(
            key="daily-alerts",
            markdown=alerts_markdown(report, sent),
            description="daily alerts: new spikes and messages sent",
        )
        if not state.is_completed():
            state.result()  # the delivery failure, after the artifact: the run fails with it
    report["sent"] = sent
    return report
