"""Fixes and their verdicts, as the CLI (`insights fix list|impact`), the app (the theme page's
markers, the Fixes page) and the digest ("Fixes shipped") show them: one function,
:func:`fix_verdicts`, measures every fix from the read model's ticket frame.

Which weeks count ("today")
    The store's own clock: the day after its newest ticket (in the team's time zone), the rule
    the weekly views use for a complete week. The wall clock would be wrong for a store of
    historical data (a 2025 export read in 2026 has no tickets after its last day: every week
    since would look complete yet hold nothing) and, in a live store, would count the
    half-ingested current week. A week that is not complete by that clock is left out.

A fix newer than the newest ticket
    Shipped after the last export: no week after it yet, so the verdict is ``too early`` with
    the weeks still needed, not an error.

Merged themes
    A fix stays recorded on the theme it was marked on; when that theme was merged since, its
    tickets are counted under the surviving theme, so the fix is measured (and listed) there.

Unmeasurable fixes
    Too little history before the fix, or a segment without tickets, is not a crash: the fix is
    listed with verdict ``not measurable`` and the reason (``insights fix impact`` says the
    reason as a one-line error).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from insights.people.annotate import resolve_theme
from insights.people.fixes import FixError, FixRecord, list_fixes
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import Theme
from insights.trends.fix_impact import (
    JSON_FIELDS,
    VERDICTS,
    FixImpact,
    FixInputError,
    FixParams,
    fix_impact,
    segment_weekly,
)
from insights.views.frame import DataVersion, load_frame
from insights.views.lifecycle import display_title
from insights.views.weekly import trend_params

NOT_MEASURABLE = "not measurable"
#: Every verdict a listed fix can have, in the order pages count them.
VERDICT_ORDER = (*VERDICTS, NOT_MEASURABLE)
#: The columns of `insights fix list` (table, CSV) and of the app's Fixes page.
FIX_COLUMNS = (
    "fix_id",
    "theme_id",
    "title",
    "fix_date",
    "region",
    "kind",
    "verdict",
    "change",
    "ci_low",
    "ci_high",
    "p_value",
    "weeks_needed",
    "note",
    "created_by",
)
#: What `insights fix list` shows in a terminal (every column is in --format json / csv).
FIX_TABLE_COLUMNS = (
    "fix_id",
    "theme_id",
    "title",
    "fix_date",
    "segment",
    "verdict",
    "change",
    "p_value",
)


@dataclass
class FixVerdict:
    """One fix with what it did: ``impact`` None and ``reason`` set when it cannot be measured.

    ``theme_id`` is the theme measured (the survivor, when the marked one was merged since);
    ``fix.theme_id`` the theme it was marked on.
    """

    fix: FixRecord
    theme_id: int
    title: str
    impact: FixImpact | None
    reason: str | None = None

    @property
    def verdict(self) -> str:
        return self.impact.verdict if self.impact else NOT_MEASURABLE

    @property
    def segment(self) -> str:
        """ "TH buyer", "TH", "all tickets": where the fix applies."""
        return " ".join(v for v in (self.fix.region, self.fix.kind) if v) or "all tickets"

    @property
    def label(self) -> str:
        """The short marker text beside a chart's fix line: "fix 3 (TH): improved -45%"."""
        where = f" ({self.segment})" if self.fix.region or self.fix.kind else ""
        change = self.impact.change if self.impact else None
        moved = f" {change:+.0%}" if change is not None else ""
        return f"fix {self.fix.fix_id}{where}: {self.verdict}{moved}"

    def as_dict(self) -> dict[str, Any]:
        """The `fix impact --format json` contract fields first, then the fix and the numbers
        behind the verdict (weeks, counts, weeks needed), then the reason when unmeasurable."""
        if self.impact is not None:
            numbers = self.impact.to_json()
        else:
            numbers = dict.fromkeys(JSON_FIELDS)
            numbers["verdict"] = NOT_MEASURABLE
        numbers["theme_id"] = self.theme_id
        numbers["fix_date"] = self.fix.fix_date.isoformat()
        head = {k: numbers.pop(k) for k in JSON_FIELDS}
        return {
            **head,
            "fix_id": self.fix.fix_id,
            "title": self.title,
            "region": self.fix.region,
            "kind": self.fix.kind,
            "segment": self.segment,
            "note": self.fix.note,
            "created_by": self.fix.created_by,
            "created_at": self.fix.created_at.isoformat(timespec="seconds"),
            "marked_theme_id": self.fix.theme_id,
            "weeks_needed": numbers.pop("weeks_needed", None),
            **{k: v for k, v in numbers.items() if k not in ("region", "kind")},
            "reason": self.reason,
        }


def fix_params(settings: Settings) -> FixParams:
    """The impact test's knobs with the configured first day of the week."""
    return FixParams(week_start=trend_params(settings).week_start)


def data_today(frame: pd.DataFrame) -> date | None:
    """The store's clock: the day after its newest ticket, local time (module docstring)."""
    if frame.empty:
        return None
    col = "local_at" if "local_at" in frame.columns else "created_at"
    return pd.Timestamp(frame[col].max()).date() + timedelta(days=1)


