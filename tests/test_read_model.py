"""The read model: rankings stored per data version, so the app's first page after a refresh
reads tables, never stale numbers, and titles always current."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from insights.people.annotate import annotate, merge_themes
from insights.settings import load_settings
from insights.store.db import session_scope
from insights.store.models import Batch, ReadIndex, ReadTheme, ReadWeek
from insights.views import frame as frames
from insights.views import weekly
from insights.views.frame import clear_frames, data_version
from insights.views.ranked import Selection
from insights.views.weekly import materialise, ranked_week, trend_params
from tests.test_app import build_store, page
from tests.test_app import frames as tables


@pytest.fixture
def store(db_url):
    return build_store(db_url)


def _no_ticket_reads(monkeypatch) -> None:
    clear_frames()

    def refuse(_engine):
        raise AssertionError("read every ticket")

    monkeypatch.setattr(frames, "ticket_frame", refuse)


def _count(engine, model) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def test_home_after_materialise_reads_tables_only(store, monkeypatch):
    settings = load_settings()
    index = materialise(store, settings)
    assert index.default_week and index.weeks[0] >= index.default_week
    assert _count(store, ReadIndex) == 1 and _count(store, ReadWeek) >= 1
    _no_ticket_reads(monkeypatch)
    at = page("Home.py")
    table = tables(at)[0]
    assert set(table["theme_id"]) == {1, 2, 3} and table["theme_id"].iloc[0] == 1
    assert next(m.label for m in at.metric).startswith("Tickets in")
    week = ranked_week(store, settings)  # the CLI's default week: stored too
    assert week.week == index.complete_week and week.themes


def test_stored_rankings_follow_the_data_version(store, monkeypatch):
    settings = load_settings()
    materialise(store, settings)
    before = data_version(store, trend_params(settings))
    first = ranked_week(store, settings, selection=Selection(region="TH"))
    calls = []
    real_rank = weekly.rank
    monkeypatch.setattr(weekly, "rank", lambda *a, **k: calls.append(1) or real_rank(*a, **k))
    again = ranked_week(store, settings, selection=Selection(region="TH"))
    assert calls == [] and [t.volume for t in again.themes] == [t.volume for t in first.themes]

    annotate(store, 1, "lead", title="Courier late")  # a title: read fresh, nothing recomputed
    assert ranked_week(store, settings).themes[0].title == "Courier late" and calls == []

    merge_themes(store, 3, 2, "lead")  # moves tickets: a new data version
    after = data_version(store, trend_params(settings))
    assert after.key != before.key
    merged = ranked_week(store, settings)
    assert calls and 3 not in {t.theme_id for t in merged.themes}
    with session_scope(store) as s:  # a new file ingested: a new version as well
        s.add(Batch(source_path="n.csv", source="t", file_sha256="n", started_at=after_now()))
    assert data_version(store, trend_params(settings)).key != after.key

    materialise(store, settings)  # older versions' rows are dropped
    with session_scope(store) as s:
        versions = set(s.scalars(select(ReadWeek.version)))
        orphans = s.scalar(
            select(func.count())
            .select_from(ReadTheme)
            .where(ReadTheme.week_id.not_in(select(ReadWeek.id)))
        )
    assert versions == {data_version(store, trend_params(settings)).key} and orphans == 0


def after_now():
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)


def test_a_merge_in_the_app_stores_the_new_version(store, monkeypatch):
    from tests.test_app import _click, _tagging

    materialise(store, load_settings())
    at = _tagging()
    at.selectbox(key="m_source").set_value(3)
    at.selectbox(key="m_target").set_value(1)
    at.checkbox(key="m_sure").check().run()
    _click(at, "Merge")
    assert not at.exception
    version = data_version(store, trend_params(load_settings()))
    with session_scope(store) as s:
        assert s.get(ReadIndex, version.key) is not None
    _no_ticket_reads(monkeypatch)
    home = tables(page("Home.py"))[0]
    assert 3 not in set(home["theme_id"])
