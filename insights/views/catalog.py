"""Read the current themes (the latest successful run) for the CLI, app and exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from insights.jobs.runs import latest_run_id
from insights.store.db import session_scope
from insights.store.models import Assignment, Theme, ThemeSnapshot, Ticket
from insights.views.export import write_csv


@dataclass
class ThemeRow:
    theme_id: int
    title: str
    keywords: list[str]
    size: int
    languages: dict[str, int]
    keywords_by_language: dict[str, list[str]]

    def as_dict(self) -> dict:
        return {
            "theme_id": self.theme_id,
            "title": self.title,
            "keywords": self.keywords,
            "size": self.size,
            "languages": self.languages,
            "keywords_by_language": self.keywords_by_language,
        }


def current_themes(engine: Engine, limit: int | None = None) -> list[ThemeRow]:
    """Themes of the latest run, largest first; a human title wins over the machine label."""
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
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
        if limit:
            stmt = stmt.limit(limit)
        return [
            ThemeRow(
                tid,
                title or label,
                list(kw.get("all", [])),
                size,
                dict(sorted(langs.items(), key=lambda x: -x[1])),
                kw.get("by_language", {}),
            )
            for tid, title, label, size, kw, langs in session.execute(stmt)
        ]


def export_assignments(engine: Engine, out: Path) -> int:
    """ticket_id,theme_id,theme_title for every ticket; theme_id empty when unthemed."""
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        stmt = (
            select(Ticket.external_id, Assignment.theme_id, Theme.title, Theme.label)
            .outerjoin(
                Assignment, (Assignment.ticket_id == Ticket.id) & (Assignment.run_id == run_id)
            )
            .outerjoin(Theme, Theme.id == Assignment.theme_id)
            .order_by(Ticket.id)
        )
        rows = (
            (ext, tid if tid is not None else "", (title or label) if tid is not None else "")
            for ext, tid, title, label in session.execute(stmt.execution_options(yield_per=5000))
        )
        return write_csv(out, ("ticket_id", "theme_id", "theme_title"), rows)