def measure(
    frame: pd.DataFrame,
    fix: FixRecord,
    theme_id: int,
    params: FixParams,
    today: date | None = None,
) -> tuple[FixImpact | None, str | None]:
    """The impact of one fix on ``theme_id`` from the prepared frame, or why there is none.

    ``today`` defaults to :func:`data_today`; only weeks complete by it are used.
    """
    today = today or data_today(frame)
    if today is None:
        return None, "no tickets in the store"
    try:
        counts, totals = segment_weekly(frame, theme_id, fix.region, fix.kind)
        complete = counts.index + pd.Timedelta(days=7) <= pd.Timestamp(today)
        impact = fix_impact(
            counts[complete],
            totals[complete],
            fix.fix_date,
            today=max(today, fix.fix_date),  # a fix after the last export: "too early"
            theme_id=theme_id,
            region=fix.region,
            kind=fix.kind,
            params=params,
        )
    except FixInputError as exc:
        return None, str(exc)
    return impact, None


def _survivors(engine: Engine, fixes: list[FixRecord]) -> tuple[dict[int, int], dict[int, str]]:
    """Marked theme -> theme measured (merges followed), and every theme's display title."""
    with session_scope(engine) as session:
        titles = {
            int(tid): display_title(title, label, tid)
            for tid, title, label in session.execute(select(Theme.id, Theme.title, Theme.label))
        }
        survivor = {f.theme_id: resolve_theme(session, f.theme_id) for f in fixes}
    return survivor, titles


def fix_verdicts(
    engine: Engine,
    settings: Settings,
    theme_id: int | None = None,
    version: DataVersion | None = None,
    as_of: date | None = None,
) -> list[FixVerdict]:
    """Every fix (or those measured on ``theme_id``) with its verdict, newest fix first.

    ``as_of``: measure as on that day (only weeks complete by then, never later than the
    store's clock): the digest of a past week shows the verdicts that week could see.
    """
    fixes = list_fixes(engine)
    if not fixes:
        return []
    survivor, titles = _survivors(engine, fixes)
    if theme_id is not None:
        fixes = [f for f in fixes if survivor[f.theme_id] == theme_id]
        if not fixes:
            return []
    frame, _ = load_frame(engine, trend_params(settings), version)
    params = fix_params(settings)
    today = data_today(frame)
    if today is not None and as_of is not None:
        today = min(today, as_of)
    out = []
    for fix in sorted(fixes, key=lambda f: (f.fix_date, f.fix_id), reverse=True):
        target = survivor[fix.theme_id]
        impact, reason = measure(frame, fix, target, params, today)
        out.append(FixVerdict(fix, target, titles.get(target, f"theme {target}"), impact, reason))
    return out


def latest_impact(
    engine: Engine, settings: Settings, theme_id: int, version: DataVersion | None = None
) -> FixVerdict:
    """The theme's latest fix (by date, then by when it was marked) with its verdict.

    Raises :class:`FixError` (one line) for an unknown theme, a merged one (naming the
    survivor), or a theme without fixes.
    """
    with session_scope(engine) as session:
        if session.get(Theme, theme_id) is None:
            raise FixError(f"no theme with id {theme_id}")
        survivor = resolve_theme(session, theme_id)
    if survivor != theme_id:
        raise FixError(
            f"theme {theme_id} was merged into {survivor}; its fixes are measured on {survivor}"
        )
    verdicts = fix_verdicts(engine, settings, theme_id, version)
    if not verdicts:
        raise FixError(f"theme {theme_id} has no fix recorded (insights fix add {theme_id} ...)")
    return verdicts[0]


def fix_table(verdicts: list[FixVerdict]) -> pd.DataFrame:
    """The verdicts as one table (the app's Fixes page and the theme page's Fixes tab)."""
    columns = [*FIX_COLUMNS, "segment", "weeks_before", "weeks_after", "reason"]
    rows = [v.as_dict() for v in verdicts]
    table = pd.DataFrame.from_records(rows, columns=columns)
    table["fix_date"] = pd.to_datetime(table["fix_date"]).dt.date
    return table


def verdict_words(v: FixVerdict) -> str:
    """One line for people, e.g. "improved: rate -45% (CI -60% to -28%, p = 0.002, 6 week(s)
    after)" or "too early: ...; about 3 more week(s) to see a 30% change"."""
    imp = v.impact
    if imp is None:
        return f"{NOT_MEASURABLE}: {v.reason}"
    if imp.change is None:
        text = f"{imp.verdict}: no complete week after the fix yet"
    else:
        text = (
            f"{imp.verdict}: rate {imp.change:+.0%} "
            f"(CI {imp.ci_low:+.0%} to {imp.ci_high:+.0%}, p = {imp.p_value:.3f}, "
            f"{imp.weeks_after} week(s) after)"
        )
    if imp.verdict == "too early":
        if imp.weeks_needed is None:
            text += "; the theme is too small to see a 30% change"
        elif imp.weeks_needed > 0:
            text += f"; about {imp.weeks_needed} more week(s) to see a 30% change"
    return text
