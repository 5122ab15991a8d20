"""Queries and table shaping behind the Streamlit app (app/), kept here so the app holds no
business logic and every number it shows is testable without Streamlit.

Everything returns plain pandas frames or dicts. The heavy part (the prepared ticket frame that
every chart and ranking is computed from) depends only on the store's *data version*
(:func:`store_state`): the latest run id plus the latest merge/split, the only two things that move
tickets between themes. The app caches on that key, so a Monday with 100,000 tickets reads the
store once per run, not once per click. Annotations (titles, tags, owners) are small and change
by the minute, so they are read fresh (:func:`theme_meta`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select

from insights.jobs.runs import latest_run_id
from insights.people.annotate import resolve_theme
from insights.store.db import session_scope
from insights.store.models import (
    Annotation,
    Assignment,
    AuditEntry,
    Run,
    Theme,
    ThemeEvent,
    ThemeSnapshot,
    Ticket,
)
from insights.trends.series import (
    SEGMENTS,
    TrendParams,
    latest_complete_week,
    prepare,
    rank_week,
    week_from_label,
    week_label,
    weekly_series,
)
from insights.views.export import neutralise
from insights.views.weekly import ticket_frame

EMPTY_STORE = (
    "The store holds no tickets yet. Load an export with `insights ingest FILE` "
    "(CSV, TSV, JSONL or Parquet; `--mapping` for other column names), then run "
    "`insights refresh` to discover themes. `make demo` does both on the sample data."
)
NO_RUN = (
    "Tickets are loaded but no themes have been discovered yet: run `insights refresh` "
    "(it embeds the tickets and finds themes), then reload this page."
)
#: Actions that move tickets between themes without a new run: they invalidate cached frames.
MEMBERSHIP_ACTIONS = ("merge", "split")
SPIKE_MARK = "▲ spike"
SCORE_PARTS = ("volume", "growth", "spike", "severity")


@dataclass(frozen=True)
class StoreState:
    """What the app needs to know before drawing anything, and the cache key for heavy data."""

    run_id: int | None
    n_tickets: int
    membership_version: int

    @property
    def key(self) -> tuple[int | None, int]:
        return (self.run_id, self.membership_version)

    @property
    def message(self) -> str | None:
        """Why there is nothing to show (empty store, no run yet), or None."""
        if self.n_tickets == 0:
            return EMPTY_STORE
        if self.run_id is None:
            return NO_RUN
        return None


def store_state(engine: Engine) -> StoreState:
    with session_scope(engine) as session:
        n = session.scalar(select(func.count()).select_from(Ticket)) or 0
        run_id = latest_run_id(session)
        version = session.scalar(
            select(func.max(AuditEntry.id)).where(AuditEntry.action.in_(MEMBERSHIP_ACTIONS))
        )
    return StoreState(run_id, int(n), int(version or 0))


def run_info(engine: Engine, run_id: int | None) -> dict:
    """When the themes were last refreshed, for the page footer."""
    if run_id is None:
        return {}
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        if run is None:
            return {}
        return {
            "run_id": run.id,
            "mode": run.mode,
            "finished_at": run.finished_at or run.started_at,
            "n_themes": (run.stats or {}).get("n_themes"),
        }


# --------------------------------------------------------------------------- frames


def load_frame(engine: Engine, params: TrendParams | None = None) -> pd.DataFrame:
    """Every ticket with its current theme and its week; the input of every chart and ranking."""
    frame, _ = prepare(ticket_frame(engine), params or TrendParams())
    return frame


def segment_values(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Filter choices: the values each segment column takes, most frequent first."""
    out: dict[str, list[str]] = {}
    for seg in SEGMENTS:
        if seg in frame.columns:
            out[seg] = [str(v) for v in frame[seg].dropna().value_counts().index]
        else:
            out[seg] = []
    return out


def week_labels(frame: pd.DataFrame, params: TrendParams | None = None) -> list[str]:
    """Weeks that hold tickets, newest first, as "YYYY-Www"."""
    params = params or TrendParams()
    if frame.empty:
        return []
    weeks = sorted(frame["week"].dropna().unique(), reverse=True)
    return [week_label(pd.Timestamp(w).date(), params.week_start) for w in weeks]


def default_week(frame: pd.DataFrame, params: TrendParams | None = None) -> str | None:
    """The latest complete week (a half-finished week would make every theme look like fading);
    the newest week when none is complete yet."""
    params = params or TrendParams()
    start = latest_complete_week(frame, params=params)
    if start is not None:
        return week_label(start, params.week_start)
    labels = week_labels(frame, params)
    return labels[0] if labels else None


