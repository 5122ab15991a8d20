"""Render a :class:`DigestContent` as Markdown, HTML (with PNG charts) and a chat summary.

Every piece of text that comes from data (theme titles, ticket texts, segment values) goes
through an escaper for its target: HTML-escaped for HTML, backslash-escaped for Markdown, and
Slack-escaped (``&``, ``<``, ``>``) for the webhook, because a ticket can contain ``<script>``
or a Slack ``<!channel>`` just as well as a complaint.

The HTML is stored and written self-contained (charts as ``data:`` URIs) so that a digest that
failed to send can be mailed later from the store alone; :func:`html_for_mail` turns the
``data:`` images into ``cid:`` references plus the PNG parts a mail client shows inline.
"""

from __future__ import annotations

import base64
import html
import io
import re
import warnings

from insights.digest.content import FIX_WEEKS, DigestContent, FixLine, ThemeLine

CHARTS: dict[str, str] = {"volume": "Tickets per week", "themes": "Highlighted themes per week"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~])")
_DATA_IMG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"(\s+data-cid="([\w.-]+)")?')


def md_escape(text: object) -> str:
    """Backslash-escape Markdown (and inline HTML) so a title cannot inject links or tags."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def slack_escape(text: object) -> str:
    """Slack's three control characters; ``<`` would otherwise make links or @-mentions."""
    s = " ".join(str(text).split())
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def h(text: object) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- charts


def _mpl_text(text: str) -> str:
    """Matplotlib reads ``$...$`` as math; a title with a dollar sign must not become one."""
    return text.replace("$", r"\$")


def render_charts(content: DigestContent) -> dict[str, bytes]:
    """PNG bytes per chart name (none for an empty week). Agg backend: no display needed."""
    if content.empty:
        return {}
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    labels = [w.split("-")[1] for w in content.chart_weeks]
    charts: dict[str, bytes] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs for Thai/Chinese titles
        fig, ax = plt.subplots(figsize=(7, 2.6), dpi=100)
        colors = ["#9bb3d0"] * (len(labels) - 1) + ["#1f4e89"]
        ax.bar(labels, content.chart_totals, color=colors)
        ax.set_title(
            _mpl_text(CHARTS["volume"] + (f" ({content.region})" if content.region else ""))
        )
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="x", labelsize=8)
        fig.tight_layout()
        charts["volume"] = _png(fig, plt)
        if content.chart_themes:
            fig, ax = plt.subplots(figsize=(7, 3.0), dpi=100)
            for name, values in content.chart_themes.items():
                short = name if len(name) <= 40 else name[:39] + "…"
                ax.plot(labels, values, marker="o", markersize=3, label=_mpl_text(short))
            ax.set_title(CHARTS["themes"])
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(axis="x", labelsize=8)
            ax.legend(fontsize=7, frameon=False, loc="upper left")
            fig.tight_layout()
            charts["themes"] = _png(fig, plt)
    return charts


def _png(fig, plt) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# --------------------------------------------------------------------------- text


def title_of(content: DigestContent) -> str:
    where = f" - {content.region}" if content.region else ""
    return f"Ticket insights {content.week}{where}"


def headline(content: DigestContent) -> str:
    """ "1,234 tickets (+12% vs 1,102 in 2026-W09)" - the one number everyone reads."""
    if content.previous_tickets:
        change = f"{content.change:+.0%} vs {content.previous_tickets:,} in {content.previous_week}"
    else:
        change = f"none in {content.previous_week}"
    return f"{content.tickets:,} tickets ({change})"


def subject(content: DigestContent) -> str:
    if content.empty:
        return f"{title_of(content)}: no tickets"
    parts = [headline(content)]
    if content.spiking:
        parts.append(f"{len(content.spiking)} spiking")
    if content.new:
        parts.append(f"{len(content.new)} new")
    return f"{title_of(content)}: " + ", ".join(parts)


def _sections(content: DigestContent) -> list[tuple[str, list[ThemeLine], bool]]:
    """(heading, themes, show examples) in reading order: what needs action first."""
    return [
        ("Spiking", content.spiking, True),
        ("New themes", content.new, True),
        ("Rising", content.rising, False),
        ("Top themes by rank score", content.top, True),
        ("Fading", content.fading, False),
    ]


def _unthemed_words(content: DigestContent) -> str:
    share = content.unthemed / content.tickets if content.tickets else 0
    return f"{content.unthemed:,} ({share:.0%}) not yet in a theme"


