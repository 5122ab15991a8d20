"""Who may do what: the roles config, `allowed`, and the library refusing a change the person's
role does not allow (a forged request: the page hid the control, the write is refused anyway)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from insights.people.access import (
    ACTIONS,
    ADMIN,
    VIEWER,
    AccessDenied,
    Person,
    Role,
    allowed,
    editable_themes,
    open_person,
    person_for,
    require,
    theme_regions,
)
from insights.people.annotate import annotate, audit_trail, get_notes, merge_themes
from insights.people.split import split_theme
from insights.settings import SettingsError, load_settings
from insights.store.db import session_scope
from insights.store.models import Assignment, AuditEntry, Theme, Ticket
from insights.views import tagging, theme_page
from tests.test_app import build_store

ROLES = "Lead@TH=lead:TH, vn@shop=lead:vn|MY, all@shop=lead:*, boss@shop=admin, *=viewer"
LEAD_TH = Person("lead@th", Role("lead", ("TH",)))
LEAD_VN = Person("vn@shop", Role("lead", ("VN",)))
VIEWER_P = Person("viewer@shop", VIEWER)


# --------------------------------------------------------------------------- the config


def test_roles_are_read_from_the_one_settings_object(monkeypatch):
    monkeypatch.setenv("INSIGHTS_APP_ROLES", ROLES)
    app = load_settings().app
    assert app.roles == {
        "lead@th": ("lead", ("TH",)),
        "vn@shop": ("lead", ("VN", "MY")),
        "all@shop": ("lead", ("*",)),
        "boss@shop": ("admin", ()),
        "*": ("viewer", ()),
    }
    assert person_for(app, " LEAD@th ") == Person("LEAD@th", Role("lead", ("TH",)))
    assert person_for(app, "vn@shop").role.regions == ("VN", "MY")
    assert person_for(app, "boss@shop").role == ADMIN
    assert person_for(app, "someone@else").role == VIEWER


def test_unlisted_people_are_viewers_unless_star_says_otherwise(monkeypatch):
    assert person_for(load_settings().app, "ana@shop").role == VIEWER  # nothing configured
    monkeypatch.setenv("INSIGHTS_APP_ROLES", "*=lead:*")
    assert person_for(load_settings().app, "ana@shop").role == Role("lead", ("*",))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ana@shop", "INSIGHTS_APP_ROLES needs person=role pairs"),
        ("ana@shop=", "INSIGHTS_APP_ROLES needs person=role pairs"),
        ("=admin", "INSIGHTS_APP_ROLES needs person=role pairs"),
        ("ana@shop=boss", "INSIGHTS_APP_ROLES gives ana@shop the unknown role 'boss'"),
        ("ana@shop=lead", "INSIGHTS_APP_ROLES gives ana@shop the role lead without regions"),
        ("ana@shop=lead:", "INSIGHTS_APP_ROLES gives ana@shop the role lead without regions"),
        ("ana@shop=admin:TH", "INSIGHTS_APP_ROLES gives ana@shop regions, but only a lead"),
        ("ana@shop=lead:T H", "INSIGHTS_APP_ROLES gives ana@shop a region that is not a name"),
        ("a@x=admin,A@x=viewer", "INSIGHTS_APP_ROLES lists a@x twice with different roles"),
    ],
)
def test_a_malformed_roles_config_is_one_line(monkeypatch, value, message):
    monkeypatch.setenv("INSIGHTS_APP_ROLES", value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_a_malformed_roles_config_is_exit_2_on_the_command_line(monkeypatch):
    from insights.cli.main import app

    monkeypatch.setenv("INSIGHTS_APP_ROLES", "ana@shop=superuser")
    result = CliRunner().invoke(app, ["app"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown role 'superuser'" in lines[0]
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- allowed


def test_what_each_role_may_do():
    lead = Role("lead", ("TH", "VN"))
    assert not any(allowed(VIEWER, a) for a in ACTIONS)
    assert all(allowed(ADMIN, a, "BR") for a in ACTIONS)
    for action in ("tag", "title", "merge", "split"):
        assert allowed(lead, action)  # somewhere: show the control
        assert allowed(lead, action, "th") and allowed(lead, action, {"ID", "VN"})
        assert not allowed(lead, action, "ID") and not allowed(lead, action, set())
        assert allowed(Role("lead", ("*",)), action, set())
    for action in ("fix", "subscribe"):  # admin only, whatever the region
        assert not allowed(lead, action) and not allowed(lead, action, "TH")
        assert not allowed(Role("lead", ("*",)), action)
    assert all(open_person("me").may(a) for a in ACTIONS)  # no login: as before roles
    with pytest.raises(ValueError, match="unknown action"):
        allowed(ADMIN, "delete")
    with pytest.raises(ValueError, match="needs regions"):
        Role("lead")


def test_require_says_why_in_one_line():
    with pytest.raises(AccessDenied, match=r"viewer@shop \(viewer\) may not tag themes"):
        require(VIEWER_P, "tag")
    with pytest.raises(AccessDenied, match="this theme is of ID, VN"):
        require(LEAD_TH, "merge", {"VN", "ID"})
    with pytest.raises(AccessDenied, match="only an admin may"):
        require(LEAD_TH, "fix")
    require(Person("boss", ADMIN), "subscribe")


# --------------------------------------------------------------------------- enforcement


@pytest.fixture
def store(db_url, monkeypatch):
    """The app tests' store (themes 1-3 with TH and ID tickets), theme 3 moved to VN only."""
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    engine = build_store(db_url)
    with session_scope(engine) as s:
        members = select(Assignment.ticket_id).where(Assignment.theme_id == 3)
        s.execute(update(Ticket).where(Ticket.id.in_(members)).values(region="VN"))
    return engine


