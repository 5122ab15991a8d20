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
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.utilities.annotations import unmapped
from sqlalchemy import Engine

from insights.embed.models import AdaptationNeeded, needs_adaptation, with_resolved_model
from insights.ingest.load import ingest_file
from insights.ingest.read import FileError
from insights.jobs.adapt_store import adapt_for_store
from insights.jobs.embedding import (
    BatchEmbedder,
    BatchMap,
    EmbeddedBatch,
    EmbedStats,
    embed_missing,
    worker_threads,
)
from insights.jobs.inbox import pending_files, process_file
from insights.jobs.lock import JobBusy, LockPolicy, job_lock, waiting_message
from insights.jobs.runs import fail_runs_of_flow
from insights.records import Progress
from insights.settings import Settings, load_settings, process_env, set_process_env
from insights.store.db import connect
from insights.views.summary import refresh_markdown, week_summary

RUNNERS = ("sequential", "dask")
#: Tasks that touch files or the store retry twice, after 1 s and 5 s: a file still being
#: copied, a locked SQLite file or a PostgreSQL failover usually heal within seconds.
IO_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [1, 5]}

_engines: dict[str, Engine] = {}
_hooks: list[Progress] = []


def _engine(db_url: str | None, inbox: str | None = None) -> tuple[Settings, Engine]:
    """Settings and a store engine per URL, shared by the tasks of this process (each task
    would otherwise open a pool and check migrations again)."""
    settings = load_settings(db_url, {"ingest.inbox": inbox})
    with suppress(AdaptationNeeded):  # the flow adapts first, then resolves again
        settings = with_resolved_model(settings)
    if settings.store.db_url not in _engines:
        _engines[settings.store.db_url] = connect(settings.store.db_url)
    return settings, _engines[settings.store.db_url]


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
def embed_batch_task(texts: list[str], embed: BatchEmbedder) -> EmbeddedBatch:
    """One batch of the fan-out; the model is loaded once per process (worker)."""
    return embed(texts)


@task(name="adapt-fast-model", cache_policy=NO_CACHE)
def adapt_task(db_url: str | None) -> str:
    """Fit the fast tier to the store's tickets (insights.jobs.adapt_store.adapt_for_store)."""
    settings, engine = _engine(db_url)
    folder = adapt_for_store(engine, settings, on_step=_current_hooks().stage)
    get_run_logger().info("adapted fast model: %s", folder)
    return str(folder)


@task(name="discover-and-track", cache_policy=NO_CACHE)
def discover_and_track(
    db_url: str | None, full: bool, flow_run_id: str, embedded: EmbedStats
) -> dict[str, Any]:
    """insights.jobs.refresh.refresh: full discovery or incremental assignment, tracking, one
    run, which records the flow's embedding (`embedded`) as its own.

    Not retried: it is CPU work, and a failure is recorded (the half-made run is marked
    failed, its writes were rolled back) rather than repeated.
    """
    from insights.jobs.refresh import refresh

    settings, engine = _engine(db_url)
    try:
        result = refresh(
            engine,
            settings,
            _current_hooks(),
            flow_run_id=flow_run_id,
            full=full,
            runner=embedded.runner,
            embedded=embedded,
        )
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
    """The week's ranked themes from the read model (insights.views.weekly), as plain data."""
    from insights.views.ranked import Selection
    from insights.views.weekly import ranked_week

    settings, engine = _engine(db_url)
    selection = Selection(region=region.upper() if region else None)
    return week_summary(ranked_week(engine, settings, week, selection))


@task(name="update-read-model", cache_policy=NO_CACHE, **IO_RETRIES)
def update_read_model(db_url: str | None) -> dict[str, Any]:
    """Store the read model of the data as this run left it (insights.views.weekly.materialise),
    so the app's next page and the digest read tables; returns the latest complete week."""
    from insights.views.weekly import materialise, ranked_week

    settings, engine = _engine(db_url)
    materialise(engine, settings)
    return week_summary(ranked_week(engine, settings))


# ---------------------------------------------------------------- fan-out


