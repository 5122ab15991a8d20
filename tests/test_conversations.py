"""Conversation exports: the product's own JSONL/JSON shape and helpdesk shapes through mappings,
what is embedded (the customer's cleaned words), what is kept (every message, redacted), and
the bad input the issue names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from insights.cli.main import app
from insights.ingest.load import ingest_file
from insights.ingest.mapping import load_mapping
from insights.settings import load_settings
from insights.store.db import connect, session_scope
from insights.store.models import Quarantine, Ticket

REPO = Path(__file__).resolve().parent.parent
MAPPINGS = REPO / "data" / "mappings"
runner = CliRunner()

THREAD = {
    "ticket_id": "c1",
    "created_at": "2025-01-07T10:00:00Z",
    "region": "SG",
    "messages": [
        {
            "role": "customer",
            "text": "Hi team,\n\nMy refund has not arrived after 10 days.\n\nThanks,\nSarah Lim\n\n"
            "Sent from my iPhone",
            "created_at": "2025-01-07T10:00:00Z",
        },
        {
            "role": "agent",
            "text": "Hi Sarah, thank you for contacting us. We have escalated your case.",
        },
        {"role": "bot", "text": "How would you rate our service today?"},
        {"role": "customer", "text": "Any update?"},
    ],
}


@pytest.fixture
def engine(db_url):
    return connect(db_url)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def stored(engine) -> dict[str, Ticket]:
    with session_scope(engine) as s:
        rows = s.scalars(select(Ticket)).all()
        for r in rows:
            s.expunge(r)
    return {r.external_id: r for r in rows}


def quarantined(engine) -> dict[str | None, tuple[str, str]]:
    with session_scope(engine) as s:
        rows = s.execute(select(Quarantine.external_id, Quarantine.reason, Quarantine.detail))
        return {ext: (reason, detail) for ext, reason, detail in rows}


def test_customer_words_are_embedded_and_every_message_is_kept(engine, tmp_path):
    agent_only = {
        "ticket_id": "c2",
        "created_at": "2025-01-07T11:00:00Z",
        "messages": [{"role": "agent", "text": "Hello, how can I help?"}],
    }
    path = write_jsonl(tmp_path / "conv.jsonl", [THREAD, agent_only])
    result = ingest_file(engine, path, load_settings())
    assert (result.read, result.new, result.quarantined) == (2, 1, 1)
    assert result.reconciles
    ticket = stored(engine)["c1"]
    # the text is what the customer wrote (names redacted); the clean text drops the e-mail
    # wrapping and the follow-up, and is what the content hash keys
    assert "Sarah" not in ticket.text and "[NAME]" in ticket.text
    assert ticket.clean_text == "My refund has not arrived after 10 days."
    assert "escalated" not in ticket.text and "rate our service" not in ticket.text
    roles = [m["role"] for m in ticket.thread["messages"]]
    assert roles == ["customer", "agent", "bot", "customer"]
    assert ticket.thread["messages"][1]["text"].startswith("Hi [NAME],")
    assert ticket.region == "SG" and ticket.language == "en"
    reason, detail = quarantined(engine)["c2"]
    assert reason == "no_customer_text" and "none from the customer" in detail
    again = ingest_file(engine, path, load_settings())
    assert (again.new, again.duplicates, again.quarantined) == (0, 1, 1)


def test_json_array_and_wrapped_documents_are_read_as_records(engine, tmp_path):
    array = tmp_path / "array.json"
    array.write_text(json.dumps([THREAD, {**THREAD, "ticket_id": "c3"}], indent=2))
    result = ingest_file(engine, array, load_settings())
    assert (result.read, result.new) == (2, 2)
    wrapped = tmp_path / "wrapped.json"
    doc = {"conversations": [{**THREAD, "ticket_id": "c4"}], "next_page": None}
    wrapped.write_text(json.dumps(doc, indent=2))
    result = ingest_file(engine, wrapped, load_settings())
    assert (result.read, result.new) == (1, 1)
    assert set(stored(engine)) == {"c1", "c3", "c4"}


def test_bad_messages(engine, tmp_path):
    records = [
        {  # a message without text, one with an unknown role: kept, only the customer embedded
            "ticket_id": "b1",
            "created_at": "2025-01-07",
            "messages": [
                {"role": "customer", "text": ""},
                {"role": "customer"},
                {"role": "supervisor", "text": "Escalating to tier 2 about the parcel."},
                {"role": "customer", "text": "The courier lost my parcel."},
            ],
        },
        {  # 10,000 messages: capped and counted
            "ticket_id": "b2",
            "created_at": "2025-01-07",
            "messages": [{"role": "customer", "text": "My voucher code is rejected."}]
            + [{"role": "agent", "text": f"reply {i}"} for i in range(9_999)],
        },
        {  # an HTML e-mail body: converted, scripts dropped
            "ticket_id": "b3",
            "created_at": "2025-01-07",
            "messages": [
                {
                    "role": "customer",
                    "text": "<html><head><style>p{}</style></head><body><p>Hello,</p>"
                    "<p>The app <b>crashes</b> at checkout.</p><script>alert('x')</script>"
                    "<blockquote>On Mon, 6 Jan 2025 at 10:00, Shop &lt;cs@shop.example&gt; "
                    "wrote:<br>We received your request.</blockquote></body></html>",
                }
            ],
        },
        {  # a thread that is only a quote
            "ticket_id": "b4",
            "created_at": "2025-01-07",
            "messages": [
                {
                    "role": "customer",
                    "text": "On Mon, 6 Jan 2025 at 10:00, Shop <cs@shop.example> wrote:\n"
                    "> We have escalated your case.\n> Please allow 3-5 business days.",
                }
            ],
        },
        {"ticket_id": "b5", "created_at": "2025-01-07", "messages": "not a list"},
        {"ticket_id": "b6", "created_at": "2025-01-07", "messages": []},
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", records)
    result = ingest_file(engine, path, load_settings())
    assert result.reconciles and (result.read, result.new, result.quarantined) == (6, 3, 3)
    tickets = stored(engine)
    b1 = tickets["b1"]
    assert b1.clean_text == "The courier lost my parcel."
    assert b1.thread["empty"] == 2
    unknown = [m for m in b1.thread["messages"] if m.get("as") == "supervisor"]
    assert unknown and unknown[0]["role"] == "other:supervisor"
    assert "tier 2" not in b1.clean_text and "tier 2" not in b1.text
    b2 = tickets["b2"]
    assert b2.thread["total"] == 10_000 and len(b2.thread["messages"]) == 200
    assert b2.thread["dropped"] == 9_800 and result.messages_dropped == 9_800
    b3 = tickets["b3"]
    assert b3.clean_text == "The app crashes at checkout."
    assert "<p>" not in b3.text and "<script" not in b3.text and "alert" not in b3.text
    q = quarantined(engine)
    assert q["b4"][0] == "only_quoted"
    assert q["b5"][0] == "bad_messages"
    assert q["b6"][0] == "no_customer_text"


def test_zendesk_intercom_and_freshdesk_exports_through_their_mappings(engine, tmp_path):
    zendesk = {
        "tickets": [
            {
                "id": 101,
                "created_at": "2025-01-07T09:00:00Z",
                "subject": "Re: Refund not received",
                "requester_id": 7,
                "via": "email",
                "comments": [
                    {
                        "author_id": 7,
                        "public": True,
                        "plain_body": "Hello,\nMy refund has not arrived.\nRegards,\nJohn Tan",
                        "created_at": "2025-01-07T09:00:00Z",
                    },
                    {"author_id": 99, "public": False, "plain_body": "Check with finance."},
                    {"author_id": 99, "public": True, "html_body": "<p>We are on it.</p>"},
                ],
            }
        ]
    }
    intercom = {
        "conversations": [
            {
                "id": "ic1",
                "created_at": 1736240400,
                "source": {
                    "body": "<p>The app crashes when I pay.</p>",
                    "author": {"type": "user"},
                },
                "conversation_parts": {
                    "conversation_parts": [
                        {
                            "part_type": "comment",
                            "body": "<p>Sorry!</p>",
                            "author": {"type": "admin"},
                        },
                        {"part_type": "note", "body": "internal", "author": {"type": "admin"}},
                        {
                            "part_type": "comment",
                            "body": "Still crashing.",
                            "author": {"type": "user"},
                        },
                        {"part_type": "close", "body": None, "author": {"type": "bot"}},
                    ]
                },
            }
        ]
    }
    freshdesk = [
        {
            "id": 501,
            "created_at": "2025-01-07T09:00:00Z",
            "subject": "Payout delayed",
            "description_text": "Dear Sir/Madam,\nMy payout is two weeks late.",
            "conversations": [
                {"body_text": "We are checking.", "incoming": False, "private": False},
                {"body_text": "It is now three weeks.", "incoming": True, "private": False},
            ],
        }
    ]
    files = {
        "zendesk_comments": ("zendesk.json", zendesk),
        "intercom_conversations": ("intercom.json", intercom),
        "freshdesk_conversations": ("freshdesk.json", freshdesk),
    }
    for mapping_name, (name, data) in files.items():
        path = tmp_path / name
        path.write_text(json.dumps(data, indent=2))
        mapping = load_mapping(MAPPINGS / f"{mapping_name}.json")
        result = ingest_file(engine, path, load_settings(), mapping=mapping)
        assert (result.read, result.new, result.quarantined) == (1, 1, 0), mapping_name
    tickets = stored(engine)
    z = tickets["101"]
    assert z.source == "zendesk" and z.channel == "email"
    assert [m["role"] for m in z.thread["messages"]] == ["customer", "system", "agent"]
    assert z.clean_text == "Refund not received\n\nMy refund has not arrived."
    assert "John" not in z.text
    i = tickets["ic1"]
    assert [m["role"] for m in i.thread["messages"]] == ["customer", "agent", "system", "customer"]
    assert i.clean_text == "The app crashes when I pay.\n\nStill crashing."
    assert i.thread["empty"] == 1
    f = tickets["501"]
    assert [m["role"] for m in f.thread["messages"]] == ["customer", "agent", "customer"]
    assert (
        f.clean_text == "Payout delayed\n\nMy payout is two weeks late.\n\nIt is now three weeks."
    )


def test_cli_counts_reconcile_and_notes_capped_messages(tmp_path, db_url):
    record = {
        "ticket_id": "x1",
        "created_at": "2025-01-07",
        "messages": [{"role": "customer", "text": "Parcel lost"}]
        + [{"role": "agent", "text": "ok"}] * 300,
    }
    path = write_jsonl(tmp_path / "c.jsonl", [record, {**THREAD, "messages": []}])
    result = runner.invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["read"] == counts["new"] + counts["quarantined"] == 2
    assert "101 message(s)" in result.stderr and "capped" in result.stderr


def test_mapping_without_a_conversation_section_object_is_one_line_error(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"columns": {}, "conversation": "comments"}))
    result = runner.invoke(app, ["ingest", str(tmp_path / "x.jsonl"), "--mapping", str(bad)])
    assert result.exit_code == 2 and "conversation" in result.stderr
