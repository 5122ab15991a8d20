"""Tagging while a large file is ingested: how long does a person's Save wait?

`insights ingest` runs as its own process on a large generated file (the shipped sample's rows
repeated with new ids, as in bench/ingest_memory.py: validation, redaction and language
detection do their real work), while this process saves a theme's tags in a loop exactly as
the app's Save button does (``get_notes`` then ``annotate``, audited). Prints the save
latency (p50 / p99 / max) before and during the ingest, on SQLite and on PostgreSQL.

    nice -n 5 .venv/bin/python bench/ingest_lock.py --rows 200000 \\
        --pg-url postgresql+psycopg://insights:insights@127.0.0.1:5432/insights_test_prod

The PostgreSQL database is emptied (schema `public` dropped) first: give a scratch one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_memory import generate

from insights.jobs.runs import now
from insights.people.annotate import annotate, get_notes
from insights.store.db import connect, session_scope
from insights.store.models import Run, Theme

ROOT = Path(__file__).resolve().parent.parent
PAUSE = 0.1  # seconds between two saves: a busy person clicking Save


def fresh_store(url: str) -> int:
    """An empty store at the current schema with one theme to tag; returns its id."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = connect(url)
    with session_scope(engine) as session:
        run = Run(mode="full", status="ok", model_id="bench", started_at=now(), stats={})
        session.add(run)
        session.flush()
        theme = Theme(label="bench", created_run_id=run.id, last_run_id=run.id)
        session.add(theme)
        session.flush()
        theme_id = theme.id
    engine.dispose()
    return theme_id


def save_loop(
    url: str, theme_id: int, stop: threading.Event, out: list[float], failed: list[str]
) -> None:
    """The app's Save, again and again: read the form's notes, write one changed tag. A save
    the store refuses (busy after the retries) is counted, as the app would show it."""
    engine = connect(url)
    i = 0
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            notes = get_notes(engine, theme_id)
            annotate(engine, theme_id, "bench@shop.co", seen=notes, tags=[f"tag-{i % 7}"])
        except Exception as exc:
            failed.append(str(exc).splitlines()[0])
        out.append(time.perf_counter() - t0)
        i += 1
        time.sleep(PAUSE)
    engine.dispose()


def stats(seconds: list[float], failed: list[str]) -> str:
    a = np.array(seconds) * 1000
    return (
        f"{len(a):5d} saves  p50 {np.percentile(a, 50):7.1f} ms  p99 {np.percentile(a, 99):7.1f}"
        f" ms  max {a.max():7.1f} ms  failed {len(failed)}"
    )


def run(url: str, data: Path, rows: int) -> None:
    backend = url.split(":", 1)[0].split("+")[0]
    theme_id = fresh_store(url)
    idle: list[float] = []
    idle_failed: list[str] = []
    stop = threading.Event()
    tagger = threading.Thread(target=save_loop, args=(url, theme_id, stop, idle, idle_failed))
    tagger.start()
    time.sleep(5)
    stop.set()
    tagger.join()

    during: list[float] = []
    failed: list[str] = []
    stop = threading.Event()
    tagger = threading.Thread(target=save_loop, args=(url, theme_id, stop, during, failed))
    env = {**os.environ, "INSIGHTS_DB_URL": url}
    t0 = time.perf_counter()
    ingest = subprocess.Popen(
        [sys.executable, "-m", "insights.cli", "ingest", str(data), "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    tagger.start()
    try:
        output, errors = ingest.communicate()
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.communicate()
        stop.set()
        tagger.join()
    took = time.perf_counter() - t0
    if ingest.returncode != 0:
        raise SystemExit(f"ingest failed: {errors.strip().splitlines()[-1:]}")
    print(f"{backend:10s} ingest of {rows:,} rows: {took:,.0f} s ({rows / took:,.0f} rows/s)")
    print(f"{backend:10s} {output.strip()}")
    print(f"{backend:10s} idle          {stats(idle, idle_failed)}")
    print(f"{backend:10s} during ingest {stats(during, failed)}", flush=True)
    if failed:
        print(f"{backend:10s} first refusal: {failed[0]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--pg-url", help="scratch PostgreSQL database (emptied first)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-lock-") as tmp:
        data = Path(tmp) / "tickets.csv"
        size = generate(data, args.rows)
        print(f"generated {args.rows:,} rows ({size / 1e6:,.0f} MB)", flush=True)
        if not args.skip_sqlite:
            run(f"sqlite:///{Path(tmp) / 'insights.db'}", data, args.rows)
        if args.pg_url:
            run(args.pg_url, data, args.rows)


if __name__ == "__main__":
    main()
