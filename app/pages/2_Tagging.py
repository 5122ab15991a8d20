"""Tagging workflow for regional CS leads: the region's untagged and unowned themes first;
title, tags, owner, status, tracker link and note; merge duplicates; split mixed themes.
Every change is one audited transaction (insights.people.annotate / insights.people.split),
made as the signed-in person: viewers see the queue only, regional leads are offered the themes
of their regions, and the library refuses anything else (insights.people.access)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `app.ui` from a checkout

import pandas as pd
import streamlit as st

from app import ui
from insights.people.annotate import merge_themes
from insights.people.split import propose_split, split_theme
from insights.views import tagging, theme_page
from insights.views.themes import theme_meta

eng, version = ui.start("Tagging")
st.title("Tagging")
ui.explain_empty(version)
name = ui.who()
editor = ui.person()
ui.show_flash()
if not editor.signed_in and not name:
    st.warning("Enter your name in the sidebar: every change is recorded with it.")

meta = theme_meta(eng)
regions = ui.index(version).segments.get("region", [])
ALL = "All regions"
mine = ui.login_region()
choices = [ALL, *regions]
region = st.selectbox(
    "Your region",
    choices,
    index=choices.index(mine) if mine in choices else 0,
    key="region",
    help="From your login where configured (INSIGHTS_APP_USER_REGIONS, or a lead's first "
    "region in INSIGHTS_APP_ROLES)",
)
queue = tagging.tagging_queue(ui.frame(version), meta, None if region == ALL else region)
todo = int((queue["needs"] != "").sum()) if len(queue) else 0
st.caption(
    f"{len(queue)} themes with tickets in the last 8 weeks"
    + ("" if region == ALL else f" in {region}")
    + f"; {todo} still need tags or an owner (listed first)."
)
st.dataframe(
    queue,
    hide_index=True,
    width="stretch",
    column_config={
        "tickets": st.column_config.NumberColumn("Tickets (8 weeks)"),
        "tags": st.column_config.ListColumn("Tags"),
        "needs": st.column_config.TextColumn("Missing"),
    },
    height=280,
)

if not editor.may("tag"):
    st.info(
        f"Signed in as {ui.md(editor.name)}, a viewer: you can read every theme but change none. "
        "Tagging, merging and splitting need the regional lead or admin role (INSIGHTS_APP_ROLES)."
    )
    ui.footer(eng, version)
    st.stop()

allowed = ui.editable(eng)  # None: every theme


def offered(options: dict[int, str]) -> dict[int, str]:
    """Only the themes this person may change (a lead: those of their regions)."""
    return options if allowed is None else {t: v for t, v in options.items() if t in allowed}


listed = offered(ui.theme_options(queue) if len(queue) else ui.theme_options(meta))
everything = offered(ui.theme_options(meta))
if allowed is not None:
    st.caption(f"You change the themes of your regions ({', '.join(editor.role.regions)}).")
tab_tag, tab_merge, tab_split = st.tabs(["Tag a theme", "Merge two themes", "Split a theme"])

with tab_tag:
    if not listed:
        st.info("No themes to tag.")
    else:
        theme_id = st.selectbox(
            "Theme", list(listed), format_func=lambda t: listed[t], key="tag_theme"
        )
        st.page_link(ui.THEME_PAGE, label="Open its page", query_params={"theme": str(theme_id)})
        ui.annotation_form(eng, meta, int(theme_id), key="tagging")

with tab_merge:
    st.caption(
        "The first theme's tickets, tags and notes move to the second; links to the first "
        "theme open the second from now on. Later refreshes keep them together."
    )
    ids = list(everything)
    if len(ids) < 2:
        st.info("Merging needs at least two themes.")
    else:
        c1, c2 = st.columns(2)
        source = c1.selectbox(
            "Merge this theme", ids, format_func=lambda t: everything[t], key="m_source"
        )
        target = c2.selectbox(
            "into this theme", ids, index=1, format_func=lambda t: everything[t], key="m_target"
        )
        sure = st.checkbox("Yes, merge them", key="m_sure")
        if st.button("Merge", key="m_go", disabled=not sure):
            ui.change_membership(
                editor,
                lambda: merge_themes(eng, int(source), int(target), editor),
                lambda _: f"Merged theme {source} into theme {target}.",
            )

with tab_split:
    ids = list(everything)
    if not ids:
        st.info("No themes to split.")
    else:
        split_id = int(
            st.selectbox("Theme to split", ids, format_func=lambda t: everything[t], key="s_theme")
        )
        how = st.radio(
            "How",
            ["Select tickets", "Sub-cluster (KMeans, 2 groups)", "Sub-cluster (HDBSCAN)"],
            key="s_how",
        )
        new_title = st.text_input("Title of the new theme (optional)", key="s_title")
        if how == "Select tickets":
            tickets, total = theme_page.theme_tickets(eng, split_id, 0, 200)
            ext_to_id = tagging.ticket_ids(eng, tickets["ticket"].tolist())
            st.caption(f"Newest {len(tickets)} of {total:,} tickets; tick the ones to split off.")
            edited = st.data_editor(
                tickets.assign(move=False)[["move", "ticket", "language", "region", "text"]],
                hide_index=True,
                width="stretch",
                disabled=["ticket", "language", "region", "text"],
                column_config={"move": st.column_config.CheckboxColumn("Split off")},
                key=f"s_editor_{split_id}",
            )
            chosen = [ext_to_id[e] for e in edited.loc[edited["move"], "ticket"] if e in ext_to_id]
            if st.button(f"Split off {len(chosen)} tickets", key="s_go", disabled=not chosen):
                ui.change_membership(
                    editor,
                    lambda: split_theme(eng, split_id, chosen, editor, title=new_title or None),
                    lambda new: f"Split {len(chosen)} tickets off into theme {new[0]}.",
                )
        else:
            method = "kmeans" if "KMeans" in how else "hdbscan"
            if st.button("Propose a split", key="s_propose"):
                try:
                    proposal = propose_split(eng, split_id, method)
                except Exception as exc:
                    ui.write_failed(exc)
                else:
                    st.session_state["s_proposal"] = (split_id, method, proposal)
            saved = st.session_state.get("s_proposal")
            if saved and saved[0] == split_id and saved[1] == method:
                proposal = saved[2]
                groups = pd.Series(proposal).value_counts().sort_index()
                examples = tagging.ticket_texts(eng, list(proposal))
                rows = []
                for g, n in groups.items():
                    members = [t for t, gg in proposal.items() if gg == g][:3]
                    rows.append(
                        {
                            "group": "stays" if g <= 0 else f"new theme {g}",
                            "tickets": int(n),
                            "examples": " | ".join(examples.get(t, "")[:80] for t in members),
                        }
                    )
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
                if st.button("Apply this split", key="s_apply"):
                    ui.change_membership(
                        editor,
                        lambda: split_theme(
                            eng, split_id, proposal, editor, title=new_title or None
                        ),
                        lambda new: f"Split theme {split_id}: new theme(s) {new}.",
                        forget="s_proposal",
                    )

ui.footer(eng, version)
