"""Processes forked from one warm server, for tests that run a job in a process of its own.

A new Python process pays importing the model stack (sentence-transformers, torch: about 7 s
on 2 loaded cores) and loading UMAP's compiled numba code at its first discovery. The session
starts one fork server that has done both (tests/warm_discovery.py); each `Forked` is a real,
separate process forked from it, killable like any other, with the test's environment, working
folder and argv. Its interface is the part of `subprocess.Popen` the tests use.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import signal
import subprocess
import sys
from multiprocessing import forkserver, resource_tracker
from pathlib import Path

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["tests.warm_discovery"])


def start_server() -> None:
    """Start the fork server now (its warm-up then overlaps the tests before the first fork)."""
    forkserver.ensure_running()


def stop_server() -> None:
    """The fork server and multiprocessing's resource tracker end with the session (each is
    left alone when it never started)."""
    for helper in (forkserver._forkserver, resource_tracker._resource_tracker):
        helper._stop()


def _main(argv: list[str], env: dict[str, str], cwd: str, log: str, err: str | None) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for path, streams in ((log, (1,) if err else (1, 2)), (err, (2,))):
        if path:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            for stream in streams:
                os.dup2(fd, stream)
            os.close(fd)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if argv[0] == "-c":
        sys.argv = ["-c", *argv[2:]]
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
    elif argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        raise ValueError(f"argv must start with -c or -m: {argv[:2]}")


class Forked:
    """`python -c CODE ARGS...` or `python -m MODULE ARGS...` in a forked process; stdout goes
    to `log`, stderr too unless `err` names a file of its own."""

    def __init__(
        self,
        argv: list[str],
        log: Path,
        *,
        env: dict[str, str] | None = None,
        cwd: Path,
        err: Path | None = None,
    ) -> None:
        self.args = argv
        environ = dict(os.environ if env is None else env)
        self._process = _CONTEXT.Process(
            target=_main,
            args=(argv, environ, str(cwd), str(log), str(err) if err else None),
            daemon=False,
        )
        self._process.start()
        self.pid: int = self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        if self._process.exitcode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)
