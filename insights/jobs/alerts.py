"""The daily alert check against the store: which days to check, episodes advanced day by day,
deliveries queued; and the delivery queue the sender works through.

The statistics and episode logic are :mod:`insights.trends.alerts`; this module decides the
days and keeps the state. The prepared ticket frame and the current titles come in as
arguments: jobs sit below the read model that loads them (tests/test_imports.py), and
:func:`insights.digest.alerts.run_alerts` wires the two together with the sending.

Which days (:func:`plan_days`)
    Days are calendar days in the trends time zone (INSIGHTS_TIMEZONE); today is never checked
    (it is not over). Without ``--day`` the last day is yesterday, or the newest day holding
    tickets when that is older (a store of historical data, or a feed that stalled: days
    without any ticket wait rather than being checked empty). With ``--day D`` it is D. Days
    after the last checked one up to there are checked in order, at most
    INSIGHTS_ALERTS_CATCH_UP_DAYS of them (older missed days are skipped, not alerted late).
    A day holding tickets the latest refresh has not seen (no assignment in its run) is not
    checked: its counts would be short, and a checked day is never checked again.

First run
    With no day checked yet, every planned day but the last is recorded silently: episodes are
    opened and stored so a spike that began days ago is not announced as new, but nothing is
    queued for sending. Only the last day's new episodes are delivered.

One transaction per day
    A day's episodes (new, advanced, ended), its deliveries and its ``alert_days`` row commit
    together; a day already in ``alert_days`` is skipped, so re-running a day (or two runs
    racing) never opens an episode twice.

Deliveries
    Every new episode of a delivered day gets a ``pending`` row per matching active
    subscription: same region; a subscription with a kind gets the alerts of that kind, and
    region alerts whose tickets that day are mostly of that kind (the kind cell is not alerted
    while its region cell spikes: see insights.trends.alerts). A send marks its rows ``sent``,
    or ``failed`` with the one-line reason; pending and failed rows are sent by every later run
    until they go out (an unsubscribed target's rows are left alone).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from insights.jobs.runs import latest_run_id
from insights.people.subscriptions import Subscription, subscription_of
from insights.settings import Settings
from insights.store.db import retry_on_contention, session_scope, write_scope
from insights.store.models import (
    AlertDay,
    AlertDelivery,
    AlertEpisode,
    AlertSubscription,
    Assignment,
    Ticket,
)
from insights.trends.alerts import (
    AlertParams,
    CellTest,
    Episode,
    EpisodeUpdate,
    advance_episodes,
    daily_tests,
    days_to_check,
)

DUE = ("pending", "failed")


class AlertDayError(ValueError):
    """A day that cannot be checked (not over yet, not refreshed yet); one line for the user."""


def alert_params(settings: Settings) -> AlertParams:
    """The daily test as configured (INSIGHTS_ALERTS_*), with the digest's privacy floor."""
    a = settings.alerts
    return AlertParams(
        baseline_days=a.baseline_days,
        min_count=a.min_count,
        min_group=settings.digest.min_group,
        fdr=a.fdr,
        min_ratio=a.min_ratio,
        quiet_days=a.quiet_days,
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_today(settings: Settings, now: datetime | None = None) -> date:
    """Today in the trends time zone (``now``: naive UTC, for tests and backfills)."""
    zone = ZoneInfo(settings.trends.timezone)
    moment = (now or _now()).replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def _utc_start(day: date, timezone: str) -> datetime:
    """Midnight at the start of local ``day``, as the naive UTC the store holds."""
    local = pd.Timestamp(day).tz_localize(timezone, ambiguous=False, nonexistent="shift_forward")
    return local.tz_convert("UTC").tz_localize(None).to_pydatetime()


def _local_day(at: datetime, timezone: str) -> date:
    return pd.Timestamp(at).tz_localize("UTC").tz_convert(timezone).date()


# --------------------------------------------------------------------------- days


@dataclass
class DayPlan:
    """The days one run checks, oldest first; ``silent``: recorded without sending (the
    catch-up days of a first run). ``notes``: why fewer days (or none) are checked."""

    days: list[date]
    silent: set[date] = field(default_factory=set)
    last_checked: date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def first_run(self) -> bool:
        return self.last_checked is None


def last_checked_day(session: Session) -> date | None:
    return session.scalar(select(func.max(AlertDay.day)))


def _first_unrefreshed_day(session: Session, since: datetime, timezone: str) -> date | None:
    """The local day of the oldest ticket from ``since`` (naive UTC) on that the latest run
    has not seen (no assignment row in it): from that day on the counts are incomplete."""
    run_id = latest_run_id(session)
    oldest = session.scalar(
        select(func.min(Ticket.created_at))
        .outerjoin(Assignment, (Assignment.ticket_id == Ticket.id) & (Assignment.run_id == run_id))
        .where(Assignment.ticket_id.is_(None), Ticket.created_at >= since)
    )
    return _local_day(oldest, timezone) if oldest is not None else None


def newest_day(frame: pd.DataFrame) -> date | None:
    """The newest local day holding a ticket with a region (the only ones alerts count)."""
    if frame.empty or "region" not in frame.columns:
        return None
    local = frame.loc[frame["region"].notna(), "local_at"]
    return None if local.empty else local.max().date()


def plan_days(
    engine: Engine,
    settings: Settings,
    newest: date | None,
    day: date | None = None,
    today: date | None = None,
) -> DayPlan:
    """The days to check now (see the module doc); AlertDayError for a ``day`` that cannot be
    checked yet."""
    tz = settings.trends.timezone
    today = today or local_today(settings)
    if day is not None and day >= today:
        raise AlertDayError(
            f"--day {day} is not over yet in {tz} (today is {today}); the latest day that can "
            f"be checked is {today - timedelta(days=1)}"
        )
    with session_scope(engine) as session:
        last = last_checked_day(session)
        has_run = latest_run_id(session) is not None
    plan = DayPlan(days=[], last_checked=last)
    if not has_run:
        plan.notes.append("no themes yet: run `insights refresh` first")
        return plan
    if day is None:
        if newest is None:
            plan.notes.append("no ticket has a region: alerts are per region, nothing to check")
            return plan
        end = min(today - timedelta(days=1), newest)
    else:
        end = day
    if last is not None and last >= end:
        plan.notes.append(f"days up to {last} are already checked")
        return plan
    days = _days_after(last, end, settings.alerts.catch_up_days)
    with session_scope(engine) as session:
        stale = _first_unrefreshed_day(session, _utc_start(days[0], tz), tz)
    if stale is not None and stale <= end:
        if day is not None:
            raise AlertDayError(
                f"tickets from {stale} on are not themed yet (ingested after the latest "
                "refresh): run `insights refresh` first"
            )
        days = [d for d in days if d < stale]
        plan.notes.append(
            f"tickets from {stale} on are not themed yet: those days wait for the next refresh"
        )
    if last is not None and days and (days[0] - last).days > 1:
        skipped = (days[0] - last).days - 1
        plan.notes.append(
            f"{skipped} unchecked day(s) after {last} skipped (at most "
            f"INSIGHTS_ALERTS_CATCH_UP_DAYS={settings.alerts.catch_up_days} days are caught up)"
        )
    plan.days = days
    if last is None and len(days) > 1:
        plan.silent = set(days[:-1])
        plan.notes.append(
            f"first run: {days[0]} to {days[-2]} are checked without sending (their episodes "
            f"are kept so an ongoing spike is not announced as new); {days[-1]} is sent"
        )
    return plan


def _days_after(last: date | None, end: date, most: int) -> list[date]:
    """Days after ``last`` up to ``end``, the newest ``most`` of them (trends.alerts'
    days_to_check with ``end`` as the last complete day)."""
    return days_to_check(last, end + timedelta(days=1), most)


# --------------------------------------------------------------------------- episodes


def _episode(row: AlertEpisode) -> Episode:
    return Episode(
        theme_id=row.theme_id,
        region=row.region,
        kind=row.kind,
        started=row.started,
        last_spike=row.last_spike,
        last_elevated=row.last_elevated,
        last_day=row.last_day,
        peak_count=row.peak_count,
        peak_q=row.peak_q,
        ended=row.ended,
        episode_id=row.id,
    )


def open_episodes(session: Session) -> list[Episode]:
    rows = session.scalars(select(AlertEpisode).where(AlertEpisode.ended.is_(None)))
    return [_episode(r) for r in rows]


def _kind_counts(tests: list[CellTest]) -> dict[tuple[Any, str], dict[str, int]]:
    """(theme, region) -> tickets per kind that day, from the day's kind cells."""
    out: dict[tuple[Any, str], dict[str, int]] = defaultdict(dict)
    for t in tests:
        if t.kind is not None and t.count:
            out[(t.theme_id, t.region)][t.kind] = t.count
    return out


def alert_kind(alert: dict) -> str | None:
    """The kind an alert is about: its own, or for a region alert the kind of most of its
    tickets that day (None when no kind has half of them)."""
    if alert.get("kind"):
        return str(alert["kind"])
    kinds = alert.get("kinds") or {}
    total = sum(kinds.values())
    if not total:
        return None
    kind, n = max(kinds.items(), key=lambda kv: kv[1])
    return kind if n * 2 >= total else None


def matches(sub: Subscription, alert: dict) -> bool:
    """Does ``sub`` hear about ``alert``? Same region (any case); a kind must match too."""
    if sub.region.upper() != str(alert.get("region", "")).upper():
        return False
    return sub.kind is None or sub.kind == alert_kind(alert)


@dataclass
class DayOutcome:
    """One checked day: its tests, new alerts (stored JSON), episodes that ended, deliveries
    queued; ``silent``: a first run's catch-up day; ``skipped``: already checked by another
    run."""

    day: date
    n_tests: int = 0
    alerts: list[dict] = field(default_factory=list)
    ended: int = 0
    queued: int = 0
    silent: bool = False
    skipped: bool = False


def _advance(
    state: list[Episode],
    tests: list[CellTest],
    day: date,
    params: AlertParams,
    titles: dict[int, str],
) -> tuple[EpisodeUpdate, dict[tuple, dict]]:
    """The day's episode update and its alerts as stored (region alerts with their tickets
    per kind, for kind subscriptions), by cell."""
    up = advance_episodes(state, tests, day, params, titles)
    kinds = _kind_counts(tests)
    announced = {}
    for alert in up.alerts:
        body = alert.to_json()
        if alert.kind is None:
            body["kinds"] = dict(sorted(kinds.get((alert.theme_id, alert.region), {}).items()))
        announced[(alert.theme_id, alert.region, alert.kind)] = body
    return up, announced


def _store_day(
    engine: Engine,
    tests: list[CellTest],
    day: date,
    params: AlertParams,
    titles: dict[int, str],
    silent: bool,
) -> DayOutcome:
    """Advance the stored episodes by ``day`` and queue deliveries: one transaction."""
    with write_scope(engine) as session:
        if session.get(AlertDay, day) is not None:
            return DayOutcome(day, skipped=True, silent=silent)
        state = open_episodes(session)
        up, announced = _advance(state, tests, day, params, titles)
        subs = [] if silent else active_subscriptions(session)
        out = DayOutcome(day, n_tests=len(tests), ended=len(up.ended), silent=silent)
        for ep in up.episodes:
            if ep.episode_id is not None:
                session.execute(
                    update(AlertEpisode)
                    .where(AlertEpisode.id == ep.episode_id)
                    .values(
                        last_spike=ep.last_spike,
                        last_elevated=ep.last_elevated,
                        last_day=ep.last_day,
                        peak_count=ep.peak_count,
                        peak_q=ep.peak_q,
                        ended=ep.ended,
                    )
                )
                continue
            body = announced[ep.key]
            row = AlertEpisode(
                theme_id=int(ep.theme_id),
                region=ep.region,
                kind=ep.kind,
                started=ep.started,
                last_spike=ep.last_spike,
                last_elevated=ep.last_elevated,
                last_day=ep.last_day,
                peak_count=ep.peak_count,
                peak_q=ep.peak_q,
                ended=ep.ended,
                alert={**body, "silent": True} if silent else body,
            )
            session.add(row)
            session.flush()
            out.alerts.append(body)
            for sub in subs:
                if matches(sub, body):
                    session.add(
                        AlertDelivery(
                            episode_id=row.id, subscription_id=sub.id, status="pending", attempts=0
                        )
                    )
                    out.queued += 1
        session.add(
            AlertDay(day=day, checked_at=_now(), n_tests=len(tests), n_alerts=len(out.alerts))
        )
        return out


def check_days(
    engine: Engine,
    frame: pd.DataFrame,
    plan: DayPlan,
    params: AlertParams,
    titles: dict[int, str],
    dry_run: bool = False,
) -> list[DayOutcome]:
    """Check the planned days in order. ``dry_run``: the same computation on the stored
    episodes, kept in memory; nothing is written (``queued`` counts what would be)."""
    outcomes = []
    if not dry_run:
        for d in plan.days:
            tests = daily_tests(frame, d, params)  # outside the write transaction
            outcomes.append(
                retry_on_contention(
                    lambda d=d, tests=tests: _store_day(
                        engine, tests, d, params, titles, d in plan.silent
                    )
                )
            )
        return outcomes
    with session_scope(engine) as session:
        state = open_episodes(session)
        subs = active_subscriptions(session)
    for d in plan.days:
        silent = d in plan.silent
        tests = daily_tests(frame, d, params)
        up, announced = _advance(state, tests, d, params, titles)
        state = [ep for ep in up.episodes if ep.ended is None]
        alerts = list(announced.values())
        queued = 0 if silent else sum(matches(s, a) for s in subs for a in alerts)
        outcomes.append(DayOutcome(d, len(tests), alerts, len(up.ended), queued, silent))
    return outcomes


# --------------------------------------------------------------------------- delivery queue


def active_subscriptions(session: Session) -> list[Subscription]:
    rows = session.scalars(
        select(AlertSubscription)
        .where(AlertSubscription.active.is_(True))
        .order_by(AlertSubscription.id)
    )
    return [subscription_of(r) for r in rows]


@dataclass
class Outbox:
    """One subscription's unsent alerts: sent together as one message."""

    subscription: Subscription
    delivery_ids: list[int]
    alerts: list[dict]
    attempts: int = 0  # tries so far (the most of its deliveries)


def due_deliveries(engine: Engine) -> list[Outbox]:
    """Pending and failed deliveries of active subscriptions, grouped per subscription,
    alerts oldest day first."""
    stmt = (
        select(AlertDelivery, AlertEpisode.alert, AlertSubscription)
        .join(AlertEpisode, AlertEpisode.id == AlertDelivery.episode_id)
        .join(AlertSubscription, AlertSubscription.id == AlertDelivery.subscription_id)
        .where(AlertDelivery.status.in_(DUE), AlertSubscription.active.is_(True))
        .order_by(AlertSubscription.id, AlertEpisode.started, AlertDelivery.id)
    )
    boxes: dict[int, Outbox] = {}
    with session_scope(engine) as session:
        for delivery, alert, sub in session.execute(stmt):
            box = boxes.setdefault(sub.id, Outbox(subscription_of(sub), [], []))
            box.delivery_ids.append(delivery.id)
            box.alerts.append(dict(alert or {}))
            box.attempts = max(box.attempts, delivery.attempts or 0)
    return list(boxes.values())


def record_delivery(
    engine: Engine, delivery_ids: list[int], attempts: int, error: str | None = None
) -> None:
    """Mark deliveries sent (``error`` None) or failed with the one-line reason; ``attempts``
    adds to their count."""
    values: dict[str, Any] = {"attempts": AlertDelivery.attempts + attempts}
    if error is None:
        values.update(status="sent", last_error=None, sent_at=_now())
    else:
        values.update(status="failed", last_error=error)

    def once() -> None:
        with session_scope(engine) as session:
            session.execute(
                update(AlertDelivery).where(AlertDelivery.id.in_(delivery_ids)).values(**values)
            )

    retry_on_contention(once)
