"""The `insights` commands that run the flows: `refresh` (the refresh flow, or its steps in
this process when no Prefect API is configured) and `serve` (the scheduled deployments).

They live here, not in insights/, because insights/ never imports Prefect: this module plugs
them into the one `insights` command line through the `insights.commands` entry point
(pyproject.toml), and imports Prefect only when a flow runs, so `insights themes` and a
refresh without a Prefect server stay fast."""

from __future__ import annotations

import atexit
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer

from insights.cli.common import (
    DbOption,
    RefreshBars,
    WaitOption,
    app,
    fail,
    guarded,
    open_store,
    out,
)
from insights.settings import Settings

RunnerOption = Annotated[
    str,
    typer.Option(
        "--runner",
        help="where the embedding batches run: sequential, or dask (a local cluster, or the "
        "one at INSIGHTS_DASK_ADDRESS)",
    ),
]


@contextmanager
def quiet_prefect_console(verbose: bool) -> Iterator[None]:
    """Keep Prefect's console log lines off stderr (they still reach the Prefect API / UI):
    the CLI prints its own summary, and errors must stay one line."""
    if verbose:
        yield
        return
    from prefect.logging.handlers import PrefectConsoleHandler

    handlers = [
        h
        for lg in [logging.getLogger(), *logging.root.manager.loggerDict.values()]
        if isinstance(lg, logging.Logger)
        for h in lg.handlers
        if isinstance(h, PrefectConsoleHandler)
    ]
    levels = [h.level for h in handlers]
    for h in handlers:
        h.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for h, level in zip(handlers, levels, strict=True):
            h.setLevel(level)
        # the temporary server logs "Stopping temporary server" at exit: registered after
        # its own atexit hook, this one runs first and keeps that line off stderr too
        atexit.register(_silence, handlers)


def _silence(handlers: list[logging.Handler]) -> None:
    for h in handlers:
        h.setLevel(logging.CRITICAL + 1)


@contextmanager
def local_log(verbose: bool) -> Iterator[None]:
    """A refresh without Prefect logs to standard loggers: with --verbose its lines (and other
    libraries' warnings) go to stderr, as Prefect's console showed them; without, none do (the
    CLI prints its own summary, and errors must stay one line)."""
    from flows.refresh_steps import LOG

    root = logging.getLogger()
    handler: logging.Handler = logging.NullHandler()  # also keeps logging's last resort quiet
    if verbose:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s | %(levelname)-7s | %(message)s"))
    level = LOG.level
    if verbose:
        LOG.setLevel(logging.INFO)
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        LOG.setLevel(level)


def _print_inbox(outcomes: list[dict]) -> None:
    for o in outcomes:
        if o["status"] == "ingested":
            c = o["counts"]
            out.print(
                f"inbox: {o['name']}: {c['read']:,} rows read, {c['new']:,} new, "
                f"{c['quarantined']:,} quarantined -> processed/"
            )
        elif o["status"] == "duplicate":
            out.print(f"inbox: {o['name']}: already ingested -> processed/")
        else:
            out.print(f"inbox: {o['name']}: not ingested -> failed/ ({o['reason']})")


@app.command()
def refresh(
    full: Annotated[
        bool, typer.Option("--full", help="rediscover themes even if few tickets are new")
    ] = False,
    runner: RunnerOption = "sequential",
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox",
            help="drop folder to ingest first (default: INSIGHTS_INBOX or $INSIGHTS_HOME/inbox "
            "when it exists)",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="show the run's log lines on stderr")
    ] = False,
    adapt: Annotated[
        bool,
        typer.Option(
            "--adapt",
            help="fit the fast tier to this store's tickets first "
            "(needs INSIGHTS_EMBEDDING_MODEL=fast-adapted)",
        ),
    ] = False,
    wait: WaitOption = True,
    db: DbOption = None,
) -> None:
    """Ingest the drop folder, embed new tickets (cached), then discover themes (full) or
    assign new tickets to the existing themes (incremental), keeping theme ids stable.
    Runs as a Prefect flow when PREFECT_API_URL is set (or with --runner dask); without it the
    same steps run in this process, no temporary server. One at a time: a refresh, backup or
    restore already running is waited for (or, --no-wait, not)."""
    if runner not in ("sequential", "dask"):
        raise fail(f"--runner must be sequential or dask, not {runner!r}")
    if inbox is not None and not inbox.is_dir():
        raise fail(f"{inbox}: inbox folder does not exist")
    settings, engine = open_store(db)  # a bad store is one line before Prefect even starts
    if adapt and settings.embedding.model != "fast-adapted":
        raise fail(
            "--adapt fits the fast tier to this store: set INSIGHTS_EMBEDDING_MODEL=fast-adapted "
            f"(it is {settings.embedding.model!r})"
        )
    # the lock before the run starts: --no-wait answers at once, and a waiting refresh says
    # so; the run takes it again (the same process may)
    with guarded(engine, "refresh", settings, wait):
        _run_refresh(settings, full, runner, inbox, verbose, db, adapt)


