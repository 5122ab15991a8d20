"""Who hears about daily spikes: subscriptions per region (and kind) to a webhook or a mailbox.

Human input like titles and tags: every subscribe and unsubscribe is one transaction with its
audit row (``audit_log``, no theme). :func:`subscribe` and :func:`unsubscribe` are the only
writers, for the CLI and the app alike, so a permission check belongs in one place (the app
routes both through one call site too).

A webhook URL's path is its secret (Slack's ``/services/T.../B.../token``): it is stored, since
alerts are posted to it, but shown and audited only as ``scheme://host/…``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from insights.people.access import Person, acting
from insights.people.annotate import AnnotationError, _now, _write_txn, audit
from insights.store.db import session_scope
from insights.store.models import AlertSubscription, Ticket

CHANNELS = ("webhook", "email")
KINDS = ("buyer", "seller")
_EMAIL = re.compile(
    r"^[^@\s,;<>\"']+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


class SubscriptionError(AnnotationError):
    """A subscription that cannot be made or removed; one line for the user. (A busy store is
    the shared write path's AnnotationError, this class's base.)"""


@dataclass(frozen=True)
class Subscription:
    id: int
    region: str
    kind: str | None
    channel: str
    target: str
    active: bool
    created_at: datetime
    created_by: str

    @property
    def shown_target(self) -> str:
        """The target as lists and logs show it: a webhook without its secret path."""
        return mask_target(self.channel, self.target)

    def as_dict(self) -> dict:
        """What `insights alerts list` and the app show (the webhook path masked)."""
        out = asdict(self)
        out["target"] = self.shown_target
        out["created_at"] = self.created_at.isoformat(sep=" ", timespec="seconds")
        return out


@dataclass
class Subscribed:
    """What :func:`subscribe` did; ``warnings`` are one line each (the subscription is kept)."""

    subscription: Subscription
    created: bool
    warnings: list[str] = field(default_factory=list)


def mask_target(channel: str, target: str) -> str:
    if channel != "webhook":
        return target
    parts = urlsplit(target)
    host = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{host}/…" if parts.path.strip("/") else f"{parts.scheme}://{host}"


def subscription_of(row: AlertSubscription) -> Subscription:
    """The record of a stored subscription row."""
    return Subscription(
        id=row.id,
        region=row.region,
        kind=row.kind,
        channel=row.channel,
        target=row.target,
        active=bool(row.active),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def check_subscription(
    region: str | None,
    webhook: str | None = None,
    email: str | None = None,
    kind: str | None = None,
) -> tuple[str, str | None, str, str]:
    """(region, kind, channel, target) cleaned, or SubscriptionError naming what is wrong."""
    region = (region or "").strip().upper()
    if not region:
        raise SubscriptionError("a region is needed, e.g. TH")
    if len(region) > 64 or not region.isprintable():
        raise SubscriptionError("a region is a short name such as TH (at most 64 characters)")
    kind = (kind or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        raise SubscriptionError(f"kind must be buyer or seller, not {kind!r}")
    webhook = (webhook or "").strip() or None
    email = (email or "").strip() or None
    if bool(webhook) == bool(email):
        raise SubscriptionError("give either a webhook URL or an e-mail address (one of them)")
    if webhook:
        parts = urlsplit(webhook)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SubscriptionError("the webhook must be an http:// or https:// URL with a host")
        return region, kind, "webhook", webhook
    assert email is not None
    if not _EMAIL.match(email):
        raise SubscriptionError(f"not an e-mail address: {email!r}")
    return region, kind, "email", email


def region_has_tickets(session: Session, region: str) -> bool:
    found = session.scalar(
        select(Ticket.id).where(func.upper(Ticket.region) == region.upper()).limit(1)
    )
    return found is not None


def subscribe(
    engine: Engine,
    region: str | None,
    *,
    webhook: str | None = None,
    email: str | None = None,
    kind: str | None = None,
    who: str | Person = "",
) -> Subscribed:
    """Subscribe a webhook or an address to a region's alerts (``kind``: only that kind's).

    The same active subscription again is not duplicated. A region without any ticket yet is
    accepted with a warning: it may be a new market, or a typo.
    """
    who = acting(who, "subscribe")  # a Person must be an admin; nothing is written otherwise
    region, kind, channel, target = check_subscription(region, webhook, email, kind)

    def body(session: Session) -> Subscribed:
        warnings = []
        if not region_has_tickets(session, region):
            warnings.append(
                f"no tickets from region {region} yet: subscribed anyway (check the spelling)"
            )
        same = session.scalars(
            select(AlertSubscription).where(
                AlertSubscription.active.is_(True),
                AlertSubscription.region == region,
                AlertSubscription.channel == channel,
                AlertSubscription.target == target,
                AlertSubscription.kind.is_(None)
                if kind is None
                else AlertSubscription.kind == kind,
            )
        ).first()
        if same is not None:
            warnings.append(f"already subscribed (subscription {same.id}): nothing changed")
            return Subscribed(subscription_of(same), False, warnings)
        row = AlertSubscription(
            region=region,
            kind=kind,
            channel=channel,
            target=target,
            active=True,
            created_at=_now(),
            created_by=who,
        )
        session.add(row)
        session.flush()
        sub = subscription_of(row)
        audit(session, who, None, "subscribe", None, _audited(sub))
        return Subscribed(sub, True, warnings)

    return _write_txn(engine, body)


def _audited(sub: Subscription) -> dict:
    return {
        "subscription": sub.id,
        "region": sub.region,
        "kind": sub.kind,
        "channel": sub.channel,
        "target": sub.shown_target,
    }


def unsubscribe(engine: Engine, subscription_id: int, who: str | Person = "") -> Subscription:
    """Stop a subscription (kept, inactive, for the audit trail and its delivery history);
    its unsent deliveries are no longer tried."""
    who = acting(who, "subscribe")

    def body(session: Session) -> Subscription:
        row = session.get(AlertSubscription, subscription_id, with_for_update=True)
        if row is None:
            raise SubscriptionError(f"no subscription with id {subscription_id}")
        if not row.active:
            raise SubscriptionError(f"subscription {subscription_id} was already removed")
        row.active = False
        sub = subscription_of(row)
        audit(session, who, None, "unsubscribe", _audited(sub), None)
        return sub

    return _write_txn(engine, body)


def list_subscriptions(engine: Engine, include_inactive: bool = False) -> list[Subscription]:
    """Subscriptions by region, then id."""
    stmt = select(AlertSubscription).order_by(AlertSubscription.region, AlertSubscription.id)
    if not include_inactive:
        stmt = stmt.where(AlertSubscription.active.is_(True))
    with session_scope(engine) as session:
        return [subscription_of(r) for r in session.scalars(stmt)]
