"""The tagging workflow's reads: a region's themes for its CS lead, tag suggestions, and
the lookups a split needs (external ticket ids, texts)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from insights.store.db import session_scope
from insights.store.models import Ticket


def tagging_queue(
    frame: pd.DataFrame, meta: pd.DataFrame, region: str | None, weeks: int = 8
) -> pd.DataFrame:
    """A region's themes for its CS lead: those without tags or owner first, then by the region's
    ticket volume over the last `weeks` weeks. `region` None: every region."""
    cols = ["theme_id", "title", "tickets", "tags", "owner", "status", "needs", "keywords"]
    if frame.empty or len(meta) == 0:
        return pd.DataFrame(columns=cols)
    last = frame["week"].max()
    recent = frame.loc[
        frame["theme_id"].notna() & (frame["week"] > last - pd.Timedelta(weeks=weeks))
    ]
    if region:
        recent = recent.loc[recent["region"] == region]
    counts = recent.groupby("theme_id").size()
    counts.index = counts.index.astype(int)
    table = meta.loc[meta["theme_id"].isin(counts.index)].copy()
    table["tickets"] = table["theme_id"].map(counts).astype(int)
    untagged = table["tags"].map(len) == 0
    unowned = table["owner"].isna() | (table["owner"].fillna("") == "")
    table["needs"] = [
        ", ".join(n for n, flag in (("tags", t), ("owner", o)) if flag)
        for t, o in zip(untagged, unowned, strict=True)
    ]
    table["keywords"] = table["keywords"].map(lambda k: ", ".join(k[:6]))
    table["_todo"] = (untagged | unowned).astype(int)
    table = table.sort_values(["_todo", "tickets", "theme_id"], ascending=[False, False, True])
    return table[cols].reset_index(drop=True)


def tag_suggestions(meta: pd.DataFrame) -> list[str]:
    """Tags already in use, most used first, so leads converge on one vocabulary."""
    counts: dict[str, int] = {}
    for tags in meta.get("tags", []):
        for t in tags:
            counts[t] = counts.get(t, 0) + 1
    return sorted(counts, key=lambda t: (-counts[t], t))


def parse_tags(text: str) -> list[str]:
    """Free-text tags: comma or semicolon separated."""
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _lookup(engine: Engine, key, value, wanted: list) -> dict:
    """key -> value for the tickets whose `key` is in `wanted`, in chunks the drivers accept."""
    out = {}
    with session_scope(engine) as session:
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            out.update(dict(session.execute(select(key, value).where(key.in_(part))).all()))
    return out


def ticket_ids(engine: Engine, external_ids: list[str]) -> dict[str, int]:
    """External ticket id -> store id (the app shows external ids; splits need store ids)."""
    return {
        e: int(t) for e, t in _lookup(engine, Ticket.external_id, Ticket.id, external_ids).items()
    }


def ticket_texts(engine: Engine, ids: list[int]) -> dict[int, str]:
    """Store id -> redacted text, for examples of a proposed split."""
    return {int(t): text for t, text in _lookup(engine, Ticket.id, Ticket.text, ids).items()}
