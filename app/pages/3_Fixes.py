"""Every fix marked shipped, with its verdict (improved, worse, no change, too early, or why it
cannot be measured), the rate change, its confidence interval, p-value and the weeks still
needed; each row links to its theme page, where fixes are marked."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `app.ui` from a checkout

import streamlit as st

from app import fix_view, ui
from insights.views.fixes import VERDICT_ORDER, fix_params, fix_verdicts

eng, version = ui.start("Fixes")
ui.explain_empty(version)
ui.who()
ui.show_flash()

st.page_link(ui.HOME_PAGE, label="All themes", icon="⬅️")
st.title("Fixes shipped")
test = fix_params(ui.settings())
st.caption(
    "Each fix is measured by the theme's rate: its share of all tickets in the fix's segment, "
    "in the weeks before the fix against the complete weeks after it (the week of the fix is "
    "left out), so a busy or quiet week does not fool it. `improved` or `worse` needs "
    f"p < {test.level:g} and a change of at least {test.min_change:.0%}; `too early` says how "
    f"many more weeks would show a {test.detect_change:.0%} drop. Mark a fix on its theme's "
    "page (tab Fixes) or with `insights fix add`."
)

verdicts = fix_verdicts(eng, ui.settings(), version=version)
if not verdicts:
    st.info("No fixes recorded yet. Open a theme and mark a fix shipped in its Fixes tab.")
    st.stop()

counts = {name: 0 for name in VERDICT_ORDER}
for v in verdicts:
    counts[v.verdict] = counts.get(v.verdict, 0) + 1
cols = st.columns(len(counts))
for col, (name, n) in zip(cols, counts.items(), strict=True):
    col.metric(name.capitalize(), n)

pick = st.selectbox("Verdict", ["All", *VERDICT_ORDER], key="f_verdict")
shown = verdicts if pick == "All" else [v for v in verdicts if v.verdict == pick]
st.subheader(f"{len(shown)} fix(es), newest first")
if shown:
    fix_view.fixes_table(shown)
else:
    st.caption("No fix has this verdict.")

ui.footer(eng, version)
