"""Human input on themes: titles, tags, owner, status, tracker link, notes, merges.

Everything is keyed by the stable theme id, written in one transaction together with its audit
entry, and never overwritten by a machine run. When a run (or a person) merges a theme into
another, its annotations follow to the survivor.

Writes are read-modify-write transactions that lock the theme first (``write_scope``), so two
people saving at once, or a person saving while a refresh writes, never read stale values; a
store still busy after a few retries is one "try again" line, never "database is locked".

Who: a :class:`~insights.people.access.Person` (what the app passes) is checked against their
role inside the write transaction, so a change their role does not allow raises
:class:`~insights.people.access.AccessDenied` and writes nothing, whatever the page showed; a
plain name is a trusted caller (the CLI, scripts) and is only recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from insights.jobs.runs import latest_run_id
from insights.people.access import AccessDenied, Person, check_theme, require
from insights.store.db import is_contention, retry_on_contention, session_scope, write_scope
from insights.store.models import Annotation, Assignment, AuditEntry, Theme, ThemeEvent

T = TypeVar("T")
STATUSES = ("new", "investigating", "on roadmap", "resolved", "won't fix")
FIELDS = ("title", "tags", "owner", "status", "tracker_url", "note", "region")
#: The action (insights.people.access) a change of each field needs.
FIELD_ACTION = {f: "title" if f == "title" else "tag" for f in FIELDS}


class AnnotationError(ValueError):
    """A change that cannot be made (unknown theme, bad status, ...); one line for the user."""


@dataclass
class ThemeNotes:
    theme_id: int
    title: str | None = None
    tags: list[str] = field(default_factory=list)
    owner: str | None = None
    status: str = "new"
    tracker_url: str | None = None
    note: str | None = None
    region: str | None = None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _write_txn(engine: Engine, body: Callable[[Session], T]) -> T:
    """Run ``body`` as one locked write transaction, retried while the store is busy."""

    def once() -> T:
        with write_scope(engine) as session:
            return body(session)

    try:
        return retry_on_contention(once)
    except DBAPIError as exc:
        if is_contention(exc):
            raise AnnotationError(
                "the store is busy (a refresh or an import is writing): nothing was saved, "
                "please try again in a minute"
            ) from None
        raise


def _lock(session: Session, *theme_ids: int) -> None:
    """Lock the themes' rows until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE locks all)."""
    for tid in sorted(set(theme_ids)):  # one order everywhere: no deadlock between writers
        session.execute(select(Theme.id).where(Theme.id == tid).with_for_update())


def resolve_theme(session: Session, theme_id: int) -> int:
    """Follow merges to the surviving theme id."""
    seen = set()
    current = theme_id
    while current not in seen:
        seen.add(current)
        merged_into = session.scalar(select(Theme.merged_into).where(Theme.id == current))
        if merged_into is None:
            return current
        current = merged_into
    return current


def _read(session: Session, theme_id: int) -> ThemeNotes:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise AnnotationError(f"no theme with id {theme_id}")
    ann = session.get(Annotation, theme_id)
    notes = ThemeNotes(theme_id=theme_id, title=theme.title)
    if ann:
        notes.tags, notes.owner, notes.status = list(ann.tags or []), ann.owner, ann.status
        notes.tracker_url, notes.note, notes.region = ann.tracker_url, ann.note, ann.region
    return notes


def get_notes(engine: Engine, theme_id: int) -> ThemeNotes:
    """The notes a form shows: those of the surviving theme when this one was merged, since
    that is where `annotate` writes."""
    with session_scope(engine) as session:
        return _read(session, resolve_theme(session, theme_id))


def all_notes(engine: Engine) -> dict[int, ThemeNotes]:
    with session_scope(engine) as session:
        titles = dict(session.execute(select(Theme.id, Theme.title)).all())
        out = {tid: ThemeNotes(theme_id=tid, title=title) for tid, title in titles.items()}
        for ann in session.scalars(select(Annotation)):
            n = out.setdefault(ann.theme_id, ThemeNotes(theme_id=ann.theme_id))
            n.tags, n.owner, n.status = list(ann.tags or []), ann.owner, ann.status
            n.tracker_url, n.note, n.region = ann.tracker_url, ann.note, ann.region
        return out


def _clean_tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        t = " ".join(str(tag).split()).lower()[:64]
        if t and t not in seen:
            seen.append(t)
    return seen


def _write(session: Session, notes: ThemeNotes, who: str) -> None:
    session.execute(update(Theme).where(Theme.id == notes.theme_id).values(title=notes.title))
    ann = session.get(Annotation, notes.theme_id)
    if ann is None:
        ann = Annotation(theme_id=notes.theme_id)
        session.add(ann)
    ann.tags, ann.owner, ann.status = notes.tags, notes.owner, notes.status
    ann.tracker_url, ann.note, ann.region = notes.tracker_url, notes.note, notes.region
    ann.updated_at, ann.updated_by = _now(), who


def name_of(who: str | Person) -> str:
    """The name the audit log records ("anonymous" when none was given)."""
    name = who.name if isinstance(who, Person) else who
    return (name or "").strip() or "anonymous"


