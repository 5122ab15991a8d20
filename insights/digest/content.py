"""The digest's content model: what changed in a week, as plain data, before any rendering,
and the plain words that say why a theme is in it. Built by insights.digest.build; rendering
(Markdown, HTML, charts) and delivery only read a :class:`DigestContent`."""

from __future__ import annotations

from dataclasses import dataclass, field

from insights.trends import TrendParams
from insights.views.ranked import TREND_WEEKS, RankedTheme

#: How many weeks the charts show, ending with the digest's week (the read model's trend).
CHART_WEEKS = TREND_WEEKS
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
#: Fixes shipped in the digest's week or this many weeks before it are listed with their
#: verdict: about the time a fix needs to be measured (a halved 20-a-week theme shows in 4
#: weeks, smaller ones take longer), the same 12 weeks the charts show.
FIX_WEEKS = 12


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
    category: str = ""


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
class CategorySection:
    """A category in the week: its tickets and growth (sums over its themes, as the app shows
    them) and its themes at or above the privacy floor, largest first."""

    category_id: int
    title: str
    tickets: int
    baseline: float
    growth: float
    spiking: int
    themes: list[ThemeLine]
    hidden_groups: int = 0
    hidden_tickets: int = 0


@dataclass
class FixLine:
    """A fix in "Fixes shipped": its theme, date, segment, note and current verdict in words
    (rates only: no ticket text, no counts)."""

    fix_id: int
    theme_id: int
    title: str
    url: str
    fix_date: str
    segment: str
    verdict: str
    words: str
    note: str
    this_week: bool = False


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
    categories: list[CategorySection] = field(default_factory=list)
    hidden_categories: int = 0
    fixes: list[FixLine] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        """Relative change of the ticket count against the previous week (None: none then)."""
        if self.previous_tickets == 0:
            return None
        return (self.tickets - self.previous_tickets) / self.previous_tickets

    @property
    def empty(self) -> bool:
        return self.tickets == 0


def fmt_q(q: float) -> str:
    return "q under 0.001" if q < 0.001 else f"q = {q:.3f}"


def _where(segment: str, value: object) -> str:
    if segment == "kind":
        return f"from {value}s"
    return SEGMENT_WORDS.get(segment, f"in {segment} {{v}}").format(v=value)


def significance(theme: RankedTheme, params: TrendParams) -> list[str]:
    """Plain-words reasons a theme spiked, e.g. "3.2x the expected 12 tickets in TH (q = 0.001)".

    The theme's own test counts when it passed both thresholds of the trends stage (FDR and
    ratio); each spiking segment cell adds its own sentence, smallest q first.
    """
    lines = []
    q, vol, expected = theme.q_value, theme.volume, theme.expected
    if expected and q is not None and q <= params.fdr and vol >= params.min_ratio * expected:
        lines.append(
            f"{vol / expected:.1f}x the expected {expected:.0f} tickets overall ({fmt_q(q)})"
        )
    for seg in sorted(theme.spike_segments, key=lambda d: d["q_value"]):
        if lines and seg["volume"] == vol:
            continue  # the segment is the whole theme (every ticket from buyers, say): no news
        if len(lines) == MAX_REASONS:
            break
        exp = seg["expected"]
        ratio = seg["volume"] / exp if exp else float("inf")
        lines.append(
            f"{ratio:.1f}x the expected {exp:.0f} tickets {_where(seg['segment'], seg['value'])} "
            f"({fmt_q(seg['q_value'])})"
        )
    return lines


def trend_words(theme: RankedTheme, baseline_weeks: int) -> str:
    vol, base, growth = theme.volume, theme.baseline, theme.growth
    if vol == 0:
        return f"no tickets this week after {base:.1f} a week before"
    text = f"{vol} tickets, {growth:+.0%} against the {baseline_weeks}-week average of {base:.1f}"
    q = theme.q_value
    if theme.lifecycle != "fading" and growth > 0 and q is not None and not theme.spike:
        text += f" ({fmt_q(q)}: above normal, below the spike threshold)"
    return text
