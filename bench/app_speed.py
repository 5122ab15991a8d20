"""How fast the app's Home page renders on a big store (issue 16: under 1 s cold after a refresh
on a 50,000-ticket store; earlier <= 2 s warm with 100,000 tickets and 300 themes).

Builds the store synthetically (rows inserted directly: tickets over 26 weeks in 8 regions and 6
languages, one full run, 300 themes with snapshots and Zipf-sized memberships, some annotations;
no embeddings, since the app never reads them), then times Streamlit AppTest runs of Home.py:

- materialise: what the end of a refresh adds (insights.views.weekly.materialise: the week
  index and the default week's ranking stored in the read model's tables);
- first render: fresh process state (includes Streamlit's own imports), read model stored;
- cold (after a refresh): every in-process cache cleared, the read model stored: what the first
  visitor after a refresh waits for;
- cold, read model not stored: the same with the stored rows deleted (the first visitor reads
  and ranks every ticket, then stores the ranking);
- warm: repeated renders, as for every visitor after the first;
- warm + filter: a region filter (a new ranking from the ticket frame, then stored);
- theme page: a theme page from the warm cache;
- the AppTest harness alone (an empty script): AppTest re-scans installed packages for
  Streamlit components on every run, a cost a running server pays once at start.

Usage:
    .venv/bin/python bench/app_speed.py [--tickets 100000] [--themes 300] [--repeat 5]
        [--db sqlite:///bench/.cache/app_speed.db] [--append]
`--append` adds the numbers to bench/README.md under "App speed".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from insights.store.db import connect, session_scope  # noqa: E402
from insights.store.models import (  # noqa: E402
    Annotation,
    Assignment,
    Batch,
    Run,
    Theme,
    ThemeEvent,
    ThemeSnapshot,
    Ticket,
)

REGIONS = ["ID", "TH", "VN", "MY", "PH", "SG", "US", "BR"]
LANGS = ["en", "id", "th", "vi", "es", "pt"]
CHANNELS = ["chat", "email", "phone", "app"]


def build(url: str, n_tickets: int, n_themes: int, weeks: int = 26, seed: int = 0) -> None:
    """Insert a synthetic store at `url` (which must be empty)."""
    engine = connect(url)
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    start = now - timedelta(weeks=weeks)
    sizes = 1.0 / np.arange(1, n_themes + 1) ** 0.9
    theme_of = rng.choice(n_themes, size=n_tickets, p=sizes / sizes.sum()) + 1
    unthemed = rng.random(n_tickets) < 0.05
    seconds = rng.uniform(0, weeks * 7 * 86400, n_tickets)
    with session_scope(engine) as s:
        s.add(Batch(id=1, source_path="synthetic", source="bench", file_sha256="-", started_at=now))
        s.add(
            Run(
                id=1,
                mode="full",
                status="ok",
                model_id="synthetic",
                parameters={},
                stats={"n_themes": n_themes},
                started_at=now,
                finished_at=now,
            )
        )
        s.flush()
        s.execute(
            insert(Theme),
            [
                {
                    "id": t,
                    "label": f"theme {t} keyword{t} issue",
                    "title": None,
                    "status": "active",
                    "created_run_id": 1,
                    "last_run_id": 1,
                }
                for t in range(1, n_themes + 1)
            ],
        )
        chunk = 20_000
        for lo in range(0, n_tickets, chunk):
            hi = min(lo + chunk, n_tickets)
            rows, assigns = [], []
            for i in range(lo, hi):
                tid = i + 1
                rows.append(
                    {
                        "id": tid,
                        "source": "bench",
                        "external_id": f"B{tid:07d}",
                        "created_at": start + timedelta(seconds=float(seconds[i])),
                        "text": f"synthetic ticket {tid} about theme {theme_of[i]}",
                        "language": LANGS[i % len(LANGS)],
                        "language_confidence": 1.0,
                        "language_detected": False,
                        "kind": "seller" if theme_of[i] % 3 == 0 else "buyer",
                        "region": REGIONS[(i * 7 + int(theme_of[i])) % len(REGIONS)],
                        "channel": CHANNELS[i % len(CHANNELS)],
                        "csat": int(rng.integers(1, 6)),
                        "attributes": {},
                        "truncated": False,
                        "content_hash": f"c{tid}",
                        "row_hash": f"r{tid}",
                        "batch_id": 1,
                        "ingested_at": now,
                        "updated_at": now,
                    }
                )
                assigns.append(
                    {
                        "run_id": 1,
                        "ticket_id": tid,
                        "theme_id": None if unthemed[i] else int(theme_of[i]),
                        "similarity": 0.8,
                        "method": "cluster",
                    }
                )
            s.execute(insert(Ticket), rows)
            s.execute(insert(Assignment), assigns)
        counts = np.bincount(theme_of[~unthemed], minlength=n_themes + 1)
        first = {
            int(t): int(np.flatnonzero((theme_of == t) & ~unthemed)[:3].max() + 1)
            for t in range(1, n_themes + 1)
            if counts[t] >= 3
        }
        s.execute(
            insert(ThemeSnapshot),
            [
                {
                    "run_id": 1,
                    "theme_id": t,
                    "size": int(counts[t]),
                    "centroid": np.zeros(8, np.float32).tobytes(),
                    "keywords": {"all": [f"keyword{t}", "issue"], "by_language": {}},
                    "representatives": {"en": [first[t]]} if t in first else {},
                    "languages": {"en": int(counts[t])},
                }
                for t in range(1, n_themes + 1)
            ],
        )
        s.execute(
            insert(ThemeEvent),
            [
                {"run_id": 1, "theme_id": t, "event": "new", "created_at": now}
                for t in range(1, n_themes + 1)
            ],
        )
        s.execute(
            insert(Annotation),
            [
                {
                    "theme_id": t,
                    "tags": ["bench", f"area{t % 7}"],
                    "owner": f"lead{t % 9}",
                    "status": "investigating",
                    "updated_at": now,
                    "updated_by": "bench",
                }
                for t in range(1, n_themes + 1, 3)
            ],
        )
    engine.dispose()


def _run(at) -> float:
    t0 = time.perf_counter()
    at.run()
    took = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return took


def _cold() -> None:
    """Forget everything this process cached, as a new app process after a refresh would."""
    import streamlit as st

    from insights.views.frame import clear_frames

    st.cache_data.clear()
    clear_frames()


def _forget_read_model(url: str) -> None:
    from sqlalchemy import delete

    from insights.store.models import ReadIndex, ReadTheme, ReadWeek

    engine = connect(url)
    with session_scope(engine) as s:
        for model in (ReadTheme, ReadWeek, ReadIndex):
            s.execute(delete(model))
    engine.dispose()


def materialise_read_model(url: str) -> float:
    from insights.settings import load_settings
    from insights.views.weekly import materialise

    engine = connect(url)
    t0 = time.perf_counter()
    materialise(engine, load_settings(url))
    took = time.perf_counter() - t0
    engine.dispose()
    return took


def measure(repeat: int, url: str) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    home = str(REPO / "app" / "Home.py")
    out: dict[str, float] = {}
    _forget_read_model(url)
    out["materialise (end of a refresh)"] = materialise_read_model(url)
    at = AppTest.from_file(home, default_timeout=120)
    out["first render (with imports)"] = _run(at)
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 250, "table missing"
    cold = []
    for _ in range(repeat):
        _cold()
        cold.append(_run(AppTest.from_file(home, default_timeout=120)))
    out["cold, after a refresh (median)"] = statistics.median(cold)
    out["cold, after a refresh (max)"] = max(cold)
    _forget_read_model(url)
    _cold()
    out["cold, read model not stored"] = _run(AppTest.from_file(home, default_timeout=120))
    warm = [_run(AppTest.from_file(home, default_timeout=120)) for _ in range(repeat)]
    out["warm (median)"] = statistics.median(warm)
    out["warm (max)"] = max(warm)
    at = AppTest.from_file(home, default_timeout=120)
    _run(at)
    at.selectbox(key="f_region").set_value("TH")
    out["warm + region filter"] = _run(at)
    empty = AppTest.from_string("import streamlit as st\nst.write('x')", default_timeout=120)
    _run(empty)
    out["AppTest harness alone (empty script)"] = statistics.median(
        [_run(AppTest.from_string("import streamlit as st\nst.write('x')")) for _ in range(3)]
    )
    theme = AppTest.from_file(home, default_timeout=120)
    theme.switch_page("pages/1_Theme.py")
    theme.query_params["theme"] = "1"
    out["theme page (warm)"] = _run(theme)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--themes", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", default=f"sqlite:///{REPO / 'bench' / '.cache' / 'app_speed.db'}")
    ap.add_argument("--append", action="store_true", help="append the numbers to bench/README.md")
    args = ap.parse_args()

    if args.db.startswith("sqlite:///"):
        path = Path(args.db.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    build(args.db, args.tickets, args.themes)
    built = time.perf_counter() - t0
    os.environ["INSIGHTS_DB_URL"] = args.db
    os.environ.pop("INSIGHTS_APP_PASSWORD", None)
    numbers = measure(args.repeat, args.db)

    print(f"store: {args.tickets:,} tickets, {args.themes} themes, built in {built:.1f} s")
    for name, secs in numbers.items():
        print(f"  {name:<36} {secs:6.2f} s")
    if args.append:
        cmd = (
            f".venv/bin/python bench/app_speed.py --tickets {args.tickets} "
            f"--themes {args.themes} --repeat {args.repeat}"
        )
        lines = [
            "",
            "## App speed (`bench/app_speed.py`)",
            "",
            f"    {cmd}",
            "",
            f"Synthetic store: {args.tickets:,} tickets over 26 weeks, {args.themes} themes "
            "(Zipf sizes), SQLite. Streamlit AppTest renders of `app/Home.py` on 2 shared cores, "
            f"{datetime.now(UTC):%Y-%m-%d}. Target: Home under 1 s cold after a refresh.",
            "",
            "| render | seconds |",
            "| --- | --- |",
            *[f"| {name} | {secs:.2f} |" for name, secs in numbers.items()],
            "",
        ]
        with (REPO / "bench" / "README.md").open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines))


if __name__ == "__main__":
    main()
