"""Every CSV the product writes: `insights export tickets|assignments`, `--format csv` of the
listing commands, and the app's download. Cells a spreadsheet would run as a formula (text
starting with = + - @, a tab or a carriage return) get a leading quote; numbers stay numbers.
Rows end with CRLF (RFC 4180), so a cell holding a bare CR is quoted rather than starting a
new row."""

from __future__ import annotations

import csv
import io
import numbers
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from insights.jobs.runs import latest_run_id
from insights.store.db import session_scope
from insights.store.models import Assignment, Theme, Ticket
from insights.views.lifecycle import display_title

TICKET_COLUMNS = ("ticket_id", "created_at", "language", "kind", "region", "channel", "text")
ASSIGNMENT_COLUMNS = ("ticket_id", "theme_id", "theme_title")
THEME_COLUMNS = ("theme_id", "title", "keywords", "size", "languages")
#: A week's numbers of a theme, and what people say about it, in the order tables show them.
WEEK_COLUMNS = ("volume", "share", "growth", "spike")
NOTE_COLUMNS = ("tags", "owner", "status")
RANKED_COLUMNS = (
    "theme_id",
    "title",
    *WEEK_COLUMNS,
    "q_value",
    "rank_score",
    "lifecycle",
    "regions",
)
EVENT_COLUMNS = ("at", "run_id", "event", "theme_id", "title", "related_theme_id")
#: The app's download of the Home table.
TABLE_COLUMNS = (
    "rank",
    "theme_id",
    "title",
    *WEEK_COLUMNS,
    "lifecycle",
    *NOTE_COLUMNS,
    "keywords",
    "rank_score",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Prefix a quote to cells a spreadsheet would evaluate (CSV/formula injection)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_cell(value: object) -> str:
    """One cell: numbers as they are, lists joined with "; ", mappings as "key: value"; text
    neutralised."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):  # numpy numbers too
        return "" if value != value else str(value)  # NaN: empty
    if isinstance(value, list | tuple):
        return neutralise("; ".join(str(v) for v in value))
    if isinstance(value, Mapping):
        return neutralise("; ".join(f"{k}: {v}" for k, v in value.items()))
    return neutralise(value)


def write_rows(fh, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        n += 1
    return n


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        return write_rows(fh, header, rows)


def records_csv(records: Iterable[Mapping[str, object]], columns: Sequence[str]) -> str:
    """CSV text of dict rows (the listing commands' `--format csv`)."""
    buf = io.StringIO()
    write_rows(buf, columns, ([r.get(c) for c in columns] for r in records))
    return buf.getvalue()


def table_csv(table: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """CSV of what an app table shows (its columns among `columns`, default TABLE_COLUMNS)."""
    cols = [c for c in (columns or TABLE_COLUMNS) if c in table.columns]
    records = table[cols].astype(object).where(table[cols].notna(), None).to_dict("records")
    return records_csv(records, cols).encode("utf-8")


def export_tickets(engine: Engine, out: Path) -> int:
    """Every stored ticket (redacted text) to `out`; returns the row count."""
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


def export_assignments(engine: Engine, out: Path) -> int:
    """ticket_id,theme_id,theme_title for every ticket; theme_id empty when unthemed."""
    with session_scope(engine) as session:
        run_id = latest_run_id(session)
        stmt = (
            select(Ticket.external_id, Assignment.theme_id, Theme.title, Theme.label)
            .outerjoin(
                Assignment, (Assignment.ticket_id == Ticket.id) & (Assignment.run_id == run_id)
            )
            .outerjoin(Theme, Theme.id == Assignment.theme_id)
            .order_by(Ticket.id)
        )
        rows = (
            (ext, tid if tid is not None else "", display_title(title, label) if tid else "")
            for ext, tid, title, label in session.execute(stmt.execution_options(yield_per=5000))
        )
        return write_csv(out, ASSIGNMENT_COLUMNS, rows)
