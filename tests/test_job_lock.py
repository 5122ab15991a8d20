"""The store-wide job lock (issue 17, item 3): refresh, backup and restore never run at once.

Real processes on both backends: a holder process (tests/lock_holder.py) holds the lock while
the commands run against the same store; none of these tests loads the model or runs UMAP,
except the last, which runs three real `insights refresh` processes on a seeded store (forked
from the session's warm server: tests/forked.py).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from insights.cli.main import app
from insights.jobs.backup import backup
from insights.jobs.lock import JobBusy, LockPolicy, current_holder, job_lock
from insights.settings import load_settings
from insights.store.db import connect, make_engine, session_scope
from insights.store.models import Assignment, Batch, Run, Ticket
from tests.conftest import REPO, first_refresh, seed_vectors, write_sample
from tests.forked import Forked

WAIT = 60  # seconds any one step may take on a loaded machine before the test fails


class HolderProcess:
    """Another process holding the store's lock for `job` until released or killed."""

    def __init__(self, job: str = "refresh") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.lock_holder", job],
            cwd=REPO,
            env=dict(os.environ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        assert line.startswith("held "), line + self.proc.stderr.read()
        self.pid = self.proc.pid

    def release(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=WAIT) == 0, self.proc.stderr.read()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=WAIT)  # reaped: its pid is gone, not a zombie

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream and not stream.closed:
                stream.close()


@pytest.fixture
def holder():
    started: list[HolderProcess] = []

    def start(job: str = "refresh") -> HolderProcess:
        started.append(HolderProcess(job))
        return started[-1]

    yield start
    for h in started:
        h.stop()


