"""Streamlit plumbing shared by the pages: settings, the store, the read model for this page
run, login, and the person (name for the audit log, role) changes are made as. Business logic
lives in insights.views (what pages show) and insights.people (what people change, and who may:
insights.people.access)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from insights.people.access import (
    VIEWER,
    Person,
    editable_themes,
    open_person,
    person_for,
    theme_regions,
)
from insights.settings import Settings, SettingsError, load_settings
from insights.store.db import StoreError, connect, session_scope
from insights.trends import TrendParams
from insights.views import dashboard, tagging
from insights.views.frame import DataVersion, data_version, load_frame
from insights.views.ranked import RankedWeek, Selection
from insights.views.store import WeekIndex
from insights.views.weekly import materialise, ranked_week, trend_params, week_index

T = TypeVar("T")
THEME_PAGE = "pages/1_Theme.py"
TAGGING_PAGE = "pages/2_Tagging.py"
FIXES_PAGE = "pages/3_Fixes.py"
HOME_PAGE = "Home.py"
#: Session key of the signed-in identity: set by the login only, never by a widget, so nothing
#: a browser sends can change whom the audit log names or which role applies.
LOGIN_KEY = "_signed_in_as"


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return connect(url)


def settings() -> Settings:
    """The settings of this page run; a bad value stops the page with its one-line message."""
    try:
        return load_settings()
    except SettingsError as exc:
        st.error(f"Bad setting: {exc}")
        st.stop()
        raise  # for type checkers: st.stop() does not return


def engine() -> Engine:
    """The store named by INSIGHTS_DB_URL (what `insights app --db` passes); stops the page with
    a one-line error when it cannot be opened, instead of a traceback."""
    try:
        return _engine(settings().store.db_url)
    except (StoreError, ValueError) as exc:
        st.error(f"Cannot open the store: {exc}")
        st.stop()
        raise  # for type checkers: st.stop() does not return


def params() -> TrendParams:
    """Weeks as the CLI and the digest count them: the one INSIGHTS_TIMEZONE and week start."""
    return trend_params(settings())


def index(version: DataVersion) -> WeekIndex:
    """Weeks, default week and filter values, from the read model's table."""
    return week_index(engine(), settings(), version)


def ranked(version: DataVersion, week: str | None, **segments: str | None) -> RankedWeek:
    """The week's ranking for the filters, from the read model (stored by the refresh that
    made this data version, or computed and stored by the first page that asked)."""
    with st.spinner("Ranking the week ..."):
        return ranked_week(engine(), settings(), week, Selection(**segments), version)


def frame(version: DataVersion) -> pd.DataFrame:
    """Every ticket with its theme and week, for the views the read model does not store (date
    ranges, a theme's trend and breakdowns, the tagging queue); kept per data version."""
    with st.spinner("Reading tickets ..."):
        return load_frame(engine(), params(), version)[0]


def change_membership(
    person: Person,
    change: Callable[[], T],
    done: Callable[[T], str],
    forget: str | None = None,
) -> None:
    """Run a merge or split for `person` (one audited transaction, refused by the library when
    their role does not allow it), then store the read model of the new data version, so the
    next page (anyone's) reads tables again; a failure shows one line and nothing is saved."""
    if not person.name:
        st.error("Not saved: enter your name in the sidebar first.")
        return
    try:
        result = change()
    except Exception as exc:
        write_failed(exc)
        return
    if forget:
        st.session_state.pop(forget, None)
    materialise(engine(), settings())
    flash(done(result))
    st.rerun()


# --------------------------------------------------------------------------- login


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def login_mode() -> str | None:
    """How people sign in: `oidc` (Streamlit's st.login, an [auth] section in secrets.toml),
    `password` (INSIGHTS_APP_PASSWORD) or None: no login, a laptop demo where everyone edits."""
    if _oidc_configured():
        return "oidc"
    secret = settings().app.password
    return "password" if secret and secret.get_secret_value() else None


def login_gate() -> None:
    """Stop the page until the person is signed in, when a login is configured; remember the
    identity (OIDC e-mail or name, or the name given with the shared password)."""
    mode = login_mode()
    if mode == "oidc":
        if not st.user.is_logged_in:
            st.title("Ticket insights")
            st.button("Log in", on_click=st.login)
            st.stop()
        identity = str(st.user.get("email") or st.user.get("name") or "").strip()
        if not identity:
            st.error("Your identity provider gave neither an e-mail nor a name: cannot sign in.")
            st.stop()
        st.session_state[LOGIN_KEY] = identity
        return
    if mode is None or st.session_state.get(LOGIN_KEY):
        return
    secret = settings().app.password
    password = secret.get_secret_value() if secret else ""
    st.title("Ticket insights")
    with st.form("login"):
        name = st.text_input("Your name or e-mail")
        given = st.text_input("Password", type="password")
        ok = st.form_submit_button("Log in")
    if ok:
        if hmac.compare_digest(given.encode(), password.encode()) and name.strip():
            st.session_state[LOGIN_KEY] = name.strip()
            st.rerun()
        st.error("Wrong password, or no name given.")
    st.stop()


