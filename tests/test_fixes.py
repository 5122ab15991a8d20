"""Fix tracking end to end on a small hand-built store (no model, no UMAP): recording fixes
(validation, audit, merged themes), their verdicts from the read model, the `insights fix`
commands' contract, the digest's "Fixes shipped" section and the app's marker, form and page.

The store: 20 complete weeks (Mon 2026-03-02 .. Sun 2026-07-19) in TH and ID. A fix ships on
Mon 2026-05-25 (12 weeks before, 8 after). In TH theme 1 falls from 20 to 8 tickets a week
after it (a planted drop); in ID every count doubles after it (more volume, same rate).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from insights.cli.main import app
from insights.digest.build import build_content
from insights.digest.render import render_html, render_markdown, render_summary
from insights.people.fixes import FixError, add_fix, list_fixes, local_today, remove_fix
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import (
    Assignment,
    AuditEntry,
    Fix,
    Theme,
    ThemeSnapshot,
    Ticket,
)
from insights.trends import TrendParams, week_label
from insights.trends.fix_impact import JSON_FIELDS
from insights.views.fixes import (
    NOT_MEASURABLE,
    VERDICT_ORDER,
    fix_verdicts,
    latest_impact,
    verdict_words,
)
from tests.conftest import first_batch_and_run, sync_sequences
from tests.test_app import app_at, build_store, frames, page

runner = CliRunner()
START = datetime(2026, 3, 2)  # a Monday
WEEKS = 20
FIX_DATE = date(2026, 5, 25)  # Monday of week 12
FIX_WEEK = 12
TODAY = date(2026, 8, 10)  # the clock for add_fix: after the data, like a live store
THEMES = {1: "Refund not received", 2: "Courier delay", 3: "Refund late (dup)", 4: "Tiny"}


def _counts(week: int) -> list[tuple[str, str, int | None, int]]:
    """(region, kind, theme id or None, tickets) of one week (module docstring)."""
    after = week >= FIX_WEEK
    grow = 2 if after else 1
    return [
        ("TH", "buyer", 1, 8 if after else 20),
        ("TH", "buyer", 2, 30),
        ("TH", "buyer", None, 10),
        ("TH", "seller", 4, 2),
        ("ID", "buyer", 1, 20 * grow),
        ("ID", "buyer", 2, 30 * grow),
        ("ID", "buyer", None, 10 * grow),
    ]


def build_fix_store(url: str):
    """The store of the module docstring, as a refresh would leave it (one run, snapshots);
    theme 3 was merged into theme 1."""
    engine = connect(url)
    now = datetime(2026, 7, 20, 6)
    with session_scope(engine) as s:
        first_batch_and_run(s, now, model_id="test")
        for tid, label in THEMES.items():
            s.add(Theme(id=tid, label=label, status="active", created_run_id=1, last_run_id=1))
        s.flush()
        s.get(Theme, 3).status, s.get(Theme, 3).merged_into = "merged", 1
        tickets, assignments, n = [], [], 0
        for w in range(WEEKS):
            for region, kind, theme, count in _counts(w):
                for j in range(count):
                    n += 1
                    at = START + timedelta(weeks=w, days=j % 7, hours=10 + j % 8)
                    tickets.append(
                        {
                            "id": n,
                            "source": "test",
                            "external_id": f"t{n}",
                            "created_at": at,
                            "text": f"ticket {n}",
                            "language": "en",
                            "language_confidence": 1.0,
                            "language_detected": False,
                            "kind": kind,
                            "region": region,
                            "channel": "chat",
                            "csat": 3,
                            "attributes": {},
                            "truncated": False,
                            "content_hash": f"h{n}",
                            "row_hash": f"r{n}",
                            "batch_id": 1,
                            "ingested_at": now,
                            "updated_at": now,
                        }
                    )
                    assignments.append(
                        {
                            "run_id": 1,
                            "ticket_id": n,
                            "theme_id": theme,
                            "similarity": 0.9,
                            "method": "cluster" if theme else "none",
                        }
                    )
        s.execute(insert(Ticket), tickets)
        s.execute(insert(Assignment), assignments)
        for tid in (1, 2, 4):
            s.add(
                ThemeSnapshot(
                    run_id=1,
                    theme_id=tid,
                    size=sum(1 for a in assignments if a["theme_id"] == tid),
                    centroid=b"",
                    keywords={"all": [], "by_language": {}},
                    representatives={},
                    languages={"en": 1},
                )
            )
    sync_sequences(engine)
    return engine


@pytest.fixture
def store(db_url):
    return build_fix_store(db_url)


def _add(engine, theme_id=1, day=FIX_DATE, note="refund flow fixed", **kw):
    return add_fix(engine, theme_id, day, note, "pm@shop", today=TODAY, **kw)


def _rows(engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Fix)),
            s.scalar(select(func.count()).select_from(AuditEntry)),
        )


# --------------------------------------------------------------------------- people


def test_a_fix_is_written_with_its_audit_row(store):
    fix = _add(store, region="th", kind="Buyer", note="  new refund flow  ")
    assert (fix.theme_id, fix.fix_date, fix.region, fix.kind) == (1, FIX_DATE, "TH", "buyer")
    assert fix.note == "new refund flow" and fix.created_by == "pm@shop"
    with session_scope(store) as s:
        entry = s.scalars(select(AuditEntry)).one()
    assert (entry.who, entry.theme_id, entry.action) == ("pm@shop", 1, "fix")
    assert entry.after["fix_date"] == "2026-05-25" and entry.after["region"] == "TH"
    assert [f.fix_id for f in list_fixes(store)] == [fix.fix_id]

    removed = remove_fix(store, fix.fix_id, "lead@shop")
    assert removed.fix_id == fix.fix_id and list_fixes(store) == []
    with session_scope(store) as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.who, last.before["note"]) == ("fix removed", "lead@shop", fix.note)
    with pytest.raises(FixError, match=f"no fix with id {fix.fix_id}"):
        remove_fix(store, fix.fix_id, "lead@shop")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"theme_id": 999999}, "no theme with id 999999"),
        ({"theme_id": 3}, "theme 3 was merged into 1; mark the fix on 1"),
        ({"day": TODAY + timedelta(days=1)}, "is in the future (today is 2026-08-10 in UTC)"),
        ({"day": date(2026, 3, 1)}, "before the first ticket (2026-03-02)"),
        ({"day": "2026-5-25"}, "must be a date like"),
        ({"region": "TJ"}, "no tickets in region TJ; regions with tickets: ID, TH"),
        ({"region": "ID", "kind": "seller"}, "no tickets from sellers in region ID"),
        ({"kind": "vendor"}, "kind must be buyer or seller"),
        ({"note": "   "}, "a fix needs a note"),
    ],
)
def test_bad_fixes_are_one_line_errors_and_write_nothing(store, kwargs, message):
    before = _rows(store)
    with pytest.raises(FixError) as err:
        _add(store, **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert _rows(store) == before


def test_the_same_fix_twice_is_refused_but_another_segment_is_not(store):
    first = _add(store)
    with pytest.raises(FixError, match=f"already recorded \\(fix {first.fix_id}\\)"):
        _add(store)
    assert _add(store, region="TH").fix_id != first.fix_id


def test_future_is_judged_in_the_team_time_zone(store):
    """ "Today" is the team's day: in Kiritimati (UTC+14) it is often already tomorrow in UTC,
    and a fix shipped there today is not in the future."""
    zone = TrendParams(timezone="Pacific/Kiritimati")
    day = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert local_today(zone) == day
    assert add_fix(store, 1, day, "shipped today", "pm", params=zone).fix_date == day
    with pytest.raises(FixError, match=r"in the future .* in Pacific/Kiritimati"):
        add_fix(store, 1, day + timedelta(days=1), "tomorrow", "pm", params=zone)


# --------------------------------------------------------------------------- views


def _verdicts(engine, **kw):
    return fix_verdicts(engine, load_settings(), **kw)


def test_a_planted_drop_is_improved(store):
    _add(store, region="TH")
    (v,) = _verdicts(store)
    imp = v.impact
    assert v.verdict == "improved" and imp is not None
    assert (imp.weeks_before, imp.weeks_after) == (12, 8)
    assert imp.before_rate == pytest.approx(20 / 62) and imp.after_rate == pytest.approx(8 / 50)
    assert imp.change == pytest.approx(-0.5, abs=0.02)
    assert imp.ci_high < 0 and imp.p_value < 0.001
    assert verdict_words(v).startswith("improved: rate -50%")


def test_more_volume_at_the_same_rate_is_no_change(store):
    """ID's tickets double after the fix, theme 1's with them: the rate did not move."""
    _add(store, region="ID")
    (v,) = _verdicts(store)
    assert v.verdict == "no change"
    assert v.impact.after_count == 2 * v.impact.before_count * 8 // 12
    assert abs(v.impact.change) < 0.01


def test_too_early_and_not_measurable_are_rows_never_crashes(store):
    _add(store, day=date(2026, 7, 13), note="last week")  # one week after it so far
    _add(store, day=date(2026, 8, 3), note="after the last export")  # no week after yet
    _add(store, day=date(2026, 3, 16), note="two weeks in")  # too little history
    rows = {v.fix.note: v for v in _verdicts(store)}
    assert rows["last week"].verdict == "too early"
    assert rows["last week"].impact.weeks_after == 1
    assert rows["after the last export"].verdict == "too early"
    assert rows["after the last export"].impact.weeks_after == 0
    assert rows["after the last export"].impact.weeks_needed is not None
    lost = rows["two weeks in"]
    assert lost.verdict == NOT_MEASURABLE and lost.impact is None
    assert "only 2 complete week(s) of tickets before the fix" in lost.reason
    assert lost.as_dict()["verdict"] == NOT_MEASURABLE
    assert [v.fix.fix_date for v in _verdicts(store)] == sorted(
        [date(2026, 7, 13), date(2026, 8, 3), date(2026, 3, 16)], reverse=True
    )


def test_a_fix_marked_before_a_merge_is_measured_on_the_survivor(store):
    with session_scope(store) as s:  # marked on theme 3 while it still stood on its own
        s.add(
            Fix(
                theme_id=3,
                fix_date=FIX_DATE,
                region="TH",
                note="old",
                created_at=datetime(2026, 6, 1),
                created_by="pm",
            )
        )
    (v,) = _verdicts(store, theme_id=1)
    assert (v.theme_id, v.fix.theme_id, v.verdict) == (1, 3, "improved")
    assert v.as_dict()["marked_theme_id"] == 3
    assert latest_impact(store, load_settings(), 1).fix.note == "old"
    with pytest.raises(FixError, match="theme 3 was merged into 1"):
        latest_impact(store, load_settings(), 3)


def test_latest_impact_errors(store):
    settings = load_settings()
    with pytest.raises(FixError, match="no theme with id 999999"):
        latest_impact(store, settings, 999999)
    with pytest.raises(FixError, match="theme 2 has no fix recorded"):
        latest_impact(store, settings, 2)


def test_as_of_gives_the_verdict_a_past_week_could_see(store):
    _add(store, region="TH")
    (then,) = _verdicts(store, as_of=FIX_DATE + timedelta(days=7))
    assert then.verdict == "too early" and then.impact.weeks_after == 1


# --------------------------------------------------------------------------- CLI


def test_cli_add_impact_list_contract(store):
    done = runner.invoke(
        app,
        ["fix", "add", "1", "--date", "2026-05-25", "--region", "TH", "--note", "new flow"],
    )
    assert done.exit_code == 0, done.stderr
    assert "recorded fix 1 for theme 1 TH on 2026-05-25" in done.stdout
    assert "improved" in done.stderr  # the verdict so far, as a note
    with session_scope(store) as s:
        assert s.scalars(select(AuditEntry.who)).one()  # the OS user, whoever runs the tests

    shown = runner.invoke(app, ["fix", "impact", "1", "--format", "json"])
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert tuple(data)[: len(JSON_FIELDS)] == JSON_FIELDS
    assert data["theme_id"] == 1 and data["fix_date"] == "2026-05-25"
    assert data["verdict"] == "improved" and data["change"] < -0.4
    assert data["ci_low"] < data["change"] < data["ci_high"] < 0 and data["p_value"] < 0.04
    table = runner.invoke(app, ["fix", "impact", "1"])
    assert table.exit_code == 0 and "improved" in table.stdout

    listed = json.loads(runner.invoke(app, ["fix", "list", "--format", "json"]).stdout)
    assert [(r["fix_id"], r["verdict"], r["region"]) for r in listed] == [(1, "improved", "TH")]
    csv = runner.invoke(app, ["fix", "list", "--format", "csv"]).stdout.splitlines()
    assert csv[0].startswith("fix_id,theme_id,title,fix_date,region,kind,verdict,change")
    assert runner.invoke(app, ["fix", "list"]).exit_code == 0

    gone = runner.invoke(app, ["fix", "remove", "1", "--by", "lead"])
    assert gone.exit_code == 0 and list_fixes(store) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "999999", "--date", "2026-05-25", "--note", "x"], "no theme with id 999999"),
        (["add", "3", "--date", "2026-05-25", "--note", "x"], "merged into 1; mark the fix on 1"),
        (["add", "1", "--date", "2099-01-01", "--note", "x"], "is in the future"),
        (["add", "1", "--date", "2020-01-01", "--note", "x"], "before the first ticket"),
        (["add", "1", "--date", "tomorrow", "--note", "x"], "must be a date like"),
        (["impact", "999999"], "no theme with id 999999"),
        (["impact", "2"], "has no fix recorded"),
        (["impact", "1", "--format", "csv"], "--format must be table or json"),
        (["list", "--format", "xml"], "--format must be table, json or csv"),
        (["remove", "42"], "no fix with id 42"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(store, args, message):
    result = runner.invoke(app, ["fix", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert isinstance(result.exception, SystemExit)  # typer.Exit, no traceback


def test_cli_impact_of_an_unmeasurable_fix_says_why(store):
    _add(store, day=date(2026, 3, 16))
    result = runner.invoke(app, ["fix", "impact", "1", "--format", "json"])
    assert result.exit_code == 2
    assert "cannot be measured: only 2 complete week(s)" in result.stderr
    listed = json.loads(runner.invoke(app, ["fix", "list", "--format", "json"]).stdout)
    assert listed[0]["verdict"] == NOT_MEASURABLE and "only 2" in listed[0]["reason"]


# --------------------------------------------------------------------------- digest


def test_digest_lists_recent_fixes_with_the_verdict_of_its_week(store):
    _add(store, region="TH", note="<b>new</b> refund flow")
    _add(store, day=date(2026, 3, 16), note="ancient")  # more than 12 weeks before the digest
    settings = load_settings()
    week = week_label(date(2026, 7, 13))  # the last week: 8 weeks after the fix
    content = build_content(store, settings, week)
    (line,) = content.fixes
    assert (line.theme_id, line.verdict, line.segment) == (1, "improved", "TH")
    assert line.url == settings.app.theme_url(1) and not line.this_week
    md = render_markdown(content)
    assert "## Fixes shipped" in md and "**improved**" in md and "\\<b\\>new" in md
    html = render_html(content, {})
    assert "<h2>Fixes shipped</h2>" in html and "&lt;b&gt;new" in html and "<b>new" not in html
    assert "*Fixes shipped*" in render_summary(content)

    same_week = {f.note: f for f in build_content(store, settings, week_label(FIX_DATE)).fixes}
    line = same_week["<b>new</b> refund flow"]
    assert line.this_week and line.verdict == "too early"
    assert not same_week["ancient"].this_week
    region = build_content(store, settings, week, region="ID")
    assert region.fixes == []  # a TH fix is not news in ID
    before = build_content(store, settings, week_label(FIX_DATE - timedelta(days=7)))
    assert [f.note for f in before.fixes] == ["ancient"]


def test_digest_fix_of_a_group_below_the_privacy_floor_shows_no_numbers(store, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DIGEST_MIN_GROUP", "50")
    _add(store, theme_id=4, kind="seller", note="seller fee page")  # 2 tickets a week
    _add(store, region="TH")
    lines = {f.theme_id: f for f in build_content(store, load_settings(), "2026-W29").fixes}
    assert lines[4].verdict == "too early"  # 2 a week: too small to see a 30 % change
    assert lines[4].words == "too early: fewer than 50 tickets in its weeks, numbers not shown"
    assert "%" not in lines[4].words and "%" in lines[1].words


# --------------------------------------------------------------------------- app


@pytest.fixture
def app_store(db_url, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    return build_store(db_url)


def _fix_week_start(engine) -> date:
    with session_scope(engine) as s:
        last = s.scalar(select(func.max(Ticket.created_at)))
    monday = last.date() - timedelta(days=last.weekday())
    return monday - timedelta(weeks=4)


def test_theme_page_marks_fixes_on_the_trend_chart(app_store):
    day = _fix_week_start(app_store)
    add_fix(app_store, 1, day, "courier SLA changed", "pm")
    at = page("pages/1_Theme.py", theme="1")
    (chart, *_) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    marks = [layer["mark"]["type"] for layer in spec.get("layer", [])]
    assert marks == ["bar", "rule", "text"]
    captions = "\n".join(c.value for c in at.caption)
    assert "Latest fix" in captions and day.isoformat().replace("-", "\\-") in captions
    fixes = next(t for t in frames(at) if "verdict" in t.columns)
    assert fixes["verdict"].iloc[0] in VERDICT_ORDER
    assert fixes["note"].iloc[0] == "courier SLA changed"


def test_mark_a_fix_shipped_on_the_theme_page(app_store):
    at = app_at("pages/1_Theme.py")
    at.query_params["theme"] = "2"
    at.session_state["who"] = "pm@shop"
    at.run()
    day = _fix_week_start(app_store)
    at.date_input(key="fix_date_2").set_value(day)
    at.selectbox(key="fix_region").set_value("TH")
    at.text_area(key="fix_note").set_value("refund retry shipped")
    at.button[[b.label for b in at.button].index("Mark fix shipped")].click().run()
    assert not at.exception
    (fix,) = list_fixes(app_store)
    assert (fix.theme_id, fix.fix_date, fix.region, fix.created_by) == (2, day, "TH", "pm@shop")
    assert any("Recorded fix" in s.value for s in at.success)


def test_a_bad_fix_in_the_form_is_one_visible_line(app_store):
    at = app_at("pages/1_Theme.py")
    at.query_params["theme"] = "2"
    at.session_state["who"] = "pm@shop"
    at.run()
    at.date_input(key="fix_date_2").set_value(date(2001, 1, 1))
    at.text_area(key="fix_note").set_value("too old")
    at.button[[b.label for b in at.button].index("Mark fix shipped")].click().run()
    assert not at.exception
    assert any("before the first ticket" in e.value for e in at.error)
    assert list_fixes(app_store) == []


def test_fixes_page_lists_every_fix_with_its_verdict(app_store):
    empty = page("pages/3_Fixes.py")
    assert any("No fixes recorded yet" in i.value for i in empty.info)
    day = _fix_week_start(app_store)
    add_fix(app_store, 1, day, "courier SLA changed", "pm")
    add_fix(app_store, 3, day - timedelta(weeks=4), "payout batch", "pm")  # too little history
    at = page("pages/3_Fixes.py")
    table = frames(at)[0]
    assert list(table["theme_id"]) == [1, 3]
    assert list(table["link"]) == ["Theme?theme=1", "Theme?theme=3"]
    assert table["verdict"].iloc[1] == NOT_MEASURABLE and table["reason"].iloc[1]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Not measurable"] == "1"
