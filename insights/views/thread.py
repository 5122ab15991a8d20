"""One ticket as written and as embedded: the raw text (or a conversation's messages with
their roles) with the parts the cleaner removed marked by reason, and the cleaned text.

`marked_html` escapes every piece of ticket text before it is wrapped in markup, so HTML or
scripts in a ticket are shown as text and never run.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from insights.ingest.boilerplate import BoilerplateLearner
from insights.ingest.clean import clean, clean_turns, is_follow_up, segments
from insights.ingest.conversation import CUSTOMER
from insights.ingest.markup import to_text
from insights.ingest.prepare import stored_learner
from insights.store.db import session_scope
from insights.store.models import Ticket

LABELS = {
    "quote": "quoted reply",
    "signature": "signature",
    "footer": "mobile footer",
    "disclaimer": "disclaimer",
    "greeting": "greeting",
    "closing": "closing",
    "follow-up": "follow-up without new content",
    "boilerplate": "boilerplate (recurs across unrelated tickets)",
}


@dataclass
class Piece:
    text: str
    reason: str | None = None  # None: kept and embedded


@dataclass
class MessageView:
    role: str
    pieces: list[Piece]
    embedded: bool  # only the customer's messages are embedded
    at: str | None = None
    given_role: str | None = None


@dataclass
class TicketThread:
    ticket: str
    language: str
    clean_text: str
    messages: list[MessageView] = field(default_factory=list)

    @property
    def is_conversation(self) -> bool:
        return len(self.messages) > 1 or (bool(self.messages) and self.messages[0].role != CUSTOMER)

    def removed(self) -> dict[str, int]:
        """How many pieces of each kind were removed."""
        out: dict[str, int] = {}
        for m in self.messages:
            for p in m.pieces:
                if p.reason and p.text.strip():
                    out[p.reason] = out.get(p.reason, 0) + 1
        return out


def mark(text: str, learner: BoilerplateLearner | None = None) -> list[Piece]:
    """`text` split into kept and removed pieces: the cleaner's rules, then learned lines."""
    out: list[Piece] = []
    for seg in segments(text):
        if seg.reason or learner is None or not learner.lines_:
            out.append(Piece(seg.text, seg.reason))
            continue
        for piece, gone in learner.pieces(seg.text):
            out.append(Piece(piece, "boilerplate" if gone else None))
    return out


def ticket_thread(engine: Engine, ticket_id: int) -> TicketThread | None:
    """The ticket with store id `ticket_id` as written, marked, and as embedded."""
    with session_scope(engine) as session:
        row = session.execute(
            select(
                Ticket.external_id,
                Ticket.language,
                Ticket.text,
                Ticket.clean_text,
                Ticket.thread,
            ).where(Ticket.id == ticket_id)
        ).first()
    if row is None:
        return None
    learner = stored_learner(engine)
    view = TicketThread(row.external_id, row.language, row.clean_text or row.text)
    thread = row.thread or {}
    if thread.get("messages"):
        customer = [m.get("text", "") for m in thread["messages"] if m.get("role") == CUSTOMER]
        turns = iter(clean_turns(customer))
        for m in thread["messages"]:
            embedded = m.get("role") == CUSTOMER
            text = m.get("text", "")
            if not embedded:
                pieces = [Piece(text)]
            elif next(turns) is None and clean(text) and is_follow_up(clean(text)):
                pieces = [Piece(text, "follow-up")]
            else:
                pieces = mark(text, learner)
            view.messages.append(
                MessageView(m.get("role", "unknown"), pieces, embedded, m.get("at"), m.get("as"))
            )
    else:
        # an HTML body is shown as the text it was read as (scripts and markup dropped)
        view.messages.append(MessageView(CUSTOMER, mark(to_text(row.text), learner), True))
    return view


_STYLE = (
    "<style>.ti-msg{border-left:3px solid #bbb;padding:4px 8px;margin:6px 0;"
    "white-space:pre-wrap;font-family:inherit}.ti-msg.ti-customer{border-color:#2b7bb9}"
    ".ti-role{font-size:0.8em;color:#666}.ti-cut{background:#f3f3f3;color:#999;"
    "text-decoration:line-through}.ti-tag{font-size:0.7em;color:#a33;margin-left:2px}</style>"
)


def marked_html(view: TicketThread) -> str:
    """HTML of the ticket with removed parts struck through and labelled; all text escaped."""
    parts = [_STYLE]
    for m in view.messages:
        role = m.role if not m.given_role else f"{m.role} ({m.given_role})"
        note = "embedded" if m.embedded else "shown only, not embedded"
        css = "ti-msg ti-customer" if m.embedded else "ti-msg"
        head = f"{role} · {note}" + (f" · {m.at}" if m.at else "")
        body = []
        for p in m.pieces:
            text = html.escape(p.text)
            if p.reason and p.text.strip():
                label = html.escape(LABELS.get(p.reason, p.reason))
                body.append(
                    f'<span class="ti-cut" title="{label}">{text}</span>'
                    f'<span class="ti-tag">[{label}]</span>'
                )
            else:
                body.append(text)
        parts.append(
            f'<div class="{css}"><div class="ti-role">{html.escape(head)}</div>{"".join(body)}</div>'
        )
    return "".join(parts)
