"""The weekly digest: build it, store it, write it, deliver it.

:func:`build_and_deliver` is the one entry point for the CLI (`insights digest`) and the Prefect
flow. The order of its steps is what makes delivery safe: the digest is stored (status
``pending`` when it is to be sent) before any file is written or any server contacted, so a
crash or an unreachable server never loses it, and every later ``send=True`` call first
re-sends stored digests that are still pending, channel by channel (a digest whose mail went
out but whose webhook failed is only posted again, not mailed twice).

Delivery status lives in ``Digest.delivery``::

    {"status": "draft" | "pending" | "sent" | "superseded",
     "subject": ..., "summary": ...,           # what a re-send needs besides markdown/html
     "channels": {"mail": {"status": "sent" | "failed", "to": [...], "attempts": n,
                           "error": "...", "at": "..."},
                  "webhook": {...}}}

``draft``: built without ``send`` (a preview is never mailed later by surprise).
``superseded``: a newer digest of the same week and region replaced a pending one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from insights.digest.build import build_content
from insights.digest.content import DigestContent
from insights.digest.deliver import (
    DeliveryError,
    DigestConfigError,
    build_message,
    post_webhook,
    send_mail,
)
from insights.digest.render import (
    render_charts,
    render_html,
    render_markdown,
    render_summary,
    subject,
)
from insights.settings import DigestSettings, Settings
from insights.store.db import session_scope
from insights.store.models import Digest

__all__ = [
    "DeliveryError",
    "DigestConfigError",
    "DigestResult",
    "build_and_deliver",
    "channels_for",
    "resend_unsent",
]


@dataclass
class DigestResult:
    """What one call did. ``errors`` are one-line delivery failures (the digest is stored
    anyway); ``resent`` are ids of earlier pending digests delivered by this call."""

    digest_id: int
    week: str
    region: str | None
    content: DigestContent
    markdown: str
    html: str
    markdown_path: Path
    html_path: Path
    chart_paths: list[Path] = field(default_factory=list)
    status: str = "draft"
    errors: list[str] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)

    @property
    def sent(self) -> bool:
        return self.status == "sent"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def channels_for(settings: DigestSettings, region: str | None) -> list[str]:
    """The channels a send uses; raises :class:`DigestConfigError` when none is usable or
    mail is half configured (a host without recipients or the other way round)."""
    channels = []
    to = settings.recipients(region)
    if settings.smtp_host or to:
        if not settings.smtp_host:
            raise DigestConfigError("INSIGHTS_DIGEST_TO is set but INSIGHTS_SMTP_HOST is not")
        if not to:
            which = f"INSIGHTS_DIGEST_TO_{region.upper()} or " if region else ""
            raise DigestConfigError(
                f"INSIGHTS_SMTP_HOST is set but {which}INSIGHTS_DIGEST_TO is empty"
            )
        channels.append("mail")
    if settings.webhook:
        channels.append("webhook")
    if not channels:
        raise DigestConfigError(
            "--send needs INSIGHTS_SMTP_HOST and INSIGHTS_DIGEST_TO, or INSIGHTS_DIGEST_WEBHOOK"
        )
    return channels


def _file_stem(week: str, region: str | None) -> str:
    if not region:
        return f"digest-{week}"
    return f"digest-{week}-{re.sub(r'[^A-Za-z0-9_-]', '_', region)}"


def _deliver(session, digest: Digest, settings: DigestSettings) -> list[str]:
    """Try every channel of ``digest`` not yet sent; update its delivery status in place."""
    delivery = dict(digest.delivery or {})
    channels = {k: dict(v) for k, v in (delivery.get("channels") or {}).items()}
    errors = []
    for name, state in channels.items():
        if state.get("status") == "sent":
            continue
        state["at"] = _now().isoformat(timespec="seconds")
        try:
            if name == "mail":
                to = settings.recipients(digest.region)
                if not settings.smtp_host or not to:
                    raise DeliveryError("mail is no longer configured (INSIGHTS_SMTP_HOST/TO)")
                msg = build_message(
                    delivery.get("subject") or f"Ticket insights {digest.week}",
                    digest.markdown,
                    digest.html,
                    settings.smtp_from,
                    to,
                )
                state["to"] = list(to)
                state["attempts"] = send_mail(settings, msg)
            elif name == "webhook":
                if not settings.webhook:
                    raise DeliveryError("the webhook is no longer configured")
                state["attempts"] = post_webhook(settings, delivery.get("summary") or "")
            state["status"] = "sent"
            state.pop("error", None)
        except DeliveryError as exc:
            state.update(status="failed", error=str(exc), attempts=exc.attempts)
            label = f"{digest.week}" + (f" {digest.region}" if digest.region else "")
            errors.append(f"{exc}; digest {label} (id {digest.id}) stored unsent")
    delivery["channels"] = channels
    if channels and all(s.get("status") == "sent" for s in channels.values()):
        delivery["status"] = "sent"
        digest.sent_at = _now()
    digest.delivery = delivery  # a new dict, so SQLAlchemy sees the JSON change
    session.flush()
    return errors


def resend_unsent(
    engine: Engine, settings: Settings, exclude: set[int] | None = None
) -> tuple[list[int], list[str]]:
    """Deliver every stored digest still ``pending``, oldest first; returns (ids delivered
    completely, one-line errors). Each digest is its own transaction, so one failure does
    not undo another's success."""
    with session_scope(engine) as session:
        ids = [
            d.id
            for d in session.scalars(
                select(Digest).where(Digest.sent_at.is_(None)).order_by(Digest.id)
            )
            if (d.delivery or {}).get("status") == "pending" and d.id not in (exclude or set())
        ]
    done, errors = [], []
    for digest_id in ids:
        with session_scope(engine) as session:
            digest = session.get(Digest, digest_id)
            errors += _deliver(session, digest, settings.digest)
            if digest.sent_at is not None:
                done.append(digest_id)
    return done, errors


