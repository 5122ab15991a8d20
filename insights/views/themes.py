"""The current themes: those of the latest ok run that were not merged away, with their
snapshot (size, keywords, languages) and, for the app, the people's notes and lifecycle badge.

One query (:func:`current_theme_rows`) feeds `insights themes`, the app's tables and the read
model; titles are read fresh every time (people edit them by the minute).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from insights.jobs.runs import latest_run_id
from insights.store.db import session_scope
from insights.store.models import Annotation, Theme, ThemeSnapshot
from insights.views.lifecycle import display_title, lifecycle_badges

META_COLUMNS = [
    "theme_id",
    "title",
    "label",
    "size",
    "keywords",
    "keywords_by_language",
    "languages",
    "tags",
    "owner",
    "status",
    "tracker_url",
    "note",
    "region",
    "lifecycle",
]


@dataclass
class ThemeRow:
    """One current theme as `insights themes` lists it."""

    theme_id: int
    title: str
    keywords: list[str]
    size: int
    languages: dict[str, int]
    keywords_by_language: dict[str, list[str]] = field(default_factory=dict)
    label: str = ""

    def as_dict(self) -> dict:
        return {
            "theme_id": self.theme_id,
            "title": self.title,
            "keywords": self.keywords,
            "size": self.size,
            "languages": self.languages,
            "keywords_by_language": self.keywords_by_language,
        }


def current_theme_rows(session: Session, run_id: int | None) -> list[ThemeRow]:
    """The themes of `run_id` not merged away, largest first."""
    if run_id is None:
        return []
    stmt = (
        select(
            Theme.id,
            Theme.title,
            Theme.label,
            ThemeSnapshot.size,
            ThemeSnapshot.keywords,
            ThemeSnapshot.languages,
        )
        .join(ThemeSnapshot, ThemeSnapshot.theme_id == Theme.id)
        .where(ThemeSnapshot.run_id == run_id, Theme.merged_into.is_(None))
        .order_by(ThemeSnapshot.size.desc(), Theme.id)
    )
    rows = []
    for tid, title, label, size, kw, langs in session.execute(stmt):
        kw = kw or {}
        rows.append(
            ThemeRow(
                int(tid),
                display_title(title, label, tid),
                list(kw.get("all", [])),
                int(size),
                dict(sorted((langs or {}).items(), key=lambda x: -x[1])),
                dict(kw.get("by_language", {})),
                label or "",
            )
        )
    return rows


def current_themes(engine: Engine, limit: int | None = None) -> list[ThemeRow]:
    """Themes of the latest run, largest first; a human title wins over the machine label."""
    with session_scope(engine) as session:
        rows = current_theme_rows(session, latest_run_id(session))
    return rows[:limit] if limit else rows


def current_titles(session: Session, run_id: int | None) -> dict[int, str]:
    """theme id -> display title of the current themes."""
    return {r.theme_id: r.title for r in current_theme_rows(session, run_id)}


def theme_meta(engine: Engine) -> pd.DataFrame:
    """The current themes with people's notes and lifecycle badge, one row each (META_COLUMNS)."""
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        rows = current_theme_rows(session, run_id)
        notes = {a.theme_id: a for a in session.scalars(select(Annotation))}
        badges = lifecycle_badges(session, run_id)
    records = []
    for r in rows:
        ann = notes.get(r.theme_id)
        badge = badges.get(r.theme_id)
        records.append(
            {
                "theme_id": r.theme_id,
                "title": r.title,
                "label": r.label,
                "size": r.size,
                "keywords": r.keywords,
                "keywords_by_language": r.keywords_by_language,
                "languages": r.languages,
                "tags": list(ann.tags or []) if ann else [],
                "owner": ann.owner if ann else None,
                "status": ann.status if ann else "new",
                "tracker_url": ann.tracker_url if ann else None,
                "note": ann.note if ann else None,
                "region": ann.region if ann else None,
                "lifecycle": "active" if badge in (None, "continued") else badge,
            }
        )
    meta = pd.DataFrame.from_records(records, columns=META_COLUMNS)
    for col in ("owner", "tracker_url", "note", "region"):  # keep None, not NaN: NaN is truthy
        meta[col] = meta[col].astype(object).where(meta[col].notna(), None)
    return meta
