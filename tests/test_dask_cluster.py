"""The refresh flow on a Dask cluster of its own (issue 17, item 2): a `dask scheduler` and two
`dask worker` processes started separately, the flow loaded from its file as a deployment
loads it, the embedding fanned out to the workers.

The flow is loaded from prefect.yaml's entrypoint by path, as `prefect deploy` and a Prefect
worker do. A flow defined in the file loaded that way cannot be unpickled by another process
(`No module named 'refresh'` on the scheduler), which is why the entrypoint is
`flows/entrypoints.py`, a file that imports the flows from their package modules.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import prefect.main  # noqa: F401 (configures Prefect's logging now: see the warning test)
import pytest
from sqlalchemy import func, select

from insights.embed.cache import load_vectors
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Assignment, Embedding, Run, Ticket
from tests.conftest import REPO, word_model, write_sample

pytestmark = pytest.mark.slow

DASK = str(Path(sys.executable).with_name("dask"))
N_TICKETS = 150
BATCH = 50  # 3 batches: work for both workers


class Cluster:
    """A scheduler and named workers, each a process of its own (no nanny: a killed worker
    stays dead, as a lost machine would)."""

    def __init__(self, folder: Path, api_url: str) -> None:
        self.folder = folder
        self.env = {**os.environ, "PREFECT_API_URL": api_url}
        self.procs: dict[str, subprocess.Popen] = {}
        self._log_start: dict[str, int] = {}
        info = folder / "scheduler.json"
        self._start(
            "scheduler",
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(info),
            ],
        )
        deadline = time.monotonic() + 120
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]

    def _start(self, name: str, argv: list[str]) -> None:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
        self.procs[name] = subprocess.Popen(
            argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def add_worker(self, name: str) -> None:
        self._start(
            name,
            [
                DASK,
                "worker",
                self.address,
                "--name",
                name,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--memory-limit",
                "0",
                "--local-directory",
                str(self.folder / name),
            ],
        )

    @property
    def workers(self) -> list[str]:
        """Names of the workers whose process runs."""
        return [n for n, p in self.procs.items() if n != "scheduler" and p.poll() is None]

    def ready(self, n: int) -> None:
        """At least `n` live workers (a killed one replaced by a new worker of a new name), all
        known to the scheduler; logs read from here on (`log`) show only what comes next."""
        from distributed import Client

        for _ in range(n - len(self.workers)):
            self.add_worker(f"w{len(self.procs)}")
        live = set(self.workers)
        with Client(self.address, timeout=60) as client:
            deadline = time.monotonic() + 120
            while True:  # the scheduler knows exactly the live workers (a killed one is gone)
                known = {w["name"] for w in client.scheduler_info()["workers"].values()}
                if known == live:
                    break
                assert time.monotonic() < deadline, (known, live)
                time.sleep(0.2)
        for name in self.procs:
            self._log_start[name] = (self.folder / f"{name}.log").stat().st_size

    def log(self, name: str) -> str:
        with open(self.folder / f"{name}.log", "rb") as fh:
            fh.seek(self._log_start.get(name, 0))
            return fh.read().decode(errors="replace")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)


@pytest.fixture(scope="module")
def _cluster(tmp_path_factory, prefect_api):
    """One scheduler for the module's tests (its processes end with the module): the workers
    load the model once, not once per test."""
    made = Cluster(tmp_path_factory.mktemp("cluster"), prefect_api)
    try:
        yield made
    finally:
        made.stop()


@pytest.fixture
def cluster(_cluster):
    """The module's cluster with two live workers (one a test killed is replaced)."""
    _cluster.ready(2)
    return _cluster


def _flow_from_file():
    """The daily-refresh deployment's flow, loaded from its entrypoint as a worker loads it."""
    import yaml
    from prefect.flows import load_flow_from_entrypoint

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    entrypoint = next(d for d in spec["deployments"] if d["name"] == "daily-refresh")["entrypoint"]
    return load_flow_from_entrypoint(str(REPO / entrypoint))


def _run(home: Path, path: Path, runner: str, monkeypatch) -> dict:
    monkeypatch.setenv("INSIGHTS_HOME", str(home))
    return _flow_from_file()(paths=[str(path)], runner=runner)


def _store(home: Path):
    settings = load_settings()
    assert str(home) in settings.store.db_url
    return settings, connect(settings.store.db_url)


def _themes_by_ticket(engine) -> dict[str, int]:
    with session_scope(engine) as session:
        run = session.scalars(select(Run.id).order_by(Run.id.desc())).first()
        rows = session.execute(
            select(Ticket.external_id, Assignment.theme_id)
            .join(Assignment, Assignment.ticket_id == Ticket.id)
            .where(Assignment.run_id == run)
        ).all()
    return dict(rows)


