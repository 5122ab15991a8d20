"""Theme-id stability and incremental-vs-full agreement on the shipped sample.

    .venv/bin/python bench/stability.py

1. id stability: a full run on weeks 1-12 of the sample, then a full run on weeks 1-16; the share
   of first-run themes whose tickets keep their theme id (member Jaccard >= 0.5, over the tickets
   of weeks 1-12).
2. incremental against full: from the weeks 1-12 run, weeks 13-16 are assigned incrementally;
   the share of those new tickets that land in the theme the weeks 1-16 full run gives them
   (tickets left waiting count as disagreements and are reported too).
3. new themes still form: a full run on weeks 1-9, then a full run on weeks 1-16 (anchored on the
   first, as every full refresh is); the planted theme that starts in week 10 must land mostly in
   one theme whose id the first run did not have.
Also prints V-measure of each run against the sample's truth, for context.
INSIGHTS_ANCHOR_WEIGHT=0 shows the same figures without anchoring.
The spike backtest lives in bench/spikes.py.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SAMPLE = REPO / "data" / "sample"


def assignments(engine) -> dict[str, int | None]:
    from sqlalchemy import select

    from insights.jobs.runs import latest_run_id
    from insights.store.db import session_scope
    from insights.store.models import Assignment, Ticket

    with session_scope(engine) as s:
        run = latest_run_id(s)
        rows = s.execute(
            select(Ticket.external_id, Assignment.theme_id).join(
                Assignment, (Assignment.ticket_id == Ticket.id) & (Assignment.run_id == run)
            )
        ).all()
    return dict(rows)


def v_measure(assigned: dict[str, int | None], truth: dict[str, str]) -> float:
    from sklearn.metrics import v_measure_score

    keys = [k for k in assigned if k in truth]
    return v_measure_score([truth[k] for k in keys], [str(assigned[k]) for k in keys])


def seed_embeddings(url: str, source: Path | None) -> None:
    """Copy cached vectors from another SQLite store (e.g. the demo's) so only discovery runs."""
    if source is None:
        return
    import sqlite3

    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    con.execute("ATTACH DATABASE ? AS src", (str(source),))
    con.execute("INSERT OR IGNORE INTO embeddings SELECT * FROM src.embeddings")
    con.commit()
    con.close()


def write_before(rows: list[dict], cutoff: str, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["created_at"][:10] < cutoff)


def new_theme_check(rows, truth, cutoff, tmpdir, embeddings_from) -> str:
    """Full run before the planted new theme starts, anchored full run after: is it new?"""
    import json

    from insights.ingest.load import ingest_file
    from insights.jobs.refresh import refresh
    from insights.settings import load_settings
    from insights.store.db import connect

    planted = json.loads((SAMPLE / "patterns.json").read_text())["new_theme"]["theme"]
    before = tmpdir / "before_new_theme.csv"
    write_before(rows, cutoff, before)
    url = f"sqlite:///{tmpdir / 'new_theme.db'}"
    engine = connect(url)
    settings = load_settings(url)
    seed_embeddings(url, embeddings_from)
    ingest_file(engine, before, settings)
    refresh(engine, settings)
    old_ids = {t for t in assignments(engine).values() if t is not None}
    ingest_file(engine, SAMPLE / "tickets.csv", settings)
    refresh(engine, settings, full=True)
    after = assignments(engine)
    engine.dispose()
    members = [after.get(k) for k, theme in truth.items() if theme == planted]
    themed = [t for t in members if t is not None]
    if not themed:
        return f"planted new theme {planted}: all {len(members)} tickets unthemed"
    top = max(set(themed), key=themed.count)
    return (
        f"planted new theme {planted} ({len(members)} tickets from week 10): "
        f"{themed.count(top) / len(members):.1%} in one theme, "
        f"{'a new id' if top not in old_ids else 'an OLD id (absorbed)'}"
    )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--embeddings-from",
        type=Path,
        default=None,
        help="SQLite store whose cached vectors to reuse (same model)",
    )
    args = parser.parse_args()

    from insights.ingest.load import ingest_file
    from insights.jobs.refresh import refresh
    from insights.settings import load_settings
    from insights.store.db import connect

    rows = list(csv.DictReader((SAMPLE / "tickets.csv").open(encoding="utf-8")))
    truth = {r["ticket_id"]: r["theme"] for r in csv.DictReader((SAMPLE / "truth.csv").open())}
    cutoff = "2026-08-24"  # Monday of week 13 (2026-W35)
    new_theme_cutoff = "2026-08-03"  # Monday of week 10 (2026-W32), the planted new theme's start
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        early = tmpdir / "weeks_1_12.csv"
        write_before(rows, cutoff, early)
        new_theme = new_theme_check(rows, truth, new_theme_cutoff, tmpdir, args.embeddings_from)
        full_url = f"sqlite:///{tmpdir / 'full.db'}"
        engine = connect(full_url)
        settings = load_settings(full_url)
        seed_embeddings(full_url, args.embeddings_from)
        ingest_file(engine, early, settings)
        t = time.perf_counter()
        refresh(engine, settings)
        print(f"weeks 1-12 full run: {time.perf_counter() - t:.0f}s")
        first = assignments(engine)
        engine.dispose()
        inc_path = tmpdir / "incremental.db"
        shutil.copy(tmpdir / "full.db", inc_path)

        engine = connect(full_url)
        ingest_file(engine, SAMPLE / "tickets.csv", settings)
        refresh(engine, settings, full=True)
        second = assignments(engine)

        os.environ["INSIGHTS_FULL_REFRESH_SHARE"] = "1.0"
        inc_url = f"sqlite:///{inc_path}"
        inc_engine = connect(inc_url)
        inc_settings = load_settings(inc_url)
        ingest_file(inc_engine, SAMPLE / "tickets.csv", inc_settings)
        result = refresh(inc_engine, inc_settings)
        assert result.mode == "incremental", result.message
        incremental = assignments(inc_engine)

    themes = {t for t in first.values() if t is not None}
    kept = 0
    for theme in themes:
        before = {k for k, v in first.items() if v == theme}
        after = {k for k, v in second.items() if v == theme and k in first}
        kept += len(before & after) / len(before | after) >= 0.5
    new = [k for k in second if k not in first]
    agree = sum(incremental.get(k) == second[k] and second[k] is not None for k in new)
    waiting = sum(incremental.get(k) is None for k in new)
    print(
        f"themes in the weeks 1-12 run: {len(themes)}; kept their id on weeks 1-16: "
        f"{kept}/{len(themes)} = {kept / len(themes):.3f}"
    )
    print(
        f"new tickets (weeks 13-16): {len(new)}; incremental agrees with full: "
        f"{agree / len(new):.3f}; left waiting: {waiting / len(new):.3f}"
    )
    print(new_theme)
    print(
        f"V-measure vs truth: weeks 1-12 {v_measure(first, truth):.3f}, weeks 1-16 "
        f"{v_measure(second, truth):.3f}, incremental {v_measure(incremental, truth):.3f}"
    )


if __name__ == "__main__":
    main()
