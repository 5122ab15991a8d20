"""The shipped sample: malformed rows behave as documented, PII never survives, the Zendesk
export ingests through its mapping, and language detection is accurate."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select

from insights.ingest.load import ingest_file
from insights.ingest.mapping import load_mapping
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Quarantine, Ticket
from tests.conftest import SAMPLE, ingested_sample, sqlite_copy


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """A copy of the session's ingested sample (ingested once, shared with test_digest_sample)."""
    path = tmp_path_factory.mktemp("sample") / "store.db"
    result = sqlite_copy("sample-8000", ingested_sample, path)
    return connect(f"sqlite:///{path}"), result


@pytest.mark.slow
def test_sample_ingests_completely_and_reconciles(sample_store):
    engine, result = sample_store
    assert result.reconciles and result.read == 8000 and result.quarantined == 0
    again = ingest_file(engine, SAMPLE / "tickets.csv", load_settings())
    assert (again.new, again.updated, again.duplicates) == (0, 0, 8000)


@pytest.mark.slow
def test_no_planted_pii_survives(sample_store):
    engine, _ = sample_store
    with session_scope(engine) as s:
        stored = dict(s.execute(select(Ticket.external_id, Ticket.text)).all())
    planted = list(csv.DictReader((SAMPLE / "pii.csv").open(encoding="utf-8")))
    assert {p["pii_type"] for p in planted} >= {"email", "phone", "card", "order_number"}
    leaks = [p for p in planted if p["value"] in stored[p["ticket_id"]]]
    assert leaks == []


@pytest.mark.slow
def test_language_detection_accuracy_on_sample(sample_store):
    engine, _ = sample_store
    with session_scope(engine) as s:
        detected = dict(s.execute(select(Ticket.external_id, Ticket.language)).all())
    truth = {r["ticket_id"]: r["language"] for r in csv.DictReader((SAMPLE / "truth.csv").open())}
    accuracy = sum(detected[k] == truth[k] for k in truth) / len(truth)
    assert accuracy >= 0.93


def test_malformed_file_matches_its_documented_outcomes(db_url):
    engine = connect(db_url)
    expected = json.loads((SAMPLE / "malformed_expected.json").read_text())
    result = ingest_file(engine, SAMPLE / "malformed.csv", load_settings())
    counts = expected["counts"]
    assert result.reconciles
    assert (result.read, result.new, result.updated, result.duplicates, result.quarantined) == (
        counts["read"],
        counts["new"],
        counts["updated"],
        counts["duplicates"],
        counts["quarantined"],
    )
    with session_scope(engine) as s:
        reasons = {q.row_number: q.reason for q in s.scalars(select(Quarantine))}
        truncated = set(s.scalars(select(Ticket.external_id).where(Ticket.truncated)))
    for row in expected["rows"]:
        want = row["expected"]
        if want in ("ok", "duplicate", "update"):
            assert row["row"] not in reasons
        elif want == "truncated":
            assert row["ticket_id"] in truncated
        else:
            assert reasons.get(row["row"]) == want, row


def test_zendesk_export_ingests_through_its_mapping(db_url):
    engine = connect(db_url)
    mapping = load_mapping(SAMPLE / "zendesk_mapping.json")
    result = ingest_file(engine, SAMPLE / "zendesk_export.csv", load_settings(), mapping=mapping)
    assert (result.read, result.new, result.quarantined) == (300, 300, 0)
    with session_scope(engine) as s:
        rows = s.execute(select(Ticket.source, Ticket.kind, Ticket.channel, Ticket.csat)).all()
    assert {r[0] for r in rows} == {"zendesk"} and {r[1] for r in rows} == {"buyer"}
    assert {r[2] for r in rows} <= {"email", "chat", "web_form", "app", "phone_transcript"}
    assert {r[3] for r in rows} <= {None, 1, 5}


def test_conversation_export_ingests_names_redacted_and_agent_turns_kept_apart(db_url):
    engine = connect(db_url)
    result = ingest_file(engine, SAMPLE / "conversations.jsonl", load_settings())
    assert result.reconciles and (result.read, result.new) == (400, 400 - result.quarantined)
    assert result.quarantined <= 4  # only a thread with nothing but greetings could go
    names = {r["value"] for r in csv.DictReader((SAMPLE / "conversations_pii.csv").open())}
    with session_scope(engine) as s:
        rows = s.execute(select(Ticket.text, Ticket.clean_text, Ticket.thread)).all()
    lines = {
        line.strip()
        for _, _, thread in rows
        for m in thread["messages"]
        for line in m["text"].split("\n")
    }
    assert sorted(names & lines) == []  # no signature line keeps its name
    agent = {m["text"] for _, _, t in rows for m in t["messages"] if m["role"] == "agent"}
    assert agent and not any(a in clean for _, clean, _ in rows for a in agent)
    assert not any("wrote:" in clean or "[NAME]" in clean for _, clean, _ in rows)