def annotate(
    engine: Engine,
    theme_id: int,
    who: str | Person,
    seen: ThemeNotes | None = None,
    **changes: object,
) -> ThemeNotes:
    """Set any of title, tags, owner, status, tracker_url, note, region; audited.

    ``seen``: the notes the person's form showed. Given, only what the person changed is
    applied (fields equal to ``seen`` are left as stored now; tags added and removed against
    ``seen``), so a save never undoes what someone else saved after the form was shown.
    ``who``: a Person is held to their role (AccessDenied, nothing written); see the module.
    """
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise AnnotationError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if "status" in changes and changes["status"] not in STATUSES:
        raise AnnotationError(f"status must be one of: {', '.join(STATUSES)}")
    url = changes.get("tracker_url")
    if url and not str(url).startswith(("http://", "https://")):
        raise AnnotationError("tracker URL must start with http:// or https://")
    if isinstance(who, Person):  # a viewer is refused before the store is touched
        for action in sorted({FIELD_ACTION[k] for k in changes}):
            require(who, action)
    return _write_txn(engine, lambda session: _annotate(session, theme_id, who, seen, changes))


def _annotate(
    session: Session, theme_id: int, who: str | Person, seen: ThemeNotes | None, changes: dict
) -> ThemeNotes:
    target = resolve_theme(session, theme_id)
    _lock(session, target)
    target = resolve_theme(session, target)  # merged while we waited for the lock
    before = _read(session, target)
    after = ThemeNotes(**asdict(before))
    for key, value in changes.items():
        if key == "tags":
            value = _clean_tags(list(value or []))
            if seen is not None:
                shown = _clean_tags(list(seen.tags))
                removed = set(shown) - set(value)
                kept = [t for t in before.tags if t not in removed]
                value = kept + [t for t in value if t not in shown and t not in kept]
        elif isinstance(value, str):
            value = value.strip() or None
        if seen is not None and key != "tags" and value == getattr(seen, key):
            continue  # not changed in the form: keep what is stored now
        setattr(after, key, value)
    if after == before:
        return before
    diff = {
        k: (getattr(before, k), getattr(after, k))
        for k in FIELDS
        if getattr(before, k) != getattr(after, k)
    }
    if isinstance(who, Person):
        for action in sorted({FIELD_ACTION[k] for k in diff}):
            check_theme(session, who, action, target)
        if "region" in diff and after.region and not who.may("tag", after.region):
            raise AccessDenied(
                f"{who.name} ({who.role}) may not record the region {after.region} on a theme: "
                "a lead records only their own regions"
            )
    _write(session, after, name_of(who))
    audit(
        session,
        name_of(who),
        target,
        "annotate",
        before={k: v[0] for k, v in diff.items()},
        after={k: v[1] for k, v in diff.items()},
    )
    return after


def audit(
    session: Session,
    who: str,
    theme_id: int | None,
    action: str,
    before: dict,
    after: dict,
    at: datetime | None = None,
) -> None:
    """One audit row: every human or refresh change to a theme's notes or membership."""
    session.add(
        AuditEntry(
            at=at or _now(),
            who=who,
            theme_id=theme_id,
            action=action,
            before=before,
            after=after,
        )
    )


def carry_over(session: Session, source: int, target: int, who: str) -> None:
    """Move `source`'s annotations onto `target` (after a merge): nothing is lost.

    The target keeps its own values; empty fields take the source's, tags are united and
    notes concatenated.
    """
    src = _read(session, source)
    dst = _read(session, target)
    merged = ThemeNotes(**asdict(dst))
    merged.tags = _clean_tags(dst.tags + src.tags)
    for key in ("title", "owner", "tracker_url", "region"):
        if not getattr(merged, key) and getattr(src, key):
            setattr(merged, key, getattr(src, key))
    if dst.status == "new" and src.status != "new":
        merged.status = src.status
    if src.note:
        merged.note = f"{dst.note}\n\n[from theme {source}] {src.note}" if dst.note else src.note
    if merged != dst:
        _write(session, merged, who)
        audit(
            session,
            who,
            target,
            "carry_over",
            before=asdict(dst),
            after=asdict(merged) | {"from": source},
        )


def merge_themes(engine: Engine, source: int, target: int, who: str | Person) -> None:
    """A person merges `source` into `target`: tickets, annotations and future runs follow.
    A Person needs the right to merge both themes."""
    if source == target:
        raise AnnotationError("a theme cannot be merged into itself")
    if isinstance(who, Person):
        require(who, "merge")
    _write_txn(engine, lambda session: _merge(session, source, target, who))


def _merge(session: Session, source: int, target: int, person: str | Person) -> None:
    source, target = resolve_theme(session, source), resolve_theme(session, target)
    _lock(session, source, target)
    if source == target:
        raise AnnotationError("these themes are already merged")
    for tid in (source, target):
        if session.get(Theme, tid) is None:
            raise AnnotationError(f"no theme with id {tid}")
        if isinstance(person, Person):
            check_theme(session, person, "merge", tid)
    who = name_of(person)
    carry_over(session, source, target, who)
    session.execute(
        update(Theme).where(Theme.id == source).values(status="merged", merged_into=target)
    )
    run_id = latest_run_id(session)
    if run_id is not None:
        session.execute(
            update(Assignment)
            .where(Assignment.run_id == run_id, Assignment.theme_id == source)
            .values(theme_id=target)
        )
        session.add(
            ThemeEvent(
                run_id=run_id,
                theme_id=source,
                event="merged",
                related_theme_id=target,
                created_at=_now(),
            )
        )
    audit(session, who, target, "merge", before={"theme_id": source}, after={"merged_into": target})


def audit_trail(engine: Engine, theme_id: int) -> list[dict]:
    with session_scope(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.theme_id == theme_id).order_by(AuditEntry.id.desc())
        )
        return [
            {"at": e.at, "who": e.who, "action": e.action, "before": e.before, "after": e.after}
            for e in entries
        ]