def restrict(frame: pd.DataFrame, **segments: str | None) -> pd.DataFrame:
    """Rows whose segment columns equal the given values (None: no restriction)."""
    out = frame
    for seg, value in segments.items():
        if value is not None and seg in out.columns:
            out = out.loc[out[seg] == value]
    return out


# --------------------------------------------------------------------------- themes


def theme_meta(engine: Engine) -> pd.DataFrame:
    """Current (not merged) themes of the latest run with their human input and lifecycle.

    Columns: theme_id, title, label, size, keywords, keywords_by_language, languages, tags, owner,
    status, tracker_url, note, region, lifecycle.
    """
    cols = [
        "theme_id",
        "title",
        "label",
        "size",
        "keywords",
        "keywords_by_language",
        "languages",
        "tags",
        "owner",
        "status",
        "tracker_url",
        "note",
        "region",
        "lifecycle",
    ]
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        if run_id is None:
            return pd.DataFrame(columns=cols)
        rows = session.execute(
            select(
                Theme.id,
                Theme.title,
                Theme.label,
                ThemeSnapshot.size,
                ThemeSnapshot.keywords,
                ThemeSnapshot.languages,
            )
            .join(ThemeSnapshot, ThemeSnapshot.theme_id == Theme.id)
            .where(ThemeSnapshot.run_id == run_id, Theme.merged_into.is_(None))
        ).all()
        notes = {a.theme_id: a for a in session.scalars(select(Annotation))}
        events = _lifecycle(session, run_id)
    records = []
    for tid, title, label, size, kw, langs in rows:
        ann = notes.get(tid)
        kw = kw or {}
        records.append(
            {
                "theme_id": int(tid),
                "title": title or label,
                "label": label,
                "size": int(size),
                "keywords": list(kw.get("all", [])),
                "keywords_by_language": dict(kw.get("by_language", {})),
                "languages": dict(langs or {}),
                "tags": list(ann.tags or []) if ann else [],
                "owner": ann.owner if ann else None,
                "status": ann.status if ann else "new",
                "tracker_url": ann.tracker_url if ann else None,
                "note": ann.note if ann else None,
                "region": ann.region if ann else None,
                "lifecycle": events.get(int(tid), "active"),
            }
        )
    meta = pd.DataFrame.from_records(records, columns=cols)
    for col in ("owner", "tracker_url", "note", "region"):  # keep None, not NaN: NaN is truthy
        meta[col] = meta[col].astype(object).where(meta[col].notna(), None)
    return meta


def _lifecycle(session, run_id: int) -> dict[int, str]:
    """theme id -> badge: its latest lifecycle event, with `merged` also on a merge's survivor
    and `split` on both halves of a split, so the table shows where a theme's volume came from."""
    badges: dict[int, str] = {}
    for tid, event, related, ev_run in session.execute(
        select(
            ThemeEvent.theme_id, ThemeEvent.event, ThemeEvent.related_theme_id, ThemeEvent.run_id
        ).order_by(ThemeEvent.id)
    ):
        badges[tid] = {"continued": "active"}.get(event, event)
        if event in ("merged", "split") and related is not None and ev_run == run_id:
            badges[related] = event
    return badges