def _cli(*args: str, check_code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == check_code, (result.output, result.exception)
    return result.output


def _insights(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "insights.cli", *args],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_no_wait_says_who_runs_and_exits_0_for_refresh_backup_and_restore(db_url, holder, tmp_path):
    saved = tmp_path / "before.bak"
    backup(db_url, saved)  # the lock is free: a backup to restore later
    running = holder("refresh")
    expected = f"refresh already running (pid {running.pid}, host {socket.gethostname()}, since"

    assert expected in _cli("refresh", "--no-wait")
    assert expected in _cli("backup", "--out", str(tmp_path / "during.bak"), "--no-wait")
    assert not (tmp_path / "during.bak").exists()
    assert expected in _cli("restore", str(saved), "--force", "--no-wait")

    holder_record = current_holder(make_engine(db_url))
    assert holder_record is not None and holder_record.pid == running.pid
    running.release()
    assert current_holder(make_engine(db_url)) is None
    assert "backed up" in _cli("backup", "--out", str(tmp_path / "after.bak"), "--no-wait")


def test_backup_waits_for_the_running_job_saying_so_once(db_url, holder, tmp_path):
    running = holder("restore")
    out = tmp_path / "waited.bak"
    waiting = _insights("backup", "--out", str(out))
    try:
        line = waiting.stderr.readline()
        assert line.startswith(
            f"waiting for the restore already running: pid {running.pid}, host "
            f"{socket.gethostname()}, since "
        ), line
        time.sleep(2.5)  # it keeps waiting (and polling) without saying it again
        assert waiting.poll() is None and not out.exists()
        running.release()
        stdout, stderr = waiting.communicate(timeout=WAIT)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert waiting.returncode == 0, stderr
    assert "waiting for" not in stderr  # said once: the line read above
    assert "backed up" in stdout and out.exists()


def test_a_refresh_with_nothing_to_do_still_waits_for_the_lock(db_url, holder):
    from insights.jobs.refresh import refresh

    running = holder("backup")
    settings = load_settings(db_url)
    engine = connect(db_url)
    results = []
    thread = threading.Thread(target=lambda: results.append(refresh(engine, settings)))
    thread.start()
    time.sleep(2)
    assert thread.is_alive() and not results  # waiting, not reading an unfinished store
    running.release()
    thread.join(timeout=WAIT)
    assert results and results[0].run_id is None and "no tickets yet" in results[0].message


def test_a_killed_jobs_lock_is_recovered_and_logged(db_url, holder, caplog):
    settings = load_settings(db_url)
    engine = make_engine(db_url)
    killed = holder("refresh")
    busy = job_lock(engine, "backup", LockPolicy.of(settings, wait=False))
    with pytest.raises(JobBusy, match=f"pid {killed.pid}"), busy:
        pass
    killed.kill()

    recovered: list[str] = []
    policy = LockPolicy.of(
        settings, wait=False, on_recover=lambda holder, why: recovered.append(why)
    )
    caplog.set_level(logging.WARNING, logger="insights.jobs.lock")
    lock = job_lock(engine, "refresh", policy)
    deadline = time.monotonic() + 15
    while True:
        try:
            me = lock.__enter__()
            break
        except JobBusy:
            assert time.monotonic() < deadline, "the killed process's lock was never freed"
            lock = job_lock(engine, "refresh", policy)
            time.sleep(0.2)
    try:
        assert me.pid == os.getpid()
        assert current_holder(engine).pid == os.getpid()
    finally:
        lock.__exit__(None, None, None)
    assert len(recovered) == 1
    logged = [r.getMessage() for r in caplog.records if "stale job lock" in r.getMessage()]
    assert len(logged) == 1 and f"refresh (pid {killed.pid}" in logged[0], logged
    assert current_holder(engine) is None


def test_sqlite_lock_of_a_silent_holder_on_another_host_is_taken_over(tmp_path, caplog):
    """Another host's process cannot be looked up: its heartbeat decides."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'store' / 'insights.db'}"
    engine = connect(url)
    settings = load_settings(url)
    policy = LockPolicy.of(settings, wait=False)
    with job_lock(engine, "refresh", policy):
        pass  # creates the lock file
    lock_file = tmp_path / "store" / "insights.db.lock"

    def elsewhere(silent_seconds: float) -> None:
        from insights.jobs.lock import _now

        beat = _now() - timedelta(seconds=silent_seconds)
        conn = sqlite3.connect(lock_file, isolation_level=None)
        conn.execute("DELETE FROM job_lock")
        conn.execute(
            "INSERT INTO job_lock VALUES ('store', 'refresh', 'other-host', 4242, 'x', ?, ?)",
            ((beat - timedelta(hours=1)).isoformat(), beat.isoformat()),
        )
        conn.close()

    elsewhere(silent_seconds=5)  # alive: heartbeat recent
    with (
        pytest.raises(JobBusy, match="pid 4242, host other-host"),
        job_lock(engine, "backup", policy),
    ):
        pass
    elsewhere(silent_seconds=settings.store.lock_stale_after + 60)
    caplog.set_level(logging.WARNING, logger="insights.jobs.lock")
    with job_lock(engine, "backup", policy) as me:
        assert current_holder(engine).token == me.token
    assert any("no heartbeat for" in r.getMessage() for r in caplog.records)


def test_the_holder_keeps_its_lock_alive_and_nests_in_its_own_process(db_url, monkeypatch):
    monkeypatch.setenv("INSIGHTS_LOCK_HEARTBEAT", "0.2")
    monkeypatch.setenv("INSIGHTS_LOCK_STALE_AFTER", "1")
    settings = load_settings(db_url)
    engine = make_engine(db_url)
    policy = LockPolicy.of(settings, wait=False)
    with job_lock(engine, "refresh", policy) as me:
        first = current_holder(engine).heartbeat_at
        time.sleep(1.5)  # longer than stale-after: only the heartbeat keeps it
        assert current_holder(engine).heartbeat_at > first
        with job_lock(engine, "refresh", policy) as again:  # the flow inside the CLI
            assert again.token == me.token
        assert current_holder(engine).token == me.token  # the inner block did not release


# --------------------------------------------------------------------------- two refreshes


def test_the_refresh_flow_told_not_to_wait_ends_at_once_saying_what_runs(
    db_url, holder, prefect_api
):
    """A deployment's run (wait=False) completes without doing anything, its message naming
    the job that holds the store: a schedule that fires during a restore is not a failure."""
    from flows.refresh import refresh_flow

    running = holder("restore")
    summary = refresh_flow(wait=False)
    assert summary["skipped"] and summary["run_id"] is None and summary["inbox"] == []
    assert summary["message"].startswith(f"restore already running (pid {running.pid}, host")


@pytest.mark.slow
def test_two_refreshes_started_together_run_one_after_the_other(
    db_url, seeded, tmp_path, monkeypatch, prefect_api
):
    monkeypatch.setenv("INSIGHTS_EMBED_MAX_TOKENS", "32")  # the seeded store's vectors
    monkeypatch.setenv("INSIGHTS_FULL_REFRESH_SHARE", "0.5")  # 60 new of 210: incremental
    monkeypatch.setenv("PREFECT_API_URL", prefect_api)
    first = seeded("first-150", first_refresh)
    assert first.run_id is not None
    inbox = tmp_path / "inbox"
    seed_vectors(db_url, "sample-150-210-32tok", write_sample(inbox / "new.csv", 150, 60))
    engine = connect(db_url)
    with session_scope(engine) as session:
        runs_before = session.scalar(select(func.count()).select_from(Run))

    def cli(name: str, *args: str) -> Forked:
        """`insights ARGS` in a process of its own, forked from the warm server (tests/forked.py)."""
        argv = ["-m", "insights.cli", "refresh", "--inbox", str(inbox), *args]
        return Forked(argv, tmp_path / f"{name}.out", err=tmp_path / f"{name}.err", cwd=REPO)

    a = cli("a")
    time.sleep(0.5)
    b = cli("b")
    time.sleep(0.5)
    c = cli("c", "--no-wait")
    try:
        for proc in (a, b, c):
            proc.wait(timeout=600)
    finally:
        for proc in (a, b, c):
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=WAIT)
    outputs = {
        n: ((tmp_path / f"{n}.out").read_text(), (tmp_path / f"{n}.err").read_text()) for n in "abc"
    }
    codes = {name: proc.returncode for name, proc in (("a", a), ("b", b), ("c", c))}
    assert codes == {"a": 0, "b": 0, "c": 0}, outputs
    pids = {"a": a.pid, "b": b.pid}
    waited = [n for n in "ab" if "waiting for the refresh already running" in outputs[n][1]]
    assert len(waited) == 1, outputs  # one ran, the other waited and said so
    ran = "b" if waited == ["a"] else "a"
    assert f"refresh already running: pid {pids[ran]}, host" in outputs[waited[0]][1]
    assert outputs[waited[0]][1].count("waiting for") == 1
    no_wait = outputs["c"][0]
    assert "refresh already running (pid" in no_wait and "joined existing themes" not in no_wait
    assert "new tickets joined existing themes" in outputs[ran][0], outputs[ran]
    assert "nothing to do" in outputs[waited[0]][0]

    with session_scope(engine) as session:
        runs = session.scalars(select(Run).order_by(Run.id)).all()[runs_before:]
        assert [(r.mode, r.status) for r in runs] == [("incremental", "ok")]  # one run
        n_tickets = session.scalar(select(func.count()).select_from(Ticket))
        assigned = session.execute(
            select(Assignment.ticket_id, func.count())
            .where(Assignment.run_id == runs[0].id)
            .group_by(Assignment.ticket_id)
        ).all()
        batches = session.scalar(select(func.count()).select_from(Batch))
    assert n_tickets == 210 and len(assigned) == 210  # every ticket in the run, once
    assert {n for _, n in assigned} == {1}
    assert batches == 2  # the dropped file ingested once
    assert (inbox / "processed" / "new.csv").exists()
    assert current_holder(engine) is None  # released by both
