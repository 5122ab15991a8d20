"""Fixes: a PM marks that a fix for a theme shipped on a date (optionally for one region or
kind), with a note. What the fix did is measured by ``insights.views.fixes``; this module only
records fixes, each in one transaction together with its audit entry (action ``fix``; removing
one is ``fix removed``), like every other human change to a theme.

A fix is refused (one line, nothing written) when it could never be measured or names the wrong
thing, because a wrong marker is worse than none: the PM would read a verdict about something
that did not happen.

- the theme does not exist, or was merged (the message names the surviving theme: its tickets
  are counted there now, so that is where the fix belongs);
- the date is in the future (today in the team's time zone, ``INSIGHTS_TIMEZONE``), or before
  the store's first ticket (no "before" to compare with);
- the region or kind has no tickets (a typo such as ``TJ`` would otherwise give a marker that is
  never measurable): an error naming the values that do have tickets;
- an empty note (the note is what tells readers later what shipped), or the same fix twice.

A fix with too little history before it (fewer than four complete weeks) is recorded: it did
ship; its verdict then says why it cannot be measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from insights.people.access import Person, acting
from insights.people.annotate import (
    AnnotationError,
    _lock,
    _now,
    _write_txn,
    audit,
    resolve_theme,
)
from insights.store.db import session_scope
from insights.store.models import Fix, Theme, Ticket
from insights.trends import TrendParams

KINDS = ("buyer", "seller")
#: The longest note kept; a fix note is a sentence or two and a link, not a changelog.
MAX_NOTE_CHARS = 2000


class FixError(AnnotationError):
    """A fix that cannot be recorded as given; the message is one line for the user."""


@dataclass(frozen=True)
class FixRecord:
    """One recorded fix, as stored (``theme_id`` is the theme it was marked on)."""

    fix_id: int
    theme_id: int
    fix_date: date
    region: str | None
    kind: str | None
    note: str
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, row: Fix) -> FixRecord:
        return cls(
            fix_id=row.id,
            theme_id=row.theme_id,
            fix_date=row.fix_date,
            region=row.region,
            kind=row.kind,
            note=row.note,
            created_at=row.created_at,
            created_by=row.created_by,
        )

    def as_audit(self) -> dict:
        """The fix as the audit log keeps it (JSON-safe)."""
        return {
            "fix_id": self.fix_id,
            "fix_date": self.fix_date.isoformat(),
            "region": self.region,
            "kind": self.kind,
            "note": self.note,
        }


def parse_fix_date(value: date | str) -> date:
    """A date, or "YYYY-MM-DD"; anything else is a one-line :class:`FixError`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise FixError(f"the fix date must be a date like 2025-02-17, not {value!r}") from None


def local_today(params: TrendParams) -> date:
    """Today in the team's time zone: a fix shipped "today" in Jakarta is not in the future."""
    return datetime.now(ZoneInfo(params.timezone)).date()


def first_ticket_day(session: Session, params: TrendParams) -> date | None:
    """The local day of the store's first ticket that trends count (dates decades back are
    left out of trends, so they do not count here either)."""
    floor = _now() - timedelta(days=365.25 * params.max_age_years)
    first = session.scalar(select(func.min(Ticket.created_at)).where(Ticket.created_at >= floor))
    if first is None:
        return None
    return pd.Timestamp(first).tz_localize("UTC").tz_convert(params.timezone).date()


