"""Human input: audited, validated, survives refreshes, follows merges."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from insights.people.annotate import (
    AnnotationError,
    all_notes,
    annotate,
    audit_trail,
    get_notes,
    merge_themes,
)
from insights.store.db import connect, session_scope
from insights.store.models import Assignment, Run, Theme, ThemeSnapshot, Ticket
from tests.conftest import sync_sequences


@pytest.fixture
def engine(db_url):
    engine = connect(db_url)
    now = datetime(2026, 7, 1)
    with session_scope(engine) as s:
        s.add(
            Run(
                id=1,
                mode="full",
                status="ok",
                model_id="m",
                parameters={},
                stats={},
                started_at=now,
            )
        )
        for tid in (1, 2):
            s.add(
                Theme(
                    id=tid, label=f"machine {tid}", status="active", created_run_id=1, last_run_id=1
                )
            )
        s.flush()
        from insights.store.models import Batch

        s.add(Batch(id=1, source_path="x", source="d", file_sha256="h", started_at=now))
        s.flush()
        for i in range(4):
            s.add(
                Ticket(
                    id=i + 1,
                    source="d",
                    external_id=f"t{i}",
                    created_at=now,
                    text="x",
                    language="en",
                    language_confidence=1.0,
                    language_detected=False,
                    attributes={},
                    truncated=False,
                    content_hash="c",
                    row_hash="r",
                    batch_id=1,
                    ingested_at=now,
                    updated_at=now,
                )
            )
        s.flush()
        for i in range(4):
            s.add(
                Assignment(
                    run_id=1, ticket_id=i + 1, theme_id=1 + i % 2, similarity=0.9, method="cluster"
                )
            )

        for tid in (1, 2):
            s.add(
                ThemeSnapshot(
                    run_id=1,
                    theme_id=tid,
                    size=2,
                    centroid=np.ones(4, np.float32).tobytes(),
                    keywords={},
                    representatives={},
                    languages={},
                )
            )
    sync_sequences(engine)
    return engine


def test_annotations_are_validated_and_audited(engine):
    notes = annotate(
        engine,
        1,
        "lead-th",
        title="Courier delay TH",
        tags=["Courier", "courier", "sla"],
        owner="Nok",
        status="investigating",
        tracker_url="https://jira/x-1",
    )
    assert notes.tags == ["courier", "sla"]
    assert get_notes(engine, 1).title == "Courier delay TH"
    trail = audit_trail(engine, 1)
    assert trail[0]["who"] == "lead-th" and trail[0]["after"]["status"] == "investigating"
    assert trail[0]["before"]["status"] == "new"
    with pytest.raises(AnnotationError):
        annotate(engine, 1, "x", status="done-ish")
    with pytest.raises(AnnotationError):
        annotate(engine, 1, "x", tracker_url="javascript:alert(1)")
    with pytest.raises(AnnotationError):
        annotate(engine, 99, "x", owner="a")
    assert get_notes(engine, 1).status == "investigating"  # failed writes changed nothing


def test_merge_carries_annotations_and_tickets(engine):
    annotate(engine, 1, "a", tags=["refund"], note="first note", owner="Ana")
    annotate(engine, 2, "b", tags=["payout"], note="second note")
    merge_themes(engine, 1, 2, "lead")
    survivor = get_notes(engine, 2)
    assert survivor.tags == ["payout", "refund"] and survivor.owner == "Ana"
    assert "first note" in survivor.note and "second note" in survivor.note
    # writing to the merged id lands on the survivor
    annotate(engine, 1, "c", owner="Budi")
    assert get_notes(engine, 2).owner == "Budi"
    with session_scope(engine) as s:
        assert {a.theme_id for a in s.query(Assignment)} == {2}
        assert s.get(Theme, 1).merged_into == 2
    assert set(all_notes(engine)) == {1, 2}
    with pytest.raises(AnnotationError):
        merge_themes(engine, 2, 1, "lead")
