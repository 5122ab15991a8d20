"""Daily regional alerts: the recent spike episodes (each announced once, when it starts) and
the subscriptions that receive them. Adding and removing a subscription go through one call
site, `change_subscription`, where a permission check belongs; both are audited
(insights.people.subscriptions)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `app.ui` from a checkout

import pandas as pd
import streamlit as st

from app import ui
from insights.people.access import AccessDenied
from insights.people.subscriptions import (
    KINDS,
    Subscribed,
    Subscription,
    SubscriptionError,
    list_subscriptions,
    subscribe,
    unsubscribe,
)
from insights.views.alerts import recent_episodes

eng, version = ui.start("Alerts")
st.title("Alerts")
st.caption(
    "A daily check per region (and kind) against each theme's usual daily count; each spike "
    "is announced once, the day it starts, to the region's subscribers "
    "(`insights alerts run`, the `daily-alerts` deployment)."
)
person = ui.who()
ui.show_flash()
for warning in st.session_state.pop("alerts_warnings", []):
    st.warning(warning)
settings = ui.settings()


def change_subscription(person: str, action: str, change: Callable[[], object]) -> object | None:
    """The one place subscriptions are added or removed from the app (``action``: "subscribe"
    or "unsubscribe"): a name is required for the audit log; a refusal (a role that may not,
    checked again in the library) is one line."""
    if not person:
        st.error("Not saved: enter your name in the sidebar first (every change is audited).")
        return None
    try:
        return change()
    except (SubscriptionError, AccessDenied) as exc:
        st.error(f"Not saved: {exc}")
    except Exception as exc:
        ui.write_failed(exc)
    return None


# --------------------------------------------------------------------------- episodes

regions = ui.index(version).segments.get("region", [])
ALL = "All regions"
mine = ui.login_region()
choices = [ALL, *regions]
region = st.selectbox(
    "Region",
    choices,
    index=choices.index(mine) if mine in choices else 0,
    key="alerts_region",
)
chosen = None if region == ALL else region

st.subheader("Recent spikes")
episodes = recent_episodes(eng, settings, region=chosen)
if episodes.empty:
    st.caption("No spikes recorded yet" + ("" if chosen is None else f" in {chosen}") + ".")
else:
    st.dataframe(
        episodes,
        hide_index=True,
        width="stretch",
        column_config={
            "link": st.column_config.LinkColumn("Theme page", display_text="open"),
            "day": st.column_config.DateColumn("Day"),
            "expected": st.column_config.NumberColumn("Expected", format="%.1f"),
            "q_value": st.column_config.NumberColumn("q", format="%.3g"),
            "last_spike": st.column_config.DateColumn("Last spike"),
            "ended": st.column_config.DateColumn("Ended"),
        },
    )

# --------------------------------------------------------------------------- subscriptions

st.subheader("Subscriptions")
subs: list[Subscription] = list_subscriptions(eng)
shown = [s.as_dict() for s in subs if chosen is None or s.region == chosen.upper()]
ui.table_or_note(
    pd.DataFrame(shown, columns=["id", "region", "kind", "channel", "target", "created_by"]),
    "No subscriptions" + ("" if chosen is None else f" for {chosen}") + " yet.",
)

if not ui.can_edit("subscribe"):
    st.caption("Only an admin adds or removes subscriptions.")
    ui.footer(eng, version)
    st.stop()

with st.form("subscribe"):
    st.markdown("**Add a subscription**")
    c1, c2, c3 = st.columns(3)
    new_region = c1.text_input(
        "Region", value=chosen or "", placeholder="e.g. TH", key="subscribe_region"
    )
    kind = c2.selectbox("Kind", ["all kinds", *KINDS])
    channel = c3.radio("Channel", ["webhook", "email"], horizontal=True)
    target = st.text_input("Webhook URL or e-mail address", key="subscribe_target")
    add = st.form_submit_button("Subscribe", type="primary")
if add:
    done = change_subscription(
        person,
        "subscribe",
        lambda: subscribe(
            eng,
            new_region,
            webhook=target if channel == "webhook" else None,
            email=target if channel == "email" else None,
            kind=None if kind == "all kinds" else kind,
            who=ui.person(),
        ),
    )
    if isinstance(done, Subscribed):
        sub = done.subscription
        st.session_state["alerts_warnings"] = done.warnings
        if done.created:
            ui.flash(f"Subscribed {sub.channel} {sub.shown_target} to {sub.region} alerts.")
        st.rerun()

if subs:
    labels = {s.id: f"{s.id} · {s.region} · {s.channel} {s.shown_target}" for s in subs}
    with st.form("unsubscribe"):
        gone = st.selectbox("Remove a subscription", list(labels), format_func=labels.get)
        remove = st.form_submit_button("Remove")
    if remove:
        removed = change_subscription(
            person, "unsubscribe", lambda: unsubscribe(eng, int(gone), who=ui.person())
        )
        if removed is not None:
            ui.flash(f"Removed subscription {gone}.")
            st.rerun()
