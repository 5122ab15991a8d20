"""People's edits to categories: a title, a theme moved to another category (or to a new one).

Like tags, the edits are keyed by stable ids (the category id, the theme id), written in one
transaction with their audit entry, and never overwritten by a run: the grouping applies them
on every refresh (insights.jobs.categories), and the read model shows them at once
(insights.views.categories).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from insights.people.access import Person, acting
from insights.people.annotate import AnnotationError, _now, _write_txn, audit, resolve_theme
from insights.store.models import Category, CategoryPin, Theme

MAX_TITLE = 120


class CategoryError(AnnotationError):
    """An edit that cannot be made (unknown category, merged theme, ...); one line."""


def _category(session: Session, category_id: int) -> Category:
    row = session.get(Category, category_id)
    if row is None:
        raise CategoryError(f"no category with id {category_id}")
    if row.status != "active":
        raise CategoryError(f"category {category_id} was retired by a later run")
    return row


def _title(title: str) -> str:
    clean = " ".join(str(title or "").split())
    if not clean:
        raise CategoryError("a category title cannot be empty")
    if len(clean) > MAX_TITLE:
        raise CategoryError(f"a category title has at most {MAX_TITLE} characters")
    return clean


def _theme(session: Session, theme_id: int) -> int:
    if session.get(Theme, theme_id) is None:
        raise CategoryError(f"no theme with id {theme_id}")
    survivor = resolve_theme(session, theme_id)
    if survivor != theme_id:
        raise CategoryError(f"theme {theme_id} was merged into {survivor}; move {survivor}")
    return theme_id


def rename_category(engine: Engine, category_id: int, title: str | None, who: str | Person) -> str:
    """Give a category a person's title (None or "" gives the machine title back). A
    :class:`Person` needs the ``categorise`` right (AccessDenied, nothing written)."""
    who = acting(who, "categorise")
    wanted = _title(title) if title and str(title).strip() else None

    def body(session: Session) -> str:
        row = _category(session, category_id)
        before = row.human_title
        if before != wanted:
            row.human_title = wanted
            audit(
                session,
                who,
                None,  # a category edit names no theme
                "category title",
                before={"category_id": category_id, "title": before},
                after={"category_id": category_id, "title": wanted},
            )
        return wanted or row.machine_title

    return _write_txn(engine, body)


def move_theme(
    engine: Engine,
    theme_id: int,
    category_id: int | None,
    who: str | Person,
    new_title: str | None = None,
    at: datetime | None = None,
) -> int:
    """Put a theme in a category for good (``category_id`` None: a new category titled
    ``new_title``). Returns the category id."""
    who = acting(who, "categorise")
    if category_id is None:
        title = _title(new_title or "")

    def body(session: Session) -> int:
        tid = _theme(session, theme_id)
        if category_id is None:
            cid = int(session.scalar(select(func.max(Category.id))) or 0) + 1
            session.add(
                Category(
                    id=cid,
                    machine_title=title,
                    human_title=title,
                    status="active",
                    created_by=who,
                )
            )
            session.flush()
        else:
            row = _category(session, category_id)
            if row.parent_id is not None:
                raise CategoryError(
                    f"category {category_id} is a sub-category of {row.parent_id}: "
                    f"move the theme to {row.parent_id}"
                )
            cid = category_id
        pin = session.get(CategoryPin, tid)
        before = pin.category_id if pin else None
        if pin is None:
            session.add(
                CategoryPin(theme_id=tid, category_id=cid, updated_at=at or _now(), updated_by=who)
            )
        else:
            pin.category_id, pin.updated_at, pin.updated_by = cid, at or _now(), who
        audit(
            session,
            who,
            tid,
            "category move",
            before={"category_id": before},
            after={"category_id": cid},
        )
        return cid

    return _write_txn(engine, body)


def unpin_theme(engine: Engine, theme_id: int, who: str | Person) -> bool:
    """Let the grouping place the theme again (from the next refresh). Returns whether a move
    was undone."""
    who = acting(who, "categorise")

    def body(session: Session) -> bool:
        pin = session.get(CategoryPin, theme_id)
        if pin is None:
            return False
        audit(
            session,
            who,
            theme_id,
            "category move",
            before={"category_id": pin.category_id},
            after={"category_id": None},
        )
        session.delete(pin)
        return True

    return _write_txn(engine, body)
