"""Ingest throughput and peak memory on large files: proves ingest streams.

Generates CSVs of realistic tickets (the shipped sample's rows repeated with new ids and shifted
dates, so language detection, PII redaction and validation do their real work), ingests each
with the real `ingest_file` into a fresh SQLite store, and prints rows/s and peak RSS. Each size
runs in its own child process, because `ru_maxrss` is a lifetime maximum of the process: only
then can a 100,000-row and a 1,000,000-row figure be compared.

    .venv/bin/python bench/ingest_memory.py --rows 100000 1000000

The generated files live in a temp folder that is removed afterwards (a 1,000,000-row file is
about 250 MB).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "tickets.csv"


def generate(path: Path, rows: int) -> int:
    """Write `rows` tickets streaming (never more than the sample in memory); returns bytes."""
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        sample = list(reader)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        for i in range(rows):
            lap, k = divmod(i, len(sample))
            row = dict(sample[k])
            row["ticket_id"] = f"B-{i:08d}"
            when = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
            row["created_at"] = (when + timedelta(days=7 * (lap % 50))).isoformat()
            if (
                lap and row["description"]
            ):  # vary the text a little so rows are not byte-identical copies
                row["description"] = f"{row['description']} (#{lap})"
            writer.writerow(row)
    return path.stat().st_size


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(rows: int, workdir: Path) -> dict:
    """Generate, then ingest in this process; returns the figures as a dict."""
    from insights.ingest.language import detect
    from insights.ingest.load import ingest_file
    from insights.settings import load_settings
    from insights.store.db import connect

    data = workdir / f"tickets-{rows}.csv"
    size = generate(data, rows)
    settings = load_settings(f"sqlite:///{workdir / f'store-{rows}.db'}")
    engine = connect(settings.store.db_url)
    detect(
        ["warm up the language detector"], settings.ingest.languages
    )  # its models are fixed cost
    baseline = _rss_mb()
    started = time.perf_counter()
    last = [started]

    def progress(n: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 60:
            last[0] = now
            print(
                f"  {rows:,}: {n:,} rows, {n / (now - started):,.0f} rows/s, "
                f"peak RSS {_rss_mb():,.0f} MB",
                file=sys.stderr,
                flush=True,
            )

    result = ingest_file(engine, data, settings, on_rows=progress)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "rows": rows,
        "file_mb": round(size / 1e6, 1),
        "new": result.new,
        "quarantined": result.quarantined,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "rss_after_warmup_mb": round(baseline),
        "peak_rss_mb": round(_rss_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rows[0], args.workdir)), flush=True)
        return
    results = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", "--rows", str(rows), "--workdir", tmp],
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "HF_HUB_OFFLINE": "1"},
                check=True,
            )
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    print()
    print("| rows | file MB | seconds | rows/s | RSS after warm-up MB | peak RSS MB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['file_mb']:,} | {r['seconds']:,} | {r['rows_per_s']:,} "
            f"| {r['rss_after_warmup_mb']:,} | {r['peak_rss_mb']:,} |"
        )


if __name__ == "__main__":
    main()
