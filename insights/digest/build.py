"""The digest's content model: what changed in a week, as plain data, before any rendering.

Numbers come from :func:`insights.views.weekly.week_report` (the same ranking the CLI and the app show),
so the digest never disagrees with the dashboard. Rendering (Markdown, HTML, charts) and delivery
live in their own modules and only read the :class:`DigestContent` built here.

Privacy: examples are the stored (already PII-redacted) texts of the latest run's representative
tickets, and only shown when the theme has at least ``min_group`` tickets in the week and the
example's language and region groups within the theme hold at least ``min_group`` tickets: an
example from a group of two would all but name its author. Region sections list a theme only
when it has ``min_group`` tickets in that region; smaller groups are folded into one count.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, select

from insights.jobs.runs import latest_run_id
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import ThemeSnapshot, Ticket
from insights.trends.series import (
    TrendParams,
    latest_complete_week,
    prepare,
    rank_week,
    week_from_label,
    week_label,
)
from insights.views.weekly import ticket_frame, week_report

#: How many weeks the charts show, ending with the digest's week.
CHART_WEEKS = 12
#: A theme "rises" at +50 % against its trailing baseline (and is no spike and not new).
RISING_GROWTH = 0.5
#: A theme "fades" at -50 % against a baseline of at least min_group tickets a week.
FADING_GROWTH = -0.5
#: Examples per theme; longer texts are cut, since the digest must fit on one screen.
EXAMPLES_PER_THEME = 2
EXAMPLE_CHARS = 200
#: Spike sentences per theme: the strongest few say where; a list of ten says nothing.
MAX_REASONS = 3
SEGMENT_WORDS = {"region": "in {v}", "language": "in language {v}", "channel": "via {v}"}


@dataclass
class Example:
    language: str
    text: str


@dataclass
class ThemeLine:
    """One theme as the digest shows it; ``significance`` holds ready-to-print sentences."""

    theme_id: int
    title: str
    url: str
    volume: int
    baseline: float
    growth: float
    rank_score: float
    lifecycle: str
    spike: bool
    significance: list[str] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    regions: dict[str, int] = field(default_factory=dict)


@dataclass
class RegionSection:
    region: str
    tickets: int
    previous_tickets: int
    themes: list[ThemeLine]
    spikes: list[ThemeLine]
    hidden_groups: int = 0
    hidden_tickets: int = 0


@dataclass
class DigestContent:
    """Everything a renderer needs; ``message`` is set (and lists empty) for an empty week."""

    week: str
    region: str | None
    tickets: int
    previous_week: str
    previous_tickets: int
    unthemed: int
    message: str
    top: list[ThemeLine]
    new: list[ThemeLine]
    rising: list[ThemeLine]
    spiking: list[ThemeLine]
    fading: list[ThemeLine]
    regions: list[RegionSection]
    chart_weeks: list[str]
    chart_totals: list[int]
    chart_themes: dict[str, list[int]]
    min_group: int
    baseline_weeks: int

    @property
    def change(self) -> float | None:
        """Relative change of the ticket count against the previous week (None: none then)."""
        if self.previous_tickets == 0:
            return None
        return (self.tickets - self.previous_tickets) / self.previous_tickets

    @property
    def empty(self) -> bool:
        return self.tickets == 0


def _fmt_q(q: float) -> str:
    return "q under 0.001" if q < 0.001 else f"q = {q:.3f}"


def _where(segment: str, value: object) -> str:
    if segment == "kind":
        return f"from {value}s"
    return SEGMENT_WORDS.get(segment, f"in {segment} {{v}}").format(v=value)


def significance(theme: dict, expected: float | None, params: TrendParams) -> list[str]:
    """Plain-words reasons a theme spiked, e.g. "3.2x the expected 12 tickets in TH (q = 0.001)".

    The theme's own test counts when it passed both thresholds of the trends stage (FDR and
    ratio); each spiking segment cell adds its own sentence, smallest q first.
    """
    lines = []
    q = theme.get("q_value")
    vol = theme["volume"]
    if expected and q is not None and q <= params.fdr and vol >= params.min_ratio * expected:
        lines.append(
            f"{vol / expected:.1f}x the expected {expected:.0f} tickets overall ({_fmt_q(q)})"
        )
    for seg in sorted(theme.get("spike_segments") or [], key=lambda d: d["q_value"]):
        if lines and seg["volume"] == vol:
            continue  # the segment is the whole theme (every ticket from buyers, say): no news
        if len(lines) == MAX_REASONS:
            break
        exp = seg["expected"]
        ratio = seg["volume"] / exp if exp else float("inf")
        lines.append(
            f"{ratio:.1f}x the expected {exp:.0f} tickets {_where(seg['segment'], seg['value'])} "
            f"({_fmt_q(seg['q_value'])})"
        )
    return lines


def _trend_words(theme: dict, baseline_weeks: int, params: TrendParams) -> str:
    vol, base, growth = theme["volume"], theme["baseline"], theme["growth"]
    if vol == 0:
        return f"no tickets this week after {base:.1f} a week before"
    text = f"{vol} tickets, {growth:+.0%} against the {baseline_weeks}-week average of {base:.1f}"
    q = theme.get("q_value")
    if theme["lifecycle"] != "fading" and growth > 0 and q is not None and not theme["spike"]:
        text += f" ({_fmt_q(q)}: above normal, below the spike threshold)"
    return text


def resolve_week(frame: pd.DataFrame, week: str | None, params: TrendParams) -> date:
    """Start of the requested week; by default the latest complete week with tickets, or the
    last calendar week when the store has none (so an empty store still gets a dated digest
    that says so instead of an error)."""
    if week:
        return week_from_label(week, params.week_start)
    start = latest_complete_week(frame, params=params)
    if start is None:
        today = date.today() - timedelta(days=7)
        start = week_from_label(week_label(today, params.week_start), params.week_start)
    return start


def _examples(
    engine: Engine, theme_ids: list[int], region: str | None
) -> dict[int, list[tuple[str, str, str | None]]]:
    """theme id -> [(language, redacted text, region)] of the latest run's representatives."""
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        if run_id is None or not theme_ids:
            return {}
        reps = dict(
            session.execute(
                select(ThemeSnapshot.theme_id, ThemeSnapshot.representatives).where(
                    ThemeSnapshot.run_id == run_id, ThemeSnapshot.theme_id.in_(theme_ids)
                )
            ).all()
        )
        wanted = {int(i) for r in reps.values() for ids in (r or {}).values() for i in ids}
        rows = {
            tid: (lang, text, reg)
            for tid, lang, text, reg in session.execute(
                select(Ticket.id, Ticket.language, Ticket.text, Ticket.region).where(
                    Ticket.id.in_(wanted)
                )
            )
        }
    out: dict[int, list[tuple[str, str, str | None]]] = {}
    for theme_id, by_lang in reps.items():
        items = []
        for ids in (by_lang or {}).values():
            for i in ids:
                row = rows.get(int(i))
                if row and (region is None or row[2] == region):
                    items.append(row)
        out[int(theme_id)] = items
    return out


