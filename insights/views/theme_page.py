"""One theme as its page shows it: title, snapshot (keywords per language, representatives),
weekly trend split by a segment, breakdowns, its tickets page by page, its lifecycle history
and audit log; and where a link to a merged-away theme leads."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from insights.jobs.runs import latest_run_id
from insights.people.annotate import resolve_theme
from insights.store.db import session_scope
from insights.store.models import Assignment, AuditEntry, Theme, ThemeEvent, ThemeSnapshot, Ticket
from insights.trends import SEGMENTS, TrendParams, week_from_label, weekly_series
from insights.views.lifecycle import display_title


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
                select(
                    Ticket.id,
                    Ticket.external_id,
                    Ticket.created_at,
                    func.coalesce(Ticket.clean_text, Ticket.text),  # as embedded
                ).where(Ticket.id.in_(ids))
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
            "title": display_title(theme.title, theme.label, theme.id),
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
    frame: pd.DataFrame, theme_id: int, params: TrendParams, week: str | None = None
) -> dict[str, pd.DataFrame]:
    """One theme's tickets by region, language, kind and channel: all time and in `week`."""
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
            (
                t.external_id,
                t.created_at,
                t.language,
                t.region,
                t.kind,
                t.channel,
                t.csat,
                t.clean_text or t.text,  # as embedded; the drill-down shows it as written
            )
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