def _audit_rows(engine) -> int:
    with session_scope(engine) as s:
        return len(s.scalars(select(AuditEntry.id)).all())


def test_a_forged_viewer_edit_is_refused_and_writes_nothing(store):
    before = get_notes(store, 2)
    with pytest.raises(AccessDenied, match="viewer"):
        annotate(store, 2, VIEWER_P, tags=["forged"], title="forged")
    with pytest.raises(AccessDenied):
        annotate(store, 2, VIEWER_P, seen=before, owner="me")
    with pytest.raises(AccessDenied):
        merge_themes(store, 1, 2, VIEWER_P)
    tickets = theme_page.theme_tickets(store, 1, 0, 100)[0]
    ids = tagging.ticket_ids(store, tickets["ticket"].iloc[:3].tolist())
    with pytest.raises(AccessDenied):
        split_theme(store, 1, ids.values(), VIEWER_P)
    assert get_notes(store, 2) == before
    assert _audit_rows(store) == 0
    with session_scope(store) as s:
        assert s.get(Theme, 1).merged_into is None
        assert s.scalar(select(Theme.id).order_by(Theme.id.desc()).limit(1)) == 3


def test_a_lead_edits_themes_of_their_region_under_their_name(store):
    assert theme_regions_of(store, 2) == {"TH", "ID"} and theme_regions_of(store, 3) == {"VN"}
    annotate(store, 2, LEAD_TH, tags=["refund"], title="Refund stuck")
    assert get_notes(store, 2).tags == ["refund"]
    assert [e["who"] for e in audit_trail(store, 2)] == ["lead@th"]
    with pytest.raises(AccessDenied, match="this theme is of VN"):
        annotate(store, 3, LEAD_TH, tags=["payout"])
    with pytest.raises(AccessDenied, match="this theme is of VN"):
        merge_themes(store, 3, 1, LEAD_TH)  # needs both themes
    with pytest.raises(AccessDenied, match="this theme is of VN"):
        merge_themes(store, 1, 3, LEAD_TH)
    tickets = theme_page.theme_tickets(store, 3, 0, 100)[0]
    ids = tagging.ticket_ids(store, tickets["ticket"].iloc[:3].tolist())
    with pytest.raises(AccessDenied):
        split_theme(store, 3, ids.values(), LEAD_TH)
    assert audit_trail(store, 3) == []
    # the VN lead may; merging needs the right on both themes
    new = split_theme(store, 3, ids.values(), LEAD_VN, title="Payout verification")
    assert [e["who"] for e in audit_trail(store, new[0])] == ["vn@shop"]
    with pytest.raises(AccessDenied, match="this theme is of ID, TH"):
        merge_themes(store, 3, 1, LEAD_VN)
    merge_themes(store, 3, 1, Person("all@shop", Role("lead", ("*",))))
    assert "merge" in [e["action"] for e in audit_trail(store, 1)]


