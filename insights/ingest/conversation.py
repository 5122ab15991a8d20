"""Conversation records: a ticket whose text is a thread of messages with roles.

The product's own shape is `{"ticket_id", "created_at", ..., "messages": [{"role", "text",
"created_at"?}]}`; helpdesk exports (Zendesk `comments`, Intercom `conversation_parts`,
Freshdesk `conversations`) are read through the `conversation` section of a mapping file, which
names where the messages, their text and their author's role are. Only the customer's messages
are embedded; agent, bot and system messages are kept for the drill-down. A role the product
does not know is kept under its own name and never embedded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from insights.ingest.markup import to_text

CUSTOMER, AGENT, BOT, SYSTEM = "customer", "agent", "bot", "system"
ROLES: dict[str, str] = {
    **dict.fromkeys(
        [
            "customer",
            "user",
            "end-user",
            "end_user",
            "enduser",
            "requester",
            "contact",
            "lead",
            "visitor",
            "client",
            "guest",
            "consumer",
        ],
        CUSTOMER,
    ),
    **dict.fromkeys(
        [
            "agent",
            "admin",
            "operator",
            "staff",
            "support",
            "teammate",
            "csr",
            "representative",
            "rep",
            "human_agent",
        ],
        AGENT,
    ),
    **dict.fromkeys(
        [
            "bot",
            "chatbot",
            "automation",
            "automated",
            "assistant",
            "ai",
            "virtual_agent",
            "workflow",
        ],
        BOT,
    ),
    **dict.fromkeys(["system", "note", "internal", "event", "private_note"], SYSTEM),
}


@dataclass(frozen=True)
class ThreadParams:
    """Bounds on one conversation: messages and characters kept (the rest is counted)."""

    max_messages: int = 200
    max_thread_chars: int = 50_000


@dataclass
class ConversationSpec:
    """Where a record's messages are and how to read them (paths use dots: `author.type`)."""

    messages: str = "messages"
    first: str | None = None  # an opening message object outside the list (Intercom `source`)
    first_text: str | None = None  # the customer's opening text (Freshdesk `description_text`)
    text: tuple[str, ...] = ("text", "body", "plain_body", "content", "message")
    html: tuple[str, ...] = ("html_body", "body_html", "html")
    role: str = "role"
    roles: dict[str, str] = field(default_factory=dict)
    customer_if_equal: str | None = None  # record field: role is customer when equal to it
    internal_if: dict[str, Any] = field(default_factory=dict)  # e.g. {"public": false}
    created_at: str = "created_at"

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> ConversationSpec:
        spec = cls()
        for name in ("messages", "first", "first_text", "role", "customer_if_equal", "created_at"):
            if name in data:
                setattr(spec, name, None if data[name] is None else str(data[name]))
        for name in ("text", "html"):
            if name in data:
                value = data[name]
                setattr(spec, name, tuple(value) if isinstance(value, list) else (str(value),))
        spec.roles = {str(k).lower(): str(v).lower() for k, v in data.get("roles", {}).items()}
        spec.internal_if = dict(data.get("internal_if", {}))
        return spec

    @property
    def top_fields(self) -> set[str]:
        """Record fields the conversation consumes (not kept as attributes)."""
        paths = [self.messages, self.first, self.first_text, self.customer_if_equal]
        return {p.split(".")[0] for p in paths if p}


@dataclass
class Message:
    role: str
    text: str
    created_at: str | None = None
    given_role: str | None = None  # the file's own role name when it is none of ours

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "text": self.text}
        if self.created_at:
            out["at"] = self.created_at
        if self.given_role:
            out["as"] = self.given_role
        return out


@dataclass
class Thread:
    messages: list[Message]
    total: int  # messages in the record, before caps
    empty: int = 0  # messages without any text (attachments only, ...)
    dropped: int = 0  # messages beyond the caps

    @property
    def customer(self) -> list[Message]:
        return [m for m in self.messages if m.role == CUSTOMER]

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": [m.as_json() for m in self.messages],
            "total": self.total,
            "empty": self.empty,
            "dropped": self.dropped,
        }


class ThreadError(ValueError):
    """The record's messages cannot be read; the message is the quarantine detail."""


def _parse(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def get_path(obj: Any, path: str | None) -> Any:
    if not path:
        return None
    for part in path.split("."):
        obj = _parse(obj)
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return _parse(obj)


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip() or None


def _role(message: dict, record: dict, spec: ConversationSpec) -> tuple[str, str | None]:
    raw = _scalar(get_path(message, spec.role))
    if spec.customer_if_equal:
        owner = _scalar(get_path(record, spec.customer_if_equal))
        return (CUSTOMER, None) if raw is not None and raw == owner else (AGENT, None)
    key = (raw or "").lower()
    if key in spec.roles:
        mapped = spec.roles[key]
        return (mapped, None) if mapped in (CUSTOMER, AGENT, BOT, SYSTEM) else (mapped[:32], raw)
    if key in ROLES:
        return ROLES[key], None
    return (f"other:{key[:24]}" if key else "unknown"), raw[:64] if raw else None


def _internal(message: dict, spec: ConversationSpec) -> bool:
    for path, value in spec.internal_if.items():
        got = get_path(message, path)
        if got == value or _scalar(got) == _scalar(value):
            return True
    return False


def _text(message: Any, spec: ConversationSpec) -> str:
    if isinstance(message, str):
        return to_text(message).strip()
    for path in (*spec.text, *spec.html):
        value = get_path(message, path)
        if isinstance(value, str) and value.strip():
            return to_text(value).strip()
    return ""


def read_thread(record: dict[str, Any], spec: ConversationSpec, params: ThreadParams) -> Thread:
    """The messages of one record in order, capped; raises ThreadError when unreadable."""
    raw = get_path(record, spec.messages)
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise ThreadError(f"`{spec.messages}` is not a list of messages")
    items: list[tuple[Any, str | None]] = []
    if spec.first_text:
        items.append((get_path(record, spec.first_text), CUSTOMER))
    if spec.first:
        first = get_path(record, spec.first)
        if first is not None:
            items.append((first, None))
    items.extend((m, None) for m in raw)
    thread = Thread(messages=[], total=len(items))
    chars = 0
    for item, fixed in items:
        if len(thread.messages) >= params.max_messages or chars >= params.max_thread_chars:
            thread.dropped += 1
            continue
        if item is None or (not isinstance(item, (dict, str))):
            thread.empty += 1
            continue
        text = _text(item, spec)
        if not text:
            thread.empty += 1
            continue
        if fixed:
            role, given = fixed, None
        elif isinstance(item, str):
            role, given = "unknown", None
        else:
            role, given = _role(item, record, spec)
            if role == AGENT and _internal(item, spec):
                role = SYSTEM
        text = text[: max(0, params.max_thread_chars - chars)]
        chars += len(text)
        when = _scalar(get_path(item, spec.created_at)) if isinstance(item, dict) else None
        thread.messages.append(Message(role, text, when, given))
    return thread