def dask_task_runner(n_batches: int, settings: Settings):
    """A DaskTaskRunner: joins INSIGHTS_DASK_ADDRESS when set, else starts a local cluster of
    INSIGHTS_DASK_WORKERS single-threaded workers (0: one per core, never more than batches)."""
    from prefect_dask import DaskTaskRunner

    if settings.dask.address:
        return DaskTaskRunner(address=settings.dask.address)
    workers = settings.dask.workers or (os.cpu_count() or 1)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": max(1, min(workers, n_batches)),
            "threads_per_worker": 1,
            "processes": settings.dask.processes,
            "dashboard_address": None,
            "silence_logs": logging.ERROR,  # no INFO lines from the scheduler on stderr
        }
    )


@contextmanager
def _workers_use_this_api() -> Iterator[None]:
    """Worker processes inherit the environment: without PREFECT_API_URL each one would start
    its own temporary Prefect server (~10 s each) and report task runs nobody sees."""
    if process_env("PREFECT_API_URL"):
        yield
        return
    with set_process_env(PREFECT_API_URL=str(get_run_context().client.api_url).rstrip("/")):
        yield


def task_map(embed: BatchEmbedder, batches: list[list[str]]) -> Iterator[EmbeddedBatch]:
    """The sequential map of insights.jobs.embedding, each batch a Prefect task run."""
    for texts in batches:
        yield embed_batch_task(texts, embed)


def dask_map(settings: Settings) -> BatchMap:
    """A map that runs the batches as Prefect tasks on a Dask cluster; results come back in
    order, so the caller writes each batch as soon as it (and those before it) are done."""

    def run(embed: BatchEmbedder, batches: list[list[str]]) -> Iterator[EmbeddedBatch]:
        runner = dask_task_runner(len(batches), settings)
        n_workers = (runner.cluster_kwargs or {}).get("n_workers")
        # a local cluster shares this machine's cores; a joined one uses each worker's own
        threads = worker_threads(settings, n_workers) if n_workers else settings.embedding.threads
        spread = replace(embed, threads=threads)
        with _workers_use_this_api(), runner:
            futures = runner.map(embed_batch_task, {"texts": batches, "embed": unmapped(spread)})
            for future in futures:
                yield future.result()

    return run


def unreachable(address: str, timeout: float = 10.0) -> str | None:
    """Why the Dask scheduler at `address` ("tcp://host:port") does not answer, or None."""
    parsed = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 8786), timeout=timeout):
            return None
    except (OSError, ValueError) as exc:
        return str(exc) or type(exc).__name__


def embed_stage(settings: Settings, engine: Engine, runner: str, hooks: Progress) -> EmbedStats:
    """insights.jobs.embedding.embed_missing with the flow's map: batches as tasks, on Dask
    when asked. A Dask address that does not answer is not worth a failed run: the batches are
    embedded in this process instead, with a warning naming INSIGHTS_DASK_ADDRESS."""
    logger = get_run_logger()
    if runner == "dask" and settings.dask.address:
        why = unreachable(settings.dask.address)
        if why:
            logger.warning(
                "INSIGHTS_DASK_ADDRESS=%s does not answer (%s): embedding in this process",
                settings.dask.address,
                why,
            )
            runner = "sequential"
    mapper = dask_map(settings) if runner == "dask" else task_map
    stats = embed_missing(engine, settings, hooks, mapper, runner)
    if stats.n_embedded:
        logger.info(
            "embedded %d texts in %d batches (%s) in %.1fs (%.1f texts/s)",
            stats.n_embedded,
            stats.n_batches,
            runner,
            stats.seconds,
            stats.n_embedded / max(stats.seconds, 1e-9),
        )
    else:
        logger.info("embedding: every text is cached")
    return stats


# ---------------------------------------------------------------- flow


