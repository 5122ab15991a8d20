"""Streamlit plumbing shared by the pages: the store connection, cached data, login and the
person's name for the audit log. Business logic lives in insights.views.dashboard / insights.people.annotate.
"""

from __future__ import annotations

import hmac

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from insights.settings import Settings, SettingsError, load_settings
from insights.store.db import StoreError, connect
from insights.trends.series import TrendParams
from insights.views import dashboard as dash

THEME_PAGE = "pages/1_Theme.py"
TAGGING_PAGE = "pages/2_Tagging.py"
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
    return TrendParams.from_settings(settings().trends)


@st.cache_data(show_spinner="Reading tickets ...", max_entries=4)
def _frame(url: str, key: tuple, _eng: Engine, _params: TrendParams, pkey: str) -> pd.DataFrame:
    return dash.load_frame(_eng, _params)


def frame(state: dash.StoreState) -> pd.DataFrame:
    """The prepared ticket frame, cached per store URL and data version (run id + last
    merge/split), so pages re-read 100,000 tickets only after something moved them."""
    eng = engine()
    p = params()
    return _frame(str(eng.url), state.key, eng, p, repr(p))


@st.cache_data(show_spinner=False, max_entries=32)
def _ranked(
    url: str,
    key: tuple,
    meta_key: str,
    _frame_df: pd.DataFrame,
    _meta: pd.DataFrame,
    week: str | None,
    _params: TrendParams,
    pkey: str,
    segments: tuple[tuple[str, str | None], ...],
) -> pd.DataFrame:
    return dash.ranked_themes(_frame_df, _meta, week, _params, **dict(segments))


def ranked(
    state: dash.StoreState,
    fr: pd.DataFrame,
    meta: pd.DataFrame,
    week: str | None,
    **segments: str | None,
) -> pd.DataFrame:
    """The ranked table, cached per data version, week and segment filters. Titles, tags and
    owners come from `meta` (read fresh) and are keyed by their content hash."""
    meta_key = str(pd.util.hash_pandas_object(meta.astype(str), index=False).sum())
    segments = {seg: segments.get(seg) for seg in ("region", "kind", "language", "channel")}
    eng = engine()
    p = params()
    return _ranked(
        str(eng.url),
        state.key,
        meta_key,
        fr,
        meta,
        week,
        p,
        repr(p),
        tuple(sorted(segments.items())),
    )


def clear_caches() -> None:
    """After a write the next render must show it."""
    _ranked.clear()


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


def start(title: str) -> tuple[Engine, dash.StoreState]:
    """Page setup shared by every page: config, login, store, and the empty-store explanation."""
    st.set_page_config(page_title=f"{title} · Ticket insights", page_icon="📊", layout="wide")
    login_gate()
    eng = engine()
    state = dash.store_state(eng)
    return eng, state


def explain_empty(state: dash.StoreState) -> None:
    """The page body for a store with nothing to show: what to run, then stop."""
    if state.message:
        st.info(state.message)
        st.code("insights ingest data/sample/tickets.csv\ninsights refresh", language="bash")
        st.stop()


def footer(eng: Engine, state: dash.StoreState) -> None:
    info = dash.run_info(eng, state.run_id)
    if info:
        st.caption(
            f"Themes from run {info['run_id']} ({info['mode']}), "
            f"finished {info['finished_at']:%Y-%m-%d %H:%M} UTC · {state.n_tickets:,} tickets"
        )


def md(text: object) -> str:
    """Escape text typed by people (titles, tags) before it goes into markdown, so `[x](url)`,
    `*` or HTML in a title shows as typed."""
    s = str(text)
    for ch in "\\`*_{}[]()#+-.!|<>~$":
        s = s.replace(ch, "\\" + ch)
    return s


def theme_options(meta: pd.DataFrame) -> dict[int, str]:
    return {int(r.theme_id): f"{int(r.theme_id)} · {r.title}" for r in meta.itertuples()}


# --------------------------------------------------------------------------- writes


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
    from insights.people.split import SplitError

    if isinstance(exc, AnnotationError | SplitError):
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
    suggestions = dash.tag_suggestions(meta)
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
            tags=[*tags, *dash.parse_tags(new_tags)],
            owner=owner,
            status=status,
            tracker_url=tracker,
            note=note,
        )
    except Exception as exc:
        write_failed(exc)
        return
    st.session_state.pop(seen_key, None)
    clear_caches()
    flash(f"Saved theme {theme_id}.")
    st.rerun()
