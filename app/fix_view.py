"""Fixes in the app: the theme's trend chart with a line at each fix and its verdict beside
it, the form that marks a fix shipped, and the table of fixes with their verdicts. Thin: the
verdicts come from `insights.views.fixes`, the write goes through `insights.people.fixes`."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from app import ui
from insights.people.fixes import add_fix, local_today
from insights.views.fixes import FixVerdict, fix_table

ALL = "All"
CHART_HEIGHT = 300
#: The form accepts any date from here on; add_fix says which ones the store cannot measure.
EARLIEST = date(2000, 1, 1)


def trend_chart(trend: pd.DataFrame, verdicts: list[FixVerdict], by: str) -> None:
    """Weekly tickets stacked by ``by``; a dashed rule on each fix date within the chart's weeks,
    labelled with the fix's verdict. Fixes before the chart's first week are named below it."""
    long = (
        trend.rename_axis("week")
        .reset_index()
        .melt(id_vars="week", var_name=by, value_name="tickets")
    )
    long["week_end"] = long["week"] + pd.Timedelta(days=7)
    first, end = long["week"].min(), long["week_end"].max()
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="week"),
            x2="week_end:T",
            y=alt.Y("sum(tickets):Q", title="tickets per week"),
            color=alt.Color(f"{by}:N", title=by),
            tooltip=["week:T", f"{by}:N", "tickets:Q"],
        )
    )
    shown = [v for v in verdicts if first <= pd.Timestamp(v.fix.fix_date) < end]
    layers: list[alt.Chart] = [bars]
    if shown:
        marks = pd.DataFrame(
            {
                "fix_date": [pd.Timestamp(v.fix.fix_date) for v in shown],
                "label": [v.label for v in shown],
                "note": [v.fix.note for v in shown],
                "row": list(range(len(shown))),
            }
        )
        base = alt.Chart(marks)
        layers.append(
            base.mark_rule(color="#c0392b", strokeDash=[6, 3], size=2).encode(
                x="fix_date:T", tooltip=["fix_date:T", "label:N", "note:N"]
            )
        )
        layers.append(
            base.mark_text(
                align="left", baseline="top", dx=4, dy=4, color="#c0392b", fontWeight="bold"
            ).encode(
                x="fix_date:T",
                # one line per fix from the top of the chart, so two close fixes do not overlap
                y=alt.Y(
                    "row:Q",
                    scale=alt.Scale(domain=[0, max(10, len(shown))], reverse=True),
                    axis=None,
                ),
                text="label:N",
            )
        )
    chart = alt.layer(*layers).resolve_scale(y="independent") if shown else bars
    chart = chart.properties(height=CHART_HEIGHT)
    st.altair_chart(chart, width="stretch")
    older = [v for v in verdicts if pd.Timestamp(v.fix.fix_date) < first]
    if older:
        st.caption(
            "Earlier fixes (before this chart): "
            + "; ".join(f"{v.fix.fix_date}: {v.label}" for v in older)
        )


def fix_form(eng: Engine, theme_id: int, segments: dict[str, list[str]]) -> None:
    """ "Mark a fix shipped": date, region, kind, note; one audited write for the named person.
    Shown only when :func:`app.ui.can_edit` allows ``fix``."""
    if not ui.can_edit("fix"):
        return
    params = ui.params()
    today = local_today(params)
    with st.form(f"fix-{theme_id}", clear_on_submit=True):
        st.markdown("**Mark a fix shipped**")
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(
            "Shipped on",
            value=today,
            min_value=EARLIEST,  # Streamlit's default floor is ten years back
            max_value=today,
            key=f"fix_date_{theme_id}",
        )
        region = c2.selectbox("Region", [ALL, *segments.get("region", [])], key="fix_region")
        kind = c3.selectbox("Kind", [ALL, *segments.get("kind", [])], key="fix_kind")
        note = st.text_area("What shipped", placeholder="a sentence and a link", key="fix_note")
        saved = st.form_submit_button("Mark fix shipped", type="primary")
    if not saved:
        return
    person = ui.person()
    if not person.name:
        st.error("Not saved: enter your name in the sidebar first (every change is audited).")
        return
    try:
        fix = add_fix(
            eng,
            theme_id,
            day if isinstance(day, date) else str(day),
            note,
            person,
            region=None if region == ALL else region,
            kind=None if kind == ALL else kind,
            params=params,
        )
    except Exception as exc:
        ui.write_failed(exc)
        return
    ui.flash(f"Recorded fix {fix.fix_id} for theme {theme_id} on {fix.fix_date}.")
    st.rerun()


def fixes_table(verdicts: list[FixVerdict], with_theme: bool = True) -> None:
    """The fixes with verdict, change, interval, p-value and weeks needed; each links to its
    theme page when ``with_theme``."""
    table = fix_table(verdicts)
    table["link"] = [f"Theme?theme={t}" for t in table["theme_id"]]
    order = [
        *(["link", "title"] if with_theme else []),
        "fix_id",
        "fix_date",
        "segment",
        "verdict",
        "change",
        "ci_low",
        "ci_high",
        "p_value",
        "weeks_after",
        "weeks_needed",
        "note",
        "created_by",
        "reason",
    ]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_order=order,
        column_config={
            "link": st.column_config.LinkColumn(
                "Theme", display_text=r"Theme\?theme=(\d+)", width="small"
            ),
            "title": st.column_config.TextColumn("Title", width="medium"),
            "fix_id": st.column_config.NumberColumn("Fix", width="small"),
            "fix_date": st.column_config.DateColumn("Shipped"),
            "change": st.column_config.NumberColumn("Rate change", format="percent"),
            "ci_low": st.column_config.NumberColumn("CI low", format="percent"),
            "ci_high": st.column_config.NumberColumn("CI high", format="percent"),
            "p_value": st.column_config.NumberColumn("p", format="%.3f"),
            "weeks_after": st.column_config.NumberColumn("Weeks after"),
            "weeks_needed": st.column_config.NumberColumn("More weeks needed"),
            "note": st.column_config.TextColumn("Note", width="large"),
            "reason": st.column_config.TextColumn("Why not measurable"),
        },
    )
