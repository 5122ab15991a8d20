"""The Markdown summaries the Prefect flows publish as artifacts, free of Prefect."""

from __future__ import annotations


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
