"""The drill-down of one ticket: as written with the removed parts marked, and as embedded;
ticket text is escaped, never run."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select, update

from insights.ingest.load import ingest_file
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Assignment, Ticket
from insights.views.thread import marked_html, ticket_thread
from tests.test_app import build_store, page

THREAD = {
    "ticket_id": "conv-1",
    "created_at": "2025-01-07T10:00:00Z",
    "messages": [
        {
            "role": "customer",
            "text": "Hi team,\nMy refund for order a < b & c never came.\nThanks,\nSarah Lim\n\n"
            "On Mon, 6 Jan 2025 at 10:00, Shop <cs@shop.example> wrote:\n> We escalated it.",
        },
        {"role": "agent", "text": "Sorry <script>alert(1) about that."},
        {"role": "supervisor", "text": "Flagged for review."},
        {"role": "customer", "text": "Any update?"},
    ],
}


def _ingest(engine, tmp_path) -> int:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(THREAD) + "\n")
    ingest_file(engine, path, load_settings())
    with session_scope(engine) as s:
        return s.scalar(select(Ticket.id).where(Ticket.external_id == "conv-1"))


def test_ticket_thread_marks_what_was_removed_and_escapes(db_url, tmp_path):
    engine = connect(db_url)
    view = ticket_thread(engine, _ingest(engine, tmp_path))
    assert view.is_conversation
    assert [m.role for m in view.messages] == ["customer", "agent", "other:supervisor", "customer"]
    assert [m.embedded for m in view.messages] == [True, False, False, True]
    first = {p.reason for p in view.messages[0].pieces if p.text.strip()}
    assert first == {None, "greeting", "closing", "signature", "quote"}
    assert view.messages[3].pieces[0].reason == "follow-up"
    assert view.clean_text == "My refund for order a < b & c never came."
    assert view.removed()["quote"] == 1
    html = marked_html(view)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "a &lt; b &amp; c" in html and "[quoted reply]" in html
    assert "Sarah" not in html  # redacted before it was stored


def test_theme_page_shows_the_ticket_as_written_and_as_embedded(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("INSIGHTS_DB_URL", db_url)
    engine = build_store(db_url)
    tid = _ingest(engine, tmp_path)
    with session_scope(engine) as s:  # put the conversation into theme 3 of the latest run
        run_id = s.scalar(select(Assignment.run_id).where(Assignment.theme_id == 3))
        newest = datetime.now(UTC).replace(tzinfo=None)  # first on the page (newest first)
        s.execute(update(Ticket).where(Ticket.id == tid).values(created_at=newest))
        s.add(Assignment(run_id=run_id, ticket_id=tid, theme_id=3, similarity=0.9, method="x"))
    at = page("pages/1_Theme.py", theme="3")
    assert at.selectbox(key="thread_pick").value == "conv-1"
    shown = "\n".join(h.proto.body for h in at.html)
    assert "[quoted reply]" in shown and "&lt;script&gt;" in shown and "<script" not in shown
    assert "My refund for order a < b & c never came." in [t.value for t in at.text]
    assert any("removed before embedding" in c.value for c in at.caption)
