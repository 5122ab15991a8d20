"""Shared fixtures: every test gets its own store under a temp INSIGHTS_HOME, offline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
BENCHMARKS = REPO.parent / "shared" / "benchmarks"


@pytest.fixture(autouse=True)
def insights_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("INSIGHTS_HOME", str(home))
    monkeypatch.delenv("INSIGHTS_DB_URL", raising=False)
    return home


@pytest.fixture
def db_url(insights_home) -> str:
    return f"sqlite:///{insights_home / 'insights.db'}"
