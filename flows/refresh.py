"""The refresh flow: ingest (given files and the drop folder), embed what is missing (fanned
out in batches, on Dask when asked), discover or assign themes and track them, rank the week.

Thin by design: the refresh's body and its steps live in flows/refresh_steps.py (no Prefect
there: `insights refresh` without a Prefect API runs them in-process, `refresh_local`); this
module makes each step a Prefect task (retries with backoff where I/O can fail, one task per
file or batch so the UI shows where time goes and what failed), decides where the embedding
batches run, and publishes the run's summary as an artifact.

Run it with `insights refresh` (when PREFECT_API_URL is set, or with `--runner dask`), from a
deployment (`insights serve`, prefect.yaml), or in Python:
``refresh_flow(inbox="/data/inbox", runner="dask")``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.utilities.annotations import unmapped

from flows.refresh_steps import (
    ADAPT,
    DISCOVER_AND_TRACK,
    INGEST_INBOX_FILE,
    INGEST_PATH,
    IO_RETRIES,
    RUNNERS,
    SKIPPED,
    UPDATE_READ_MODEL,
    Step,
    Steps,
    _engine,
    progress_hooks,
    refresh_local,
    run_refresh,
    unreachable,
)
from insights.jobs.embedding import BatchEmbedder, BatchMap, EmbeddedBatch, worker_threads
from insights.settings import Settings, process_env, set_process_env
from insights.views.summary import refresh_markdown, week_summary

__all__ = [
    "IO_RETRIES",
    "RUNNERS",
    "SKIPPED",
    "_engine",
    "progress_hooks",
    "refresh_flow",
    "refresh_local",
    "unreachable",
]

# ---------------------------------------------------------------- tasks


def _task(step: Step) -> Task:
    """The step as a Prefect task: its name and retries; `.fn` is the step's function."""
    return task(name=step.name, cache_policy=NO_CACHE, **step.task_options())(step.fn)


ingest_path = _task(INGEST_PATH)
ingest_inbox_file = _task(INGEST_INBOX_FILE)
adapt_task = _task(ADAPT)
discover_and_track = _task(DISCOVER_AND_TRACK)
update_read_model = _task(UPDATE_READ_MODEL)
_TASKS: dict[Step, Task] = {
    INGEST_PATH: ingest_path,
    INGEST_INBOX_FILE: ingest_inbox_file,
    ADAPT: adapt_task,
    DISCOVER_AND_TRACK: discover_and_track,
    UPDATE_READ_MODEL: update_read_model,
}


@task(name="embed-batch", cache_policy=NO_CACHE)
def embed_batch_task(texts: list[str], embed: BatchEmbedder) -> EmbeddedBatch:
    """One batch of the fan-out; the model is loaded once per process (worker)."""
    return embed(texts)


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


class PrefectSteps(Steps):
    """The steps of a refresh inside the flow run: each a task run, embedding batches as tasks
    (on Dask when asked), the summary published as the `refresh-summary` artifact."""

    def __init__(self) -> None:
        self.run_id = str(get_run_context().flow_run.id)
        self.logger = get_run_logger()

    def call(self, step: Step, *args: Any) -> Any:
        return _TASKS[step](*args)

    def attempt(self, step: Step, *args: Any) -> tuple[bool, Any]:
        state = _TASKS[step](*args, return_state=True)
        if state.is_completed():
            return True, state.result()
        return False, state.result(raise_on_failure=False)

    def batch_map(self, runner: str, settings: Settings) -> BatchMap:
        return dask_map(settings) if runner == "dask" else task_map

    def publish(self, summary: dict[str, Any], report: dict[str, Any]) -> None:
        create_markdown_artifact(
            key="refresh-summary",
            markdown=refresh_markdown(summary, report),
            description=f"refresh: {summary['message']}",
        )


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
    return run_refresh(PrefectSteps(), paths, inbox, full, runner, db_url, adapt, wait)
