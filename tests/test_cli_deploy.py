"""`insights deploy` before it touches anything: a Prefect server that does not answer, or no
PREFECT_API_URL at all, is one line naming PREFECT_API_URL and exit 2 (the real deployment
path, against a server and a worker, is tests/test_deployment.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

INSIGHTS = str(Path(sys.executable).with_name("insights"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("api", ["unreachable", "unset"])
def test_deploy_without_a_server_is_one_line_exit_2(api, tmp_path, monkeypatch):
    if api == "unset":
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
    else:
        monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{_closed_port()}/api")
    done = subprocess.run(
        [INSIGHTS, "deploy"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "PREFECT_API_URL" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