def _partition(themes: dict[str, int]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for ticket, theme in themes.items():
        groups.setdefault(theme, set()).add(ticket)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture
def fanned_out(monkeypatch):
    monkeypatch.setenv("INSIGHTS_EMBED_MAX_TOKENS", "32")
    monkeypatch.setattr("insights.jobs.embedding.FANOUT_BATCH", BATCH)
    monkeypatch.setenv("INSIGHTS_EMBED_BATCH_SIZE", str(BATCH))


def test_the_cluster_embeds_and_gives_the_themes_of_a_sequential_run(
    tmp_path, cluster, fanned_out, monkeypatch
):
    tickets = write_sample(tmp_path / "tickets.csv", 0, N_TICKETS)
    # the model travels with the flow's tasks: a static one, as the fan-out is under test
    monkeypatch.setenv("INSIGHTS_EMBEDDING_MODEL", str(word_model(tmp_path / "words", tickets)))
    monkeypatch.setenv("INSIGHTS_DASK_ADDRESS", cluster.address)
    summary = _run(tmp_path / "dask", tickets, "dask", monkeypatch)
    assert summary["n_embedded"] == N_TICKETS, summary
    settings, engine = _store(tmp_path / "dask")
    with session_scope(engine) as session:
        hashes = session.scalars(select(Ticket.content_hash).order_by(Ticket.id)).all()
        stats = session.scalars(select(Run.stats)).one()
    assert stats["embed_runner"] == "dask"
    on_cluster, themes = (
        load_vectors(engine, settings.embedding.key, hashes),
        _themes_by_ticket(engine),
    )
    # both workers took batches (each says so in its log: the task ran there in this test)
    workers = cluster.workers
    assert len(workers) == 2 and all("embed-batch" in cluster.log(w) for w in workers), [
        cluster.log(w)[-2000:] for w in workers
    ]

    monkeypatch.delenv("INSIGHTS_DASK_ADDRESS")
    _run(tmp_path / "sequential", tickets, "sequential", monkeypatch)
    settings, engine = _store(tmp_path / "sequential")
    np.testing.assert_allclose(
        on_cluster, load_vectors(engine, settings.embedding.key, hashes), atol=1e-5
    )
    assert len(themes) == N_TICKETS
    assert _partition(themes) == _partition(_themes_by_ticket(engine))


def test_a_worker_killed_mid_embedding_costs_a_retry_not_the_run(
    tmp_path, cluster, fanned_out, monkeypatch
):
    from distributed import Client

    tickets = write_sample(tmp_path / "tickets.csv", 0, N_TICKETS)
    monkeypatch.setenv("INSIGHTS_DASK_ADDRESS", cluster.address)
    killed: list[str] = []

    def kill_a_busy_worker() -> None:
        """As soon as a worker holds a batch, that worker's process dies."""
        with Client(cluster.address, timeout=60) as client:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    name = client.scheduler_info()["workers"][busy[0]]["name"]
                    cluster.procs[name].send_signal(signal.SIGKILL)
                    killed.append(name)
                    return
                time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        summary = _run(tmp_path / "store", tickets, "dask", monkeypatch)
    finally:
        killer.join(timeout=310)
    assert killed, "no batch ever reached a worker"
    assert cluster.procs[killed[0]].wait(timeout=30) == -signal.SIGKILL
    assert summary["n_embedded"] == N_TICKETS, summary
    _, engine = _store(tmp_path / "store")
    with session_scope(engine) as session:
        n_vectors = session.scalar(select(func.count()).select_from(Embedding))
        n_texts = session.scalar(select(func.count(func.distinct(Ticket.content_hash))))
        assert session.scalars(select(Run.status)).all() == ["ok"]
    assert n_vectors == n_texts  # every text embedded once: nothing lost, nothing twice
    assert len(_themes_by_ticket(engine)) == N_TICKETS


def test_a_dask_address_that_does_not_answer_embeds_in_process_with_a_warning(
    tmp_path, prefect_api, fanned_out, monkeypatch, caplog
):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("INSIGHTS_DASK_ADDRESS", f"tcp://127.0.0.1:{port}")
    # Prefect's logging must be configured before caplog attaches its handler: the first
    # import of prefect.main replaces the root logger's handlers (imported at the top).
    tickets = write_sample(tmp_path / "tickets.csv", 0, 30)
    monkeypatch.setenv("INSIGHTS_EMBEDDING_MODEL", str(word_model(tmp_path / "words", tickets)))
    with caplog.at_level("WARNING"):
        summary = _run(tmp_path / "store", tickets, "dask", monkeypatch)
    assert summary["n_embedded"] == 30
    warned = [r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()]
    assert warned and f"INSIGHTS_DASK_ADDRESS=tcp://127.0.0.1:{port}" in warned[0], warned
    _, engine = _store(tmp_path / "store")
    with session_scope(engine) as session:
        assert session.scalars(select(Run.stats)).one()["embed_runner"] == "sequential"
