"""CSV exports. Cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import Engine, select

from insights.store.db import session_scope
from insights.store.models import Ticket

TICKET_COLUMNS = ("ticket_id", "created_at", "language", "kind", "region", "channel", "text")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Prefix a quote to cells a spreadsheet would evaluate (CSV/formula injection)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
            n += 1
    return n


def export_tickets(engine: Engine, out: Path) -> int:
    """Write every stored ticket (redacted text) to `out`; returns the row count."""
    stmt = select(
        Ticket.external_id,
        Ticket.created_at,
        Ticket.language,
        Ticket.kind,
        Ticket.region,
        Ticket.channel,
        Ticket.text,
    ).order_by(Ticket.created_at, Ticket.id)
    with session_scope(engine) as session:
        rows = (
            (ext, created.strftime("%Y-%m-%dT%H:%M:%SZ"), lang, kind, region, channel, text)
            for ext, created, lang, kind, region, channel, text in session.execute(
                stmt.execution_options(yield_per=5000)
            )
        )
        return write_csv(out, TICKET_COLUMNS, rows)
