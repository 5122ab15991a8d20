"""The daily alert run: check the days (insights.jobs.alerts), then send what is due, one message
per subscription: a Slack-compatible webhook post (``text`` plus ``blocks``) or a mail (plain
text and HTML). :func:`run_alerts` is the one entry point for `insights alerts run` and the
`daily-alerts` flow.

Sending reuses the digest's delivery (insights.digest.deliver): its mail server and security,
its tries, backoff and timeout (INSIGHTS_SMTP_*, INSIGHTS_DIGEST_TRIES / _BACKOFF / _TIMEOUT),
and its one-line errors that never show a webhook's path or a password. A send that still
fails leaves its deliveries ``failed`` with that line; the next run sends them again, together
with anything new for the same subscription. A crash between a send and its recording means
that message is sent again: at least once, never lost.

The run holds the store's job lock (insights.jobs.lock), like refresh, backup and restore: a
run started while a refresh writes waits for it and then checks the fresh themes, and two runs
never send the same delivery twice. A dry run takes no lock: it writes nothing.

Privacy: an alert names a theme, a region, a day and counts, never a ticket; cells under the
digest's floor (INSIGHTS_DIGEST_MIN_GROUP) are never tested, so never alerted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from insights.digest.deliver import DeliveryError, build_message, post_json, send_mail
from insights.digest.render import h, slack_escape
from insights.jobs.alerts import (
    AlertDayError,
    DayOutcome,
    Outbox,
    alert_params,
    check_days,
    due_deliveries,
    newest_day,
    plan_days,
    record_delivery,
)
from insights.jobs.lock import LockPolicy, job_lock
from insights.settings import Settings
from insights.views.alerts import current_alert_titles
from insights.views.frame import load_frame
from insights.views.weekly import trend_params

__all__ = [
    "AlertDayError",
    "AlertRun",
    "SendOutcome",
    "mail_parts",
    "run_alerts",
    "send_due",
    "webhook_payload",
]
#: Slack allows 50 blocks a message: a header, this many alerts, a "more" line and a footer.
MAX_BLOCK_ALERTS = 40
CONTRACT = ("theme_id", "title", "region", "day", "count", "expected", "q_value", "kind", "p_value")


@dataclass
class SendOutcome:
    """One subscription's message: sent, or the one-line reason it was not."""

    subscription_id: int
    region: str
    channel: str
    target: str  # as shown: a webhook without its path
    n_alerts: int
    attempts: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict:
        return {
            "subscription_id": self.subscription_id,
            "region": self.region,
            "channel": self.channel,
            "target": self.target,
            "alerts": self.n_alerts,
            "attempts": self.attempts,
            "status": "sent" if self.ok else "failed",
            "error": self.error,
        }


@dataclass
class AlertRun:
    """What one run did. ``alerts``: the new alerts it announced (the CLI's JSON contract), not
    those of a first run's silent catch-up days (counted in ``silent``)."""

    days: list[DayOutcome] = field(default_factory=list)
    sent: list[SendOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def alerts(self) -> list[dict]:
        return [
            {k: a.get(k) for k in CONTRACT} for d in self.days if not d.silent for a in d.alerts
        ]

    @property
    def silent(self) -> int:
        return sum(len(d.alerts) for d in self.days if d.silent)

    @property
    def queued(self) -> int:
        return sum(d.queued for d in self.days)

    @property
    def checked(self) -> list[date]:
        return [d.day for d in self.days if not d.skipped]

    @property
    def errors(self) -> list[str]:
        return [s.error for s in self.sent if s.error]

    def as_dict(self) -> dict:
        return {
            "days": [d.isoformat() for d in self.checked],
            "alerts": self.alerts,
            "silent": self.silent,
            "queued": self.queued,
            "sent": [s.as_dict() for s in self.sent],
            "errors": self.errors,
            "notes": list(self.notes),
            "dry_run": self.dry_run,
        }


# --------------------------------------------------------------------------- messages


def _title(alert: dict, titles: dict[int, str]) -> str:
    return titles.get(alert.get("theme_id")) or alert.get("title") or f"theme {alert['theme_id']}"


def _where(alert: dict) -> str:
    kind = f" {alert['kind']}" if alert.get("kind") else ""
    return f"{alert['region']}{kind}"


def _numbers(alert: dict) -> str:
    expected = float(alert.get("expected") or 0.0)
    ratio = f"{alert['count'] / expected:.1f}x " if expected > 0 else ""
    return (
        f"{alert['count']} tickets on {alert['day']}, {ratio}the expected {expected:.1f} "
        f"(q {float(alert.get('q_value') or 0):.2g})"
    )


def _headline(alerts: list[dict], region: str) -> str:
    n = len(alerts)
    return f"{n} new ticket spike{'s' if n != 1 else ''} in {region}"


def webhook_payload(
    alerts: list[dict], region: str, settings: Settings, titles: dict[int, str]
) -> dict:
    """Slack-compatible JSON: ``text`` (the notification line, and what plain chat webhooks
    show) and ``blocks`` (a header, one section per alert linking to the app, a footer)."""
    lines = [
        f"• {slack_escape(_title(a, titles))} ({slack_escape(_where(a))}): {_numbers(a)}"
        for a in alerts
    ]
    text = f"{_headline(alerts, slack_escape(region))}\n" + "\n".join(lines)
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _headline(alerts, region)[:150]},
        }
    ]
    for a in alerts[:MAX_BLOCK_ALERTS]:
        url = settings.app.theme_url(int(a["theme_id"]))
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*<{url}|{slack_escape(_title(a, titles))}>* "
                    f"({slack_escape(_where(a))})\n{_numbers(a)}",
                },
            }
        )
    if len(alerts) > MAX_BLOCK_ALERTS:
        more = len(alerts) - MAX_BLOCK_ALERTS
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"... and {more} more"}}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "ticket-insights daily alerts: each spike once, when it starts",
                }
            ],
        }
    )
    return {"text": text, "blocks": blocks}


