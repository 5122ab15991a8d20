"""The issue's checks on the shipped sample: the digest of the planted spike's week lists that
theme as spiking, and the digest of week 10 lists the theme that first appears then as new.

Themes here are the sample's ground truth written as a run (no embeddings), so the test
measures ingest + trends + digest on the real sample in seconds; clustering quality is measured
separately by bench/quality.py.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import insert, select

from insights.digest import build_and_deliver
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Assignment, Run, Theme, ThemeSnapshot, Ticket
from tests.conftest import SAMPLE, ingested_sample, sqlite_copy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("digest_sample") / "store.db"
    sqlite_copy("sample-8000", ingested_sample, path)  # the sample, ingested once per session
    engine = connect(f"sqlite:///{path}")
    truth = {r["ticket_id"]: r["theme"] for r in csv.DictReader((SAMPLE / "truth.csv").open())}
    names = sorted(set(truth.values()))
    now = datetime(2026, 9, 21)
    with session_scope(engine) as s:
        s.add(
            Run(
                id=1,
                mode="full",
                status="ok",
                model_id="truth",
                parameters={},
                stats={},
                started_at=now,
                finished_at=now,
            )
        )
        s.flush()
        ids = {name: i + 1 for i, name in enumerate(names)}
        s.execute(
            insert(Theme),
            [
                {
                    "id": ids[n],
                    "label": n.replace("_", " "),
                    "status": "active",
                    "created_run_id": 1,
                    "last_run_id": 1,
                }
                for n in names
            ],
        )
        tickets = s.execute(select(Ticket.id, Ticket.external_id)).all()
        s.execute(
            insert(Assignment),
            [
                {
                    "run_id": 1,
                    "ticket_id": tid,
                    "theme_id": ids[truth[ext]],
                    "similarity": 1.0,
                    "method": "truth",
                }
                for tid, ext in tickets
            ],
        )
        s.execute(
            insert(ThemeSnapshot),
            [
                {
                    "run_id": 1,
                    "theme_id": ids[n],
                    "size": 1,
                    "centroid": np.zeros(4, np.float32).tobytes(),
                    "keywords": {},
                    "representatives": {},
                    "languages": {},
                }
                for n in names
            ],
        )
    return engine


def test_spike_week_digest_lists_the_planted_spike(sample_engine, tmp_path):
    patterns = json.loads((SAMPLE / "patterns.json").read_text())
    spike = patterns["spike"]
    result = build_and_deliver(sample_engine, load_settings(), week=spike["week"], out_dir=tmp_path)
    spiking = {t.title for t in result.content.spiking}
    assert spike["theme"].replace("_", " ") in spiking
    line = next(t for t in result.content.spiking if t.title == spike["theme"].replace("_", " "))
    assert any(spike["region"] in s for s in line.significance)
    assert spike["region"] in result.markdown
    assert (tmp_path / f"digest-{spike['week']}.md").exists()


def test_week_ten_digest_lists_the_new_theme(sample_engine, tmp_path):
    patterns = json.loads((SAMPLE / "patterns.json").read_text())
    new = patterns["new_theme"]
    result = build_and_deliver(
        sample_engine, load_settings(), week=new["first_week"], out_dir=tmp_path
    )
    assert new["theme"].replace("_", " ") in {t.title for t in result.content.new}
    quiet = build_and_deliver(sample_engine, load_settings(), week="2026-W28", out_dir=tmp_path)
    assert new["theme"].replace("_", " ") not in {t.title for t in quiet.content.new}
