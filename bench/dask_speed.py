"""Throughput of the refresh flow's embedding fan-out: in-process vs Dask with 1 and 2 workers.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/dask_speed.py                 # 1,000 sample texts
    HF_HUB_OFFLINE=1 .venv/bin/python bench/dask_speed.py --n 400 --workers 2

Runs the same task (`flows.refresh.embed_batch_task`, batches of FANOUT_BATCH texts) the flow
runs, inside a Prefect flow on the temporary server, on a local Dask cluster of single-threaded
worker processes (each model gets cores / workers threads, as in the flow). Each worker loads the
model on its first batch: a warm-up batch per worker is timed apart ("start"), so `texts/s` is
the steady throughput. Nothing is written to the store.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SAMPLE = REPO / "data" / "sample" / "tickets.csv"


def sample_texts(n: int) -> list[str]:
    """The first `n` non-empty ticket texts of the shipped sample (subject + description)."""
    texts = []
    with SAMPLE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = " ".join(x for x in (row.get("subject"), row.get("description")) if x).strip()
            if text:
                texts.append(text)
            if len(texts) == n:
                break
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="texts to embed")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-sequential", action="store_true", help="skip the in-process run")
    args = parser.parse_args()

    from prefect import flow

    import flows  # noqa: F401  (quiet Prefect defaults)
    from flows.refresh import _workers_use_this_api, dask_task_runner, embed_batch_task
    from insights.jobs.embedding import FANOUT_BATCH, BatchEmbedder, batches_of, worker_threads
    from insights.settings import load_settings

    settings = load_settings()
    texts = sample_texts(args.n)
    batches = [[t for _, t in b] for b in batches_of(list(enumerate(texts)), FANOUT_BATCH)]
    chars = sum(len(t) for t in texts)
    embed = BatchEmbedder.from_settings(settings.embedding)
    print(
        f"{len(texts):,} texts ({chars / len(texts):.0f} chars on average), {len(batches)} "
        f"batches of <= {FANOUT_BATCH}, {os.cpu_count()} cores, model {settings.embedding.model}"
    )
    rows = []

    if not args.no_sequential:
        t0 = time.perf_counter()
        embed(batches[0][:8])  # load the model
        start = time.perf_counter() - t0
        t1 = time.perf_counter()
        for batch in batches:
            embed(batch)
        secs = time.perf_counter() - t1
        rows.append(("in process (sequential)", start, secs))

    @flow(name="bench-dask-fanout")
    def fanout(n_workers: int) -> tuple[float, float]:
        spread = BatchEmbedder.from_settings(
            settings.embedding, threads=worker_threads(settings, n_workers)
        )
        t0 = time.perf_counter()
        runner = dask_task_runner(
            len(batches),
            settings.override({"dask.workers": n_workers, "dask.processes": True}),
        )
        with _workers_use_this_api(), runner:
            warm = [batches[0][:8]] * n_workers  # one per idle worker: loads each model
            for f in runner.map(embed_batch_task, {"texts": warm, "embed": [spread] * n_workers}):
                f.result()
            start = time.perf_counter() - t0
            t1 = time.perf_counter()
            futures = runner.map(
                embed_batch_task, {"texts": batches, "embed": [spread] * len(batches)}
            )
            for f in futures:
                f.result()
            secs = time.perf_counter() - t1
        return start, secs

    for n_workers in args.workers:
        start, secs = fanout(n_workers)
        rows.append((f"dask, {n_workers} worker(s)", start, secs))

    print("\n| runner | start (s) | embed (s) | texts/s |\n| --- | ---: | ---: | ---: |")
    for name, start, secs in rows:
        print(f"| {name} | {start:.1f} | {secs:.1f} | {len(texts) / secs:.1f} |")


if __name__ == "__main__":
    main()
