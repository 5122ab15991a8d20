"""A refresh without a Prefect API (issue 13, item 6): the refresh flow's steps in this process
(flows.refresh_steps.refresh_local), what `insights refresh` runs when PREFECT_API_URL is not
set. Retries, the job lock, the run ledger, and no Prefect import in the CLI process.

No model is loaded: the stores get vectors for their tickets before the run (three topics,
`seed_topic_vectors`), so every test here is about what comes after embedding. The comparison
with the Prefect flow on the same store is in tests/test_flows.py (it needs the Prefect harness).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from flows.refresh_steps import INGEST_PATH, SKIPPED, LocalSteps, refresh_local, run_refresh
from insights.cli.main import app
from insights.embed.cache import store_vectors
from insights.embed.models import with_resolved_model
from insights.ingest.load import ingest_file
from insights.jobs.embedding import embedded_texts
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Run, Ticket
from tests.conftest import REPO
from tests.test_job_lock import HolderProcess

TOPICS = {
    "refund": ["refund", "money back", "reimbursement"],
    "parcel": ["parcel", "package", "delivery"],
    "password": ["password", "login", "sign in"],
}
WORDS = ["still", "never", "again", "today", "please", "help", "why", "urgent", "waiting", "now"]


def write_topic_tickets(path: Path, n: int = 60) -> Path:
    """`n` short tickets about three topics, every text different."""
    topics = list(TOPICS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ticket_id", "created_at", "text"])
        for i in range(n):
            topic = topics[i % 3]
            phrase = TOPICS[topic][i // 3 % 3]
            extra = f"{WORDS[i // 9 % 10]} {WORDS[(i * 7) % 10]}"
            writer.writerow([f"L-{i:03d}", f"2026-06-{i % 28 + 1:02d}", f"my {phrase} {extra}"])
    return path


def seed_topic_vectors(db_url: str, dims: int = 32) -> int:
    """A vector for each stored ticket's text under the configured model's key: its topic's
    centre plus noise, so discovery finds the three topics and nothing needs embedding."""
    settings = with_resolved_model(load_settings(db_url))
    engine = connect(db_url)
    texts = embedded_texts(engine)
    rng = np.random.default_rng(7)
    centres = {topic: rng.normal(size=dims) for topic in TOPICS}
    hashes, vectors = [], []
    for h, text in texts.items():
        topic = next(t for t, phrases in TOPICS.items() if any(p in text for p in phrases))
        hashes.append(h)
        vectors.append(centres[topic] + rng.normal(scale=0.15, size=dims))
    store_vectors(engine, settings.embedding.key, hashes, np.asarray(vectors, np.float32))
    engine.dispose()
    return len(hashes)


def topic_store(db_url: str, folder: Path, n: int = 60) -> Path:
    """The store at `db_url` with `n` topic tickets ingested and their vectors cached; returns
    the ticket file."""
    path = write_topic_tickets(folder / "topics.csv", n)
    engine = connect(db_url)
    ingest_file(engine, path, load_settings(db_url))
    engine.dispose()
    assert seed_topic_vectors(db_url) == n
    return path


def test_local_refresh_runs_the_steps_and_records_a_local_run(db_url, tmp_path):
    topic_store(db_url, tmp_path)
    summary = refresh_local(full=True)
    assert set(summary) == set(SKIPPED) | {"message", "flow_run_id"}
    assert summary["mode"] == "full" and summary["n_tickets"] == 60 and not summary["skipped"]
    assert summary["n_embedded"] == 0 and summary["n_themes"] >= 2
    assert summary["week"] and summary["top_themes"]
    run_id = summary["flow_run_id"]
    assert run_id.startswith("local-") and len(run_id) == len("local-") + 32
    engine = connect(db_url)
    with session_scope(engine) as session:
        run = session.get(Run, summary["run_id"])
        assert (run.status, run.flow_run_id) == ("ok", run_id)
    assert refresh_local()["run_id"] is None  # nothing new: nothing to do, as the flow says


def test_a_named_file_that_appears_during_the_retry_wait_is_ingested(db_url, tmp_path):
    source = topic_store(db_url, tmp_path)
    late = tmp_path / "late.csv"
    waits: list[float] = []

    def copy_lands_while_waiting(seconds: float) -> None:
        waits.append(seconds)
        late.write_bytes(source.read_bytes())  # the same tickets again: nothing to embed

    steps = LocalSteps(sleep=copy_lands_while_waiting)
    summary = run_refresh(steps, paths=[str(late)], full=True)
    assert waits == [INGEST_PATH.retry.delays[0]]  # failed once, waited the task's first delay
    assert [(i["path"], i["read"], i["duplicates"]) for i in summary["ingested"]] == [
        (str(late), 60, 60)
    ]
    assert summary["mode"] == "full" and summary["flow_run_id"] == steps.run_id


def test_a_file_missing_after_every_retry_fails_the_run_after_the_refresh(db_url, tmp_path):
    from insights.ingest.read import FileError

    topic_store(db_url, tmp_path)
    waits: list[float] = []
    with pytest.raises(FileError, match=r"missing\.csv"):
        run_refresh(LocalSteps(sleep=waits.append), paths=[str(tmp_path / "missing.csv")])
    assert waits == list(INGEST_PATH.retry.delays)
    engine = connect(db_url)
    with session_scope(engine) as session:  # the others went through: the run was made
        assert session.scalars(select(Run.status)).all() == ["ok"]


def test_the_local_refresh_holds_the_job_lock(db_url, tmp_path):
    topic_store(db_url, tmp_path)
    running = HolderProcess("backup")
    try:
        summary = refresh_local(wait=False)
        assert summary["skipped"] and summary["run_id"] is None
        assert summary["message"].startswith(f"backup already running (pid {running.pid}, host")
        assert summary["flow_run_id"].startswith("local-")
        result = CliRunner().invoke(app, ["refresh", "--no-wait"])
        assert result.exit_code == 0, result.output
        assert f"backup already running (pid {running.pid}" in result.output
    finally:
        running.stop()
    engine = connect(db_url)
    with session_scope(engine) as session:
        assert session.scalars(select(Run)).all() == []


def _subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return {**env, "INSIGHTS_HOME": str(home), **extra}


@pytest.mark.slow
def test_insights_refresh_without_a_prefect_api_neither_imports_nor_starts_prefect(tmp_path):
    home = tmp_path / "home"
    db_url = f"sqlite:///{home / 'insights.db'}"
    home.mkdir()
    topic_store(db_url, tmp_path)
    code = (
        "import sys\n"
        "from insights.cli.main import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('prefect imported:', 'prefect' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "refresh", "--full"],
        cwd=REPO,
        env=_subprocess_env(home, PREFECT_HOME=str(tmp_path / "prefect")),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "prefect imported: False" in done.stderr, done.stderr[-3000:]
    assert "Full run (--full asked for)" in done.stdout and "run 1:" in done.stdout
    # the command exits without a final garbage collection (insights.cli.main.main), but it
    # closed the store first: SQLite checkpointed and removed its write-ahead log
    assert not (home / "insights.db-wal").exists()
    engine = connect(db_url)
    with session_scope(engine) as session:
        (flow_run_id,) = session.scalars(select(Run.flow_run_id)).all()
        assert session.query(Ticket).count() == 60
    assert flow_run_id.startswith("local-")


def test_prefect_decides_only_when_something_may_configure_it(tmp_path):
    """No PREFECT_API_URL and no Prefect configuration file: no Prefect import. A profile
    that sets the URL: Prefect's own settings say so."""
    code = (
        "import sys\n"
        "from flows.deployments import prefect_api_configured\n"
        "print(prefect_api_configured(), 'prefect.settings' in sys.modules)\n"
    )
    prefect_home = tmp_path / "prefect"
    prefect_home.mkdir()
    env = _subprocess_env(tmp_path / "home", PREFECT_HOME=str(prefect_home))
    env.pop("PREFECT_PROFILES_PATH", None)

    def ask() -> str:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,  # no prefect.toml, .env or pyproject.toml here
            env={**env, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    assert ask() == "False False"
    (prefect_home / "profiles.toml").write_text(
        'active = "team"\n\n[profiles.team]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n',
        encoding="utf-8",
    )
    assert ask() == "True True"
    (prefect_home / "profiles.toml").write_text(
        'active = "mine"\n\n[profiles.mine]\nPREFECT_LOGGING_LEVEL = "INFO"\n', encoding="utf-8"
    )
    assert ask() == "False True"  # a profile without an API URL: asked, and local again