def person() -> Person:
    """Whom changes are made as: the signed-in identity with its INSIGHTS_APP_ROLES role, or,
    without any login, whoever typed their name in the sidebar (may change everything)."""
    if login_mode() is None:
        return open_person(st.session_state.get("who") or "")
    identity = str(st.session_state.get(LOGIN_KEY) or "").strip()
    if not identity:  # not signed in (login_gate stops such pages first): may change nothing
        return Person(name="", role=VIEWER)
    return person_for(settings().app, identity)


def _role_text(p: Person) -> str:
    if p.role.name == "lead":
        regions = "every region" if p.role.every_region else ", ".join(p.role.regions)
        return f"regional lead ({regions})"
    return {"viewer": "viewer (reads only)", "admin": "admin"}[p.role.name]


def who() -> str:
    """The person the audit log names. Signed in: their identity, shown with their role in the
    sidebar (no field to type another name). No login: what they type in the sidebar."""
    p = person()
    if p.signed_in:
        st.sidebar.caption(f"Signed in as **{md(p.name)}** · {_role_text(p)}")
        if st.sidebar.button("Log out", key="logout"):
            if login_mode() == "oidc":
                st.logout()
            st.session_state.pop(LOGIN_KEY, None)
            st.rerun()
        return p.name
    st.sidebar.text_input(
        "You (for the audit log)",
        key="who",
        placeholder="name or e-mail",
        help="Every change is recorded with this name.",
    )
    return (st.session_state.get("who") or "").strip()


def login_region() -> str | None:
    """The tagging page's default region: the one configured for the signed-in person
    (INSIGHTS_APP_USER_REGIONS), else a regional lead's first region."""
    p = person()
    mine = settings().app.region_of(p.name)
    if mine:
        return mine
    if p.role.name == "lead" and not p.role.every_region:
        return p.role.regions[0]
    return None


def may_edit_theme(eng: Engine, theme_id: int) -> bool:
    """Whether to show the edit controls of one theme (the write checks again)."""
    p = person()
    if not p.may("tag"):
        return False
    if p.role.every_region:
        return True
    with session_scope(eng) as session:
        return p.may("tag", theme_regions(session, theme_id))


def editable(eng: Engine) -> set[int] | None:
    """Themes the person may change (None: all), to offer only those in the pickers."""
    with session_scope(eng) as session:
        return editable_themes(session, person().role)


# --------------------------------------------------------------------------- page frame


def start(title: str) -> tuple[Engine, DataVersion]:
    """Page setup shared by every page: config, login, store and its data version."""
    st.set_page_config(page_title=f"{title} · Ticket insights", page_icon="📊", layout="wide")
    login_gate()
    eng = engine()
    return eng, data_version(eng, params())


def explain_empty(version: DataVersion) -> None:
    """The page body for a store with nothing to show: what to run, then stop."""
    message = dashboard.empty_message(version)
    if message:
        st.info(message)
        st.code("insights ingest data/sample/tickets.csv\ninsights refresh", language="bash")
        st.stop()


def footer(eng: Engine, version: DataVersion) -> None:
    info = dashboard.run_info(eng, version.run_id)
    if info:
        st.caption(
            f"Themes from run {info.run_id} ({info.mode}), "
            f"finished {info.finished_at:%Y-%m-%d %H:%M} UTC · {version.n_tickets:,} tickets"
        )


def md(text: object) -> str:
    """Escape text typed by people (titles, tags) before it goes into markdown, so `[x](url)`,
    `*` or HTML in a title shows as typed."""
    s = str(text)
    for ch in "\\`*_{}[]()#+-.!|<>~$":
        s = s.replace(ch, "\\" + ch)
    return s


def tickets_table(tickets: pd.DataFrame) -> None:
    """Tickets with their redacted text, always shown as text (never as HTML)."""
    st.dataframe(
        tickets,
        hide_index=True,
        width="stretch",
        column_config={"text": st.column_config.TextColumn("Text (redacted)", width="large")},
    )


