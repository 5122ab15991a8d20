"""`insights app` never leaves its Streamlit server behind: stopped with SIGTERM or SIGINT (the
signal is forwarded), or killed outright (the server asked the kernel for SIGTERM when its
parent dies)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from insights.store.db import connect
from tests.conftest import wait_until_healthy

pytestmark = pytest.mark.slow


SERVE = Path(__file__).resolve().parents[1] / "app" / "serve.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(url: str, tmp_path: Path) -> tuple[subprocess.Popen, psutil.Process]:
    """`insights app` on a free port; returns it and its Streamlit child once that answers."""
    connect(url).dispose()
    port = _free_port()
    insights = Path(sys.executable).parent / "insights"
    proc = subprocess.Popen(
        [str(insights), "app", "--port", str(port), "--db", url],
        stdout=(tmp_path / "app.log").open("w"),
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        wait_until_healthy(
            f"http://127.0.0.1:{port}/_stcore/health", proc, (tmp_path / "app.log").read_text
        )
    except BaseException:
        proc.kill()
        raise
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "no Streamlit child"
    return proc, children[0]


def _gone(child: psutil.Process, timeout: float = 30) -> bool:
    try:
        child.wait(timeout=timeout)
    except psutil.TimeoutExpired:
        child.kill()
        return False
    return True


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_stopping_the_app_stops_streamlit(tmp_path, how):
    proc, child = _start(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    assert child.is_running() and child.cmdline()[1:3] == [str(SERVE), "run"]
    proc.send_signal(getattr(signal, how))
    code = proc.wait(timeout=60)
    assert _gone(child), f"Streamlit outlived `insights app` stopped by {how}"
    if how != "SIGKILL":
        assert code == 0, (tmp_path / "app.log").read_text()[-2000:]
