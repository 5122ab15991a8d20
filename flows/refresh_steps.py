"""The refresh's one body and its steps, without Prefect.

:func:`run_refresh` is the refresh: ingest the named files and the drop folder, fit the fast
tier when asked, embed what is missing, discover or assign themes and track them, update the
read model, all under the store's job lock. *How* each step runs is a :class:`Steps` object:

- in the Prefect flow (flows/refresh.py) each step is a task run: retries with backoff, logs and
  a summary artifact in the Prefect UI, embedding batches as tasks (on Dask when asked);
- without a Prefect API (:func:`refresh_local`, what `insights refresh` runs when
  PREFECT_API_URL is not set) each step is the same function called in this process, with the
  same retries, logging to a standard logger, embedding batch after batch.

This module imports no Prefect: a local refresh spends neither its import (~1.5 s) nor a
temporary Prefect server (8 s and more) on a run nobody would see in a UI.
"""

from __future__ import annotations

import logging
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from insights.embed.fast_model import in_tenths
from insights.embed.models import AdaptationNeeded, needs_adaptation, with_resolved_model
from insights.ingest.load import ingest_file
from insights.ingest.read import FileError
from insights.jobs.adapt_store import adapt_for_store
from insights.jobs.embedding import BatchMap, EmbedStats, embed_missing, sequential_map
from insights.jobs.inbox import pending_files, process_file
from insights.jobs.lock import JobBusy, LockPolicy, job_lock, waiting_message
from insights.jobs.runs import fail_runs_of_flow
from insights.records import Progress
from insights.settings import Settings, load_settings
from insights.store.db import connect
from insights.views.summary import week_summary

RUNNERS = ("sequential", "dask")

#: Where a refresh run without Prefect logs (the CLI shows it with --verbose).
LOG = logging.getLogger("flows.refresh")

_engines: dict[str, Engine] = {}
_hooks: list[Progress] = []


@dataclass(frozen=True)
class Retry:
    """How often a step that failed is tried again, and after how long (seconds; the last
    delay repeats)."""

    retries: int
    delays: tuple[float, ...]

    def delay(self, retry: int) -> float:
        return self.delays[min(retry, len(self.delays) - 1)]

    def task_options(self) -> dict[str, Any]:
        """The same policy as Prefect task options."""
        return {"retries": self.retries, "retry_delay_seconds": list(self.delays)}


#: Steps that touch files or the store retry twice, after 1 s and 5 s: a file still being
#: copied, a locked SQLite file or a PostgreSQL failover usually heal within seconds.
IO_RETRY = Retry(2, (1.0, 5.0))
IO_RETRIES: dict[str, Any] = IO_RETRY.task_options()


def _engine(db_url: str | None, inbox: str | None = None) -> tuple[Settings, Engine]:
    """Settings and a store engine per URL, shared by the steps of this process (each step
    would otherwise open a pool and check migrations again)."""
    settings = load_settings(db_url, {"ingest.inbox": inbox})
    with suppress(AdaptationNeeded):  # the run adapts first, then resolves again
        settings = with_resolved_model(settings)
    if settings.store.db_url not in _engines:
        _engines[settings.store.db_url] = connect(settings.store.db_url)
    return settings, _engines[settings.store.db_url]


@contextmanager
def progress_hooks(hooks: Progress) -> Iterator[None]:
    """Let an in-process caller (the CLI's progress bars) follow a refresh's progress;
    callables cannot travel as flow parameters."""
    _hooks.append(hooks)
    try:
        yield
    finally:
        _hooks.remove(hooks)


def _current_hooks() -> Progress:
    return _hooks[-1] if _hooks else Progress()


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """Prefect's run logger inside a flow or task run (its lines reach the Prefect UI), this
    module's standard logger anywhere else: a local refresh, a test calling a task's `fn`."""
    if "prefect.context" not in sys.modules:  # Prefect not even imported: no run is going on
        return LOG
    from prefect.context import FlowRunContext, TaskRunContext

    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        return LOG
    from prefect import get_run_logger

    return get_run_logger()


# ---------------------------------------------------------------- steps


def ingest_path(path: str, db_url: str | None = None) -> dict[str, Any]:
    """Ingest one named file; raises FileError (after the retries) when it cannot be."""
    settings, engine = _engine(db_url)
    result = ingest_file(engine, Path(path), settings)
    run_logger().info("ingested %s: %s", path, result.counts())
    return {"path": path, **result.counts()}