def table_or_note(table: pd.DataFrame, empty: str) -> None:
    if table.empty:
        st.caption(empty)
    else:
        st.dataframe(table, hide_index=True, width="stretch")


def theme_options(meta: pd.DataFrame) -> dict[int, str]:
    return {int(r.theme_id): f"{int(r.theme_id)} · {r.title}" for r in meta.itertuples()}


# --------------------------------------------------------------------------- writes


def can_edit(action: str) -> bool:
    """May the person on this page do ``action`` ("fix", "subscribe", "categorise", ...)
    anywhere? Pages ask before they show a form; the write functions check again (a Person
    is held to their role in the library)."""
    return person().may(action)


def flash(message: str) -> None:
    """A success message that survives the rerun after a write."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)


def write_failed(exc: Exception) -> None:
    """A failed write: one visible line. annotate/merge/split run in one transaction, so
    nothing of the change was saved."""
    from insights.people.access import AccessDenied
    from insights.people.annotate import AnnotationError
    from insights.people.split import SplitError

    if isinstance(exc, AnnotationError | SplitError | AccessDenied):  # FixError is one
        st.error(f"Not saved: {exc}")
    else:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        st.error(f"Not saved (the store refused the change, nothing was written): {first}")


def annotation_form(eng: Engine, meta: pd.DataFrame, theme_id: int, key: str) -> None:
    """Title, tags (existing ones suggested, new ones typed), owner, status, tracker URL, note:
    saved together as one audited change, as :func:`person` (whose role the library checks)."""
    from insights.people.annotate import STATUSES, annotate, get_notes

    editor = person()
    # The notes this form was first shown with: its defaults, and what a save is compared with,
    # so a save applies only this person's edits, never undoing someone else's save in between.
    seen_key = f"annotate-seen-{key}-{theme_id}"
    try:
        notes = st.session_state.get(seen_key) or get_notes(eng, theme_id)
    except Exception as exc:
        write_failed(exc)
        return
    st.session_state[seen_key] = notes
    suggestions = tagging.tag_suggestions(meta)
    options = list(dict.fromkeys([*notes.tags, *suggestions]))
    row = meta.loc[meta["theme_id"] == theme_id]
    machine = str(row["label"].iloc[0]) if len(row) else ""
    with st.form(f"annotate-{key}-{theme_id}"):
        title = st.text_input("Title", value=notes.title or "", placeholder=machine)
        c1, c2 = st.columns(2)
        tags = c1.multiselect("Tags", options, default=notes.tags, help="Tags already in use")
        new_tags = c2.text_input("New tags", placeholder="comma separated, e.g. courier, refund")
        c3, c4 = st.columns(2)
        owner = c3.text_input("Owner", value=notes.owner or "")
        status = c4.selectbox("Status", STATUSES, index=STATUSES.index(notes.status))
        tracker = st.text_input("Tracker URL", value=notes.tracker_url or "")
        note = st.text_area("Note", value=notes.note or "")
        saved = st.form_submit_button("Save", type="primary")
    if not saved:
        return
    if not editor.name:
        st.error("Not saved: enter your name in the sidebar first (every change is audited).")
        return
    try:
        annotate(
            eng,
            theme_id,
            editor,
            seen=notes,
            title=title,
            tags=[*tags, *tagging.parse_tags(new_tags)],
            owner=owner,
            status=status,
            tracker_url=tracker,
            note=note,
        )
    except Exception as exc:
        write_failed(exc)
        return
    st.session_state.pop(seen_key, None)
    flash(f"Saved theme {theme_id}.")
    st.rerun()


def treemap(nodes: list[dict]) -> None:
    """Categories and their themes as tiles sized by tickets, coloured by growth (red: up)."""
    if not nodes:
        st.caption("No tickets in this period.")
        return
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Treemap(
            ids=[n["id"] for n in nodes],
            parents=[n["parent"] for n in nodes],
            labels=[n["label"] for n in nodes],
            values=[n["value"] for n in nodes],
            branchvalues="total",
            marker={
                "colors": [max(-1.0, min(1.0, n["growth"])) for n in nodes],
                "colorscale": "RdYlGn_r",
                "cmid": 0,
                "cmin": -1,
                "cmax": 1,
                "colorbar": {"title": {"text": "growth"}, "tickformat": ".0%"},
            },
            hovertemplate="%{label}<br>%{value} tickets<extra></extra>",
        )
    )
    fig.update_layout(margin={"t": 10, "l": 0, "r": 0, "b": 0}, height=320)
    st.plotly_chart(fig, width="stretch", key="treemap")