def render_markdown(content: DigestContent, chart_files: dict[str, str] | None = None) -> str:
    """The digest as Markdown; ``chart_files`` maps chart names to PNG file names next to it."""
    out = [f"# {md_escape(title_of(content))}", ""]
    if content.empty:
        out += [md_escape(content.message), ""]
        return "\n".join(out)
    out += [f"**{md_escape(headline(content))}**; {_unthemed_words(content)}.", ""]
    for name, file in (chart_files or {}).items():
        out += [f"![{CHARTS[name]}]({file})", ""]
    shown: set[int] = set()
    for heading, items, with_examples in _sections(content):
        if not items:
            continue
        out += [f"## {heading}", ""]
        for t in items:
            first = t.theme_id not in shown  # examples once, where the theme first appears
            shown.add(t.theme_id)
            words = "; ".join(md_escape(s) for s in t.significance)
            extra = f" - {words}" if words and heading != "Top themes by rank score" else ""
            if heading == "Top themes by rank score":
                extra = f" - {t.volume:,} tickets, score {t.rank_score:.2f}"
                if t.lifecycle not in ("active",):
                    extra += f", {md_escape(t.lifecycle)}"
                if t.category:
                    extra += f" ({md_escape(t.category)})"
            out.append(f"- [#{t.theme_id} {md_escape(t.title)}]({t.url}){extra}")
            if with_examples and first:
                for ex in t.examples:
                    out.append(f"  > ({md_escape(ex.language)}) {md_escape(ex.text)}")
        out.append("")
    if content.categories:
        out += ["## By category", ""]
        for c in content.categories:
            out += [f"### {md_escape(c.title)}: {_category_words(c)}", ""]
            for t in c.themes:
                out.append(_md_count(t))
            if c.hidden_groups:
                out.append(f"- {_hidden_words(c)}")
            out.append("")
        if content.hidden_categories:
            out += [f"{_hidden_categories(content)}", ""]
    if content.fixes:
        out += ["## Fixes shipped", "", f"_{md_escape(_fixes_intro())}_", ""]
        for f in content.fixes:
            out.append(
                f"- [#{f.theme_id} {md_escape(f.title)}]({f.url}): {md_escape(_fix_when(f))} - "
                f"**{md_escape(f.verdict)}** - {md_escape(_fix_why(f))}"
            )
            out.append(f"  > {md_escape(f.note)}")
        out.append("")
    if content.regions:
        out += ["## By region", ""]
        for r in content.regions:
            out += [f"### {md_escape(r.region)}: {_region_words(r)}", ""]
            for s in r.spikes:
                out.append(
                    f"- spiking: [#{s.theme_id} {md_escape(s.title)}]({s.url}) - "
                    + "; ".join(md_escape(x) for x in s.significance)
                )
            for t in r.themes:
                out.append(_md_count(t))
            if r.hidden_groups:
                out.append(f"- {_hidden_words(r)}")
            out.append("")
    return "\n".join(out)


def _fixes_intro() -> str:
    return (
        f"Fixes marked shipped this week or in the {FIX_WEEKS} weeks before, with the verdict "
        "on the theme's rate (its share of the segment's tickets) before and after the fix."
    )


def _fix_when(f: FixLine) -> str:
    where = f" for {f.segment}" if f.segment != "all tickets" else ""
    return f"fix {f.fix_id} shipped {f.fix_date}{where}" + (" (this week)" if f.this_week else "")


def _fix_why(f: FixLine) -> str:
    """The verdict sentence without its leading verdict word (printed bold before it)."""
    return f.words.split(": ", 1)[1] if ": " in f.words else f.words


def _region_words(r) -> str:
    if r.previous_tickets:
        change = (r.tickets - r.previous_tickets) / r.previous_tickets
        return f"{r.tickets:,} tickets ({change:+.0%} vs previous week)"
    return f"{r.tickets:,} tickets (none the previous week)"


def _md_count(t: ThemeLine) -> str:
    """A theme with its tickets, as the category and region sections list it."""
    return f"- [#{t.theme_id} {md_escape(t.title)}]({t.url}): {t.volume:,} tickets"


def _html_count(t: ThemeLine) -> str:
    return f'<li><a href="{h(t.url)}">#{t.theme_id} {h(t.title)}</a>: {t.volume:,} tickets</li>'


def _category_words(c) -> str:
    words = f"{c.tickets:,} tickets"
    if c.baseline > 0:
        words += f", {c.growth:+.0%} against the average"
    if c.spiking:
        words += f", {c.spiking} spiking theme{'s' if c.spiking > 1 else ''}"
    return words


def _hidden_categories(content: DigestContent) -> str:
    return (
        f"{content.hidden_categories} smaller categor"
        f"{'ies' if content.hidden_categories > 1 else 'y'} below the privacy floor, not listed."
    )


def _hidden_words(r) -> str:
    return (
        f"{r.hidden_tickets:,} tickets in {r.hidden_groups} smaller theme(s) "
        "(below the privacy floor, not listed)"
    )


