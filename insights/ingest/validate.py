"""Turn one raw row into a clean ticket or a quarantined row with its reason."""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from insights.ingest.clean import clean, clean_turns, removed_reasons, segments
from insights.ingest.conversation import (
    ConversationSpec,
    Thread,
    ThreadError,
    ThreadParams,
    read_thread,
)
from insights.ingest.language import normalize_code
from insights.ingest.mapping import FIELDS
from insights.ingest.markup import to_text
from insights.ingest.pii import redact
from insights.ingest.read import RawRow, has_bad_bytes
from insights.records import QuarantinedRow, TicketRow

KINDS = {
    "buyer": "buyer",
    "customer": "buyer",
    "consumer": "buyer",
    "b2c": "buyer",
    "user": "buyer",
    "seller": "seller",
    "merchant": "seller",
    "vendor": "seller",
    "shop": "seller",
    "partner": "seller",
}
CHANNELS = {
    "mobile_sdk": "app",
    "mobile": "app",
    "mobile_app": "app",
    "voice": "phone_transcript",
    "phone": "phone_transcript",
    "call": "phone_transcript",
    "web": "web_form",
    "form": "web_form",
    "e-mail": "email",
    "mail": "email",
    "live_chat": "chat",
    "messaging": "chat",
}
CSAT_WORDS = {"good": 5, "great": 5, "satisfied": 5, "bad": 1, "poor": 1, "unsatisfied": 1}
_YEAR = re.compile(r"\d{4}")
#: Two far-apart defaults: a date that parses differently under them lacks a part (year, month
#: or day) that dateutil would otherwise fill in silently from today's date.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
#: Redaction runs on at most this many characters beyond a cut, so a 10 MB cell costs no more
#: than a short one, and a personal identifier straddling the cut is still seen whole.
_REDACT_MARGIN = 200
_EPOCH = re.compile(r"^\d{10}(\d{3})?(\.\d+)?$")
#: the columns of the standard shape (anything else goes to `attributes`)
STANDARD = frozenset(FIELDS)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def safe_text(value: str) -> str:
    """Make a string storable on both backends: surrogate-escaped bytes and lone surrogates
    become U+FFFD, NUL characters (rejected by PostgreSQL) are dropped."""
    value = value.replace("\x00", "")
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate outside the escape range (JSON "\ud800")
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def redact_prefix(value: str, limit: int) -> str:
    """The first `limit` characters of `value` with personal data redacted, redacting only a
    window a little longer than the cut (so huge cells stay cheap) and widening it when the
    redaction shortened the text so much that a half-seen identifier could reach the kept part."""
    if len(value) <= limit + _REDACT_MARGIN:
        return redact(value)[:limit]
    window = limit + _REDACT_MARGIN
    while True:
        redacted = redact(value[:window])
        if window >= len(value) or len(redacted) >= limit + _REDACT_MARGIN // 2:
            return redacted[:limit]
        window *= 2


def parse_timestamp(value: str, default_tz: str) -> datetime | None:
    """Parse many timestamp styles; naive times are read in `default_tz`; returns naive UTC."""
    raw = value.strip()
    if not raw:
        return None
    try:
        if _EPOCH.match(raw):
            seconds = float(raw) / (1000 if len(raw.split(".")[0]) == 13 else 1)
            return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            if not _YEAR.search(raw):
                return None
            parsed = _parse_loose(raw)
            if parsed is None:
                return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(default_tz))
        return parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):  # e.g. year 9999 with a negative offset
        return None


