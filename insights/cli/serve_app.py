"""`insights app`: the Streamlit server as a child process that never outlives this one.

The child runs in its own process group; SIGTERM, SIGINT and SIGHUP that reach this process are
forwarded to that group (Ctrl+C in a terminal reaches the server once, through us), and on Linux
the child asks the kernel for SIGTERM when this process dies without a chance to forward
anything (SIGKILL, a crash): ``prctl(PR_SET_PDEATHSIG)``.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from insights.cli.common import DbOption, app, fail, open_store
from insights.settings import child_env

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1
#: How long the server may take to stop after a forwarded signal before it is killed.
STOP_SECONDS = 10.0


def _die_with(parent: int) -> Callable[[], None]:
    """preexec_fn of the child (runs between fork and exec): SIGTERM when `parent` dies."""

    def arm() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return arm


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def run_child(command: list[str], env: dict[str, str]) -> int:
    """Run `command` until it ends or a signal stops us (forwarded to it); returns the exit
    code to give: the child's, or 0 when it stopped on a forwarded signal."""
    proc = subprocess.Popen(
        command, env=env, start_new_session=True, preexec_fn=_die_with(os.getpid())
    )
    forwarded: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        forwarded.append(signum)
        _signal_group(proc.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        code = proc.wait()
    finally:
        if proc.poll() is None:  # we are leaving for another reason: take the server along
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
        _signal_group(proc.pid, signal.SIGTERM)  # anything the server itself started
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if forwarded and (code == 0 or -code in forwarded):
        return 0
    return code


@app.command("app")
def app_cmd(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8501,
    host: Annotated[
        str, typer.Option(help="address to bind (0.0.0.0 exposes it to the network)")
    ] = "127.0.0.1",
    db: DbOption = None,
) -> None:
    """Start the Streamlit app (ranked themes, theme pages, tagging) and print its URL."""
    if importlib.util.find_spec("streamlit") is None:
        raise fail("streamlit is not installed in this environment")
    settings, _ = open_store(db)  # migrates the store, and fails here with one line if it can't
    script = Path(__file__).resolve().parents[2] / "app" / "Home.py"
    if not script.is_file():
        raise fail(f"the app is not installed next to the package: {script} is missing")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    print(f"ticket-insights app: http://{shown}:{port}  (Ctrl+C stops it)", flush=True)
    raise typer.Exit(run_child(command, child_env(settings)))