def _text(value: object) -> str:
    """Optional text from a frame cell: None and NaN (pandas' missing value) become ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _sparklines(frame: pd.DataFrame, end: pd.Timestamp, n_weeks: int) -> dict[int, list[int]]:
    """Weekly ticket counts per theme over the `n_weeks` weeks ending with `end` (zeros filled)."""
    weeks = pd.DatetimeIndex([end - pd.Timedelta(weeks=n_weeks - 1 - i) for i in range(n_weeks)])
    part = frame.loc[frame["theme_id"].notna() & frame["week"].isin(weeks)]
    if part.empty:
        return {}
    counts = part.groupby(["theme_id", "week"]).size().unstack("week")
    counts = counts.reindex(columns=weeks).fillna(0).astype(int)
    return {int(t): row.tolist() for t, row in zip(counts.index, counts.to_numpy(), strict=True)}


TABLE_COLUMNS = [
    "rank",
    "theme_id",
    "title",
    "trend",
    "volume",
    "share",
    "growth",
    "spike",
    "lifecycle",
    "tags",
    "owner",
    "status",
    "keywords",
    "baseline",
    "rank_score",
    "score_volume",
    "score_growth",
    "score_spike",
    "score_severity",
    "csat",
    "q_value",
]


def ranked_themes(
    frame: pd.DataFrame,
    meta: pd.DataFrame,
    week: str | None,
    params: TrendParams | None = None,
    *,
    region: str | None = None,
    kind: str | None = None,
    language: str | None = None,
    channel: str | None = None,
    spark_weeks: int = 12,
) -> pd.DataFrame:
    """The week's themes ranked by impact and trend, one row each (columns: TABLE_COLUMNS).

    Region and kind go to the trends ranking itself (it keeps a theme's age global); language and
    channel restrict the frame first, so volume, share and growth are within that segment.
    Merged-away themes are not listed: their tickets already count for the survivor.
    """
    params = params or TrendParams()
    if week is None or frame.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    start = week_from_label(week, params.week_start)
    sub = restrict(frame, language=language, channel=channel)
    ranked = rank_week(sub, start, params, region=region, kind=kind)
    spark_src = restrict(sub, region=region, kind=kind)
    sparks = _sparklines(spark_src, pd.Timestamp(start), spark_weeks)
    info = meta.set_index("theme_id") if len(meta) else None
    rows = []
    for tw in ranked:
        tid = int(tw.theme_id)
        if info is None or tid not in info.index:
            continue  # merged away (or not in the latest run)
        m = info.loc[tid]
        # "new" comes from the trends (first ticket at most a week ago), not from the run that
        # first found the theme: on a first refresh every theme has a `new` event.
        event = str(m["lifecycle"])
        lifecycle = "new" if tw.is_new else ("active" if event == "new" else event)
        if tw.volume == 0 and tw.baseline > 0 and lifecycle == "active":
            lifecycle = "fading"
        rows.append(
            {
                "theme_id": tid,
                "title": m["title"],
                "trend": sparks.get(tid, [0] * spark_weeks),
                "volume": int(tw.volume),
                "share": float(tw.share),
                "growth": float(tw.growth),
                "spike": SPIKE_MARK if tw.spike else "",
                "lifecycle": lifecycle,
                "tags": list(m["tags"]),
                "owner": _text(m["owner"]),
                "status": m["status"],
                "keywords": ", ".join(m["keywords"][:6]),
                "baseline": round(float(tw.baseline), 2),
                "rank_score": round(float(tw.rank_score), 4),
                **{f"score_{k}": round(float(tw.score_parts.get(k, 0.0)), 4) for k in SCORE_PARTS},
                "csat": tw.csat,
                "q_value": tw.q_value,
            }
        )
    table = pd.DataFrame.from_records(rows, columns=[c for c in TABLE_COLUMNS if c != "rank"])
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


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
) -> pd.DataFrame:
    """Tag / status filters and a case-insensitive keyword search over id, title, keywords, tags
    and owner (every word must match somewhere)."""
    out = table
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


def headline(
    frame: pd.DataFrame,
    table: pd.DataFrame,
    week: str | None,
    params: TrendParams | None = None,
    **segments: str | None,
) -> dict:
    """Numbers at the top of Home: tickets this week and the change from the week before,
    themes with tickets, new themes, spiking themes, and the unthemed share."""
    params = params or TrendParams()
    out = {"tickets": 0, "previous": 0, "change": None, "themes": 0, "new": 0, "spiking": 0}
    out["unthemed_share"] = 0.0
    if week is None or frame.empty:
        return out
    start = pd.Timestamp(week_from_label(week, params.week_start))
    sub = restrict(frame, **segments)
    now = sub.loc[sub["week"] == start]
    prev = sub.loc[sub["week"] == start - pd.Timedelta(weeks=1)]
    out["tickets"], out["previous"] = len(now), len(prev)
    out["change"] = (len(now) - len(prev)) / len(prev) if len(prev) else None
    out["unthemed_share"] = float(now["theme_id"].isna().mean()) if len(now) else 0.0
    if len(table):
        out["themes"] = int((table["volume"] > 0).sum())
        out["new"] = int((table["lifecycle"] == "new").sum())
        out["spiking"] = int((table["spike"] != "").sum())
    return out


EXPORT_COLUMNS = [
    "rank",
    "theme_id",
    "title",
    "volume",
    "share",
    "growth",
    "spike",
    "lifecycle",
    "tags",
    "owner",
    "status",
    "keywords",
    "rank_score",
]


def export_csv(table: pd.DataFrame, columns: list[str] | None = None) -> bytes:
    """CSV of what the table shows; cells a spreadsheet would evaluate are neutralised
    (titles and tags are free text typed by people)."""
    cols = [c for c in (columns or EXPORT_COLUMNS) if c in table.columns]
    out = table[cols].copy()
    if "tags" in out.columns:
        out["tags"] = out["tags"].map(lambda ts: "; ".join(ts) if isinstance(ts, list) else ts)
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    buf = io.StringIO()
    # CRLF rows (RFC 4180): with pandas' default "\n" a cell holding a bare "\r" goes out
    # unquoted, and a spreadsheet starts a new row (and a new, unneutralised cell) there
    out.to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- one theme


@dataclass
class ThemeRef:
    """The theme a page should show: `theme_id` after following merges; `requested` when the
    link pointed at a merged-away id (the page says so); None when the id never existed."""

    theme_id: int | None
    requested: int
    redirected: bool


def resolve(engine: Engine, theme_id: int) -> ThemeRef:
    with session_scope(engine) as session:
        if session.get(Theme, theme_id) is None:
            return ThemeRef(None, theme_id, False)
        target = resolve_theme(session, theme_id)
    return ThemeRef(target, theme_id, target != theme_id)


def theme_info(engine: Engine, theme_id: int) -> dict:
    """Title, machine label, status, and the latest snapshot: size, keywords (overall and per
    language), languages and representative tickets per language (redacted text)."""
    with session_scope(engine) as session:
        theme = session.get(Theme, theme_id)
        if theme is None:
            return {}
        run_id = latest_run_id(session)
        snap = session.get(ThemeSnapshot, (run_id, theme_id)) if run_id else None
        if snap is None:  # a theme retired before the latest run: show its last snapshot
            snap = session.scalars(
                select(ThemeSnapshot)
                .where(ThemeSnapshot.theme_id == theme_id)
                .order_by(ThemeSnapshot.run_id.desc())
                .limit(1)
            ).first()
        reps: dict[str, list[int]] = dict(snap.representatives or {}) if snap else {}
        ids = [int(i) for v in reps.values() for i in v]
        texts = {}
        if ids:
            for tid, ext, created, text in session.execute(
                select(Ticket.id, Ticket.external_id, Ticket.created_at, Ticket.text).where(
                    Ticket.id.in_(ids)
                )
            ):
                texts[tid] = (ext, created, text)
        representatives = {
            lang: pd.DataFrame(
                [
                    {"ticket": texts[i][0], "created_at": texts[i][1], "text": texts[i][2]}
                    for i in v
                    if int(i) in texts
                ],
                columns=["ticket", "created_at", "text"],
            )
            for lang, v in sorted(reps.items(), key=lambda kv: -len(kv[1]))
        }
        kw = (snap.keywords or {}) if snap else {}
        return {
            "theme_id": theme.id,
            "title": theme.title or theme.label,
            "human_title": theme.title,
            "label": theme.label,
            "status": theme.status,
            "size": snap.size if snap else 0,
            "keywords": list(kw.get("all", [])),
            "keywords_by_language": dict(kw.get("by_language", {})),
            "languages": dict(sorted((snap.languages or {}).items(), key=lambda x: -x[1]))
            if snap
            else {},
            "representatives": representatives,
        }


def theme_trend(
    frame: pd.DataFrame, theme_id: int, by: str = "region", n_weeks: int = 26
) -> pd.DataFrame:
    """Weekly tickets of one theme split by a segment: index week, one column per value
    (missing values under "unknown"), the last `n_weeks` weeks of the store."""
    part = frame.loc[frame["theme_id"] == theme_id]
    if part.empty:
        return pd.DataFrame()
    part = part.assign(**{by: part[by].fillna("unknown")}) if by in part.columns else part
    series = weekly_series(part, by=by if by in part.columns else None)
    if series.empty:
        return pd.DataFrame()
    wide = series.pivot_table(
        index="week", columns=by, values="count", aggfunc="sum", fill_value=0
    ).sort_index()
    last = frame["week"].max()
    full = pd.date_range(last - pd.Timedelta(weeks=n_weeks - 1), last, freq="7D")
    return wide.reindex(full, fill_value=0).rename_axis("week")


def breakdowns(
    frame: pd.DataFrame, theme_id: int, week: str | None = None, params: TrendParams | None = None
) -> dict[str, pd.DataFrame]:
    """One theme's tickets by region, language, kind and channel: all time and in `week`."""
    params = params or TrendParams()
    part = frame.loc[frame["theme_id"] == theme_id]
    start = pd.Timestamp(week_from_label(week, params.week_start)) if week else None
    out = {}
    for seg in SEGMENTS:
        if seg not in part.columns:
            continue
        values = part[seg].fillna("unknown")
        total = values.value_counts()
        table = pd.DataFrame({seg: total.index.astype(str), "tickets": total.to_numpy()})
        table["share"] = table["tickets"] / max(len(part), 1)
        if start is not None:
            wk = values.loc[part["week"] == start].value_counts()
            table["this week"] = table[seg].map(wk).fillna(0).astype(int)
        out[seg] = table
    return out


def theme_tickets(
    engine: Engine,
    theme_id: int,
    page: int = 0,
    page_size: int = 25,
    language: str | None = None,
) -> tuple[pd.DataFrame, int]:
    """One page of the theme's tickets in the latest run, newest first, and the total count."""
    cols = ["ticket", "created_at", "language", "region", "kind", "channel", "csat", "text"]
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        if run_id is None:
            return pd.DataFrame(columns=cols), 0
        cond = [Assignment.run_id == run_id, Assignment.theme_id == theme_id]
        if language:
            cond.append(Ticket.language == language)
        base = select(Ticket).join(Assignment, Assignment.ticket_id == Ticket.id).where(*cond)
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
        rows = session.scalars(
            base.order_by(Ticket.created_at.desc(), Ticket.id.desc())
            .offset(max(page, 0) * page_size)
            .limit(page_size)
        ).all()
        data = [
            (t.external_id, t.created_at, t.language, t.region, t.kind, t.channel, t.csat, t.text)
            for t in rows
        ]
    return pd.DataFrame(data, columns=cols), int(total)


def theme_history(engine: Engine, theme_id: int) -> pd.DataFrame:
    """Lifecycle events of the theme and of themes merged into or split from it, as sentences."""
    cols = ["at", "run", "event", "what"]
    with session_scope(engine) as session:
        events = session.scalars(
            select(ThemeEvent)
            .where((ThemeEvent.theme_id == theme_id) | (ThemeEvent.related_theme_id == theme_id))
            .order_by(ThemeEvent.id)
        ).all()
        rows = []
        for e in events:
            if e.theme_id == theme_id:
                what = {
                    "new": "appeared",
                    "continued": "continued",
                    "retired": "retired (no tickets matched it)",
                    "merged": f"merged into theme {e.related_theme_id}",
                    "split": f"split: theme {e.related_theme_id} was split off",
                }.get(e.event, e.event)
                if e.event == "split" and e.related_theme_id is None:
                    what = "split off from another theme"
            else:
                what = {
                    "merged": f"theme {e.theme_id} merged into this one",
                    "split": f"split off from theme {e.theme_id}",
                }.get(e.event, f"{e.event} (theme {e.theme_id})")
            rows.append((e.created_at, e.run_id, e.event, what))
    return pd.DataFrame(rows, columns=cols)


def audit_frame(engine: Engine, theme_id: int) -> pd.DataFrame:
    """The theme's audit log, newest first, with each change as `field: before -> after`."""
    with session_scope(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.theme_id == theme_id).order_by(AuditEntry.id.desc())
        ).all()
        rows = [(e.at, e.who, e.action, _describe(e.before, e.after)) for e in entries]
    return pd.DataFrame(rows, columns=["at", "who", "action", "change"])


