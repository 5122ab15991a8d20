"""The Markdown summaries the Prefect flows publish as artifacts, free of Prefect."""

from __future__ import annotations

from typing import Any

from insights.views.ranked import RankedWeek


def week_summary(ranked: RankedWeek) -> dict[str, Any]:
    """A ranked week as plain data (what flow tasks return and artifacts show)."""
    return {
        "week": ranked.week,
        "region": ranked.selection.region,
        "themes": ranked.rows(),
        "total_tickets": ranked.total_tickets,
        "out_of_range": ranked.out_of_range,
        "message": ranked.message,
    }


def _md_cell(value: object) -> str:
    text = ", ".join(str(v) for v in value[:4]) if isinstance(value, list) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def ranked_table_markdown(themes: list[dict], limit: int = 10) -> str:
    """The week's top themes as a Markdown table (volume, share, growth, spike, lifecycle)."""
    if not themes:
        return "_No ranked themes for this week._"
    lines = [
        "| # | theme | title | tickets | share | growth | spike | lifecycle |",
        "| ---: | ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for i, t in enumerate(themes[:limit], 1):
        lines.append(
            f"| {i} | {t['theme_id']} | {_md_cell(t.get('title', ''))} | {t.get('volume', 0)} "
            f"| {t.get('share', 0):.1%} | {t.get('growth', 0):+.0%} "
            f"| {'yes' if t.get('spike') else ''} | {_md_cell(t.get('lifecycle', ''))} |"
        )
    return "\n".join(lines)


def counts_markdown(counts: dict[str, object]) -> str:
    """A two-column Markdown table of a flow run's counts."""
    lines = ["| count | value |", "| --- | ---: |"]
    lines += [f"| {_md_cell(k)} | {_md_cell(v)} |" for k, v in counts.items()]
    return "\n".join(lines)


def refresh_markdown(summary: dict[str, Any], report: dict[str, Any]) -> str:
    """The refresh flow's artifact: counts, the week's top themes and its spikes, time per
    stage, inbox files that failed."""
    inbox = summary["inbox"]
    counts = {
        "mode": summary["mode"],
        "tickets": summary["n_tickets"],
        "embedded": summary["n_embedded"],
        "themes": summary["n_themes"],
        "unthemed": summary["n_unthemed"],
        "files ingested": len(summary["ingested"]),
        "inbox ingested": sum(o["status"] == "ingested" for o in inbox),
        "inbox already ingested": sum(o["status"] == "duplicate" for o in inbox),
        "inbox failed": sum(o["status"] == "failed" for o in inbox),
        "store run": summary["run_id"] if summary["run_id"] is not None else "-",
    }
    parts = [
        f"# Refresh: {summary['message']}",
        "",
        counts_markdown(counts),
        "",
        f"## Top themes, week {report.get('week') or '-'}",
        "",
        ranked_table_markdown(report.get("themes") or []),
    ]
    spiking = [t for t in report.get("themes") or [] if t.get("spike")]
    parts += ["", "## Spikes this week", ""]
    parts += [f"- theme {t['theme_id']}: {_md_cell(t.get('title', ''))}" for t in spiking] or [
        "none"
    ]
    timings = summary.get("timings") or {}
    if timings:
        parts += ["", "## Time per stage", "", "| stage | seconds |", "| --- | ---: |"]
        parts += [f"| {stage} | {seconds:.1f} |" for stage, seconds in timings.items()]
    failed = [o for o in inbox if o["status"] == "failed"]
    if failed:
        parts += ["", "## Inbox files moved to failed/", ""]
        parts += [f"- `{o['name']}`: {o['reason']}" for o in failed]
    return "\n".join(parts)


def weekly_markdown(report: dict[str, Any]) -> str:
    """The digest flow's artifact: the week's ranked table."""
    region = report.get("region")
    title = f"week {report['week'] or '-'}" + (f", region {region}" if region else "")
    return "\n".join(
        [
            f"# Ranked themes, {title}",
            "",
            f"{report['total_tickets']:,} tickets in the week."
            + (f" {report['message']}" if report["message"] else ""),
            "",
            ranked_table_markdown(report["themes"], limit=15),
        ]
    )
