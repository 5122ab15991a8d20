"""The refresh flow: ingest (given files and the drop folder), embed what is missing (fanned
out in batches, on Dask when asked), discover or assign themes and track them, rank the week.

Thin by design: every step is a call into insights/; this module only decides what runs as a
Prefect task (retries with backoff where I/O can fail, one task per file or batch so the UI
shows where time goes and what failed) and where the embedding batches run.

Run it with `insights refresh`, from a deployment (`insights serve`, prefect.yaml), or in
Python: ``refresh_flow(inbox="/data/inbox", runner="dask")``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.utilities.annotations import unmapped
from sqlalchemy import Engine

from insights.embed.cache import store_vectors
from insights.embed.models import (
    AdaptationNeeded,
    adapt_for_store,
    needs_adaptation,
    with_resolved_model,
)
from insights.ingest.load import ingest_file
from insights.ingest.read import FileError
from insights.jobs.inbox import inbox_dir, pending_files, process_file
from insights.jobs.orchestration import (
    FANOUT_BATCH,
    counts_markdown,
    embed_batch,
    fail_runs_of_flow,
    fanout_batches,
    missing_items,
    ranked_table_markdown,
    record_fanout,
    worker_threads,
)
from insights.jobs.refresh import Progress
from insights.settings import Settings, load_settings
from insights.store.db import connect

RUNNERS = ("sequential", "dask")
#: Tasks that touch files or the store retry twice, after 1 s and 5 s: a file still being
#: copied, a locked SQLite file or a PostgreSQL failover usually heal within seconds.
IO_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [1, 5]}

_engines: dict[str, Engine] = {}
_hooks: list[Progress] = []


def _engine(db_url: str | None) -> tuple[Settings, Engine]:
    """Settings and a store engine per URL, shared by the tasks of this process (each task
    would otherwise open a pool and check migrations again)."""
    settings = load_settings(db_url)
    with suppress(AdaptationNeeded):  # the flow adapts first, then resolves again
        settings = with_resolved_model(settings)
    if settings.db_url not in _engines:
        _engines[settings.db_url] = connect(settings.db_url)
    return settings, _engines[settings.db_url]


@contextmanager
def progress_hooks(hooks: Progress) -> Iterator[None]:
    """Let an in-process caller (the CLI's progress bars) follow a flow run's progress;
    callables cannot travel as flow parameters."""
    _hooks.append(hooks)
    try:
        yield
    finally:
        _hooks.remove(hooks)


def _current_hooks() -> Progress:
    return _hooks[-1] if _hooks else Progress()


# ---------------------------------------------------------------- tasks


@task(name="ingest-file", cache_policy=NO_CACHE, **IO_RETRIES)
def ingest_path(path: str, db_url: str | None = None) -> dict[str, Any]:
    """Ingest one named file; raises FileError (after the retries) when it cannot be."""
    settings, engine = _engine(db_url)
    result = ingest_file(engine, Path(path), settings)
    get_run_logger().info("ingested %s: %s", path, result.counts())
    return {"path": path, **result.counts()}


@task(name="inbox-file", cache_policy=NO_CACHE, **IO_RETRIES)
def ingest_inbox_file(path: str, db_url: str | None = None) -> dict[str, Any]:
    """Ingest one dropped file and file it under processed/ or failed/ (see insights.jobs.inbox)."""
    settings, engine = _engine(db_url)
    outcome = process_file(engine, settings, Path(path))
    logger = get_run_logger()
    if outcome.status == "failed":
        logger.warning("inbox: %s moved to failed/: %s", outcome.name, outcome.reason)
    else:
        logger.info("inbox: %s %s -> %s", outcome.name, outcome.status, outcome.moved_to)
    return asdict(outcome)


@task(name="embed-batch", cache_policy=NO_CACHE)
def embed_batch_task(
    texts: list[str], model_id: str, threads: int, batch_size: int, max_tokens: int
) -> np.ndarray:
    """One batch of the fan-out; the model is loaded once per process (worker)."""
    return embed_batch(texts, model_id, threads, batch_size, max_tokens)


@task(name="store-vectors", cache_policy=NO_CACHE, **IO_RETRIES)
def store_batch(hashes: list[str], vectors: np.ndarray, db_url: str | None = None) -> int:
    """Write one batch's vectors (own transaction: a later crash keeps them)."""
    settings, engine = _engine(db_url)
    store_vectors(engine, settings.embedding_key, hashes, vectors)
    return len(hashes)


@task(name="adapt-fast-model", cache_policy=NO_CACHE)
def adapt_task(db_url: str | None) -> str:
    """Fit the fast tier to the store's tickets (insights.embed.models.adapt_for_store)."""
    _, engine = _engine(db_url)
    folder = adapt_for_store(engine, load_settings(db_url), on_step=_current_hooks().stage)
    get_run_logger().info("adapted fast model: %s", folder)
    return str(folder)


@task(name="discover-and-track", cache_policy=NO_CACHE)
def discover_and_track(db_url: str | None, full: bool, flow_run_id: str) -> dict[str, Any]:
    """insights.jobs.refresh.refresh: full discovery or incremental assignment, tracking, one run.

    Not retried: it is CPU work, and a failure is recorded (the half-made run is marked
    failed, its writes were rolled back) rather than repeated.
    """
    from insights.jobs.refresh import refresh

    settings, engine = _engine(db_url)
    outer = _current_hooks()
    # the fan-out already embedded everything: hide refresh()'s own (empty) embedding stage
    hooks = Progress(stage=lambda name: None if name == "embedding" else outer.stage(name))
    try:
        result = refresh(engine, settings, hooks, flow_run_id=flow_run_id, full=full)
    except BaseException:
        n = fail_runs_of_flow(engine, flow_run_id)
        if n:
            get_run_logger().error("refresh failed: run(s) of this flow run marked failed")
        raise
    return asdict(result)


@task(name="rank-week", cache_policy=NO_CACHE, **IO_RETRIES)
def rank_week_task(
    db_url: str | None, week: str | None = None, region: str | None = None
) -> dict[str, Any]:
    """The week's ranked themes (insights.views.weekly.week_report) as plain data."""
    from insights.views.weekly import week_report

    _, engine = _engine(db_url)
    report = week_report(engine, week, region=region.upper() if region else None)
    return asdict(report)


# ---------------------------------------------------------------- fan-out


def dask_task_runner(n_batches: int, settings: Settings):
    """A DaskTaskRunner: joins INSIGHTS_DASK_ADDRESS when set, else starts a local cluster of
    INSIGHTS_DASK_WORKERS single-threaded workers (0: one per core, never more than batches)."""
    from prefect_dask import DaskTaskRunner

    address = os.environ.get("INSIGHTS_DASK_ADDRESS")
    if address:
        return DaskTaskRunner(address=address)
    workers = int(os.environ.get("INSIGHTS_DASK_WORKERS") or 0) or (os.cpu_count() or 1)
    workers = max(1, min(workers, n_batches))
    processes = os.environ.get("INSIGHTS_DASK_PROCESSES", "true").lower() not in ("0", "false")
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": processes,
            "dashboard_address": None,
            "silence_logs": logging.ERROR,  # no INFO lines from the scheduler on stderr
        }
    )