def mail_parts(
    alerts: list[dict], region: str, settings: Settings, titles: dict[int, str]
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of an alert mail."""
    days = sorted({str(a["day"]) for a in alerts})
    when = days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"
    subject = f"Ticket alerts: {_headline(alerts, region)} ({when})"
    text_lines = [_headline(alerts, region), ""]
    rows = []
    for a in alerts:
        url = settings.app.theme_url(int(a["theme_id"]))
        title = _title(a, titles)
        text_lines += [f"- {title} ({_where(a)}): {_numbers(a)}", f"  {url}"]
        rows.append(
            f'<tr><td><a href="{h(url)}">{h(title)}</a></td><td>{h(_where(a))}</td>'
            f"<td>{h(a['day'])}</td><td>{int(a['count'])}</td>"
            f"<td>{float(a.get('expected') or 0):.1f}</td>"
            f"<td>{float(a.get('q_value') or 0):.2g}</td></tr>"
        )
    footer = "ticket-insights daily alerts: each spike once, when it starts."
    text = "\n".join([*text_lines, "", footer]) + "\n"
    html = (
        f"<html><body><h2>{h(_headline(alerts, region))}</h2>"
        "<table><tr><th>Theme</th><th>Where</th><th>Day</th><th>Tickets</th>"
        "<th>Expected</th><th>q</th></tr>" + "".join(rows) + f"</table><p>{h(footer)}</p>"
        "</body></html>"
    )
    return subject, text, html


# --------------------------------------------------------------------------- sending


def _send(box: Outbox, settings: Settings, titles: dict[int, str]) -> int:
    """One message to one subscription; returns the attempts, raises DeliveryError."""
    sub, digest = box.subscription, settings.digest
    if sub.channel == "webhook":
        payload = webhook_payload(box.alerts, sub.region, settings, titles)
        return post_json(sub.target, payload, digest.tries, digest.backoff, digest.timeout)
    if not digest.smtp_host:
        raise DeliveryError("mail is not configured (INSIGHTS_SMTP_HOST)", 0)
    subject, text, html = mail_parts(box.alerts, sub.region, settings, titles)
    msg = build_message(subject, text, html, digest.smtp_from, (sub.target,))
    return send_mail(digest, msg, what="the alert")


def send_due(
    engine: Engine, settings: Settings, titles: dict[int, str] | None = None
) -> list[SendOutcome]:
    """Send every pending or failed delivery, one message per subscription; each outcome is
    recorded at once (a later failure does not undo an earlier send)."""
    titles = current_alert_titles(engine) if titles is None else titles
    outcomes = []
    for box in due_deliveries(engine):
        sub = box.subscription
        out = SendOutcome(sub.id, sub.region, sub.channel, sub.shown_target, len(box.alerts))
        try:
            out.attempts = _send(box, settings, titles)
            record_delivery(engine, box.delivery_ids, out.attempts)
        except DeliveryError as exc:
            out.attempts = exc.attempts
            out.error = (
                f"{exc}; {len(box.alerts)} alert(s) for subscription {sub.id} ({sub.region}) "
                "kept for the next run"
            )
            record_delivery(engine, box.delivery_ids, exc.attempts, str(exc))
        outcomes.append(out)
    return outcomes


def run_alerts(
    engine: Engine,
    settings: Settings,
    day: date | None = None,
    dry_run: bool = False,
    today: date | None = None,
    send: bool = True,
    lock: LockPolicy | None = None,
) -> AlertRun:
    """Check the days due (up to ``day``, default yesterday or the newest day with tickets:
    see insights.jobs.alerts), store episodes and queue deliveries, then (``send``) send
    everything due. ``dry_run``: compute only, store and send nothing.

    Raises AlertDayError (one line) for a ``day`` that cannot be checked yet. Delivery
    failures do not raise: they are in ``AlertRun.errors`` and stay queued.
    """
    if dry_run:
        return _check(engine, settings, day, today, dry_run=True)
    with job_lock(engine, "alerts", lock or LockPolicy.of(settings)):
        run = _check(engine, settings, day, today, dry_run=False)
        if send:
            run.sent = send_due(engine, settings)
        return run


def _check(
    engine: Engine, settings: Settings, day: date | None, today: date | None, dry_run: bool
) -> AlertRun:
    frame, _ = load_frame(engine, trend_params(settings))
    plan = plan_days(engine, settings, newest_day(frame), day, today)
    titles = current_alert_titles(engine)
    days = check_days(engine, frame, plan, alert_params(settings), titles, dry_run)
    notes = list(plan.notes)
    if day is not None and not frame.empty and newest_day(frame) is None:
        notes.append("no ticket has a region: alerts are per region, none can be found")
    skipped = [d.day for d in days if d.skipped]
    if skipped:
        notes.append(f"{len(skipped)} day(s) were checked by another run meanwhile: skipped")
    return AlertRun(days=days, notes=notes, dry_run=dry_run)