def build_and_deliver(
    engine: Engine,
    settings: Settings,
    week: str | None = None,
    region: str | None = None,
    out_dir: Path | str = Path("digests"),
    send: bool = False,
) -> DigestResult:
    """Build the digest of ``week`` (default: latest complete week) for all regions or one,
    store it, write ``digest-YYYY-Www[-REGION].md/.html`` (+ chart PNGs) to ``out_dir`` and,
    with ``send``, first re-send pending digests and then deliver this one.

    Raises ``ValueError`` for a malformed week and :class:`DigestConfigError` when ``send`` is
    asked without a usable channel -- both before anything is stored. Delivery failures do not
    raise: they are in ``DigestResult.errors`` and the digest stays stored as pending.
    """
    region = region.upper() if region else None
    channels = channels_for(settings.digest, region) if send else []
    content = build_content(engine, settings, week=week, region=region)
    charts = render_charts(content)
    stem = _file_stem(content.week, region)
    chart_files = {name: f"{stem}-{name}.png" for name in charts}
    markdown = render_markdown(content, chart_files)
    html = render_html(content, charts)

    with session_scope(engine) as session:
        for old in session.scalars(
            select(Digest).where(
                Digest.week == content.week,
                Digest.region.is_(None) if region is None else Digest.region == region,
                Digest.sent_at.is_(None),
            )
        ):
            if send and (old.delivery or {}).get("status") == "pending":
                old.delivery = {**old.delivery, "status": "superseded"}
        digest = Digest(
            week=content.week,
            region=region,
            created_at=_now(),
            markdown=markdown,
            html=html,
            sent_at=None,
            delivery={
                "status": "pending" if send else "draft",
                "subject": subject(content),
                "summary": render_summary(content),
                "channels": {name: {"status": "pending"} for name in channels},
            },
        )
        session.add(digest)
        session.flush()
        digest_id = digest.id

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md_path, html_path = out / f"{stem}.md", out / f"{stem}.html"
    md_path.write_text(markdown, encoding="utf-8")
    html_path.write_text(html, encoding="utf-8")
    chart_paths = []
    for name, png in charts.items():
        path = out / chart_files[name]
        path.write_bytes(png)
        chart_paths.append(path)

    result = DigestResult(
        digest_id=digest_id,
        week=content.week,
        region=region,
        content=content,
        markdown=markdown,
        html=html,
        markdown_path=md_path,
        html_path=html_path,
        chart_paths=chart_paths,
    )
    if not send:
        return result
    result.resent, result.errors = resend_unsent(engine, settings, exclude={digest_id})
    with session_scope(engine) as session:
        digest = session.get(Digest, digest_id)
        result.errors += _deliver(session, digest, settings.digest)
        result.status = digest.delivery["status"]
    return result