def ingest_inbox_file(path: str, db_url: str | None = None) -> dict[str, Any]:
    """Ingest one dropped file and file it under processed/ or failed/ (see insights.jobs.inbox)."""
    settings, engine = _engine(db_url)
    outcome = process_file(engine, settings, Path(path))
    logger = run_logger()
    if outcome.status == "failed":
        logger.warning("inbox: %s moved to failed/: %s", outcome.name, outcome.reason)
    else:
        logger.info("inbox: %s %s -> %s", outcome.name, outcome.status, outcome.moved_to)
    return asdict(outcome)


def adapt_model(db_url: str | None) -> str:
    """Fit the fast tier to the store's tickets (insights.jobs.adapt_store.adapt_for_store)."""
    settings, engine = _engine(db_url)
    folder = adapt_for_store(engine, settings, on_step=_current_hooks().stage)
    run_logger().info("adapted fast model: %s", folder)
    return str(folder)


def discover_and_track(
    db_url: str | None, full: bool, flow_run_id: str, embedded: EmbedStats
) -> dict[str, Any]:
    """insights.jobs.refresh.refresh: full discovery or incremental assignment, tracking, one
    run, which records the embedding already done (`embedded`) as its own.

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
            run_logger().error("refresh failed: run(s) of this flow run marked failed")
        raise
    return asdict(result)


def update_read_model(db_url: str | None) -> dict[str, Any]:
    """Store the read model of the data as this run left it (insights.views.weekly.materialise),
    so the app's next page and the digest read tables; returns the latest complete week."""
    from insights.views.weekly import materialise, ranked_week

    settings, engine = _engine(db_url)
    materialise(engine, settings)
    return week_summary(ranked_week(engine, settings))


@dataclass(frozen=True)
class Step:
    """One step of the refresh: its function, its Prefect task's name, its retries. The flow
    makes each a task from this; a local run calls `fn` with the same retries."""

    name: str
    fn: Callable[..., Any]
    retry: Retry | None = None

    def task_options(self) -> dict[str, Any]:
        return self.retry.task_options() if self.retry else {}


INGEST_PATH = Step("ingest-file", ingest_path, IO_RETRY)
INGEST_INBOX_FILE = Step("inbox-file", ingest_inbox_file, IO_RETRY)
ADAPT = Step("adapt-fast-model", adapt_model)
DISCOVER_AND_TRACK = Step("discover-and-track", discover_and_track)
UPDATE_READ_MODEL = Step("update-read-model", update_read_model, IO_RETRY)


class Steps:
    """How the steps of one refresh run. Subclasses say how a step is called, where embedding
    batches run and what is published at the end; `run_id` is the flow run id the run ledger
    records (`fail_runs_of_flow` finds a failed run's rows by it)."""

    run_id: str
    logger: logging.Logger | logging.LoggerAdapter

    def call(self, step: Step, *args: Any) -> Any:
        """The step's result; its exception (after its retries) when it fails."""
        raise NotImplementedError

    def attempt(self, step: Step, *args: Any) -> tuple[bool, Any]:
        """(True, result), or (False, the error) when it failed after its retries: for steps
        whose failure must not stop the others (one bad file)."""
        try:
            return True, self.call(step, *args)
        except Exception as exc:
            return False, exc

    def batch_map(self, runner: str, settings: Settings) -> BatchMap:
        """Where embedding batches run."""
        return sequential_map

    def publish(self, summary: dict[str, Any], report: dict[str, Any]) -> None:
        """Show the finished run's summary where its users look (nothing by default)."""


class LocalSteps(Steps):
    """Every step in this process: its function, retried as its Prefect task would be, logging
    to LOG; embedding batch after batch; nothing published (the CLI prints the summary). The
    run id is `local-<uuid hex>`, so the run ledger can tell its runs apart as a flow's."""

    def __init__(
        self,
        logger: logging.Logger | logging.LoggerAdapter = LOG,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.run_id = f"local-{uuid.uuid4().hex}"
        self.logger = logger
        self._sleep = sleep

    def call(self, step: Step, *args: Any) -> Any:
        retries = step.retry.retries if step.retry else 0
        for attempt in range(retries + 1):
            try:
                return step.fn(*args)
            except Exception as exc:
                if step.retry is None or attempt == retries:
                    raise
                delay = step.retry.delay(attempt)
                self.logger.warning(
                    "%s failed (%s: %s); retry %d of %d in %g s",
                    step.name,
                    type(exc).__name__,
                    exc,
                    attempt + 1,
                    retries,
                    delay,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises


# ---------------------------------------------------------------- the body


def unreachable(address: str, timeout: float = 10.0) -> str | None:
    """Why the Dask scheduler at `address` ("tcp://host:port") does not answer, or None."""
    parsed = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 8786), timeout=timeout):
            return None
    except (OSError, ValueError) as exc:
        return str(exc) or type(exc).__name__