def test_a_lead_records_only_their_own_region_and_a_recorded_region_counts(store):
    with pytest.raises(AccessDenied, match="may not record the region ID"):
        annotate(store, 2, LEAD_TH, region="ID")
    annotate(store, 2, LEAD_TH, region="th")
    # a region recorded on the annotation makes the theme that region's too
    annotate(store, 3, LEAD_VN, region="VN")
    annotate(store, 3, Person("boss", ADMIN), region="TH")
    annotate(store, 3, LEAD_TH, note="ours as well")
    assert get_notes(store, 3).note == "ours as well"


def test_no_region_at_all_is_only_for_leads_of_every_region(store):
    with session_scope(store) as s:
        s.execute(update(Ticket).values(region=None))
    with pytest.raises(AccessDenied, match="this theme is of no region"):
        annotate(store, 1, LEAD_TH, tags=["x"])
    annotate(store, 1, Person("all@shop", Role("lead", ("*",))), tags=["x"])


def test_a_plain_name_is_a_trusted_caller(store):
    """The CLI and scripts hold the store's URL (they could write it directly): a name is
    recorded, not checked; only the app's Person is held to a role."""
    annotate(store, 3, "script", tags=["batch"])
    assert [e["who"] for e in audit_trail(store, 3)] == ["script"]


def test_editable_themes_for_the_pickers(store):
    with session_scope(store) as s:
        assert editable_themes(s, ADMIN) is None
        assert editable_themes(s, Role("lead", ("*",))) is None
        assert editable_themes(s, VIEWER) == set()
        assert editable_themes(s, LEAD_TH.role) == {1, 2}
        assert editable_themes(s, LEAD_VN.role) == {3}
    annotate(store, 1, "script", region="VN")
    with session_scope(store) as s:
        assert editable_themes(s, LEAD_VN.role) == {1, 3}


def theme_regions_of(engine, theme_id: int) -> set[str]:
    with session_scope(engine) as s:
        return set(theme_regions(s, theme_id))


def test_only_an_admin_marks_fixes_manages_subscriptions_and_edits_categories(db_url):
    """The roadmap loop's writes, asked for by a Person: a lead (even of every region) and a
    viewer are refused with one line and nothing is written; an admin's change is audited
    under their name."""
    from insights.jobs.categories import ensure_categories
    from insights.people.categories import move_theme, rename_category
    from insights.people.fixes import add_fix
    from insights.people.subscriptions import list_subscriptions, subscribe
    from insights.store.models import Fix
    from insights.views.categories import current_categories

    engine = build_store(db_url)
    ensure_categories(engine)
    (cat,) = current_categories(engine, top_only=True)
    day = "2026-01-05"
    for person in (VIEWER_P, LEAD_TH, Person("all@shop", Role("lead", ("*",)))):
        with pytest.raises(AccessDenied, match="may not"):
            add_fix(engine, 1, day, "courier api retry", person)
        with pytest.raises(AccessDenied, match="may not manage alert subscriptions"):
            subscribe(engine, "TH", email="th@shop.co", who=person)
        with pytest.raises(AccessDenied, match="may not edit categories"):
            rename_category(engine, cat.category_id, "Money", person)
        with pytest.raises(AccessDenied, match="may not edit categories"):
            move_theme(engine, 1, None, person, new_title="Couriers")
    with session_scope(engine) as s:
        assert s.scalars(select(Fix)).all() == []
    assert list_subscriptions(engine) == []
    assert not any(c.title_by_human for c in current_categories(engine))

    boss = Person("boss@shop", Role("admin"))
    subscribe(engine, "TH", email="th@shop.co", who=boss)
    rename_category(engine, cat.category_id, "Money", boss)
    with session_scope(engine) as s:
        whos = {(a.who, a.action) for a in s.scalars(select(AuditEntry))}
    assert {("boss@shop", "subscribe"), ("boss@shop", "category title")} <= whos
