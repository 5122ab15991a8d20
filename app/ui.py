"""Streamlit plumbing shared by the pages: settings, the store, the read model for this page
run, login and the person's name for the audit log. Business logic lives in insights.views
(what pages show) and insights.people (what people change)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from insights.settings import Settings, SettingsError, load_settings
from insights.store.db import StoreError, connect
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
    person: str,
    change: Callable[[], T],
    done: Callable[[T], str],
    forget: str | None = None,
) -> None:
    """Run a merge or split for `person` (one audited transaction), then store the read model
    of the new data version, so the next page (anyone's) reads tables again; a failure shows
    one line and nothing is saved."""
    if not person:
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


def login_gate() -> None:
    """Stop the page until the person is logged in, when a login is configured.

    Two options: Streamlit's OIDC login (an [auth] section in .streamlit/secrets.toml: st.login)
    or a shared password in INSIGHTS_APP_PASSWORD. Neither: the app is open, as on a laptop.
    """
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.title("Ticket insights")
            st.button("Log in", on_click=st.login)
            st.stop()
        st.session_state.setdefault("who", st.user.get("email") or st.user.get("name") or "")
        return
    secret = settings().app.password
    password = secret.get_secret_value() if secret else None
    if not password or st.session_state.get("authenticated"):
        return
    st.title("Ticket insights")
    with st.form("login"):
        name = st.text_input("Your name or e-mail")
        given = st.text_input("Password", type="password")
        ok = st.form_submit_button("Log in")
    if ok:
        if hmac.compare_digest(given.encode(), password.encode()) and name.strip():
            st.session_state["authenticated"] = True
            st.session_state["who"] = name.strip()
            st.rerun()
        st.error("Wrong password, or no name given.")
    st.stop()


def who() -> str:
    """The person the audit log names: the login, else what they typed in the sidebar."""
    st.sidebar.text_input(
        "You (for the audit log)",
        key="who",
        placeholder="name or e-mail",
        help="Every change is recorded with this name.",
    )
    return (st.session_state.get("who") or "").strip()


def login_region() -> str | None:
    """The region configured for the logged-in person (INSIGHTS_APP_USER_REGIONS), if any."""
    return settings().app.region_of(st.session_state.get("who") or "")


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
    """May the person on this page do ``action`` ("fix", ...)? The one place pages ask before
    they show a form, so a permission check by role goes here, and only here. For now everyone
    who gives a name may (the write functions need the name; the audit log records it)."""
    del action  # every action is open until roles exist
    return True


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
    from insights.people.annotate import AnnotationError
    from insights.people.fixes import FixError
    from insights.people.split import SplitError

    if isinstance(exc, AnnotationError | SplitError | FixError):
        st.error(f"Not saved: {exc}")
    else:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        st.error(f"Not saved (the store refused the change, nothing was written): {first}")


def annotation_form(eng: Engine, meta: pd.DataFrame, theme_id: int, key: str) -> None:
    """Title, tags (existing ones suggested, new ones typed), owner, status, tracker URL, note:
    saved together as one audited change."""
    from insights.people.annotate import STATUSES, annotate, get_notes

    person = (st.session_state.get("who") or "").strip()
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
    if not person:
        st.error("Not saved: enter your name in the sidebar first (every change is audited).")
        return
    try:
        annotate(
            eng,
            theme_id,
            person,
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