def embed_stage(
    steps: Steps, settings: Settings, engine: Engine, runner: str, hooks: Progress
) -> EmbedStats:
    """insights.jobs.embedding.embed_missing with the steps' map (in the flow: batches as
    tasks, on Dask when asked). A Dask address that does not answer is not worth a failed run:
    the batches are embedded in this process instead, with a warning naming
    INSIGHTS_DASK_ADDRESS."""
    logger = steps.logger
    if runner == "dask" and settings.dask.address:
        why = unreachable(settings.dask.address)
        if why:
            logger.warning(
                "INSIGHTS_DASK_ADDRESS=%s does not answer (%s): embedding in this process",
                settings.dask.address,
                why,
            )
            runner = "sequential"
    shown = hooks.build

    def logged(step: str, done: float) -> None:
        logger.info("fast model: %s (%.0f %%)", step, 100 * done)

    log = in_tenths(logged)  # preparing the fast model, once per machine: ~10 log lines

    def build(step: str, done: float) -> None:
        log(step, done)
        shown(step, done)

    hooks = replace(hooks, build=build)
    stats = embed_missing(engine, settings, hooks, steps.batch_map(runner, settings), runner)
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


def run_refresh(
    steps: Steps,
    paths: list[str] | None = None,
    inbox: str | None = None,
    full: bool = False,
    runner: str = "sequential",
    db_url: str | None = None,
    adapt: bool = False,
    wait: bool = True,
) -> dict[str, Any]:
    """The refresh under the store's job lock, its steps run by `steps`; the parameters are
    the refresh flow's (flows.refresh.refresh_flow). With `wait=False` and a job holding the
    lock, returns SKIPPED with that job in its message, having done nothing."""
    if runner not in RUNNERS:
        raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, not {runner!r}")
    logger = steps.logger
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
            return _refresh_run(steps, paths, inbox, full, runner, settings, engine, adapt, db_url)
    except JobBusy as busy:
        logger.info(str(busy))
        return {**SKIPPED, "message": str(busy), "flow_run_id": steps.run_id}


def refresh_local(
    paths: list[str] | None = None,
    inbox: str | None = None,
    full: bool = False,
    db_url: str | None = None,
    adapt: bool = False,
    wait: bool = True,
) -> dict[str, Any]:
    """The refresh flow's work and summary without Prefect: every step in this process (see
    LocalSteps), embedding sequentially; what `insights refresh` runs when no Prefect API is
    configured."""
    return run_refresh(LocalSteps(), paths, inbox, full, "sequential", db_url, adapt, wait)


def _refresh_run(
    steps: Steps,
    paths: list[str] | None,
    inbox: str | None,
    full: bool,
    runner: str,
    settings: Settings,
    engine: Engine,
    adapt: bool = False,
    db_url: str | None = None,
) -> dict[str, Any]:
    """The refresh's body, under the job lock."""
    logger = steps.logger
    hooks = _current_hooks()
    db = settings.store.db_url

    ingested, failures = [], []
    for path in paths or []:
        ok, value = steps.attempt(INGEST_PATH, path, db)
        if ok:
            ingested.append(value)
        else:
            logger.error("cannot ingest %s: %s", path, value)
            failures.append(str(value))

    folder = settings.inbox
    if inbox and not folder.is_dir():
        raise FileError(f"{folder}: inbox folder does not exist")
    outcomes = []
    for path in pending_files(folder):
        hooks.stage(f"inbox: {path.name}")
        ok, value = steps.attempt(INGEST_INBOX_FILE, str(path), db)
        if ok:
            outcomes.append(value)
        else:  # store trouble: the file stays in the inbox for the next run
            logger.error("inbox: %s left in place: %s", path.name, value)

    if adapt or needs_adaptation(settings):
        hooks.stage("adapting the fast model to this store")
        steps.call(ADAPT, db)
        settings, engine = _engine(db_url, inbox)
    embedded = embed_stage(steps, settings, engine, runner, hooks)
    result = steps.call(DISCOVER_AND_TRACK, db, full, steps.run_id, embedded)
    if result["run_id"] is None:  # nothing to rediscover: the embedding still happened
        result["n_embedded"] = embedded.n_embedded
    logger.info(result["message"])

    report = steps.call(UPDATE_READ_MODEL, db)
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
        "flow_run_id": steps.run_id,
        "embed_seconds": round(embedded.seconds, 3),
        "ingested": ingested,
        "inbox": outcomes,
        "week": report["week"],
        "top_themes": report["themes"][:10],
        "skipped": False,
    }
    steps.publish(summary, report)
    if failures:
        raise FileError("; ".join(failures))
    return summary
