"""One theme: title, keywords per language, trend by region (with its fixes marked),
breakdowns, example and all tickets, lifecycle, rank-score parts, audit log, and fixes with
their verdicts. Opened as `Theme?theme=<id>`. The Edit tab is there only for people whose role
may change this theme (insights.people.access); the fix form only for admins.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `app.ui` from a checkout

import pandas as pd
import streamlit as st

from app import fix_view, thread_view, ui
from insights.views import dashboard, theme_page
from insights.views.categories import category_of, current_categories
from insights.views.fixes import fix_verdicts, verdict_words
from insights.views.ranked import SCORE_PARTS
from insights.views.themes import theme_meta

eng, version = ui.start("Theme")
ui.explain_empty(version)
ui.who()

meta = theme_meta(eng)
options = ui.theme_options(meta)
raw = st.query_params.get("theme")
if raw is None:
    st.title("Theme")
    if not options:
        st.info("No themes in the latest run.")
        st.stop()
    pick = st.selectbox("Theme", list(options), format_func=lambda t: options[t], key="pick")
    st.query_params["theme"] = str(pick)
    raw = str(pick)

try:
    requested = int(str(raw).strip())
except ValueError:
    st.error(f"`theme` must be a theme id (a number), not {str(raw)[:40]!r}.")
    st.page_link(ui.HOME_PAGE, label="Back to all themes", icon="🏠")
    st.stop()

ref = theme_page.resolve(eng, requested)
if ref.theme_id is None:
    st.error(f"There is no theme {requested}.")
    st.page_link(ui.HOME_PAGE, label="Back to all themes", icon="🏠")
    st.stop()
theme_id = ref.theme_id
if ref.redirected:
    st.info(
        f"Theme {requested} was merged into theme {theme_id}: showing theme {theme_id}. "
        "Its tickets, tags and notes are here now."
    )
    st.query_params["theme"] = str(theme_id)

ui.show_flash()
info = theme_page.theme_info(eng, theme_id)
week = ui.index(version).default_week
ranked = dashboard.table_frame(ui.ranked(version, week) if week else None, meta)
row = ranked.loc[ranked["theme_id"] == theme_id]
frame = ui.frame(version)
current = meta.loc[meta["theme_id"] == theme_id]

st.page_link(ui.HOME_PAGE, label="All themes", icon="⬅️")
st.title(ui.md(info["title"]))
notes = current.iloc[0] if len(current) else None
bits = [f"theme {theme_id}", f"machine label: {info['label']}"]
category = category_of(current_categories(eng)).get(theme_id)
if category is not None:
    bits.append(f"category: {category.title}")
if info["status"] != "active":
    bits.append(f"status: {info['status']}")
if notes is not None:
    lifecycle = row.iloc[0]["lifecycle"] if len(row) else notes["lifecycle"]
    bits.append(f"lifecycle: {lifecycle}")
    bits.append(f"workflow: {notes['status']}")
    if notes["owner"]:
        bits.append(f"owner: {notes['owner']}")
st.caption(ui.md(" · ".join(bits)))
if notes is not None and notes["tags"]:
    st.markdown(" ".join(f"`{t.replace('`', '')}`" for t in notes["tags"]))
if notes is not None and notes["tracker_url"]:
    st.link_button("Open tracker ticket", notes["tracker_url"])

c = st.columns(5)
if len(row):
    r = row.iloc[0]
    c[0].metric(f"Tickets in {week}", int(r["volume"]))
    c[1].metric("Share of the week", f"{r['share']:.1%}")
    c[2].metric("Growth vs baseline", f"{r['growth']:+.0%}", help=f"baseline {r['baseline']}/week")
    c[3].metric("Spike", "yes" if r["spike"] else "no")
    c[4].metric("Rank score", f"{r['rank_score']:.3f}")
else:
    c[0].metric(f"Tickets in {week}", 0)
    c[1].metric("Tickets in the latest run", info["size"])

can_edit = ui.may_edit_theme(eng, theme_id)
verdicts = fix_verdicts(eng, ui.settings(), theme_id, version)
tabs = st.tabs(
    [
        "Trend & segments",
        "Tickets",
        "History & audit",
        f"Fixes ({len(verdicts)})",
        *(["Edit"] if can_edit else []),
    ]
)
tab_trend, tab_tickets, tab_history, tab_fixes = tabs[:4]

with tab_trend:
    by = st.radio(
        "Split the trend by", ["region", "language", "kind", "channel"], horizontal=True, key="by"
    )
    trend = theme_page.theme_trend(frame, theme_id, by=by)
    if trend.empty:
        st.info("No dated tickets for this theme.")
    else:
        fix_view.trend_chart(trend, verdicts, by)
    if verdicts:
        latest = verdicts[0]
        st.caption(
            ui.md(f"Latest fix ({latest.fix.fix_date}, {latest.segment}): {verdict_words(latest)}")
        )
    st.subheader("Keywords")
    kw_rows = [{"language": "all", "keywords": ", ".join(info["keywords"])}] + [
        {"language": lang, "keywords": ", ".join(words)}
        for lang, words in info["keywords_by_language"].items()
    ]
    st.dataframe(pd.DataFrame(kw_rows), hide_index=True, width="stretch")
    st.subheader("Breakdown")
    parts = theme_page.breakdowns(frame, theme_id, ui.params(), week)
    cols = st.columns(len(parts) or 1)
    for col, (_seg, table) in zip(cols, parts.items(), strict=False):
        col.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={"share": st.column_config.NumberColumn(format="percent")},
        )
    if len(row):
        st.subheader("Why it ranks here")
        r = row.iloc[0]
        score = pd.DataFrame(
            {
                "component": list(SCORE_PARTS),
                "points": [float(r[f"score_{k}"]) for k in SCORE_PARTS],
            }
        )
        st.bar_chart(score, x="component", y="points", horizontal=True)
        st.caption(
            f"Rank score {r['rank_score']:.3f} = volume + growth + spike + severity "
            "(weighted 0.4 / 0.2 / 0.25 / 0.15; see `insights themes --week`)."
        )

with tab_tickets:
    st.subheader("Representative tickets")
    if not info["representatives"]:
        st.caption("No representatives recorded for this theme.")
    for lang, reps in info["representatives"].items():
        st.markdown(f"**{ui.md(lang)}**")
        ui.tickets_table(reps)
    st.subheader("All tickets")
    langs = ["All", *info["languages"]]
    lc, pc = st.columns([2, 1])
    lang = lc.selectbox("Language", langs, key="t_lang")
    size = 25
    _, total = theme_page.theme_tickets(eng, theme_id, 0, 1, None if lang == "All" else lang)
    pages = max(1, -(-total // size))
    page = pc.number_input(f"Page (of {pages})", 1, pages, 1, key="t_page")
    tickets, total = theme_page.theme_tickets(
        eng, theme_id, int(page) - 1, size, None if lang == "All" else lang
    )
    st.caption(f"{total:,} tickets, newest first")
    ui.tickets_table(tickets)
    thread_view.show(eng, tickets)

with tab_history:
    st.subheader("Lifecycle")
    ui.table_or_note(theme_page.theme_history(eng, theme_id), "No lifecycle events.")
    st.subheader("Audit log")
    ui.table_or_note(theme_page.audit_frame(eng, theme_id), "No human changes yet.")

with tab_fixes:
    st.caption(
        "A fix's impact: the theme's share of the segment's tickets in the weeks before the fix "
        "against the weeks after (so overall volume does not fool it), with a confidence "
        "interval and a p-value. Verdicts: improved, worse, no change, too early."
    )
    if verdicts:
        fix_view.fixes_table(verdicts, with_theme=False)
    else:
        st.caption("No fix recorded for this theme yet.")
    fix_view.fix_form(eng, theme_id, ui.index(version).segments)
    st.page_link(ui.FIXES_PAGE, label="All fixes and their verdicts", icon="🛠️")

if can_edit:
    with tabs[4]:
        st.caption("Title, tags, owner, status, tracker link and note; every change is audited.")
        ui.annotation_form(eng, meta, theme_id, key="theme")
        st.page_link(ui.TAGGING_PAGE, label="Merge or split in the tagging workflow", icon="🏷️")

ui.footer(eng, version)
