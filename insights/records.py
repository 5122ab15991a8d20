"""Records that cross stage boundaries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class TicketRow:
    """A validated, redacted row ready for the store."""

    row_number: int
    source: str
    external_id: str
    created_at: datetime
    text: str
    truncated: bool
    language: str | None
    language_confidence: float
    kind: str | None
    region: str | None
    channel: str | None
    category: str | None
    csat: int | None
    attributes: dict[str, str]
    content_hash: str = ""
    row_hash: str = ""
    language_detected: bool = False
    #: What is embedded and counted for keywords: the customer's words without greetings,
    #: quotes, signatures, footers and disclaimers (`text` keeps the message as written).
    clean_text: str = ""
    #: A conversation's messages with roles (`insights.ingest.conversation.Thread.as_json`).
    thread: dict | None = None
    #: Messages of a conversation left out by the caps.
    messages_dropped: int = 0


@dataclass
class QuarantinedRow:
    row_number: int
    external_id: str | None
    reason: str
    detail: str
    raw: str


@dataclass
class IngestResult:
    """What one file gave; `read` always equals new + updated + duplicates + quarantined."""

    path: str
    batch_id: int
    read: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    truncated: int = 0
    messages_dropped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "new": self.new,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "batch_id": self.batch_id,
        }

    @property
    def reconciles(self) -> bool:
        return self.read == self.new + self.updated + self.duplicates + self.quarantined


@dataclass
class Progress:
    """Callbacks a long job reports through: the CLI plugs in progress bars, a flow its logger."""

    start_embedding: Callable[[int], None] = lambda total: None
    advance_embedding: Callable[[int], None] = lambda n: None
    stage: Callable[[str], None] = lambda name: None
    #: a one-time build before the work (the fast model): step, fraction done
    build: Callable[[str, float], None] = lambda step, done: None