def build_content(
    engine: Engine,
    settings: Settings,
    week: str | None = None,
    region: str | None = None,
) -> DigestContent:
    """Collect the digest of ``week`` ("YYYY-Www", default the latest complete week) for all
    regions or one. Raises ``ValueError`` (one line) for a malformed week."""
    params = TrendParams.from_settings(settings.trends)
    region = region.upper() if region else None
    frame, _ = prepare(ticket_frame(engine), params)
    start = resolve_week(frame, week, params)
    label = week_label(start, params.week_start)
    report = week_report(engine, label, region=region, params=params)
    prev_start = pd.Timestamp(start - timedelta(days=7))
    prev_label = week_label(prev_start.date(), params.week_start)

    sel = frame if region is None else frame[frame["region"] == region]
    this_week = sel[sel["week"] == pd.Timestamp(start)]
    n_prev = int((sel["week"] == prev_start).sum())
    weeks = [
        pd.Timestamp(start) - pd.Timedelta(weeks=CHART_WEEKS - 1 - i) for i in range(CHART_WEEKS)
    ]
    chart_weeks = [week_label(w.date(), params.week_start) for w in weeks]
    chart_totals = [int(n) for n in sel.groupby("week").size().reindex(weeks, fill_value=0)]

    content = DigestContent(
        week=label,
        region=region,
        tickets=len(this_week),
        previous_week=prev_label,
        previous_tickets=n_prev,
        unthemed=int(this_week["theme_id"].isna().sum()),
        message="",
        top=[],
        new=[],
        rising=[],
        spiking=[],
        fading=[],
        regions=[],
        chart_weeks=chart_weeks,
        chart_totals=chart_totals,
        chart_themes={},
        min_group=settings.digest.min_group,
        baseline_weeks=params.baseline_weeks,
    )
    if content.tickets == 0:
        where = f" in {region}" if region else ""
        content.message = f"No tickets in {label}{where}: nothing to report this week."
        return content

    expected = {int(t.theme_id): t.expected for t in rank_week(frame, start, params, region=region)}
    themed = frame[frame["theme_id"].notna()]
    lang_size = themed.groupby(["theme_id", "language"]).size()
    region_size = themed.groupby(["theme_id", "region"]).size()
    floor = settings.digest.min_group
    ids = [t["theme_id"] for t in report.themes if t["volume"] >= floor]
    candidates = _examples(engine, ids, region)

    def examples_for(theme: dict) -> list[Example]:
        if theme["volume"] < floor:
            return []
        picked: list[Example] = []
        seen_lang: set[str] = set()
        for lang, text, reg in candidates.get(theme["theme_id"], []):
            tid = float(theme["theme_id"])
            if lang in seen_lang or lang_size.get((tid, lang), 0) < floor:
                continue
            if reg is None or region_size.get((tid, reg), 0) < floor:
                continue
            cut = text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"
            picked.append(Example(lang, cut))
            seen_lang.add(lang)
            if len(picked) == EXAMPLES_PER_THEME:
                break
        return picked

    lines: dict[int, ThemeLine] = {}
    for t in report.themes:
        line = ThemeLine(
            theme_id=t["theme_id"],
            title=t["title"],
            url=settings.app.theme_url(t["theme_id"]),
            volume=t["volume"],
            baseline=t["baseline"],
            growth=t["growth"],
            rank_score=t["rank_score"],
            lifecycle=t["lifecycle"],
            spike=t["spike"],
            examples=examples_for(t),
            regions=dict(sorted(t["regions"].items(), key=lambda kv: -kv[1])),
        )
        lines[line.theme_id] = line
        if t["spike"]:
            line.significance = significance(t, expected.get(line.theme_id), params)
            content.spiking.append(line)
        elif t["lifecycle"] == "new" and t["volume"] > 0:
            line.significance = [f"{t['volume']} tickets in its first weeks"]
        elif t["volume"] == 0 or (t["growth"] <= FADING_GROWTH and t["baseline"] >= floor):
            line.significance = [_trend_words(t, params.baseline_weeks, params)]
            content.fading.append(line)
        elif t["growth"] >= RISING_GROWTH and t["volume"] >= floor:
            line.significance = [_trend_words(t, params.baseline_weeks, params)]
            content.rising.append(line)
        if t["lifecycle"] == "new" and t["volume"] > 0:
            content.new.append(line)
    content.top = [lines[t["theme_id"]] for t in report.themes if t["volume"] > 0][
        : settings.digest.top_n
    ]
    content.spiking.sort(key=lambda x: -x.rank_score)
    content.rising.sort(key=lambda x: -x.growth)
    content.fading.sort(key=lambda x: x.growth)

    by_id = {t.theme_id: t for t in [*content.top, *content.new, *content.spiking]}
    order = [t.theme_id for t in [*content.spiking, *content.new, *content.top]]
    shown = [by_id[i] for i in dict.fromkeys(order) if by_id[i].volume >= floor][:5]
    for line in shown:
        counts = (
            sel[sel["theme_id"] == line.theme_id]
            .groupby("week")
            .size()
            .reindex(weeks, fill_value=0)
        )
        content.chart_themes[f"#{line.theme_id} {line.title}"] = [int(n) for n in counts]

    if region is None:
        content.regions = _region_sections(frame, start, prev_start, report.themes, lines, floor)
    return content


