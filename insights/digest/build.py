"""Build the digest's content from the read model: the week is ranked once
(:func:`insights.views.weekly.ranked_week`, the ranking the CLI and the app show), so the digest
never disagrees with them.

Privacy: examples are the stored (already PII-redacted) texts of the latest run's representative
tickets, and only shown when the theme has at least ``min_group`` tickets in the week and the
example's language and region groups within the theme hold at least ``min_group`` tickets: an
example from a group of two would all but name its author. Region sections list a theme only
when it has ``min_group`` tickets in that region; smaller groups are folded into one count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select

from insights.digest.content import (
    EXAMPLE_CHARS,
    EXAMPLES_PER_THEME,
    FADING_GROWTH,
    FIX_WEEKS,
    RISING_GROWTH,
    CategorySection,
    DigestContent,
    Example,
    FixLine,
    RegionSection,
    ThemeLine,
    fmt_q,
    significance,
    trend_words,
)
from insights.jobs.runs import latest_run_id
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import ThemeSnapshot, Ticket
from insights.trends import week_from_label, week_label
from insights.views.categories import CategoryView, category_table, current_categories
from insights.views.fixes import fix_verdicts, verdict_words
from insights.views.frame import DataVersion, data_version, load_frame
from insights.views.ranked import RankedTheme, Selection, trend_weeks
from insights.views.weekly import ranked_week, trend_params, week_index

#: What a digest line takes from the ranked theme as it is.
LINE_FIELDS = (
    "theme_id",
    "title",
    "volume",
    "baseline",
    "growth",
    "rank_score",
    "lifecycle",
    "spike",
)


def _default_week(engine: Engine, settings: Settings) -> str:
    """The latest complete week with tickets, or the last calendar week when there is none
    (so an empty store still gets a dated digest that says so instead of an error)."""
    week = week_index(engine, settings).complete_week
    if week is None:
        week = week_label(date.today() - timedelta(days=7), settings.trends.week_start)
    return week


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
                select(
                    Ticket.id,
                    Ticket.language,
                    func.coalesce(Ticket.clean_text, Ticket.text),  # without quotes, signatures
                    Ticket.region,
                ).where(Ticket.id.in_(wanted))
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


def _picker(frame: pd.DataFrame, floor: int, candidates: dict):
    """Examples of a theme that respect the privacy floor (module docstring)."""
    themed = frame[frame["theme_id"].notna()]
    lang_size = themed.groupby(["theme_id", "language"]).size()
    region_size = themed.groupby(["theme_id", "region"]).size()

    def examples_for(theme: RankedTheme) -> list[Example]:
        if theme.volume < floor:
            return []
        picked: list[Example] = []
        seen_lang: set[str] = set()
        tid = float(theme.theme_id)
        for lang, text, reg in candidates.get(theme.theme_id, []):
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

    return examples_for


def build_content(
    engine: Engine,
    settings: Settings,
    week: str | None = None,
    region: str | None = None,
) -> DigestContent:
    """Collect the digest of ``week`` ("YYYY-Www", default the latest complete week) for all
    regions or one. Raises ``ValueError`` (one line) for a malformed week."""
    params = trend_params(settings)
    region = region.upper() if region else None
    version = data_version(engine, params)
    label = week or _default_week(engine, settings)
    ranked = ranked_week(engine, settings, label, Selection(region=region), version)
    start = week_from_label(ranked.week, params.week_start)
    prev_start = pd.Timestamp(start - timedelta(days=7))
    content = DigestContent(
        week=ranked.week,
        region=region,
        tickets=ranked.total_tickets,
        previous_week=week_label(prev_start.date(), params.week_start),
        previous_tickets=ranked.previous_tickets,
        unthemed=ranked.unthemed,
        message="",
        top=[],
        new=[],
        rising=[],
        spiking=[],
        fading=[],
        regions=[],
        chart_weeks=[week_label(w.date(), params.week_start) for w in trend_weeks(start)],
        chart_totals=list(ranked.totals),
        chart_themes={},
        min_group=settings.digest.min_group,
        baseline_weeks=params.baseline_weeks,
    )
    if content.tickets == 0:
        where = f" in {region}" if region else ""
        content.message = f"No tickets in {ranked.week}{where}: nothing to report this week."
        return content

    frame, _ = load_frame(engine, params, version)
    floor = settings.digest.min_group
    candidates = _examples(engine, [t.theme_id for t in ranked.themes if t.volume >= floor], region)
    examples_for = _picker(frame, floor, candidates)
    lines: dict[int, ThemeLine] = {}
    for t in ranked.themes:
        line = ThemeLine(
            **{name: getattr(t, name) for name in LINE_FIELDS},
            url=settings.app.theme_url(t.theme_id),
            examples=examples_for(t),
            regions=dict(sorted(t.regions.items(), key=lambda kv: -kv[1])),
        )
        lines[line.theme_id] = line
        if t.spike:
            line.significance = significance(t, params)
            content.spiking.append(line)
        elif t.lifecycle == "new" and t.volume > 0:
            line.significance = [f"{t.volume} tickets in its first weeks"]
        elif t.volume == 0 or (t.growth <= FADING_GROWTH and t.baseline >= floor):
            line.significance = [trend_words(t, params.baseline_weeks)]
            content.fading.append(line)
        elif t.growth >= RISING_GROWTH and t.volume >= floor:
            line.significance = [trend_words(t, params.baseline_weeks)]
            content.rising.append(line)
        if t.lifecycle == "new" and t.volume > 0:
            content.new.append(line)
    content.top = [lines[t.theme_id] for t in ranked.themes if t.volume > 0][
        : settings.digest.top_n
    ]
    content.spiking.sort(key=lambda x: -x.rank_score)
    content.rising.sort(key=lambda x: -x.growth)
    content.fading.sort(key=lambda x: x.growth)

    trends = {t.theme_id: t.trend for t in ranked.themes}
    by_id = {t.theme_id: t for t in [*content.top, *content.new, *content.spiking]}
    order = [t.theme_id for t in [*content.spiking, *content.new, *content.top]]
    for line in [by_id[i] for i in dict.fromkeys(order) if by_id[i].volume >= floor][:5]:
        content.chart_themes[f"#{line.theme_id} {line.title}"] = list(trends[line.theme_id])

    content.categories, content.hidden_categories = _category_sections(
        current_categories(engine, top_only=True), ranked.themes, lines, floor
    )
    if region is None:
        content.regions = _region_sections(frame, start, prev_start, ranked.themes, lines, floor)
    content.fixes = _fixes(engine, settings, start, region, version)
    return content


def _category_sections(
    categories: list[CategoryView],
    themes: list[RankedTheme],
    lines: dict[int, ThemeLine],
    floor: int,
) -> tuple[list[CategorySection], int]:
    """The week's themes grouped by category (the same sums as the app's category table);
    a category or theme below the privacy floor is counted, never named."""
    week = pd.DataFrame.from_records(
        [
            {
                "theme_id": t.theme_id,
                "volume": t.volume,
                "baseline": t.baseline,
                "spike": "spike" if t.spike else "",
                "trend": t.trend,
            }
            for t in themes
        ],
        columns=["theme_id", "volume", "baseline", "spike", "trend"],
    )
    named = {c.category_id: c.title for c in categories}
    for c in categories:
        for tid in c.theme_ids:
            if tid in lines:
                lines[tid].category = c.title
    sections, hidden = [], 0
    for row in category_table(week, categories).itertuples():
        if row.volume == 0:
            continue
        if row.volume < floor:
            hidden += 1
            continue
        shown = [lines[t] for t in row.theme_ids if t in lines and lines[t].volume >= floor]
        small = [lines[t] for t in row.theme_ids if t in lines and 0 < lines[t].volume < floor]
        shown.sort(key=lambda x: (-x.volume, x.theme_id))
        sections.append(
            CategorySection(
                category_id=int(row.category_id),
                title=named[int(row.category_id)],
                tickets=int(row.volume),
                baseline=float(row.baseline),
                growth=float(row.growth),
                spiking=int(row.spiking),
                themes=shown,
                hidden_groups=len(small),
                hidden_tickets=sum(x.volume for x in small),
            )
        )
    return sections, hidden


def _fixes(
    engine: Engine, settings: Settings, start: date, region: str | None, version: DataVersion
) -> list[FixLine]:
    """Fixes shipped in the week or the FIX_WEEKS before it (for a region digest: those for
    that region or for every region), newest first, each with the verdict the data up to the
    end of the week gives, so a digest rebuilt later says what it said then. Below the privacy
    floor (fewer than ``min_group`` tickets of the theme in the fix's weeks) only the verdict
    is shown."""
    end = start + timedelta(days=7)
    first = start - timedelta(weeks=FIX_WEEKS)
    floor = settings.digest.min_group
    found = []
    for v in fix_verdicts(engine, settings, version=version, as_of=end):
        day = v.fix.fix_date
        if not first <= day < end or (region and v.fix.region not in (None, region)):
            continue
        words = verdict_words(v)
        if v.impact is not None and v.impact.before_count + v.impact.after_count < floor:
            # the privacy floor: no numbers about a group smaller than min_group tickets
            words = f"{v.verdict}: fewer than {floor} tickets in its weeks, numbers not shown"
        found.append(
            FixLine(
                fix_id=v.fix.fix_id,
                theme_id=v.theme_id,
                title=v.title,
                url=settings.app.theme_url(v.theme_id),
                fix_date=day.isoformat(),
                segment=v.segment,
                verdict=v.verdict,
                words=words,
                note=v.fix.note,
                this_week=day >= start,
            )
        )
    return found


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
    themes: list[RankedTheme],
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
            vol = int(t.regions.get(str(reg), 0))
            if vol == 0:
                continue
            if vol < floor:
                section.hidden_groups += 1
                section.hidden_tickets += vol
                continue
            cells.append((vol, t))
            for seg in t.spike_segments:
                if seg["segment"] == "region" and str(seg["value"]) == str(reg):
                    exp = seg["expected"]
                    base = lines[t.theme_id]
                    significance = (
                        f"{seg['volume'] / exp:.1f}x the expected {exp:.0f} tickets "
                        f"({fmt_q(seg['q_value'])})"
                    )
                    section.spikes.append(_in_region(base, vol, True, [significance]))
        for vol, t in sorted(cells, key=lambda c: -c[0])[:5]:
            base = lines[t.theme_id]
            spiking = any(s.theme_id == base.theme_id for s in section.spikes)
            section.themes.append(_in_region(base, vol, spiking, []))
        sections.append(section)
    return sections