@flow(name="refresh", log_prints=False)
def refresh_flow(
    paths: list[str] | None = None,
    inbox: str | None = None,
    full: bool = False,
    runner: str = "sequential",
    db_url: str | None = None,
    adapt: bool = False,
    wait: bool = True,
) -> dict[str, Any]:
    """Ingest `paths` and the drop folder, embed what is missing, refresh themes, rank the week.

    `adapt`: fit the fast tier to the store's tickets before embedding (also done when
    INSIGHTS_EMBEDDING_MODEL=fast-adapted and the store has no adapted model yet).

    `inbox`: the drop folder (must exist); default INSIGHTS_INBOX or $INSIGHTS_HOME/inbox when
    that folder exists. `runner`: "sequential" or "dask" for the embedding fan-out. Files named
    in `paths` that cannot be ingested fail the flow run, after the others and the refresh
    went through (as `insights ingest` does); bad inbox files only move to failed/.

    The whole run holds the store's job lock (insights.jobs.lock): a refresh, backup or restore
    already running is waited for, or with `wait=False` the run ends at once, completed, with
    "refresh already running (pid, host, since)" as its message and nothing done.
    """
    if runner not in RUNNERS:
        raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, not {runner!r}")
    logger = get_run_logger()
    settings, engine = _engine(db_url, inbox)
    policy = LockPolicy.of(
        settings,
        wait=wait,
        on_wait=lambda holder: logger.info(waiting_message(holder)),
        on_recover=lambda holder, why: logger.warning(
            "recovered a stale job lock: %s (%s): %s", holder.job, holder.describe(), why
        ),
    )
    try:
        with job_lock(engine, "refresh", policy):
            return _refresh_run(paths, inbox, full, runner, settings, engine, adapt, db_url)
    except JobBusy as busy:
        logger.info(str(busy))
        return {**SKIPPED, "message": str(busy), "flow_run_id": _flow_run_id()}


#: What a refresh that did not run (another job held the lock, wait=False) returns.
SKIPPED: dict[str, Any] = {
    "run_id": None,
    "mode": "none",
    "n_tickets": 0,
    "n_embedded": 0,
    "n_themes": 0,
    "n_unthemed": 0,
    "events": {},
    "timings": {},
    "embed_seconds": 0.0,
    "ingested": [],
    "inbox": [],
    "week": None,
    "top_themes": [],
    "skipped": True,
}


def _flow_run_id() -> str:
    return str(get_run_context().flow_run.id)


def _refresh_run(
    paths: list[str] | None,
    inbox: str | None,
    full: bool,
    runner: str,
    settings: Settings,
    engine: Engine,
    adapt: bool = False,
    db_url: str | None = None,
) -> dict[str, Any]:
    """The refresh flow's body, under the job lock."""
    logger = get_run_logger()
    hooks = _current_hooks()
    flow_run_id = _flow_run_id()

    ingested, failures = [], []
    for path in paths or []:
        state = ingest_path(path, settings.store.db_url, return_state=True)
        if state.is_completed():
            ingested.append(state.result())
        else:
            reason = str(state.result(raise_on_failure=False))
            logger.error("cannot ingest %s: %s", path, reason)
            failures.append(reason)

    folder = settings.inbox
    if inbox and not folder.is_dir():
        raise FileError(f"{folder}: inbox folder does not exist")
    outcomes = []
    for path in pending_files(folder):
        hooks.stage(f"inbox: {path.name}")
        state = ingest_inbox_file(str(path), settings.store.db_url, return_state=True)
        if state.is_completed():
            outcomes.append(state.result())
        else:  # store trouble: the file stays in the inbox for the next run
            logger.error(
                "inbox: %s left in place: %s", path.name, state.result(raise_on_failure=False)
            )

    if adapt or needs_adaptation(settings):
        hooks.stage("adapting the fast model to this store")
        adapt_task(settings.store.db_url)
        settings, engine = _engine(db_url, inbox)
    embedded = embed_stage(settings, engine, runner, hooks)
    result = discover_and_track(settings.store.db_url, full, flow_run_id, embedded)
    if result["run_id"] is None:  # nothing to rediscover: the embedding still happened
        result["n_embedded"] = embedded.n_embedded
    logger.info(result["message"])

    report = update_read_model(settings.store.db_url)
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
        "embed_seconds": round(embedded.seconds, 3),
        "ingested": ingested,
        "inbox": outcomes,
        "week": report["week"],
        "top_themes": report["themes"][:10],
        "skipped": False,
    }
    create_markdown_artifact(
        key="refresh-summary",
        markdown=refresh_markdown(summary, report),
        description=f"refresh: {result['message']}",
    )
    if failures:
        raise FileError("; ".join(failures))
    return summary
