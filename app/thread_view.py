"""The theme page's ticket drill-down: one ticket as written, with what the cleaner removed
marked, and what was embedded. Thin: the marking comes from `insights.views.thread`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insights.views.tagging import ticket_ids
from insights.views.thread import LABELS, marked_html, ticket_thread


def show(eng, tickets: pd.DataFrame, key: str = "thread") -> None:
    """A picker over the page's tickets and the chosen one, raw and cleaned."""
    if tickets.empty:
        return
    choices = tickets["ticket"].astype(str).tolist()
    pick = st.selectbox("Open a ticket", choices, key=f"{key}_pick")
    store_id = ticket_ids(eng, [pick]).get(pick)
    view = ticket_thread(eng, store_id) if store_id is not None else None
    if view is None:
        st.caption("That ticket is no longer in the store.")
        return
    removed = view.removed()
    summary = ", ".join(f"{LABELS.get(k, k)}: {v}" for k, v in sorted(removed.items()))
    st.caption(
        f"Ticket {view.ticket} ({view.language}): "
        + (f"removed before embedding: {summary}" if summary else "nothing removed")
    )
    left, right = st.columns(2)
    with left:
        st.markdown("**As written** (removed parts struck through)")
        # every piece of ticket text is HTML-escaped by marked_html: scripts never run
        st.html(marked_html(view))
    with right:
        st.markdown("**Embedded and counted for keywords**")
        st.text(view.clean_text)
