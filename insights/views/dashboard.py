"""The Home page's tables: the week's ranking joined with people's notes, filters, sorting, the
date-range view and the headline numbers. Every number comes from the read model
(insights.views.weekly); this module only shapes it for a table.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from insights.jobs.runs import run_record
from insights.views.export import NOTE_COLUMNS, WEEK_COLUMNS
from insights.views.frame import DataVersion, restrict
from insights.views.ranked import SCORE_PARTS, RankedWeek

EMPTY_STORE = (
    "The store holds no tickets yet. Load an export with `insights ingest FILE` "
    "(CSV, TSV, JSONL or Parquet; `--mapping` for other column names), then run "
    "`insights refresh` to discover themes. `make demo` does both on the sample data."
)
NO_RUN = (
    "Tickets are loaded but no themes have been discovered yet: run `insights refresh` "
    "(it embeds the tickets and finds themes), then reload this page."
)
SPIKE_MARK = "▲ spike"
#: What Home shows of each theme, in order (after its rank and link).
SHOWN_COLUMNS = ("title", "trend", *WEEK_COLUMNS, "lifecycle", *NOTE_COLUMNS, "keywords")
TABLE_COLUMNS = [
    "rank",
    "theme_id",
    *SHOWN_COLUMNS,
    "baseline",
    "rank_score",
    *[f"score_{k}" for k in SCORE_PARTS],
    "csat",
    "q_value",
]


def empty_message(version: DataVersion) -> str | None:
    """Why a page has nothing to show (empty store, no run yet), or None."""
    if version.n_tickets == 0:
        return EMPTY_STORE
    if version.run_id is None:
        return NO_RUN
    return None


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    mode: str
    finished_at: object
    n_themes: int


def run_info(engine: Engine, run_id: int | None) -> RunInfo | None:
    """When the themes were last refreshed, for the page footer."""
    record = run_record(engine, run_id) if run_id is not None else None
    if record is None:
        return None
    return RunInfo(
        record.id, record.mode, record.finished_at or record.started_at, record.stats.n_themes
    )


def _text(value: object) -> str:
    """Optional text from a frame cell: None and NaN (pandas' missing value) become ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def table_frame(ranked: RankedWeek | None, meta: pd.DataFrame) -> pd.DataFrame:
    """The week's ranking as the Home table (TABLE_COLUMNS), with tags, owner and status."""
    info = meta.set_index("theme_id") if len(meta) else None
    rows = []
    for t in ranked.themes if ranked else []:
        if info is None or t.theme_id not in info.index:
            continue  # merged away after the ranking was stored
        m = info.loc[t.theme_id]
        rows.append(
            {
                "theme_id": t.theme_id,
                "title": m["title"],
                "trend": t.trend,
                "volume": t.volume,
                "share": t.share,
                "growth": t.growth,
                "spike": SPIKE_MARK if t.spike else "",
                "lifecycle": t.lifecycle,
                "tags": list(m["tags"]),
                "owner": _text(m["owner"]),
                "status": m["status"],
                "keywords": ", ".join(m["keywords"][:6]),
                "baseline": round(t.baseline, 2),
                "rank_score": round(t.rank_score, 4),
                **{f"score_{k}": round(v, 4) for k, v in t.score_parts.as_dict().items()},
                "csat": t.csat,
                "q_value": t.q_value,
            }
        )
    table = pd.DataFrame.from_records(rows, columns=[c for c in TABLE_COLUMNS if c != "rank"])
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def headline(ranked: RankedWeek | None) -> dict:
    """Numbers at the top of Home: tickets this week and the change from the week before,
    themes with tickets, new themes, spiking themes, and the unthemed share."""
    if ranked is None or ranked.week is None:
        return {
            "tickets": 0,
            "previous": 0,
            "change": None,
            "themes": 0,
            "new": 0,
            "spiking": 0,
            "unthemed_share": 0.0,
        }
    themes = ranked.themes
    return {
        "tickets": ranked.total_tickets,
        "previous": ranked.previous_tickets,
        "change": ranked.change,
        "themes": sum(t.volume > 0 for t in themes),
        "new": sum(t.lifecycle == "new" for t in themes),
        "spiking": sum(t.spike for t in themes),
        "unthemed_share": ranked.unthemed_share,
    }


def range_themes(
    frame: pd.DataFrame,
    meta: pd.DataFrame,
    start: date,
    end: date,
    **segments: str | None,
) -> pd.DataFrame:
    """Themes over a date range (inclusive): volume, share and growth against the preceding period
    of the same length. No spike test: that is defined on weeks."""
    if frame.empty or len(meta) == 0:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    sub = restrict(frame, **segments)
    days = (end - start).days + 1
    lo, hi = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    prev_lo = lo - pd.Timedelta(days=days)
    now = sub.loc[(sub["created_at"] >= lo) & (sub["created_at"] < hi)]
    before = sub.loc[(sub["created_at"] >= prev_lo) & (sub["created_at"] < lo)]
    vol = now.loc[now["theme_id"].notna()].groupby("theme_id").size()
    prev = before.loc[before["theme_id"].notna()].groupby("theme_id").size()
    total = len(now)
    daily = now.loc[now["theme_id"].notna()]
    n_bins = min(max(days, 1), 30)
    edges = pd.date_range(lo, hi, periods=n_bins + 1)
    rows = []
    for _, m in meta.iterrows():
        tid = int(m["theme_id"])
        v = int(vol.get(float(tid), vol.get(tid, 0)))
        p = int(prev.get(float(tid), prev.get(tid, 0)))
        if v == 0 and p == 0:
            continue
        created = daily.loc[daily["theme_id"] == tid, "created_at"]
        trend = pd.cut(created, edges, right=False).value_counts(sort=False).tolist()
        rows.append(
            {
                "theme_id": tid,
                "title": m["title"],
                "trend": [int(x) for x in trend],
                "volume": v,
                "share": v / total if total else 0.0,
                "growth": (v - p) / max(p, 1),
                "spike": "",
                "lifecycle": m["lifecycle"],
                "tags": list(m["tags"]),
                "owner": _text(m["owner"]),
                "status": m["status"],
                "keywords": ", ".join(m["keywords"][:6]),
                "baseline": float(p),
                "rank_score": math.log1p(v),
                **{f"score_{k}": 0.0 for k in SCORE_PARTS},
                "csat": None,
                "q_value": None,
            }
        )
    rows.sort(key=lambda r: (-r["volume"], r["theme_id"]))
    table = pd.DataFrame.from_records(rows, columns=[c for c in TABLE_COLUMNS if c != "rank"])
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def filter_table(
    table: pd.DataFrame,
    *,
    tag: str | None = None,
    status: str | None = None,
    search: str = "",
    theme_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """Tag / status / category (``theme_ids``: the category's themes) filters and a
    case-insensitive keyword search over id, title, keywords, tags and owner (every word must
    match somewhere)."""
    out = table
    if theme_ids is not None:
        out = out.loc[out["theme_id"].isin(list(theme_ids))]
    if tag:
        out = out.loc[out["tags"].map(lambda ts: tag in ts)]
    if status:
        out = out.loc[out["status"] == status]
    words = [w for w in (search or "").lower().split() if w]
    if words and len(out):
        hay = (
            out["theme_id"].astype(str)
            + " "
            + out["title"].astype(str)
            + " "
            + out["keywords"].astype(str)
            + " "
            + out["tags"].map(" ".join)
            + " "
            + out["owner"].map(_text)
        ).str.lower()
        mask = pd.Series(True, index=out.index)
        for w in words:
            mask &= hay.str.contains(w, regex=False)
        out = out.loc[mask]
    return out


SORTS = {
    "rank score": ("rank_score", False),
    "volume": ("volume", False),
    "growth": ("growth", False),
    "share": ("share", False),
    "newest theme id": ("theme_id", False),
    "title": ("title", True),
}


def sort_table(table: pd.DataFrame, by: str = "rank score") -> pd.DataFrame:
    column, ascending = SORTS.get(by, SORTS["rank score"])
    return table.sort_values([column, "theme_id"], ascending=[ascending, True], kind="stable")