def _in_region(base: ThemeLine, volume: int, spike: bool, significance: list[str]) -> ThemeLine:
    """A theme's line inside a region section: that region's volume, no examples."""
    return replace(
        base,
        volume=volume,
        baseline=0.0,
        growth=0.0,
        spike=spike,
        significance=significance,
        examples=[],
        regions={},
    )


def _region_sections(
    frame: pd.DataFrame,
    start: date,
    prev_start: pd.Timestamp,
    themes: list[dict],
    lines: dict[int, ThemeLine],
    floor: int,
) -> list[RegionSection]:
    """One section per region with tickets this week, busiest first; a theme is listed under a
    region only with at least ``floor`` tickets there (smaller groups are only counted)."""
    now = frame[frame["week"] == pd.Timestamp(start)]
    prev = frame[frame["week"] == prev_start]
    totals = now.groupby("region").size().sort_values(ascending=False)
    prev_totals = prev.groupby("region").size()
    sections = []
    for reg, n in totals.items():
        section = RegionSection(str(reg), int(n), int(prev_totals.get(reg, 0)), [], [])
        cells = []
        for t in themes:
            vol = int(t["regions"].get(str(reg), 0))
            if vol == 0:
                continue
            if vol < floor:
                section.hidden_groups += 1
                section.hidden_tickets += vol
                continue
            cells.append((vol, t))
            for seg in t.get("spike_segments") or []:
                if seg["segment"] == "region" and str(seg["value"]) == str(reg):
                    exp = seg["expected"]
                    base = lines[t["theme_id"]]
                    significance = (
                        f"{seg['volume'] / exp:.1f}x the expected {exp:.0f} tickets "
                        f"({_fmt_q(seg['q_value'])})"
                    )
                    section.spikes.append(_in_region(base, vol, True, [significance]))
        for vol, t in sorted(cells, key=lambda c: -c[0])[:5]:
            base = lines[t["theme_id"]]
            spiking = any(s.theme_id == base.theme_id for s in section.spikes)
            section.themes.append(_in_region(base, vol, spiking, []))
        sections.append(section)
    return sections