def _parse_loose(raw: str) -> datetime | None:
    """dateutil for the non-ISO styles, refusing what it would otherwise guess: a missing day,
    month or year (filled from today) and a time-zone name it does not know (ignored)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", dateparser.UnknownTimezoneWarning)
        try:
            first, second = (dateparser.parse(raw, default=d) for d in _DEFAULTS)
        except (ValueError, OverflowError, dateparser.UnknownTimezoneWarning):
            return None
    if first != second:
        return None
    return first


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _csat(value: str | None) -> int | None:
    if not value:
        return None
    word = value.strip().lower()
    if word in CSAT_WORDS:
        return CSAT_WORDS[word]
    try:
        score = round(float(word))
    except ValueError:
        return None
    return score if 1 <= score <= 5 else None


def _channel(value: str | None) -> str | None:
    name = re.sub(r"[\s-]+", "_", (value or "").strip().lower())[:64]
    return CHANNELS.get(name, name) or None


def _raw_repr(fields: dict[str, str] | None) -> str:
    if not fields:
        return ""
    text = json.dumps(
        {safe_text(k)[:200]: redact_prefix(safe_text(v), 2000) for k, v in fields.items()},
        ensure_ascii=False,
    )
    return text[:2000]


class RowValidator:
    """Validates rows of one file against its resolved column mapping."""

    def __init__(
        self,
        resolved: dict[str, str],
        defaults: dict[str, str],
        source: str,
        default_kind: str | None,
        max_chars: int,
        timezone: str,
        conversation: ConversationSpec | None = None,
        thread_params: ThreadParams | None = None,
    ) -> None:
        self.conversation = conversation
        self.thread_params = thread_params or ThreadParams()
        self.resolved = resolved
        self.defaults = defaults
        self.source = source
        self.default_kind = default_kind
        self.max_chars = max_chars
        self.timezone = timezone
        self.mapped_columns = set(resolved.values()) | (
            conversation.top_fields if conversation else set()
        )

    def _get(self, fields: dict[str, str], name: str) -> str | None:
        col = self.resolved.get(name)
        value = fields.get(col) if col else None
        if value is None or not value.strip():
            value = self.defaults.get(name)
        return value

    def _quarantine(self, raw: RawRow, ext: str | None, reason: str, detail: str) -> QuarantinedRow:
        ext_safe = safe_text(ext)[:255] if ext else None
        return QuarantinedRow(
            raw.number, ext_safe, reason, safe_text(detail), _raw_repr(raw.fields)
        )

    def validate(self, raw: RawRow) -> TicketRow | QuarantinedRow:
        fields = raw.fields or {}
        if any("\x00" in k or "\x00" in v for k, v in fields.items()):
            # PostgreSQL cannot store NUL; nothing readable is lost by dropping it
            fields = {k.replace("\x00", ""): v.replace("\x00", "") for k, v in fields.items()}
        ext = _clean(self._get(fields, "ticket_id"))
        if raw.problem:
            reason = "bad_encoding" if "undecodable" in raw.problem else "bad_row"
            return self._quarantine(raw, ext, reason, raw.problem)
        bad = [k for k, v in fields.items() if has_bad_bytes(k) or (v and has_bad_bytes(v))]
        if bad:
            return self._quarantine(
                raw, ext, "bad_encoding", f"undecodable bytes in {', '.join(bad)}"
            )
        if not ext:
            return self._quarantine(raw, None, "missing_id", "no ticket id")
        if len(ext) > 255:
            return self._quarantine(raw, ext, "bad_id", "ticket id longer than 255 characters")
        thread: Thread | None = None
        if self.conversation is not None:
            try:
                thread = read_thread(fields, self.conversation, self.thread_params)
            except ThreadError as exc:
                return self._quarantine(raw, ext, "bad_messages", str(exc))
        when_raw = self._get(fields, "created_at")
        if (not when_raw or not when_raw.strip()) and thread and thread.messages:
            when_raw = thread.messages[0].created_at
        if not when_raw or not when_raw.strip():
            return self._quarantine(raw, ext, "missing_date", "no created_at")
        when = parse_timestamp(when_raw, self.timezone)
        if when is None:
            return self._quarantine(raw, ext, "bad_date", f"cannot parse date {when_raw[:60]!r}")
        if thread is not None:
            built = self._conversation_text(raw, ext, fields, thread)
            if isinstance(built, QuarantinedRow):
                return built
            text, clean_text, truncated = built
        else:
            text = self._text(fields)
            if not text:
                return self._quarantine(raw, ext, "empty_text", "no text, subject or description")
            truncated = len(text) > self.max_chars
            text = redact_prefix(text, self.max_chars) if truncated else redact(text)
            # stored as written; an HTML body is read as text for cleaning and embedding
            clean_text = clean(to_text(text))
            if not clean_text:
                return self._nothing_left(raw, ext, to_text(text))
        kind_raw = (self._get(fields, "kind") or self.default_kind or "").strip().lower()
        language = normalize_code(self._get(fields, "language"))
        attributes = {
            k: redact_prefix(v, 1000)
            for k, v in fields.items()
            if k not in self.mapped_columns and k.lower() not in STANDARD and v and v.strip()
        }
        row = TicketRow(
            row_number=raw.number,
            source=(_clean(self._get(fields, "source")) or self.source)[:64],
            external_id=ext,
            created_at=when,
            text=text,
            truncated=truncated,
            language=language,
            language_confidence=1.0 if language else 0.0,
            kind=KINDS.get(kind_raw),
            region=(_clean(self._get(fields, "region")) or "").upper()[:64] or None,
            channel=_channel(self._get(fields, "channel")),
            category=(_clean(self._get(fields, "category")) or None),
            csat=_csat(self._get(fields, "csat")),
            attributes=attributes,
            clean_text=clean_text,
            thread=thread.as_json() if thread is not None else None,
            messages_dropped=thread.dropped if thread is not None else 0,
        )
        row.content_hash = content_hash(clean_text)
        return row

    def _nothing_left(self, raw: RawRow, ext: str, text: str) -> QuarantinedRow:
        """A message that is only a quote, or only greetings, signatures and footers."""
        reasons = removed_reasons(segments(text))
        if "quote" in reasons:
            return self._quarantine(
                raw, ext, "only_quoted", "nothing but quoted earlier messages from the customer"
            )
        what = ", ".join(sorted(reasons)) or "nothing"
        return self._quarantine(raw, ext, "only_boilerplate", f"the customer's text is only {what}")

    def _conversation_text(
        self, raw: RawRow, ext: str, fields: dict[str, str], thread: Thread
    ) -> tuple[str, str, bool] | QuarantinedRow:
        """Redact every message; the customer's messages make the text, cleaned one by one."""
        for message in thread.messages:
            message.text = redact_prefix(message.text, self.max_chars)
        customer = [m.text for m in thread.customer]
        if not customer:
            roles = sorted({m.role for m in thread.messages})
            detail = (
                f"{len(thread.messages)} message(s) ({', '.join(roles)}), none from the customer"
                if thread.messages
                else f"no message with text ({thread.total} message(s), {thread.empty} empty)"
            )
            return self._quarantine(raw, ext, "no_customer_text", detail)
        subject = to_text(_clean(self._get(fields, "subject")) or "")
        subject = redact(subject.strip())[:500]
        text = "\n\n".join(([subject] if subject else []) + customer)
        cleaned = [c for c in clean_turns(customer) if c]
        if not cleaned:
            return self._nothing_left(raw, ext, "\n\n".join(customer))
        clean_text = "\n\n".join(([clean(subject)] if subject else []) + cleaned)
        truncated = len(text) > self.max_chars
        return text[: self.max_chars], clean_text[: self.max_chars], truncated

    def _text(self, fields: dict[str, str]) -> str:
        text = _clean(self._get(fields, "text"))
        if text:
            return text
        subject = _clean(self._get(fields, "subject"))
        body = _clean(self._get(fields, "description"))
        if subject and body and not body.lower().startswith(subject.lower()):
            return f"{subject}\n{body}"
        return body or subject or ""


def row_hash(row: TicketRow) -> str:
    """Everything stored about a ticket except bookkeeping: equal hash means a duplicate."""
    payload = json.dumps(
        [
            row.created_at.isoformat(),
            row.text,
            row.language if not row.language_detected else None,
            row.kind,
            row.region,
            row.channel,
            row.category,
            row.csat,
            sorted(row.attributes.items()),
            *([row.thread["messages"]] if row.thread else []),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
