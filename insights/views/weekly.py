"""The week as every view shows it: the entry points of the read model.

:func:`ranked_week` is the one way the CLI (`insights themes --week`), the flows, the digest and
the app get a week's ranking; :func:`week_index` the weeks and filter values; :func:`materialise`
stores both for the current data version, and is called when a refresh finishes and after a
person merges or splits themes, so the next page reads tables instead of every ticket.
"""

from __future__ import annotations

from sqlalchemy import Engine

from insights.jobs.runs import latest_run_id
from insights.settings import Settings
from insights.store.db import session_scope
from insights.trends import TrendParams, latest_complete_week, parse_week, week_label
from insights.views import store
from insights.views.frame import (
    DataVersion,
    data_version,
    default_week,
    load_frame,
    segment_values,
    week_labels,
)
from insights.views.lifecycle import lifecycle_badges
from insights.views.ranked import RankedWeek, Selection, rank
from insights.views.store import WeekIndex
from insights.views.themes import current_titles

NO_TICKETS = "No tickets in the store yet."


def trend_params(settings: Settings) -> TrendParams:
    """The week as configured (INSIGHTS_TIMEZONE, INSIGHTS_WEEK_START): one for every view."""
    return TrendParams.from_settings(settings.trends)


def week_index(engine: Engine, settings: Settings, version: DataVersion | None = None) -> WeekIndex:
    """The weeks, default week and filter values of the current data (stored, or computed and
    stored)."""
    params = trend_params(settings)
    version = version or data_version(engine, params)
    found = store.load_index(engine, version.key)
    if found is not None:
        return found
    frame, out_of_range = load_frame(engine, params, version)
    complete = latest_complete_week(frame, params=params)
    index = WeekIndex(
        weeks=week_labels(frame, params),
        default_week=default_week(frame, params),
        complete_week=week_label(complete, params.week_start) if complete else None,
        segments=segment_values(frame),
        out_of_range=out_of_range,
    )
    store.save_index(engine, version.key, index)
    return index


def _titles(engine: Engine) -> dict[int, str]:
    with session_scope(engine) as session:
        return current_titles(session, latest_run_id(session))


def ranked_week(
    engine: Engine,
    settings: Settings,
    week: str | None = None,
    selection: Selection | None = None,
    version: DataVersion | None = None,
) -> RankedWeek:
    """The ranking of `week` ("YYYY-Www"; default: the latest complete week) for `selection`.

    Raises ValueError (one line) for a malformed week. Titles are always the current ones.
    """
    selection = selection or Selection()
    if week is not None:
        parse_week(week)
    params = trend_params(settings)
    version = version or data_version(engine, params)
    index = week_index(engine, settings, version)
    week = week or index.complete_week
    if week is None:
        return RankedWeek(None, selection, [], out_of_range=index.out_of_range, message=NO_TICKETS)
    stored = store.load_week(engine, version.key, week, selection)
    if stored is not None:
        return stored.with_titles(_titles(engine))
    frame, out_of_range = load_frame(engine, params, version)
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        badges = lifecycle_badges(session, run_id)
        titles = current_titles(session, run_id)
    ranked = rank(frame, week, params, selection, badges, titles, out_of_range)
    store.save_week(engine, version.key, ranked)
    return ranked


def materialise(engine: Engine, settings: Settings) -> WeekIndex:
    """Store the current data version's index and default weeks (the latest complete week and
    the app's default week, unfiltered) and forget older versions' rows."""
    params = trend_params(settings)
    version = data_version(engine, params)
    index = week_index(engine, settings, version)
    for week in dict.fromkeys(w for w in (index.complete_week, index.default_week) if w):
        ranked_week(engine, settings, week, Selection(), version)
    store.drop_other_versions(engine, version.key)
    return index
