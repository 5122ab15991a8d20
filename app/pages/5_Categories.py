"""Categories: the map above the themes, and the two edits a PM makes to it: a better title, and
a theme moved to the category it belongs in (or a new one). Both are audited and kept by every
refresh (insights.people.categories)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import streamlit as st

from app import ui
from insights.people.categories import move_theme, rename_category, unpin_theme
from insights.views.categories import current_categories
from insights.views.themes import theme_meta

eng, version = ui.start("Categories")
st.title("Categories")
ui.explain_empty(version)
ui.show_flash()
with st.sidebar:
    person = ui.who()

categories = current_categories(eng)
meta = theme_meta(eng)
titles = dict(zip(meta["theme_id"], meta["title"], strict=True))
tops = [c for c in categories if c.parent_id is None]
subs: dict[int, list] = {}
for c in categories:
    if c.parent_id is not None:
        subs.setdefault(c.parent_id, []).append(c)
if not tops:
    st.info("No categories yet: run `insights refresh`.")
    st.stop()

st.caption(
    f"{len(tops)} categories over {len(meta)} themes, grouped by what the themes are about; "
    "a title or a move you make here stays through every refresh."
)
for cat in tops:
    mark = " ✎" if cat.title_by_human else ""
    with st.expander(
        f"**{ui.md(cat.title)}**{mark} · {cat.volume:,} tickets · {len(cat.theme_ids)} themes"
    ):
        st.caption(f"Category {cat.category_id} · keywords: {', '.join(cat.keywords[:8])}")
        for sub in subs.get(cat.category_id, []):
            st.markdown(f"*{ui.md(sub.title)}* · {sub.volume:,} tickets")
        for tid in cat.theme_ids:
            pinned = " (moved here by a person)" if tid in cat.pinned_theme_ids else ""
            st.markdown(f"- [{ui.md(titles.get(tid, f'theme {tid}'))}](Theme?theme={tid}){pinned}")

if not ui.can_edit("categorise"):
    st.caption("Only an admin renames categories or moves themes between them.")
    ui.footer(eng, version)
    st.stop()

options = {c.category_id: f"{c.category_id} · {c.title}" for c in tops}
left, right = st.columns(2)
with left, st.form("rename"):
    st.subheader("Rename a category")
    target = st.selectbox("Category", list(options), format_func=options.get, key="rename_cat")
    new_title = st.text_input(
        "New title", placeholder="empty: the machine's title again", key="rename_title"
    )
    rename = st.form_submit_button("Save title", type="primary")
with right, st.form("move"):
    st.subheader("Move a theme")
    theme_opts = ui.theme_options(meta)
    theme = st.selectbox("Theme", list(theme_opts), format_func=theme_opts.get, key="move_theme")
    NEW = -1
    dest = st.selectbox(
        "To category",
        [*options, NEW],
        format_func=lambda c: "a new category ..." if c == NEW else options[c],
        key="move_to",
    )
    dest_title = st.text_input("Title of the new category", key="move_new_title")
    c1, c2 = st.columns(2)
    move = c1.form_submit_button("Move", type="primary")
    undo = c2.form_submit_button("Undo a move")


def _save(change, message) -> None:
    if not person:
        st.error("Not saved: enter your name in the sidebar first (every change is audited).")
        return
    try:
        result = change()
    except Exception as exc:
        ui.write_failed(exc)
        return
    ui.flash(message(result))
    st.rerun()


if rename:
    _save(
        lambda: rename_category(eng, target, new_title or None, ui.person()),
        lambda shown: f"Category {target} is now titled {shown!r}.",
    )
if move:
    _save(
        lambda: move_theme(
            eng, theme, None if dest == NEW else dest, ui.person(), new_title=dest_title or None
        ),
        lambda cid: f"Theme {theme} moved to category {cid}.",
    )
if undo:
    _save(
        lambda: unpin_theme(eng, theme, ui.person()),
        lambda done: (
            f"Theme {theme} will be placed by its content again from the next refresh."
            if done
            else f"Theme {theme} was not moved by a person."
        ),
    )
ui.footer(eng, version)