@contextmanager
def _workers_use_this_api() -> Iterator[None]:
    """Worker processes inherit the environment: without PREFECT_API_URL each one would start
    its own temporary Prefect server (~10 s each) and report task runs nobody sees."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    ctx = get_run_context()
    os.environ["PREFECT_API_URL"] = str(ctx.client.api_url).rstrip("/")
    try:
        yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


def embed_fanout(
    settings: Settings, engine: Engine, runner: str, hooks: Progress
) -> tuple[int, float]:
    """Embed every text without a cached vector, batch by batch; returns (count, seconds).

    Vectors are written by the flow's process as batches come back (in order), so workers
    need no store access and a crash keeps every batch written so far.
    """
    logger = get_run_logger()
    items = missing_items(engine, settings)
    if not items:
        logger.info("embedding: every text is cached")
        return 0, 0.0
    batches = fanout_batches(items, max(FANOUT_BATCH, settings.embed_batch_size))
    hooks.stage("embedding")
    hooks.start_embedding(len(items))
    logger.info("embedding %d texts in %d batches (%s)", len(items), len(batches), runner)
    t0 = time.perf_counter()
    common = {
        "model_id": settings.embedding_model,
        "batch_size": settings.embed_batch_size,
        "max_tokens": settings.embed_max_tokens,
    }
    if runner == "dask":
        task_runner = dask_task_runner(len(batches), settings)
        n_workers = (task_runner.cluster_kwargs or {}).get("n_workers")
        # joining a cluster: each worker machine uses its own cores (INSIGHTS_THREADS, 0: all)
        threads = worker_threads(settings, n_workers) if n_workers else settings.threads
        with _workers_use_this_api(), task_runner:
            futures = task_runner.map(
                embed_batch_task,
                {
                    "texts": [[t for _, t in b] for b in batches],
                    "threads": unmapped(threads),
                    **{k: unmapped(v) for k, v in common.items()},
                },
            )
            for batch, future in zip(batches, futures, strict=True):
                store_batch([h for h, _ in batch], future.result(), settings.db_url)
                hooks.advance_embedding(len(batch))
    else:
        for batch in batches:
            vectors = embed_batch_task([t for _, t in batch], threads=settings.threads, **common)
            store_batch([h for h, _ in batch], vectors, settings.db_url)
            hooks.advance_embedding(len(batch))
    seconds = time.perf_counter() - t0
    logger.info(
        "embedded %d texts in %.1fs (%.1f texts/s)",
        len(items),
        seconds,
        len(items) / max(seconds, 1e-9),
    )
    return len(items), seconds


# ---------------------------------------------------------------- flow


def _summary_markdown(summary: dict[str, Any], report: dict[str, Any]) -> str:
    counts = {
        "mode": summary["mode"],
        "tickets": summary["n_tickets"],
        "embedded": summary["n_embedded"],
        "themes": summary["n_themes"],
        "unthemed": summary["n_unthemed"],
        "files ingested": len(summary["ingested"]),
        "inbox ingested": sum(o["status"] == "ingested" for o in summary["inbox"]),
        "inbox already ingested": sum(o["status"] == "duplicate" for o in summary["inbox"]),
        "inbox failed": sum(o["status"] == "failed" for o in summary["inbox"]),
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
    failed = [o for o in summary["inbox"] if o["status"] == "failed"]
    if failed:
        parts += ["", "## Inbox files moved to failed/", ""]
        parts += [f"- `{o['name']}`: {o['reason']}" for o in failed]
    return "\n".join(parts)


@flow(name="refresh", log_prints=False)
def refresh_flow(
    paths: list[str] | None = None,
    inbox: str | None = None,
    full: bool = False,
    runner: str = "sequential",
    db_url: str | None = None,
    adapt: bool = False,
) -> dict[str, Any]:
    """Ingest `paths` and the drop folder, embed what is missing, refresh themes, rank the week.

    `adapt`: fit the fast tier to the store's tickets before embedding (also done when
    INSIGHTS_EMBEDDING_MODEL=fast-adapted and the store has no adapted model yet).

    `inbox`: the drop folder (must exist); default INSIGHTS_INBOX or $INSIGHTS_HOME/inbox when
    that folder exists. `runner`: "sequential" or "dask" for the embedding fan-out. Files named
    in `paths` that cannot be ingested fail the flow run, after the others and the refresh
    went through (as `insights ingest` does); bad inbox files only move to failed/.
    """
    if runner not in RUNNERS:
        raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, not {runner!r}")
    logger = get_run_logger()
    hooks = _current_hooks()
    settings, engine = _engine(db_url)
    flow_run_id = str(get_run_context().flow_run.id)

    ingested, failures = [], []
    for path in paths or []:
        state = ingest_path(path, settings.db_url, return_state=True)
        if state.is_completed():
            ingested.append(state.result())
        else:
            reason = str(state.result(raise_on_failure=False))
            logger.error("cannot ingest %s: %s", path, reason)
            failures.append(reason)

    folder = inbox_dir(settings, inbox)
    if inbox and not folder.is_dir():
        raise FileError(f"{folder}: inbox folder does not exist")
    outcomes = []
    for path in pending_files(folder):
        hooks.stage(f"inbox: {path.name}")
        state = ingest_inbox_file(str(path), settings.db_url, return_state=True)
        if state.is_completed():
            outcomes.append(state.result())
        else:  # store trouble: the file stays in the inbox for the next run
            logger.error(
                "inbox: %s left in place: %s", path.name, state.result(raise_on_failure=False)
            )

    if adapt or needs_adaptation(load_settings(db_url)):
        hooks.stage("adapting the fast model to this store")
        adapt_task(settings.db_url)
        settings, engine = _engine(db_url)
    n_embedded, embed_seconds = embed_fanout(settings, engine, runner, hooks)
    result = discover_and_track(settings.db_url, full, flow_run_id)
    if result["run_id"] is not None:
        record_fanout(engine, result["run_id"], n_embedded, embed_seconds, runner)
    result["n_embedded"] += n_embedded
    logger.info(result["message"])

    report = rank_week_task(settings.db_url)
    summary = {
        **{
            k: result[k]
            for k in (
                "run_id",
                "mode",
                "n_tickets",
                "n_embedded",
                "n_themes",
                "n_unthemed",
                "message",
                "events",
                "timings",
            )
        },
        "flow_run_id": flow_run_id,
        "embed_seconds": round(embed_seconds, 3),
        "ingested": ingested,
        "inbox": outcomes,
        "week": report["week"],
        "top_themes": report["themes"][:10],
    }
    create_markdown_artifact(
        key="refresh-summary",
        markdown=_summary_markdown(summary, report),
        description=f"refresh: {result['message']}",
    )
    if failures:
        raise FileError("; ".join(failures))
    return summary
