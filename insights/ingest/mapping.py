"""Column mapping: how another export's columns become the product's fields."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from insights.ingest.conversation import ConversationSpec
from insights.ingest.read import FileError

FIELDS = (
    "ticket_id",
    "created_at",
    "text",
    "subject",
    "description",
    "language",
    "kind",
    "region",
    "channel",
    "category",
    "csat",
    "source",
)


@dataclass
class Mapping:
    """target field -> source column, constant defaults, and the source system's name."""

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    conversation: ConversationSpec | None = None

    def conversation_for(self, header: list[str]) -> ConversationSpec | None:
        """How to read conversations in a file with this header: the mapping's own section,
        or the product's shape when records carry a `messages` field; None for plain tickets."""
        if self.conversation is not None:
            return self.conversation
        if "messages" in header:
            return ConversationSpec()
        return None

    def resolve(self, header: list[str]) -> dict[str, str]:
        """Return field -> column for this header: the mapping first, then same-named columns."""
        lower = {h.lower(): h for h in header}
        resolved: dict[str, str] = {}
        for target in FIELDS:
            if target in self.columns:
                col = self.columns[target]
                if col in header:
                    resolved[target] = col
                elif col.lower() in lower:
                    resolved[target] = lower[col.lower()]
            elif target in lower:
                resolved[target] = lower[target]
        return resolved


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FileError(f"{path}: cannot read the mapping file ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FileError(f"{path}: the mapping file is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("columns", {}), dict):
        raise FileError(f'{path}: expected {{"columns": {{field: column}}, "defaults": {{...}}}}')
    unknown = set(data.get("columns", {})) - set(FIELDS)
    if unknown:
        raise FileError(
            f"{path}: unknown target field(s) {sorted(unknown)}; known: {', '.join(FIELDS)}"
        )
    conversation = data.get("conversation")
    if conversation is not None and not isinstance(conversation, dict):
        raise FileError(f'{path}: "conversation" must be an object (see README, conversations)')
    return Mapping(
        columns={str(k): str(v) for k, v in data.get("columns", {}).items()},
        defaults={str(k): str(v) for k, v in data.get("defaults", {}).items()},
        source=data.get("source"),
        conversation=ConversationSpec.from_mapping(conversation) if conversation else None,
    )


def check_required(
    resolved: dict[str, str],
    defaults: dict[str, str],
    path: Path,
    conversation: ConversationSpec | None = None,
) -> None:
    """A file lacking an id, a date or any text column cannot give a single ticket.
    Conversations carry their text in their messages (and may date themselves by them)."""
    needed = ("ticket_id",) if conversation else ("ticket_id", "created_at")
    missing = [f for f in needed if f not in resolved and f not in defaults]
    if not conversation and not ({"text", "subject", "description"} & set(resolved)):
        missing.append("text (or subject/description, or messages)")
    if missing:
        raise FileError(
            f"{path}: required column(s) missing: {', '.join(missing)} (use --mapping to map columns)"
        )