def _run_refresh(
    settings: Settings,
    full: bool,
    runner: str,
    inbox: Path | None,
    verbose: bool,
    db: str | None,
    adapt: bool = False,
) -> None:
    from flows.deployments import ServeError, check_server, prefect_api_configured
    from flows.refresh_steps import progress_hooks
    from insights.embed import EmbedderError
    from insights.embed.models import AdaptationNeeded
    from insights.ingest.read import FileError
    from insights.store.db import StoreError

    params = {
        "inbox": str(inbox) if inbox else None,
        "full": full,
        "db_url": settings.store.db_url if db else None,
        "adapt": adapt,
    }
    bars = RefreshBars()
    try:
        if runner == "sequential" and not prefect_api_configured():
            # no Prefect API to report to: the same steps in this process, no temporary server
            from flows.refresh_steps import refresh_local

            with local_log(verbose), bars, progress_hooks(bars.hooks):
                summary = refresh_local(**params)
        else:
            try:
                check_server(required=False)
            except ServeError as exc:
                raise fail(str(exc)) from None
            from flows.refresh import refresh_flow

            with quiet_prefect_console(verbose), bars, progress_hooks(bars.hooks):
                summary = refresh_flow(runner=runner, **params)
    except (AdaptationNeeded, EmbedderError, FileError, StoreError) as exc:
        raise fail(str(exc)) from None
    _print_inbox(summary["inbox"])
    out.print(summary["message"])
    if summary["run_id"] is not None:
        took = summary["timings"].get("total", 0) + summary["embed_seconds"]
        out.print(
            f"run {summary['run_id']}: embedded {summary['n_embedded']:,} new texts; "
            f"events {summary['events'] or '{}'}; took {took:.1f}s"
        )


@app.command()
def serve(
    runner: RunnerOption = "sequential",
    inbox: Annotated[
        Path | None, typer.Option("--inbox", help="drop folder the daily refresh ingests")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="at most this many flow runs at the same time")
    ] = None,
    db: DbOption = None,
) -> None:
    """Serve the scheduled deployments against the Prefect server at PREFECT_API_URL:
    refresh daily (INSIGHTS_REFRESH_CRON), alerts daily after it (INSIGHTS_ALERTS_CRON), digest
    on Monday morning (INSIGHTS_DIGEST_CRON), in INSIGHTS_SCHEDULE_TZ. Runs until Ctrl+C."""
    if runner not in ("sequential", "dask"):
        raise fail(f"--runner must be sequential or dask, not {runner!r}")
    settings, _ = open_store(db)
    from flows.deployments import ServeError, build_deployments, check_schedule, check_server

    try:
        config = check_schedule(settings.schedule)
        url = check_server(required=True)
    except ServeError as exc:
        raise fail(str(exc)) from None
    from prefect import serve as prefect_serve

    print(
        f"serving against {url}: refresh `{config.refresh_cron}`, alerts "
        f"`{config.alerts_cron}`, digest `{config.digest_cron}` ({config.tz}); Ctrl+C stops",
        flush=True,
    )
    deployments = build_deployments(
        config,
        db_url=settings.store.db_url if db else None,
        inbox=str(inbox.resolve()) if inbox else None,
        runner=runner,
    )
    with suppress(KeyboardInterrupt):
        prefect_serve(*deployments, limit=limit, print_starting_message=False)


#: The work pool prefect.yaml's deployments run on (its `definitions.work_pool`).
WORK_POOL = "insights"


@app.command()
def deploy() -> None:
    """Register prefect.yaml's deployments (daily-refresh, daily-alerts, weekly-digest) with the
    Prefect server at PREFECT_API_URL, creating the `insights` process work pool when it is
    missing: `prefect work-pool create` + `prefect --no-prompt deploy --all`, run from the
    project folder, after checking that the server answers (one line, exit 2, if not). Then
    start workers with `prefect worker start --pool insights`."""
    import subprocess
    import sys

    from flows.deployments import ServeError, check_server
    from insights.settings import set_process_env

    try:
        url = check_server(required=True)
    except ServeError as exc:
        raise fail(str(exc)) from None
    project = Path(__file__).resolve().parent.parent
    prefect = str(Path(sys.executable).with_name("prefect"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [prefect, *args], cwd=project, capture_output=True, text=True, check=False
        )

    with set_process_env(INSIGHTS_PROJECT_DIR=str(project)):
        if run("work-pool", "inspect", WORK_POOL).returncode != 0:
            made = run("work-pool", "create", WORK_POOL, "--type", "process")
            if made.returncode != 0:
                raise fail(f"cannot create work pool {WORK_POOL!r}: {_last_line(made)}", 1)
            out.print(f"created work pool {WORK_POOL!r} (process)")
        done = run("--no-prompt", "deploy", "--all")
    if done.returncode != 0:
        raise fail(f"prefect deploy failed: {_last_line(done)}", 1)
    names = sorted(set(re.findall(r"'([\w-]+/[\w-]+)'", done.stdout)))
    out.print(f"deployed to {url}: {', '.join(names) or 'see `prefect deployment ls`'}")
    out.print(f"start workers with: prefect worker start --pool {WORK_POOL}")


def _last_line(done) -> str:
    text = (done.stderr or "") + (done.stdout or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {done.returncode}"