def render_summary(content: DigestContent, limit: int = 5) -> str:
    """Short Markdown for chat: the headline and the changes, no ticket texts (chat channels
    are wider audiences than the mailing list)."""
    lines = [f"*{slack_escape(title_of(content))}*"]
    if content.empty:
        return "\n".join([*lines, slack_escape(content.message)])
    lines.append(slack_escape(headline(content)))
    for heading, items, _ in _sections(content):
        if not items:
            continue
        lines.append(f"*{heading}*")
        for t in items[:limit]:
            why = "; ".join(t.significance) if heading != "Top themes by rank score" else ""
            why = f" - {slack_escape(why)}" if why else f" - {t.volume:,} tickets"
            lines.append(f"• <{t.url}|#{t.theme_id} {slack_escape(t.title)}>{why}")
    if content.fixes:
        lines.append("*Fixes shipped*")
        for f in content.fixes[:limit]:
            lines.append(
                f"• <{f.url}|#{f.theme_id} {slack_escape(f.title)}> - "
                f"{slack_escape(_fix_when(f))}: {slack_escape(f.verdict)}"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML

_STYLE = (
    "body{font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;color:#1b1f24;"
    "max-width:760px;margin:0 auto;padding:16px;line-height:1.4}"
    "h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:2px}"
    "h3{font-size:15px}a{color:#1f4e89}.why{color:#555}"
    "blockquote{margin:4px 0 4px 16px;color:#444;border-left:3px solid #ccc;padding-left:8px}"
    ".big{font-size:18px;font-weight:600}img{max-width:100%}"
)


def render_html(content: DigestContent, images: dict[str, bytes]) -> str:
    """Self-contained HTML: charts as data: URIs tagged with the cid they get in mail."""
    body = [f"<h1>{h(title_of(content))}</h1>"]
    if content.empty:
        body.append(f"<p>{h(content.message)}</p>")
    else:
        body.append(
            f'<p><span class="big">{h(headline(content))}</span>; {h(_unthemed_words(content))}.</p>'
        )
        for name, png in images.items():
            data = base64.b64encode(png).decode("ascii")
            body.append(
                f'<p><img src="data:image/png;base64,{data}" data-cid="chart-{name}" '
                f'alt="{h(CHARTS[name])}"></p>'
            )
        shown: set[int] = set()
        for heading, items, with_examples in _sections(content):
            if not items:
                continue
            body.append(f"<h2>{h(heading)}</h2><ul>")
            for t in items:
                first = t.theme_id not in shown
                shown.add(t.theme_id)
                if heading == "Top themes by rank score":
                    why = f"{t.volume:,} tickets, score {t.rank_score:.2f}"
                    if t.lifecycle != "active":
                        why += f", {t.lifecycle}"
                    if t.category:
                        why += f" ({t.category})"
                else:
                    why = "; ".join(t.significance)
                item = f'<li><a href="{h(t.url)}">#{t.theme_id} {h(t.title)}</a>'
                if why:
                    item += f' <span class="why">- {h(why)}</span>'
                if with_examples and first:
                    for ex in t.examples:
                        item += f"<blockquote>({h(ex.language)}) {h(ex.text)}</blockquote>"
                body.append(item + "</li>")
            body.append("</ul>")
        if content.categories:
            body.append("<h2>By category</h2>")
            for c in content.categories:
                body.append(f"<h3>{h(c.title)}: {h(_category_words(c))}</h3><ul>")
                for t in c.themes:
                    body.append(_html_count(t))
                if c.hidden_groups:
                    body.append(f"<li>{h(_hidden_words(c))}</li>")
                body.append("</ul>")
            if content.hidden_categories:
                body.append(f"<p>{h(_hidden_categories(content))}</p>")
        if content.fixes:
            body.append(f'<h2>Fixes shipped</h2><p class="why">{h(_fixes_intro())}</p><ul>')
            for f in content.fixes:
                body.append(
                    f'<li><a href="{h(f.url)}">#{f.theme_id} {h(f.title)}</a>: {h(_fix_when(f))}'
                    f' - <b>{h(f.verdict)}</b> <span class="why">- {h(_fix_why(f))}</span>'
                    f"<blockquote>{h(f.note)}</blockquote></li>"
                )
            body.append("</ul>")
        if content.regions:
            body.append("<h2>By region</h2>")
            for r in content.regions:
                body.append(f"<h3>{h(r.region)}: {h(_region_words(r))}</h3><ul>")
                for s in r.spikes:
                    body.append(
                        f'<li>spiking: <a href="{h(s.url)}">#{s.theme_id} {h(s.title)}</a> '
                        f'<span class="why">- {h("; ".join(s.significance))}</span></li>'
                    )
                for t in r.themes:
                    body.append(_html_count(t))
                if r.hidden_groups:
                    body.append(f"<li>{h(_hidden_words(r))}</li>")
                body.append("</ul>")
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{h(title_of(content))}</title><style>{_STYLE}</style></head>\n"
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def html_for_mail(stored_html: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Replace the data: images of a stored digest by cid: references; returns the HTML and
    the (content id, PNG bytes) parts to attach inline (mail clients block data: images)."""
    parts: list[tuple[str, bytes]] = []

    def swap(match: re.Match) -> str:
        cid = match.group(3) or f"chart-{len(parts) + 1}"
        parts.append((cid, base64.b64decode(match.group(1))))
        return f'src="cid:{cid}"'

    return _DATA_IMG.sub(swap, stored_html), parts
