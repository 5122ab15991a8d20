"""The read model's tables: ranked weeks and the week index, stored per data version.

A stored ranking is valid exactly as long as its data version is current (the same run, no
merge or split since, no new file ingested, the same trend parameters), so readers never see
stale numbers: a newer version simply has no rows yet. Titles are not stored: they are read
fresh, so a person's rename shows at once without recomputing anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from insights.jobs.runs import now
from insights.store.db import session_scope
from insights.store.models import ReadIndex, ReadTheme, ReadWeek
from insights.views.ranked import SCORE_PARTS, RankedTheme, RankedWeek, ScoreParts, Selection


@dataclass
class WeekIndex:
    """What pages need before any ranking: the weeks that hold tickets (newest first), the
    default week (latest complete, else newest), the latest complete week (None: none yet),
    the filter values and how many tickets have dates out of range."""

    weeks: list[str] = field(default_factory=list)
    default_week: str | None = None
    complete_week: str | None = None
    segments: dict[str, list[str]] = field(default_factory=dict)
    out_of_range: int = 0


#: RankedTheme fields stored as they are (the title is read fresh, score parts have columns).
THEME_FIELDS = tuple(f.name for f in fields(RankedTheme) if f.name not in ("title", "score_parts"))
WEEK_FIELDS = ("total_tickets", "previous_tickets", "unthemed", "out_of_range", "message", "totals")


def _values(record: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names}


def load_index(engine: Engine, version: str) -> WeekIndex | None:
    with session_scope(engine) as session:
        row = session.get(ReadIndex, version)
        if row is None:
            return None
        return WeekIndex(**_values(row, tuple(f.name for f in fields(WeekIndex))))


def save_index(engine: Engine, version: str, index: WeekIndex) -> None:
    try:
        with session_scope(engine) as session:
            if session.get(ReadIndex, version) is None:
                session.add(ReadIndex(version=version, built_at=now(), **asdict(index)))
    except IntegrityError:  # another process stored the same version meanwhile
        pass


def _selection(key: str) -> Selection:
    values = dict(part.split("=", 1) for part in key.split("|") if part)
    return Selection(**values)


def _theme(row: ReadTheme) -> RankedTheme:
    parts = ScoreParts(**{k: getattr(row, f"score_{k}") for k in SCORE_PARTS})
    return RankedTheme(title="", score_parts=parts, **_values(row, THEME_FIELDS))


def _theme_row(week_id: int, rank: int, theme: RankedTheme) -> dict[str, Any]:
    parts = {f"score_{k}": v for k, v in theme.score_parts.as_dict().items()}
    return {"week_id": week_id, "rank": rank, **parts, **_values(theme, THEME_FIELDS)}


def load_week(engine: Engine, version: str, week: str, selection: Selection) -> RankedWeek | None:
    with session_scope(engine) as session:
        row = session.scalars(
            select(ReadWeek).where(
                ReadWeek.version == version,
                ReadWeek.week == week,
                ReadWeek.selection == selection.key,
            )
        ).first()
        if row is None:
            return None
        themes = session.scalars(
            select(ReadTheme).where(ReadTheme.week_id == row.id).order_by(ReadTheme.rank)
        )
        return RankedWeek(
            week=row.week,
            selection=_selection(row.selection),
            themes=[_theme(t) for t in themes],
            **_values(row, WEEK_FIELDS),
        )


def save_week(engine: Engine, version: str, ranked: RankedWeek) -> None:
    """Store a computed week (one transaction); a concurrent writer of the same key wins."""
    try:
        with session_scope(engine) as session:
            row = ReadWeek(
                version=version,
                week=ranked.week,
                selection=ranked.selection.key,
                built_at=now(),
                **_values(ranked, WEEK_FIELDS),
            )
            session.add(row)
            session.flush()
            if ranked.themes:
                session.execute(
                    insert(ReadTheme),
                    [_theme_row(row.id, i, t) for i, t in enumerate(ranked.themes, 1)],
                )
    except IntegrityError:
        pass


def drop_other_versions(engine: Engine, version: str) -> None:
    """Forget stored rankings of every other data version (they can never be current again,
    except after a restore, which recomputes them)."""
    with session_scope(engine) as session:
        old = select(ReadWeek.id).where(ReadWeek.version != version)
        session.execute(delete(ReadTheme).where(ReadTheme.week_id.in_(old)))
        session.execute(delete(ReadWeek).where(ReadWeek.version != version))
        session.execute(delete(ReadIndex).where(ReadIndex.version != version))
