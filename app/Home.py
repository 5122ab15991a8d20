"""Home: the week's themes ranked by impact and trend, with filters, sparklines and a CSV export.

`?theme=<id>` (the weekly digest's links) opens that theme's page.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `app.ui` from a checkout

import streamlit as st

from app import ui
from insights.people.annotate import STATUSES
from insights.views import dashboard, tagging
from insights.views.categories import category_table, current_categories, treemap_rows
from insights.views.export import table_csv
from insights.views.frame import week_window
from insights.views.themes import theme_meta

eng, version = ui.start("Themes")

requested = st.query_params.get("theme")
if requested:
    st.switch_page(ui.THEME_PAGE, query_params={"theme": requested})

st.title("Support ticket themes")
ui.explain_empty(version)
ui.show_flash()

index = ui.index(version)
meta = theme_meta(eng)
categories = current_categories(eng)
top_categories = {c.category_id: c for c in categories if c.parent_id is None}
weeks = index.weeks
ALL = "All"

with st.sidebar:
    st.header("Filters")
    mode = st.radio("Period", ["Week", "Date range"], horizontal=True, key="mode")
    default = index.default_week
    week = st.selectbox(
        "Week",
        weeks,
        index=weeks.index(default) if default in weeks else 0,
        key="week",
        disabled=mode != "Week",
        help="Default: the latest complete week",
    )
    if mode == "Date range":
        start_default, end_default = week_window(week or weeks[0], ui.params())
        picked = st.date_input("Dates", value=(start_default, end_default), key="dates")
    chosen: dict[str, str | None] = {}
    for seg in ("region", "kind", "language", "channel"):
        value = st.selectbox(seg.capitalize(), [ALL, *index.segments.get(seg, [])], key=f"f_{seg}")
        chosen[seg] = None if value == ALL else value
    category = st.selectbox(
        "Category",
        [None, *top_categories],
        format_func=lambda c: ALL if c is None else top_categories[c].title,
        key="f_category",
    )
    tag = st.selectbox("Tag", [ALL, *tagging.tag_suggestions(meta)], key="f_tag")
    status = st.selectbox("Status", [ALL, *STATUSES], key="f_status")
    ui.who()

search_col, sort_col = st.columns([3, 1])
search = search_col.text_input(
    "Search", placeholder="keyword, title, tag, owner or theme id", key="search"
).strip()
sort_by = sort_col.selectbox("Sort by", list(dashboard.SORTS), key="sort")

if mode == "Date range" and isinstance(picked, tuple | list) and len(picked) == 2:
    d0, d1 = picked
    table = dashboard.range_themes(ui.frame(version), meta, d0, d1, **chosen)
    period = f"{d0:%d %b %Y} – {d1:%d %b %Y}"
    head = None
else:
    ranked = ui.ranked(version, week, **chosen) if week else None
    table = dashboard.table_frame(ranked, meta)
    period = f"week {week}" if week else ""
    head = dashboard.headline(ranked)

if head is not None:
    c = st.columns(5)
    change = None if head["change"] is None else f"{head['change']:+.0%} vs previous week"
    c[0].metric(f"Tickets in {week}", f"{head['tickets']:,}", change)
    c[1].metric("Themes with tickets", head["themes"])
    c[2].metric("New themes", head["new"])
    c[3].metric("Spiking themes", head["spiking"])
    c[4].metric("Unthemed", f"{head['unthemed_share']:.0%}")

if top_categories and len(table):
    st.subheader("Categories")
    by_category = category_table(table, categories)
    left, right = st.columns([3, 2])
    left.dataframe(
        by_category,
        hide_index=True,
        width="stretch",
        column_order=["title", "trend", "volume", "growth", "spiking", "n_themes"],
        column_config={
            "title": st.column_config.TextColumn("Category", width="medium"),
            "trend": st.column_config.LineChartColumn("Weekly volume", y_min=0, width="small"),
            "volume": st.column_config.NumberColumn("Tickets"),
            "growth": st.column_config.NumberColumn("Growth", format="percent"),
            "spiking": st.column_config.NumberColumn("Spiking themes"),
            "n_themes": st.column_config.NumberColumn("Themes"),
        },
        key="categories_table",
    )
    with right:
        ui.treemap(treemap_rows(table, categories))
    st.caption("Rename a category or move a theme on the Categories page.")

shown = dashboard.filter_table(
    table,
    tag=None if tag == ALL else tag,
    status=None if status == ALL else status,
    search=search,
    theme_ids=top_categories[category].theme_ids if category in top_categories else None,
)
shown = dashboard.sort_table(shown, sort_by)

st.subheader(f"{len(shown)} themes · {period}")
if shown.empty:
    st.info(
        "No theme matches these filters."
        if len(table)
        else "No tickets in this period for this selection: pick another week or filter."
    )
else:
    view = shown.assign(link=[f"Theme?theme={t}" for t in shown["theme_id"]])
    top = int(max((max(t) for t in view["trend"] if len(t)), default=1)) or 1
    st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        column_order=["rank", "link", *dashboard.SHOWN_COLUMNS],
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "link": st.column_config.LinkColumn(
                "Theme", display_text=r"Theme\?theme=(\d+)", width="small"
            ),
            "title": st.column_config.TextColumn("Title", width="large"),
            "trend": st.column_config.LineChartColumn(
                "Weekly volume", y_min=0, y_max=top, width="small"
            ),
            "volume": st.column_config.NumberColumn("Tickets"),
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "growth": st.column_config.NumberColumn("Growth", format="percent"),
            "spike": st.column_config.TextColumn("Spike"),
            "lifecycle": st.column_config.TextColumn("Lifecycle"),
            "tags": st.column_config.ListColumn("Tags"),
            "owner": st.column_config.TextColumn("Owner"),
            "status": st.column_config.TextColumn("Status"),
            "keywords": st.column_config.TextColumn("Keywords"),
        },
        key="themes_table",
    )
    stamp = week or date.today().isoformat()
    st.download_button(
        "Download CSV of this table",
        table_csv(shown),
        file_name=f"themes-{stamp}.csv",
        mime="text/csv",
    )
    options = ui.theme_options(shown)
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox(
        "Open a theme",
        list(options),
        format_func=lambda t: options[t],
        key="open_theme",
        label_visibility="collapsed",
    )
    if c2.button("Open theme page", key="open_btn"):
        st.switch_page(ui.THEME_PAGE, query_params={"theme": str(pick)})

ui.footer(eng, version)
