"""The current categories as every view shows them: `insights categories`, the app and the digest.

The stored grouping of the latest categorised run, with what people changed since applied on
top: a moved theme sits in the category it was moved to, a renamed category shows its new title,
both at once (the next refresh keeps them, insights.jobs.categories). A theme the stored grouping
does not know (split off by a person after the run) joins the category whose centroid is nearest
to its own, so every current theme is in exactly one top-level category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from insights.jobs.categories import categorised_run
from insights.jobs.runs import latest_run_id
from insights.store.db import session_scope
from insights.store.models import Category, CategoryPin, CategorySnapshot, ThemeSnapshot
from insights.views.themes import current_theme_rows

CATEGORY_COLUMNS = ["category_id", "title", "volume", "n_themes", "theme_ids", "parent_id"]
WEEK_COLUMNS = [
    "category_id",
    "title",
    "volume",
    "baseline",
    "growth",
    "spiking",
    "n_themes",
    "trend",
    "theme_ids",
]


@dataclass
class CategoryView:
    """One category now; ``title`` is a person's when there is one."""

    category_id: int
    title: str
    machine_title: str
    title_by_human: bool
    theme_ids: list[int]
    volume: int
    keywords: list[str]
    parent_id: int | None = None
    pinned_theme_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `insights categories --format json` row (the first four keys are the contract)."""
        return {
            "category_id": self.category_id,
            "title": self.title,
            "theme_ids": list(self.theme_ids),
            "volume": self.volume,
            "parent_id": self.parent_id,
            "keywords": list(self.keywords[:8]),
            "title_by_human": self.title_by_human,
        }


def _unit(x: np.ndarray) -> np.ndarray:
    return x / max(float(np.linalg.norm(x)), 1e-12)


def category_rows(session: Session) -> list[CategoryView]:
    """Top-level categories (largest first), then sub-categories (largest first)."""
    run_id = latest_run_id(session)
    cat_run = categorised_run(session, up_to=run_id) if run_id is not None else None
    if cat_run is None:
        return []
    sizes = {r.theme_id: r.size for r in current_theme_rows(session, run_id)}
    snaps = list(
        session.scalars(select(CategorySnapshot).where(CategorySnapshot.run_id == cat_run))
    )
    rows = {int(c.id): c for c in session.scalars(select(Category))}
    pins = {int(p.theme_id): int(p.category_id) for p in session.scalars(select(CategoryPin))}

    top = [s for s in snaps if s.parent_id is None]
    members: dict[int, list[int]] = {s.category_id: [] for s in top}
    placed: set[int] = set()
    for s in top:
        for t in s.theme_ids:
            t = int(t)
            if t in sizes and t not in pins and t not in placed:
                members[s.category_id].append(t)
                placed.add(t)
    for t, cid in pins.items():
        if t in sizes and cid in rows:
            members.setdefault(cid, []).append(t)
            placed.add(t)
    missing = [t for t in sizes if t not in placed]
    if missing and top:
        centroids = np.vstack([_unit(np.frombuffer(s.centroid, np.float32)) for s in top])
        for tid, blob in session.execute(
            select(ThemeSnapshot.theme_id, ThemeSnapshot.centroid).where(
                ThemeSnapshot.run_id == run_id, ThemeSnapshot.theme_id.in_(missing)
            )
        ):
            nearest = top[int(np.argmax(centroids @ _unit(np.frombuffer(blob, np.float32))))]
            members[nearest.category_id].append(int(tid))

    keywords = {s.category_id: list(s.keywords or []) for s in snaps}
    out = [
        _view(rows[cid], ids, sizes, keywords.get(cid, []), pins, None)
        for cid, ids in members.items()
        if ids and cid in rows
    ]
    out.sort(key=lambda c: (-c.volume, c.category_id))
    parent_of = {t: c.category_id for c in out for t in c.theme_ids}
    subs = []
    for s in snaps:
        if s.parent_id is None or s.category_id not in rows:
            continue
        ids = [int(t) for t in s.theme_ids if parent_of.get(int(t)) == s.parent_id]
        if ids:
            subs.append(
                _view(rows[s.category_id], ids, sizes, keywords[s.category_id], {}, s.parent_id)
            )
    subs.sort(key=lambda c: (-c.volume, c.category_id))
    return out + subs


def _view(
    row: Category,
    ids: list[int],
    sizes: dict[int, int],
    keywords: list[str],
    pins: dict[int, int],
    parent: int | None,
) -> CategoryView:
    ids = sorted(ids, key=lambda t: (-sizes.get(t, 0), t))
    human = (row.human_title or "").strip()
    machine = row.machine_title or f"Category {row.id}"
    return CategoryView(
        category_id=int(row.id),
        title=human or machine,
        machine_title=machine,
        title_by_human=bool(human),
        theme_ids=ids,
        volume=int(sum(sizes.get(t, 0) for t in ids)),
        keywords=keywords,
        parent_id=parent,
        pinned_theme_ids=[t for t in ids if pins.get(t) == row.id],
    )


def current_categories(engine: Engine, top_only: bool = False) -> list[CategoryView]:
    with session_scope(engine) as session:
        cats = category_rows(session)
    return [c for c in cats if c.parent_id is None] if top_only else cats


def category_of(categories: list[CategoryView]) -> dict[int, CategoryView]:
    """theme id -> its top-level category."""
    return {t: c for c in categories if c.parent_id is None for t in c.theme_ids}


def categories_frame(categories: list[CategoryView]) -> pd.DataFrame:
    """The categories as a table (CATEGORY_COLUMNS): `insights categories` and CSV export."""
    return pd.DataFrame.from_records(
        [
            {
                "category_id": c.category_id,
                "title": c.title,
                "volume": c.volume,
                "n_themes": len(c.theme_ids),
                "theme_ids": " ".join(str(t) for t in c.theme_ids),
                "parent_id": c.parent_id,
            }
            for c in categories
        ],
        columns=CATEGORY_COLUMNS,
    )


def category_table(table: pd.DataFrame, categories: list[CategoryView]) -> pd.DataFrame:
    """Top-level categories over a Home table (a week's ranking or a date range; WEEK_COLUMNS):
    the period's tickets, the baseline and growth summed over the category's themes, how many
    of them spike, and the volume line; largest first. Built from the table the page shows, so
    a category's numbers are the sum of the rows under it."""
    rows = table.set_index("theme_id") if len(table) else None
    records = []
    for c in categories:
        if c.parent_id is not None:
            continue
        ids = [t for t in c.theme_ids if rows is not None and t in rows.index]
        part = rows.loc[ids] if ids else None
        volume = int(part["volume"].sum()) if part is not None else 0
        baseline = float(part["baseline"].sum()) if part is not None else 0.0
        lines = [list(x) for x in part["trend"]] if part is not None else []
        width = max((len(x) for x in lines), default=0)
        trend = [0] * width
        for line in lines:  # a theme younger than the line has a shorter one: align the ends
            for i, x in enumerate(line):
                trend[width - len(line) + i] += int(x)
        records.append(
            {
                "category_id": c.category_id,
                "title": c.title,
                "volume": volume,
                "baseline": round(baseline, 2),
                "growth": (volume - baseline) / baseline if baseline > 0 else 0.0,
                "spiking": int((part["spike"].astype(str) != "").sum()) if part is not None else 0,
                "n_themes": len(c.theme_ids),
                "trend": trend,
                "theme_ids": list(c.theme_ids),
            }
        )
    out = pd.DataFrame.from_records(records, columns=WEEK_COLUMNS)
    return out.sort_values(["volume", "category_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def treemap_rows(themes: pd.DataFrame, categories: list[CategoryView]) -> list[dict[str, Any]]:
    """Nodes of a category -> theme treemap over a Home table: ``id``, ``parent`` ("" for a
    category), ``label``, ``value`` (tickets in the period) and ``growth``. Categories and
    themes without tickets in the period are left out (a zero-sized tile cannot be drawn)."""
    rows = themes.set_index("theme_id") if len(themes) else None
    nodes: list[dict[str, Any]] = []
    for c in category_table(themes, categories).itertuples():
        if c.volume <= 0 or rows is None:
            continue
        nodes.append(
            {
                "id": f"c{c.category_id}",
                "parent": "",
                "label": c.title,
                "value": int(c.volume),
                "growth": float(c.growth),
            }
        )
        for tid in c.theme_ids:
            if tid in rows.index and rows.at[tid, "volume"] > 0:
                nodes.append(
                    {
                        "id": f"t{tid}",
                        "parent": f"c{c.category_id}",
                        "label": str(rows.at[tid, "title"]),
                        "value": int(rows.at[tid, "volume"]),
                        "growth": float(rows.at[tid, "growth"]),
                    }
                )
    return nodes