def _target(session: Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise FixError(f"no theme with id {theme_id}")
    if theme.merged_into is not None:
        survivor = resolve_theme(session, theme_id)
        raise FixError(f"theme {theme_id} was merged into {survivor}; mark the fix on {survivor}")
    return theme


def _values(session: Session, column, **where: str | None) -> list[str]:
    """The values ``column`` takes among tickets (for the error message only)."""
    stmt = select(column).where(column.is_not(None)).distinct()
    for name, value in where.items():
        if value is not None:
            stmt = stmt.where(getattr(Ticket, name) == value)
    return sorted(str(v) for v in session.scalars(stmt))


def _check_segment(session: Session, region: str | None, kind: str | None) -> None:
    """The segment must hold tickets: a fix for a region nobody writes from is a typo."""
    if kind is not None and kind not in KINDS:
        raise FixError(f"kind must be buyer or seller, not {kind!r}")
    if region is None and kind is None:
        return
    stmt = select(Ticket.id).limit(1)
    if region is not None:
        stmt = stmt.where(Ticket.region == region)
    if kind is not None:
        stmt = stmt.where(Ticket.kind == kind)
    if session.scalar(stmt) is not None:
        return
    if region is not None:
        regions = _values(session, Ticket.region, kind=kind)
        if region not in regions:
            whose = f" from {kind}s" if kind else ""
            known = ", ".join(regions) or "none (the tickets carry no region)"
            raise FixError(f"no tickets{whose} in region {region}; regions with tickets: {known}")
    kinds = _values(session, Ticket.kind, region=region)
    where = f" in region {region}" if region else ""
    known = ", ".join(kinds) or "none (the tickets carry no kind)"
    raise FixError(f"no {kind} tickets{where}; kinds with tickets: {known}")


def add_fix(
    engine: Engine,
    theme_id: int,
    fix_date: date | str,
    note: str,
    who: str | Person,
    *,
    region: str | None = None,
    kind: str | None = None,
    params: TrendParams | None = None,
    today: date | None = None,
) -> FixRecord:
    """Record that a fix for ``theme_id`` shipped on ``fix_date``; audited, one transaction.

    ``params`` gives the time zone "today" and the first ticket are read in (the trends'
    settings); ``today`` overrides the clock (tests). Raises :class:`FixError` (module
    docstring) with nothing written.
    """
    params = params or TrendParams()
    day = parse_fix_date(fix_date)
    note = (note or "").strip()
    if not note:
        raise FixError("a fix needs a note: what shipped (a sentence, a link)")
    if len(note) > MAX_NOTE_CHARS:
        raise FixError(f"the note is {len(note):,} characters; keep it under {MAX_NOTE_CHARS:,}")
    region = (region or "").strip().upper() or None
    kind = (kind or "").strip().lower() or None
    now = today or local_today(params)
    if day > now:
        raise FixError(f"fix date {day} is in the future (today is {now} in {params.timezone})")
    who = acting(who, "fix")  # a Person must be an admin; nothing is written otherwise

    def body(session: Session) -> FixRecord:
        _target(session, theme_id)
        _lock(session, theme_id)
        _target(session, theme_id)  # merged while we waited for the lock
        first = first_ticket_day(session, params)
        if first is None:
            raise FixError("the store has no tickets yet: nothing to measure a fix against")
        if day < first:
            raise FixError(f"fix date {day} is before the first ticket ({first})")
        _check_segment(session, region, kind)
        same = session.scalar(
            select(Fix.id).where(
                Fix.theme_id == theme_id,
                Fix.fix_date == day,
                Fix.note == note,
                Fix.region.is_(None) if region is None else Fix.region == region,
                Fix.kind.is_(None) if kind is None else Fix.kind == kind,
            )
        )
        if same is not None:
            raise FixError(f"this fix is already recorded (fix {same})")
        row = Fix(
            theme_id=theme_id,
            fix_date=day,
            region=region,
            kind=kind,
            note=note,
            created_at=_now(),
            created_by=who,
        )
        session.add(row)
        session.flush()
        record = FixRecord.of(row)
        audit(session, who, theme_id, "fix", before={}, after=record.as_audit())
        return record

    return _write_txn(engine, body)


def remove_fix(engine: Engine, fix_id: int, who: str | Person) -> FixRecord:
    """Delete a fix marked by mistake; the audit log keeps what it was."""
    who = acting(who, "fix")

    def body(session: Session) -> FixRecord:
        row = session.get(Fix, fix_id)
        if row is None:
            raise FixError(f"no fix with id {fix_id}")
        record = FixRecord.of(row)
        _lock(session, record.theme_id)
        session.execute(delete(Fix).where(Fix.id == fix_id))
        audit(session, who, record.theme_id, "fix removed", before=record.as_audit(), after={})
        return record

    return _write_txn(engine, body)


def list_fixes(engine: Engine, theme_ids: list[int] | None = None) -> list[FixRecord]:
    """Recorded fixes, oldest first (of the given themes as marked, or all)."""
    stmt = select(Fix).order_by(Fix.fix_date, Fix.id)
    if theme_ids is not None:
        stmt = stmt.where(Fix.theme_id.in_(theme_ids))
    with session_scope(engine) as session:
        return [FixRecord.of(row) for row in session.scalars(stmt)]