def _describe(before: dict | None, after: dict | None) -> str:
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    parts = []
    for k in keys:
        b, a = before.get(k), after.get(k)
        if b == a:
            continue
        parts.append(f"{k}: {_short(b)} -> {_short(a)}")
    return "; ".join(parts)


def _short(value: object) -> str:
    if value is None or value == [] or value == "":
        return "(empty)"
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------- tagging


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


def ticket_ids(engine: Engine, external_ids: list[str]) -> dict[str, int]:
    """External ticket id -> store id (the app shows external ids; splits need store ids)."""
    out: dict[str, int] = {}
    with session_scope(engine) as session:
        for start in range(0, len(external_ids), 900):
            part = external_ids[start : start + 900]
            for ext, tid in session.execute(
                select(Ticket.external_id, Ticket.id).where(Ticket.external_id.in_(part))
            ):
                out[ext] = int(tid)
    return out


def ticket_texts(engine: Engine, ids: list[int]) -> dict[int, str]:
    """Store id -> redacted text, for examples of a proposed split."""
    out: dict[int, str] = {}
    with session_scope(engine) as session:
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900]
            for tid, text in session.execute(
                select(Ticket.id, Ticket.text).where(Ticket.id.in_(part))
            ):
                out[int(tid)] = text
    return out


def week_window(week: str, params: TrendParams | None = None) -> tuple[date, date]:
    """First and last day of a labelled week."""
    params = params or TrendParams()
    start = week_from_label(week, params.week_start)
    return start, start + timedelta(days=6)
