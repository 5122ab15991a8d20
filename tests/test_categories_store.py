"""Categories in the store: every run has them, people's renames and moves show at once, are
audited and survive a full refresh; the CLI's JSON contract and its one-line errors."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from insights.cli.main import app
from insights.jobs.categories import categorised_run
from insights.jobs.refresh import refresh
from insights.jobs.runs import latest_run_id
from insights.people.categories import CategoryError, move_theme, rename_category, unpin_theme
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import AuditEntry, Category, Theme
from insights.views.categories import category_of, category_table, current_categories
from insights.views.dashboard import table_frame
from insights.views.ranked import Selection
from insights.views.themes import current_themes, theme_meta
from insights.views.weekly import ranked_week
from tests.conftest import first_refresh

runner = CliRunner()


def _partition(engine) -> dict[int, int]:
    """theme id -> top category id, checking every current theme is in exactly one."""
    cats = current_categories(engine, top_only=True)
    seen = [t for c in cats for t in c.theme_ids]
    assert len(seen) == len(set(seen))
    themes = current_themes(engine)
    assert set(seen) == {t.theme_id for t in themes}
    assert sum(c.volume for c in cats) == sum(t.size for t in themes)
    return {t: c.category_id for c in cats for t in c.theme_ids}


def test_every_run_is_grouped_and_people_edits_survive_a_full_refresh(seeded, db_url):
    seeded("first-150", first_refresh)
    engine = connect(db_url)
    with session_scope(engine) as session:
        assert categorised_run(session) == latest_run_id(session)
    before = _partition(engine)
    cats = current_categories(engine, top_only=True)
    assert len(cats) >= 2
    big, other = cats[0], cats[1]
    mover = other.theme_ids[0]

    assert rename_category(engine, big.category_id, "  Orders   and sizes ", "ana") == (
        "Orders and sizes"
    )
    assert move_theme(engine, mover, big.category_id, "ana") == big.category_id
    fresh = move_theme(engine, big.theme_ids[-1], None, "budi", new_title="Refund waits")
    now = _partition(engine)  # shown at once, before any refresh
    assert now[mover] == big.category_id and now[big.theme_ids[-1]] == fresh
    titles = {c.category_id: c.title for c in current_categories(engine)}
    assert titles[big.category_id] == "Orders and sizes" and titles[fresh] == "Refund waits"

    result = refresh(engine, load_settings(db_url), full=True)
    assert result.mode == "full"
    with session_scope(engine) as session:
        assert categorised_run(session) == result.run_id
    after = _partition(engine)
    assert after[mover] == big.category_id and after[big.theme_ids[-1]] == fresh
    titles = {c.category_id: c.title for c in current_categories(engine)}
    assert titles[big.category_id] == "Orders and sizes" and titles[fresh] == "Refund waits"
    # a retired id is never issued again (id stability itself: bench/categories.py)
    issued = set(before.values()) | {fresh}
    assert all(c > max(issued) for c in set(after.values()) - issued)

    with session_scope(engine) as session:
        trail = [(a.who, a.action) for a in session.scalars(select(AuditEntry))]
    assert ("ana", "category title") in trail and trail.count(("ana", "category move")) == 1
    assert ("budi", "category move") in trail

    assert unpin_theme(engine, mover, "ana") and not unpin_theme(engine, mover, "ana")
    engine.dispose()


def test_bad_edits_are_one_line_errors(seeded, db_url):
    seeded("first-150", first_refresh)
    engine = connect(db_url)
    cats = current_categories(engine, top_only=True)
    tid = cats[0].theme_ids[0]
    with pytest.raises(CategoryError, match="no category with id 999"):
        move_theme(engine, tid, 999, "ana")
    with pytest.raises(CategoryError, match="no theme with id 99999"):
        move_theme(engine, 99999, cats[0].category_id, "ana")
    with pytest.raises(CategoryError, match="cannot be empty"):
        move_theme(engine, tid, None, "ana", new_title="   ")
    survivor = cats[-1].theme_ids[0]
    with session_scope(engine) as session:
        session.execute(update(Theme).where(Theme.id == tid).values(merged_into=survivor))
    with pytest.raises(CategoryError, match=f"merged into {survivor}"):
        move_theme(engine, tid, cats[0].category_id, "ana")
    with session_scope(engine) as session:
        session.execute(
            update(Category).where(Category.id == cats[0].category_id).values(status="retired")
        )
    with pytest.raises(CategoryError, match="retired"):
        rename_category(engine, cats[0].category_id, "x", "ana")
    engine.dispose()


def test_week_view_sums_the_categories_themes(seeded, db_url):
    seeded("first-150", first_refresh)
    engine = connect(db_url)
    settings = load_settings(db_url)
    ranked = ranked_week(engine, settings, None, Selection())
    cats = current_categories(engine)
    themes = table_frame(ranked, theme_meta(engine))
    table = category_table(themes, cats)
    assert table["volume"].sum() == themes["volume"].sum() == sum(t.volume for t in ranked.themes)
    assert list(table["volume"]) == sorted(table["volume"], reverse=True)
    top = table.iloc[0]
    assert top["baseline"] == pytest.approx(
        themes.loc[themes["theme_id"].isin(top["theme_ids"]), "baseline"].sum(), abs=0.05
    )
    of = category_of(cats)
    assert set(of) == {t.theme_id for t in current_themes(engine)}
    engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_lists_json_and_refuses_bad_input(seeded, db_url):
    seeded("first-150", first_refresh)
    got = runner.invoke(app, ["categories", "--format", "json"])
    assert got.exit_code == 0, got.output
    rows = json.loads(got.stdout)
    assert rows and {"category_id", "title", "theme_ids", "volume"} <= set(rows[0])
    cid, tid = rows[0]["category_id"], rows[-1]["theme_ids"][0]
    moved = runner.invoke(app, ["categories", "move", str(tid), str(cid), "--by", "ana"])
    assert moved.exit_code == 0, moved.output
    again = json.loads(runner.invoke(app, ["categories", "--format", "json"]).stdout)
    assert tid in next(r for r in again if r["category_id"] == cid)["theme_ids"]
    bad = runner.invoke(app, ["categories", "move", str(tid), "999"])
    assert bad.exit_code == 2 and "no category with id 999" in bad.stderr
    assert "Traceback" not in bad.output
    both = runner.invoke(app, ["categories", "move", str(tid), str(cid), "--new", "x"])
    assert both.exit_code == 2
    csv_out = runner.invoke(app, ["categories", "--format", "csv"])
    assert csv_out.stdout.splitlines()[0].startswith("category_id,title,volume")
