"""The category level in the app: Home's category table, treemap and filter; the Categories
page's rename and move, audited and shown at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from insights.jobs.categories import ensure_categories
from insights.store.db import session_scope
from insights.store.models import AuditEntry
from insights.views.categories import current_categories
from tests.test_app import build_store, frames, page


@pytest.fixture
def store(db_url, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    engine = build_store(db_url)
    assert ensure_categories(engine)  # a run written before categories existed gets them
    assert not ensure_categories(engine)
    return engine


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_home_shows_categories_and_filters_by_one(store):
    at = page("Home.py")
    by_category, themes = frames(at)[0], frames(at)[1]
    assert by_category["volume"].sum() == themes["volume"].sum()
    assert len(at.get("plotly_chart")) == 1
    (only,) = current_categories(store, top_only=True)  # three themes: one category
    at.selectbox(key="f_category").set_value(only.category_id).run()
    assert set(frames(at)[1]["theme_id"]) == set(only.theme_ids)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_categories_page_renames_and_moves_audited(store):
    assert len(current_categories(store, top_only=True)) == 1
    at = page("pages/5_Categories.py")
    at.sidebar.text_input(key="who").set_value("ana@shop.co")
    at.text_input(key="rename_title").set_value("Delivery and money")
    at.button(key="FormSubmitter:rename-Save title").click().run()
    assert not at.exception, at.exception
    assert [c.title for c in current_categories(store, top_only=True)] == ["Delivery and money"]

    at.selectbox(key="move_theme").set_value(3)
    at.selectbox(key="move_to").set_value(-1)
    at.text_input(key="move_new_title").set_value("Seller payouts")
    at.button(key="FormSubmitter:move-Move").click().run()
    assert not at.exception, at.exception
    cats = {c.title: c.theme_ids for c in current_categories(store, top_only=True)}
    assert cats == {"Delivery and money": [1, 2], "Seller payouts": [3]}
    with session_scope(store) as s:
        trail = [(a.who, a.action) for a in s.scalars(select(AuditEntry))]
    assert ("ana@shop.co", "category title") in trail
    assert ("ana@shop.co", "category move") in trail


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_categories_page_needs_a_name(store):
    at = page("pages/5_Categories.py")
    at.text_input(key="rename_title").set_value("x")
    at.button(key="FormSubmitter:rename-Save title").click().run()
    assert any("enter your name" in e.value for e in at.error)
    assert not any(c.title_by_human for c in current_categories(store))
