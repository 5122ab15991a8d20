"""The pipeline a user runs, end to end through the CLI, on both backends (issue 8, item 1):
ingest -> refresh (in this process: no PREFECT_API_URL) -> themes -> export -> a person's title
and tags -> weekly view and digest, with every count reconciled against the input file and
against each other.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections import Counter
from datetime import UTC, datetime

# a private PREFECT_HOME before Prefect is imported (as in test_flows.py)
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="prefect-home-"))

import pytest
from typer.testing import CliRunner

from insights.cli.main import app
from insights.people.annotate import annotate
from insights.store.db import connect
from insights.trends import week_label
from insights.views.themes import theme_meta
from tests.conftest import SAMPLE, seed_vectors

pytestmark = pytest.mark.slow

runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output, result.stderr)
    return result


def sample_subset(path, step: int = 10, count: int = 200) -> list[dict]:
    """Every `step`-th sample ticket: a few weeks of every language, region and kind."""
    with (SAMPLE / "tickets.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for i, r in enumerate(csv.DictReader(fh)) if i % step == 0][:count]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_ingest_refresh_themes_export_tag_digest_reconcile(db_url, tmp_path):
    source = tmp_path / "tickets.csv"
    rows = sample_subset(source)
    seed_vectors(db_url, "e2e", source)  # embedded once per session: this test is about the rest
    counts = json.loads(invoke("ingest", str(source), "--json").stdout)
    assert counts["read"] == len(rows) == 200
    assert counts["read"] == (
        counts["new"] + counts["updated"] + counts["duplicates"] + counts["quarantined"]
    )
    assert counts["new"] == 200  # the sample subset is clean

    refreshed = invoke("refresh").stdout
    assert "Full run (first run)" in refreshed and "themes over 200 tickets" in refreshed

    themes = json.loads(invoke("themes", "--format", "json").stdout)
    assert len(themes) >= 3
    exported = tmp_path / "assignments.csv"
    assert "wrote 200 assignments" in invoke("export", "assignments", "--out", str(exported)).stdout
    assignments = read_csv(exported)
    ids = [r["ticket_id"] for r in assignments]
    assert sorted(ids) == sorted(r["ticket_id"] for r in rows)  # every ticket exactly once
    themed = [r for r in assignments if r["theme_id"]]
    unthemed = [r for r in assignments if not r["theme_id"]]
    assert len(themed) + len(unthemed) == 200
    sizes = {t["theme_id"]: t["size"] for t in themes}
    assert Counter(int(r["theme_id"]) for r in themed) == Counter(sizes)  # sizes = members
    assert all(not r["theme_title"] for r in unthemed)
    match = re.search(r"([\d.]+)% unthemed", refreshed)
    assert match and float(match.group(1)) == pytest.approx(100 * len(unthemed) / 200, abs=0.05)

    # the busiest week, counted from the input file itself
    weeks = Counter(_week(r) for r in rows)
    week = max(sorted(weeks), key=lambda w: weeks[w])
    by_ticket = {r["ticket_id"]: r["theme_id"] for r in assignments}
    in_week = [r["ticket_id"] for r in rows if _week(r) == week]
    themed_in_week = Counter(int(by_ticket[t]) for t in in_week if by_ticket[t])
    unthemed_in_week = sum(1 for t in in_week if not by_ticket[t])

    ranked = json.loads(invoke("themes", "--week", week, "--format", "json").stdout)
    volumes = {t["theme_id"]: t["volume"] for t in ranked if t["volume"]}
    assert volumes == dict(themed_in_week)

    # a person names and tags the week's top theme (what the app's Save does)
    top = ranked[0]["theme_id"]
    assert ranked[0]["volume"] > 0
    engine = connect(db_url)
    annotate(engine, top, "ana@shop.co", title="Courier delay e2e", tags=["courier", "E2E"])
    themes_after = {
        t["theme_id"]: t for t in json.loads(invoke("themes", "--format", "json").stdout)
    }
    assert themes_after[top]["title"] == "Courier delay e2e"
    assert {k: v["size"] for k, v in themes_after.items()} == sizes
    meta = theme_meta(engine).set_index("theme_id")
    assert meta.loc[top, "tags"] == ["courier", "e2e"]  # the app's tables show the tags
    ranked_after = json.loads(invoke("themes", "--week", week, "--format", "json").stdout)
    assert ranked_after[0]["theme_id"] == top and ranked_after[0]["title"] == "Courier delay e2e"

    out_dir = tmp_path / "digest"
    invoke("digest", "--week", week, "--out", str(out_dir))
    markdown = next(out_dir.glob("*.md")).read_text(encoding="utf-8")
    assert f"Ticket insights {week}" in markdown
    assert f"**{len(in_week):,} tickets (" in markdown
    assert f"{unthemed_in_week:,} (" in markdown and "not yet in a theme" in markdown
    assert f"#{top} Courier delay e2e" in markdown
    html = next(out_dir.glob("*.html")).read_text(encoding="utf-8")
    assert "Courier delay e2e" in html

    # the whole pipeline again changes nothing: same tickets, nothing to embed or rediscover
    again = json.loads(invoke("ingest", str(source), "--json").stdout)
    assert (again["new"], again["duplicates"]) == (0, 200)
    assert "nothing to do" in invoke("refresh").stdout
    exported_again = tmp_path / "again.csv"
    invoke("export", "assignments", "--out", str(exported_again))
    assert {r["ticket_id"]: r["theme_id"] for r in read_csv(exported_again)} == by_ticket


def _week(row: dict) -> str:
    """The row's week as trends label it (timestamps carry their offsets; weeks are UTC)."""
    return week_label(datetime.fromisoformat(row["created_at"]).astimezone(UTC).date())
