"""The Streamlit app through Streamlit's AppTest: every page, the tagging actions, merges,
splits, an empty store, and ticket text that carries HTML/script."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, insert, select, update
from streamlit.testing.v1 import AppTest

from app.ui import LOGIN_KEY
from insights.people.annotate import annotate, get_notes, merge_themes
from insights.people.split import SplitError, propose_split, split_theme
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import (
    Assignment,
    AuditEntry,
    Batch,
    Embedding,
    Run,
    Theme,
    ThemeEvent,
    ThemeSnapshot,
    Ticket,
)
from insights.views import dashboard, tagging, theme_page
from insights.views.export import table_csv
from insights.views.themes import theme_meta
from insights.views.weekly import ranked_week, week_index
from tests.conftest import sync_sequences

APP = Path(__file__).resolve().parent.parent / "app"
SCRIPT = "<script>window.__pwned = 1; alert('x')</script><b>bold</b> <img src=x onerror=alert(2)>"
THEMES = {
    1: ("courier delay", ["courier", "late", "delivery"], "en"),
    2: ("refund not received", ["refund", "money", "bank"], "th"),
    3: ("seller payout held", ["payout", "held", "seller"], "en"),
}
MODEL = "test-model"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def build_store(url: str, weeks: int = 10, per_week: int = 6, vectors: bool = False) -> Engine:
    """A small store as a full refresh would leave it, without running embeddings: tickets over
    `weeks` weeks up to now, one run, three themes with snapshots and assignments, and theme 1
    spiking in the latest complete week. `vectors`: cache two well-separated groups of
    embeddings for theme 3 so sub-clustering has something to find."""
    engine = connect(url)
    now = _now()
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    last_week = this_monday - timedelta(weeks=1)
    rng = np.random.default_rng(0)
    with session_scope(engine) as s:
        s.add(Batch(id=1, source_path="t.csv", source="test", file_sha256="h", started_at=now))
        s.add(
            Run(
                id=1,
                mode="full",
                status="ok",
                model_id=MODEL,
                parameters={},
                stats={"n_themes": 3},
                started_at=now,
                finished_at=now,
            )
        )
        s.flush()
        for tid, (label, _, _) in THEMES.items():
            s.add(Theme(id=tid, label=label, status="active", created_run_id=1, last_run_id=1))
        s.flush()
        tickets, assignments = [], []
        members: dict[int, list[int]] = {t: [] for t in THEMES}
        n = 0
        for w in range(weeks):
            start = last_week - timedelta(weeks=weeks - 1 - w)
            for tid, (label, kws, lang) in THEMES.items():
                count = per_week * (6 if tid == 1 and w == weeks - 1 else 1)
                for j in range(count):
                    n += 1
                    text = f"{kws[j % 3]} problem {label} number {n}"
                    if tid == 3 and n % 2 == 0:
                        text = f"payout account verification {n}"
                    tickets.append(
                        {
                            "id": n,
                            "source": "test",
                            "external_id": f"T{n:05d}",
                            "created_at": start + timedelta(hours=int(rng.integers(0, 160))),
                            "text": text,
                            "language": lang if j % 3 else "en",
                            "language_confidence": 1.0,
                            "language_detected": False,
                            "kind": "seller" if tid == 3 else "buyer",
                            "region": "TH" if j % 2 else "ID",
                            "channel": "chat" if j % 3 else "email",
                            "csat": int(rng.integers(1, 6)),
                            "attributes": {},
                            "truncated": False,
                            "content_hash": f"h{n}",
                            "row_hash": f"r{n}",
                            "batch_id": 1,
                            "ingested_at": now,
                            "updated_at": now,
                        }
                    )
                    members[tid].append(n)
                    assignments.append(
                        {
                            "run_id": 1,
                            "ticket_id": n,
                            "theme_id": tid,
                            "similarity": 0.9,
                            "method": "cluster",
                        }
                    )
        # One unthemed ticket and one ticket whose text is HTML/script (theme 3's representative).
        n += 1
        tickets.append({**tickets[0], "id": n, "external_id": "T-unthemed", "content_hash": "u"})
        assignments.append(
            {"run_id": 1, "ticket_id": n, "theme_id": None, "similarity": 0.0, "method": "none"}
        )
        n += 1
        tickets.append(
            {
                **tickets[0],
                "id": n,
                "external_id": "T-html",
                "text": SCRIPT,
                "content_hash": "x",
                "created_at": last_week + timedelta(days=1),
            }
        )
        members[3].append(n)
        assignments.append(
            {"run_id": 1, "ticket_id": n, "theme_id": 3, "similarity": 0.9, "method": "cluster"}
        )
        s.execute(insert(Ticket), tickets)
        s.execute(insert(Assignment), assignments)
        for tid, (_, kws, lang) in THEMES.items():
            s.add(
                ThemeSnapshot(
                    run_id=1,
                    theme_id=tid,
                    size=len(members[tid]),
                    centroid=np.eye(8, dtype=np.float32)[tid].tobytes(),
                    keywords={"all": kws, "by_language": {lang: kws[:2]}},
                    representatives={"en": [members[tid][-1], members[tid][0]]},
                    languages={lang: len(members[tid])},
                )
            )
            s.add(ThemeEvent(run_id=1, theme_id=tid, event="new", created_at=now))
        if vectors:
            rows = []
            by_id = {t["id"]: t for t in tickets}
            for t in members[3]:
                group = 1 if "verification" in by_id[t]["text"] else 0
                v = np.zeros(8, np.float32)
                v[group] = 1.0
                v += rng.normal(0, 0.05, 8).astype(np.float32)
                rows.append(
                    {
                        "model_id": MODEL,
                        "content_hash": by_id[t]["content_hash"],
                        "dim": 8,
                        "vector": v.tobytes(),
                    }
                )
            s.execute(insert(Embedding), rows)
    sync_sequences(engine)
    return engine


def new_run_keeping_ids(engine: Engine) -> int:
    """What a refresh that re-finds the same themes writes: a new run whose snapshots and
    assignments carry the same theme ids (and a machine label that changed)."""
    now = _now()
    with session_scope(engine) as s:
        old = s.scalar(select(Run.id).where(Run.status == "ok").order_by(Run.id.desc()).limit(1))
        run = Run(mode="full", status="ok", model_id=MODEL, parameters={}, stats={}, started_at=now)
        s.add(run)
        s.flush()
        for a in s.scalars(select(Assignment).where(Assignment.run_id == old)).all():
            s.add(
                Assignment(
                    run_id=run.id,
                    ticket_id=a.ticket_id,
                    theme_id=a.theme_id,
                    similarity=a.similarity,
                    method=a.method,
                )
            )
        for snap in s.scalars(select(ThemeSnapshot).where(ThemeSnapshot.run_id == old)).all():
            s.add(
                ThemeSnapshot(
                    run_id=run.id,
                    theme_id=snap.theme_id,
                    size=snap.size,
                    centroid=snap.centroid,
                    keywords=snap.keywords,
                    representatives=snap.representatives,
                    languages=snap.languages,
                )
            )
            s.add(
                ThemeEvent(run_id=run.id, theme_id=snap.theme_id, event="continued", created_at=now)
            )
            theme = s.get(Theme, snap.theme_id)
            theme.label, theme.last_run_id = f"{theme.label} (rerun)", run.id
        run.finished_at = now
        return run.id


@pytest.fixture
def store(db_url, monkeypatch) -> Engine:
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    return build_store(db_url)


def app_at(name: str = "Home.py") -> AppTest:
    """An AppTest of the multipage app (entry Home.py, so page links resolve) on page `name`."""
    at = AppTest.from_file(str(APP / "Home.py"), default_timeout=60)
    if name != "Home.py":
        at.switch_page(name)
    return at


def page(name: str, **query: str) -> AppTest:
    at = app_at(name)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def all_markdown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption]
    parts += [m.value for m in at.title] + [m.value for m in at.info] + [m.value for m in at.error]
    return "\n".join(parts)


# --------------------------------------------------------------------------- Home


def test_home_ranks_themes_with_sparklines_and_headline(store):
    at = page("Home.py")
    table = frames(at)[0]
    assert table["theme_id"].iloc[0] == 1  # the spiking theme ranks first
    assert set(table["theme_id"]) == {1, 2, 3}
    assert all(len(t) == 12 for t in table["trend"])
    assert table.loc[table["theme_id"] == 1, "spike"].iloc[0] == dashboard.SPIKE_MARK
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Tickets in") for label in labels)
    assert "Spiking themes" in labels
    week = at.selectbox(key="week").value
    assert week == week_index(store, load_settings()).default_week
    assert len(at.get("download_button")) == 1


def test_home_filters_search_and_sort(store):
    annotate(store, 2, "lead", tags=["refunds"], owner="ana", status="investigating")
    at = page("Home.py")
    at.selectbox(key="f_tag").set_value("refunds").run()
    assert list(frames(at)[0]["theme_id"]) == [2]
    at.selectbox(key="f_tag").set_value("All")
    at.selectbox(key="f_status").set_value("investigating").run()
    assert list(frames(at)[0]["theme_id"]) == [2]
    at.selectbox(key="f_status").set_value("All")
    at.text_input(key="search").set_value("payout").run()
    assert list(frames(at)[0]["theme_id"]) == [3]
    at.text_input(key="search").set_value("").run()
    at.selectbox(key="f_kind").set_value("seller").run()
    assert list(frames(at)[0]["theme_id"]) == [3]
    at.selectbox(key="f_kind").set_value("All")
    at.selectbox(key="sort").set_value("title").run()
    titles = list(frames(at)[0]["title"])
    assert titles == sorted(titles)
    at.radio(key="mode").set_value("Date range").run()
    assert not at.exception
    assert len(frames(at)[0]) == 3


def test_csv_export_neutralises_formulas(store):
    annotate(store, 1, "lead", title='=HYPERLINK("http://evil")', tags=["+cmd"])
    settings = load_settings()
    week = week_index(store, settings).default_week
    table = dashboard.table_frame(ranked_week(store, settings, week), theme_meta(store))
    text = table_csv(table).decode()
    assert "'=HYPERLINK" in text and "'+cmd" in text
    assert ",=HYPERLINK" not in text


def test_digest_link_on_home_opens_theme_page(store):
    at = AppTest.from_file(str(APP / "Home.py"), default_timeout=60)
    at.query_params["theme"] = "2"
    at.run()
    assert not at.exception
    assert "refund not received" in all_markdown(at)


def test_empty_store_explains_ingest_and_refresh(db_url, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    connect(db_url)
    for name in ("Home.py", "pages/1_Theme.py", "pages/2_Tagging.py"):
        at = page(name)
        text = all_markdown(at)
        assert "insights ingest" in text and "insights refresh" in text, name


def test_tickets_without_a_run_ask_for_refresh(db_url, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    engine = build_store(db_url)
    with session_scope(engine) as s:
        s.execute(Run.__table__.update().values(status="failed"))
    assert "insights refresh" in all_markdown(page("Home.py"))


# --------------------------------------------------------------------------- Theme page


def test_theme_page_shows_everything(store):
    at = page("pages/1_Theme.py", theme="1")
    assert at.title[0].value == "courier delay"
    tables = frames(at)
    keywords = tables[0]
    assert set(keywords["language"]) == {"all", "en"}
    breakdown_cols = {t.columns[0] for t in tables}
    assert {"region", "language", "kind", "channel"} <= breakdown_cols
    tickets = next(t for t in tables if "csat" in t.columns)
    assert len(tickets) == 25  # one page
    history = next(t for t in tables if "event" in t.columns)
    assert "new" in set(history["event"])
    at.number_input(key="t_page").set_value(2).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert "Rank score" in metrics and "Growth vs baseline" in metrics


def test_theme_page_escapes_html_in_ticket_text(store):
    at = page("pages/1_Theme.py", theme="3")
    shown = "\n".join(t.to_csv() for t in frames(at))
    assert SCRIPT in shown  # displayed as text inside data tables
    assert "<script" not in all_markdown(at)
    unsafe = [m for m in at.markdown if getattr(m.proto, "allow_html", False)]
    assert unsafe == []


def test_theme_page_unknown_and_bad_ids(store):
    assert "no theme 99" in all_markdown(page("pages/1_Theme.py", theme="99"))
    assert "must be a theme id" in all_markdown(page("pages/1_Theme.py", theme="abc"))


def test_merged_theme_redirects_with_a_note(store):
    annotate(store, 2, "lead", tags=["refunds"])
    merge_themes(store, 2, 1, "lead")
    at = page("pages/1_Theme.py", theme="2")
    text = all_markdown(at)
    assert "Theme 2 was merged into theme 1" in text
    assert at.title[0].value == "courier delay"
    assert at.query_params["theme"] in ("1", ["1"])
    assert "theme 2 merged into this one" in frames(at)[-2].to_csv() or any(
        "merged into this one" in t.to_csv() for t in frames(at)
    )
    home = frames(page("Home.py"))[0]
    assert 2 not in set(home["theme_id"])


def test_title_edit_on_theme_page_is_audited(store):
    at = app_at("pages/1_Theme.py")
    at.query_params["theme"] = "1"
    at.session_state["who"] = "pm@shop"
    at.run()
    form_inputs = [t for t in at.text_input if t.label == "Title"]
    form_inputs[0].set_value("Courier late in Bangkok")
    at.button[[b.label for b in at.button].index("Save")].click().run()
    assert not at.exception
    assert at.title[0].value == "Courier late in Bangkok"
    audit = theme_page.audit_frame(store, 1)
    assert audit.iloc[0]["who"] == "pm@shop"
    assert "title: courier delay" not in audit.iloc[0]["change"]  # machine label isn't a title
    assert "Courier late in Bangkok" in audit.iloc[0]["change"]


# --------------------------------------------------------------------------- Tagging


def _tagging(who: str | None = "lead@th") -> AppTest:
    at = app_at("pages/2_Tagging.py")
    if who:
        at.session_state["who"] = who
    at.run()
    assert not at.exception, at.exception
    return at


def _click(at: AppTest, label: str) -> AppTest:
    return at.button[[b.label for b in at.button].index(label)].click().run()


def test_tagging_queue_puts_untagged_unowned_first(store):
    annotate(store, 1, "lead", tags=["courier"], owner="somchai")
    at = _tagging()
    queue = frames(at)[0]
    assert list(queue["theme_id"])[-1] == 1
    assert set(queue["needs"].iloc[:2]) == {"tags, owner"}
    at.selectbox(key="region").set_value("TH").run()
    assert not at.exception


def test_region_comes_from_login(store, monkeypatch):
    monkeypatch.setenv("INSIGHTS_APP_USER_REGIONS", "lead@th=TH, lead@id=ID")
    at = _tagging("lead@id")
    assert at.selectbox(key="region").value == "ID"


def test_tagging_sets_everything_audited_and_survives_a_refresh(store):
    at = _tagging()
    at.selectbox(key="tag_theme").set_value(2).run()
    inputs = {t.label: t for t in at.text_input}
    inputs["Title"].set_value("Refund stuck at bank")
    inputs["New tags"].set_value("Refunds, bank-transfer")
    inputs["Owner"].set_value("ana")
    inputs["Tracker URL"].set_value("https://jira.example.com/REF-1")
    at.text_area[0].set_value("Seen in TH since July")
    next(b for b in at.selectbox if b.label == "Status").set_value("investigating")
    _click(at, "Save")
    assert not at.exception
    assert "Saved theme 2" in "\n".join(s.value for s in at.success)
    notes = get_notes(store, 2)
    assert notes.title == "Refund stuck at bank"
    assert notes.tags == ["refunds", "bank-transfer"]
    assert (notes.owner, notes.status) == ("ana", "investigating")
    assert notes.tracker_url == "https://jira.example.com/REF-1"
    audit = theme_page.audit_frame(store, 2)
    assert list(audit["who"]) == ["lead@th"]
    # the tag is now suggested when tagging another theme
    at.selectbox(key="tag_theme").set_value(3).run()
    assert "refunds" in next(m for m in at.multiselect if m.label == "Tags").options

    new_run_keeping_ids(store)
    home = frames(page("Home.py"))[0]
    row = home.loc[home["theme_id"] == 2].iloc[0]
    assert row["title"] == "Refund stuck at bank"
    assert list(row["tags"]) == ["refunds", "bank-transfer"]
    assert (row["owner"], row["status"]) == ("ana", "investigating")
    theme = page("pages/1_Theme.py", theme="2")
    assert any("lead@th" in set(t.get("who", [])) for t in frames(theme))


def test_a_save_never_undoes_what_someone_saved_after_the_form_was_shown(store):
    at = _tagging()
    at.selectbox(key="tag_theme").set_value(2).run()
    annotate(store, 2, "lead@id", tags=["courier"], owner="budi", note="ID too")  # form open
    inputs = {t.label: t for t in at.text_input}
    inputs["New tags"].set_value("refunds")
    inputs["Owner"].set_value("ana")
    _click(at, "Save")
    assert not at.exception
    notes = get_notes(store, 2)
    # both tag edits kept, the other lead's note kept, this save's own owner edit applied
    assert notes.tags == ["courier", "refunds"] and notes.note == "ID too"
    assert notes.owner == "ana"
    assert list(theme_page.audit_frame(store, 2)["who"]) == ["lead@th", "lead@id"]


def test_bad_tracker_url_is_a_visible_error_and_nothing_is_saved(store):
    at = _tagging()
    at.selectbox(key="tag_theme").set_value(2).run()
    inputs = {t.label: t for t in at.text_input}
    inputs["Owner"].set_value("ana")
    inputs["Tracker URL"].set_value("javascript:alert(1)")
    _click(at, "Save")
    assert any("Not saved" in e.value for e in at.error)
    notes = get_notes(store, 2)
    assert notes.owner is None and notes.tracker_url is None
    assert theme_page.audit_frame(store, 2).empty


def test_failed_write_in_the_store_shows_an_error(store):
    at = _tagging()
    at.selectbox(key="tag_theme").set_value(2).run()
    {t.label: t for t in at.text_input}["Owner"].set_value("ana")
    with session_scope(store) as s:  # a trigger makes the audit insert fail after the update
        if store.dialect.name == "postgresql":
            s.connection().exec_driver_sql(
                "CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit log is read-only'; END $$ LANGUAGE plpgsql"
            )
            s.connection().exec_driver_sql(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION no_audit()"
            )
        else:
            s.connection().exec_driver_sql(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit log is read-only'); END"
            )
    _click(at, "Save")
    assert any("audit log is read-only" in e.value for e in at.error)
    assert get_notes(store, 2).owner is None


def test_saving_needs_a_name(store):
    at = _tagging(who=None)
    assert any("Enter your name" in w.value for w in at.warning)
    {t.label: t for t in at.text_input}["Owner"].set_value("ana")
    _click(at, "Save")
    assert any("enter your name" in e.value for e in at.error)
    assert get_notes(store, 1).owner is None


def test_merge_in_tagging_page(store):
    at = _tagging()
    at.selectbox(key="m_source").set_value(3)
    at.selectbox(key="m_target").set_value(1)
    at.checkbox(key="m_sure").check().run()
    _click(at, "Merge")
    assert not at.exception
    with session_scope(store) as s:
        assert s.get(Theme, 3).merged_into == 1
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.theme_id == 1)))
    assert "merge" in actions
    at2 = _tagging()
    at2.selectbox(key="m_source").set_value(1)
    at2.selectbox(key="m_target").set_value(1)
    at2.checkbox(key="m_sure").check().run()
    _click(at2, "Merge")
    assert any("Not saved" in e.value for e in at2.error)


def test_split_by_selected_tickets(store):
    at = _tagging()
    at.selectbox(key="s_theme").set_value(3).run()
    editor = at.get("arrow_data_frame")  # data_editor is not wrapped in AppTest; use the API
    del editor
    before = theme_page.theme_tickets(store, 3, 0, 1000)[0]
    moved = tagging.ticket_ids(store, before["ticket"].iloc[:5].tolist())
    new = split_theme(store, 3, moved.values(), "lead@th", title="Payout verification")
    assert len(new) == 1
    after = theme_page.theme_tickets(store, new[0], 0, 1000)[0]
    assert set(after["ticket"]) == set(moved)
    with session_scope(store) as s:
        ev = s.scalars(select(ThemeEvent).where(ThemeEvent.event == "split")).one()
        assert (ev.theme_id, ev.related_theme_id) == (3, new[0])
        assert s.get(ThemeSnapshot, (1, new[0])).size == 5
        assert s.get(Theme, new[0]).title == "Payout verification"
    assert "split" in set(theme_page.audit_frame(store, 3)["action"])
    history = theme_page.theme_history(store, new[0])
    assert "split off from theme 3" in set(history["what"])
    home = frames(page("Home.py"))[0]
    assert new[0] in set(home["theme_id"])
    assert home.loc[home["theme_id"] == new[0], "lifecycle"].iloc[0] in ("split", "new")
    with pytest.raises(SplitError):
        split_theme(store, 3, [999999], "lead")
    assert page("pages/1_Theme.py", theme=str(new[0])).title[0].value == "Payout verification"


def test_split_by_subclustering_in_the_app(db_url, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    engine = build_store(db_url, vectors=True)
    proposal = propose_split(engine, 3, "kmeans")
    assert set(proposal.values()) == {0, 1}
    at = _tagging()
    at.selectbox(key="s_theme").set_value(3).run()
    at.radio(key="s_how").set_value("Sub-cluster (KMeans, 2 groups)").run()
    _click(at, "Propose a split")
    assert not at.exception
    groups = frames(at)[-1]
    assert list(groups["group"]) == ["stays", "new theme 1"]
    _click(at, "Apply this split")
    assert not at.exception
    assert any("Split theme 3" in s.value for s in at.success)
    with session_scope(engine) as s:
        new_id = s.scalar(select(ThemeEvent.related_theme_id).where(ThemeEvent.event == "split"))
    texts = theme_page.theme_tickets(engine, new_id, 0, 1000)[0]["text"]
    kept = theme_page.theme_tickets(engine, 3, 0, 1000)[0]["text"]
    # the two planted groups end up apart
    assert texts.str.contains("verification").all() or (~texts.str.contains("verification")).all()
    assert len(texts) + len(kept) == 61


def test_subclustering_without_embeddings_is_a_clear_error(store):
    with pytest.raises(SplitError, match="no cached embeddings"):
        propose_split(store, 3)
    at = _tagging()
    at.selectbox(key="s_theme").set_value(3).run()
    at.radio(key="s_how").set_value("Sub-cluster (HDBSCAN)").run()
    _click(at, "Propose a split")
    assert any("no cached embeddings" in e.value for e in at.error)


def test_password_login(store, monkeypatch):
    monkeypatch.setenv("INSIGHTS_APP_PASSWORD", "s3cret")
    at = page("Home.py")
    assert len(at.dataframe) == 0
    inputs = {t.label: t for t in at.text_input}
    inputs["Your name or e-mail"].set_value("pm@shop")
    inputs["Password"].set_value("wrong")
    at.button[0].click().run()
    assert any("Wrong password" in e.value for e in at.error)
    inputs = {t.label: t for t in at.text_input}
    inputs["Password"].set_value("s3cret")
    at.button[0].click().run()
    assert len(at.dataframe) >= 1
    assert at.session_state[LOGIN_KEY] == "pm@shop"
    # the identity is the login's: no field to type another name for the audit log
    assert "You (for the audit log)" not in [t.label for t in at.sidebar.text_input]
    assert any("Signed in as **pm@shop**" in c.value for c in at.sidebar.caption)


# --------------------------------------------------------------------------- roles

ROLES = "lead@th=lead:TH,boss@shop=admin,*=viewer"


def _signed_in(monkeypatch, name: str, page_name: str, **query: str) -> AppTest:
    """An AppTest on `page_name` after a password login as `name`, with ROLES configured."""
    monkeypatch.setenv("INSIGHTS_APP_PASSWORD", "s3cret")
    monkeypatch.setenv("INSIGHTS_APP_ROLES", ROLES)
    at = app_at(page_name)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    inputs = {t.label: t for t in at.text_input}
    inputs["Your name or e-mail"].set_value(name)
    inputs["Password"].set_value("s3cret")
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_a_viewer_sees_no_edit_controls(store, monkeypatch):
    theme = _signed_in(monkeypatch, "viewer@shop", "pages/1_Theme.py", theme="2")
    tabs = [t.label for t in theme.tabs]
    assert tabs == ["Trend & segments", "Tickets", "History & audit", "Fixes (0)"]  # no Edit
    assert not {"Save", "Mark fix shipped"} & {b.label for b in theme.button}
    assert any("viewer (reads only)" in c.value for c in theme.sidebar.caption)
    tag = _signed_in(monkeypatch, "viewer@shop", "pages/2_Tagging.py")
    labels = [b.label for b in tag.button]
    assert not {"Save", "Merge", "Propose a split"} & set(labels)
    assert tag.tabs == [] or "Tag a theme" not in [t.label for t in tag.tabs]
    assert any("a viewer" in i.value for i in tag.info)
    assert len(frames(tag)) >= 1  # the queue is still there to read


def test_a_forged_name_does_not_change_who_a_viewer_is(store, monkeypatch):
    """Session state a browser could reach (the old sidebar field's key) names nobody: the
    login does, and the library refuses a viewer's write however it is asked for."""
    at = _signed_in(monkeypatch, "viewer@shop", "pages/1_Theme.py", theme="2")
    at.session_state["who"] = "boss@shop"
    at.run()
    assert "Edit" not in [t.label for t in at.tabs]
    assert get_notes(store, 2).tags == []


def test_a_leads_edit_carries_their_identity_and_only_their_regions_are_offered(store, monkeypatch):
    with session_scope(store) as s:  # theme 3 becomes a VN theme: not the TH lead's
        members = select(Assignment.ticket_id).where(Assignment.theme_id == 3)
        s.execute(update(Ticket).where(Ticket.id.in_(members)).values(region="VN"))
    at = _signed_in(monkeypatch, "lead@th", "pages/2_Tagging.py")
    assert at.selectbox(key="region").value == "TH"  # a lead's first region
    assert set(at.selectbox(key="tag_theme").options) == {
        "1 · courier delay",
        "2 · refund not received",
    }
    at.selectbox(key="tag_theme").set_value(2).run()
    {t.label: t for t in at.text_input}["New tags"].set_value("refunds")
    _click(at, "Save")
    assert not at.exception
    assert "Saved theme 2" in "\n".join(x.value for x in at.success)
    assert list(theme_page.audit_frame(store, 2)["who"]) == ["lead@th"]
    vn = _signed_in(monkeypatch, "lead@th", "pages/1_Theme.py", theme="3")
    assert "Edit" not in [t.label for t in vn.tabs]
    th = _signed_in(monkeypatch, "lead@th", "pages/1_Theme.py", theme="1")
    assert "Edit" in [t.label for t in th.tabs]


def test_oidc_login_records_the_email_and_its_role(store, monkeypatch):
    monkeypatch.setenv("INSIGHTS_APP_ROLES", ROLES)
    at = app_at("pages/1_Theme.py")
    at.query_params["theme"] = "1"
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback"}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Log in"]
    at.user = {"is_logged_in": True, "email": "boss@shop", "name": "Boss"}
    at.run()
    assert not at.exception, at.exception
    assert any("Signed in as **boss@shop** · admin" in c.value for c in at.sidebar.caption)
    {t.label: t for t in at.text_input}["Owner"].set_value("somchai")
    _click(at, "Save")
    assert list(theme_page.audit_frame(store, 1)["who"]) == ["boss@shop"]
