"""The deployment path as a team runs it (issue 17, item 1): a real Prefect server (the
session's, tests/conftest.py `prefect_api`), the `insights` process work pool,
`prefect --no-prompt deploy --all` from prefect.yaml, a `prefect worker start --pool insights`,
then `prefect deployment run` of the daily refresh (for tickets dropped in the inbox) and of the
weekly digest (sent to a local SMTP server). Each flow run must end Completed with its work
visible in the store. This is what the README's "Production topology" section describes.
The flow run embeds with a small static model over the tickets' words: the path under test is
the deployment's, and the transformer's load and 150 encodings were a fifth of this test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from insights.store.db import connect, session_scope
from insights.store.models import Assignment, Digest, Run, Ticket
from tests.conftest import REPO, word_model, write_sample

pytestmark = pytest.mark.slow

PREFECT = str(Path(sys.executable).with_name("prefect"))
INSIGHTS = str(Path(sys.executable).with_name("insights"))
N_TICKETS = 150
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


class Processes:
    """Long-running commands, each in its own process group: stopping one stops what it
    started (the worker's flow-run processes)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        with open(self.folder / f"{name}.log", "w") as log:
            self.started[name] = subprocess.Popen(
                argv,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self.started[name]

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for name, proc in reversed(self.started.items()):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=30)
            with_children = subprocess.run(
                ["pkill", "-KILL", "-s", str(proc.pid)], capture_output=True, check=False
            )
            assert with_children.returncode in (0, 1), name


def _cli(env: dict[str, str], *argv: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [PREFECT, *argv], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (argv, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout + done.stderr


def _run_deployment(env: dict[str, str], name: str, procs: Processes, *params: str) -> None:
    """`prefect deployment run NAME`, then wait for that flow run to end; it must complete.
    The state is read from the server's REST API: this process's Prefect settings may point at
    another test's temporary server."""
    out = _cli(env, "deployment", "run", name, *params)
    flow_run_id = re.search(r"UUID:\s*([0-9a-f-]{36})", out).group(1)
    url = f"{env['PREFECT_API_URL']}/flow_runs/{flow_run_id}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=30) as response:
            state = json.loads(response.read())["state"] or {}
        if state.get("type") in FINAL:
            assert state["type"] == "COMPLETED", (state, procs.log("worker")[-4000:])
            return
        assert procs.started["worker"].poll() is None, procs.log("worker")[-4000:]
        time.sleep(2)
    raise AssertionError(f"{name} did not finish: " + procs.log("worker")[-4000:])


def test_deploy_from_prefect_yaml_and_run_both_deployments_on_a_worker(
    tmp_path, monkeypatch, prefect_api
):
    from aiosmtpd.controller import Controller

    home, inbox = tmp_path / "home", tmp_path / "home" / "inbox"
    inbox.mkdir(parents=True)
    tickets = write_sample(tmp_path / "tickets.csv", 0, N_TICKETS)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),  # the CLI's and worker's profiles
        "PREFECT_API_URL": prefect_api,
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "INSIGHTS_PROJECT_DIR": str(REPO),
        "INSIGHTS_HOME": str(home),
        "INSIGHTS_INBOX": str(inbox),
        "INSIGHTS_EMBEDDING_MODEL": str(word_model(tmp_path / "words", tickets)),
        "INSIGHTS_SMTP_HOST": "127.0.0.1",
        "INSIGHTS_SMTP_PORT": str(smtp.port),
        "INSIGHTS_DIGEST_TO": "cs-leads@example.com",
    }
    env.pop("INSIGHTS_DB_URL", None)  # the store lives in INSIGHTS_HOME, as the worker's
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    procs = Processes(tmp_path, env)
    try:
        # `insights deploy`: the pool when missing, then `prefect --no-prompt deploy --all`
        done = subprocess.run(
            [INSIGHTS, "deploy"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
        assert "created work pool 'insights'" in done.stdout
        for name in (
            "refresh/daily-refresh",
            "weekly-digest/weekly-digest",
            "daily-alerts/daily-alerts",
        ):
            assert name in done.stdout or name in _cli(env, "deployment", "ls"), name
        procs.start("worker", PREFECT, "worker", "start", "--pool", "insights")

        shutil.copy(tickets, inbox / "tickets.csv")
        _run_deployment(env, "refresh/daily-refresh", procs)
        engine = connect(f"sqlite:///{home / 'insights.db'}")
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(Ticket)) == N_TICKETS
            run = session.scalars(select(Run).order_by(Run.id.desc())).first()
            assert run.status == "ok" and run.flow_run_id
            assigned = session.scalar(
                select(func.count()).select_from(Assignment).where(Assignment.run_id == run.id)
            )
        assert assigned == N_TICKETS
        assert (inbox / "processed" / "tickets.csv").exists()

        _run_deployment(env, "weekly-digest/weekly-digest", procs)
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(Digest)) >= 1
        assert mailbox.messages and b"cs-leads@example.com" in mailbox.messages[0]
        engine.dispose()
    finally:
        procs.stop()
        smtp.stop()
