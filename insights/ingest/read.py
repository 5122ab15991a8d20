"""Stream rows out of CSV, TSV, JSONL and Parquet files (optionally gzipped) in bounded memory.

Undecodable bytes are kept as surrogate escapes so a single bad row can be quarantined
instead of failing the whole file.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from insights.ingest import read_json

csv.field_size_limit(sys.maxsize)


class FileError(Exception):
    """The file as a whole cannot be ingested; the message is one line for the user."""


@dataclass
class RawRow:
    """One row as read: its 1-based number in the file and its fields (None where unreadable)."""

    number: int
    fields: dict[str, str] | None
    problem: str | None = None


FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def detect_format(path: Path) -> tuple[str, bool]:
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] in (".gz", ".gzip")
    if gz:
        suffixes = suffixes[:-1]
    fmt = FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise FileError(
            f"{path}: unknown file type (expected .csv, .tsv, .jsonl, .parquet, optionally .gz)"
        )
    return fmt, gz


def _open_binary(path: Path, gz: bool) -> BinaryIO:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise FileError(f"{path}: cannot open ({exc.strerror or exc})") from None
    head = raw.read(2)
    raw.seek(0)
    if gz or head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw  # type: ignore[return-value]


def looks_like_legacy_encoding(head: bytes) -> bool:
    """True when the non-ASCII lines of `head` are mostly invalid UTF-8 (a Latin-1 / cp1252
    export) rather than a UTF-8 file with a few broken rows, which are quarantined instead."""
    non_ascii = invalid = 0
    for line in head.split(b"\n")[:-1] or [head]:
        if max(line, default=0) < 0x80:
            continue
        non_ascii += 1
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            invalid += 1
    return invalid >= 2 and invalid / non_ascii > 0.5


def _text_stream(binary: BinaryIO) -> io.TextIOWrapper:
    """Decode by byte-order mark; Latin-1 exports as cp1252; otherwise UTF-8, keeping bad bytes
    as surrogate escapes so that the rows holding them can be quarantined."""
    buffered = io.BufferedReader(binary, buffer_size=1 << 16)  # type: ignore[arg-type]
    head = buffered.peek(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return io.TextIOWrapper(buffered, encoding="utf-16", newline="")
    if head.startswith(codecs.BOM_UTF8):
        return io.TextIOWrapper(
            buffered, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16:
            return io.TextIOWrapper(buffered, encoding=utf16, newline="")
        raise FileError("looks like a binary file, not CSV/TSV/JSONL text")
    if looks_like_legacy_encoding(head):
        return io.TextIOWrapper(buffered, encoding="cp1252", errors="surrogateescape", newline="")
    return io.TextIOWrapper(buffered, encoding="utf-8", errors="surrogateescape", newline="")


#: Surrogate code points: bytes the decoder could not read (kept as surrogate escapes) or a lone
#: surrogate from a JSON `\ud800` escape. Neither can be stored, so such rows are quarantined.
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_bad_bytes(value: str) -> bool:
    return _SURROGATE.search(value) is not None


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when `head` looks like text saved as UTF-16 without a byte-order
    mark (mostly Latin script, so nearly every other byte is NUL), which some exporters write;
    else None, and the file is treated as binary."""
    sample = head[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    half = len(even)
    if odd.count(0) >= 0.7 * half and even.count(0) <= 0.02 * half:
        return "utf-16-le"
    if even.count(0) >= 0.7 * half and odd.count(0) <= 0.02 * half:
        return "utf-16-be"
    return None


def _csv_rows(
    stream: io.TextIOWrapper, delimiter: str, path: Path
) -> tuple[list[str], Iterator[RawRow]]:
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileError(f"{path}: the file is empty (no header row)") from None
    except (csv.Error, UnicodeError, EOFError, OSError) as exc:
        raise FileError(f"{path}: cannot read the header ({exc})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(header) or any(has_bad_bytes(h) for h in header):
        raise FileError(f"{path}: the header row is missing or unreadable")

    def rows() -> Iterator[RawRow]:
        number = 0
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                yield RawRow(number, None, f"unparseable CSV row: {exc}")
                continue
            except (UnicodeError, EOFError, OSError, gzip.BadGzipFile) as exc:
                raise FileError(f"{path}: unreadable after row {number} ({exc})") from None
            if not values or all(not v.strip() for v in values):
                continue  # a blank line carries no ticket
            number += 1
            if len(values) != len(header):
                yield RawRow(
                    number,
                    dict(zip(header, values, strict=False)),
                    f"{len(values)} fields where the header has {len(header)}",
                )
                continue
            yield RawRow(number, dict(zip(header, values, strict=True)))

    return header, rows()


def _jsonl_rows(stream: io.TextIOWrapper, path: Path) -> tuple[list[str], Iterator[RawRow]]:
    lines = iter(stream)
    first: RawRow | None = None
    number = 0
    for line in lines:
        number += 1
        if line.strip():
            if line.lstrip().startswith("["):
                return _json_array(stream, line, path)
            first = _parse_json_line(number, line)
            if first.problem and line.lstrip().startswith("{"):
                return _json_document(line + stream.read(), path)
            break
    if first is None:
        raise FileError(f"{path}: the file is empty")
    header = list(first.fields) if first.fields else []
    if not header:
        raise FileError(f"{path}: the first record is not a JSON object ({first.problem})")

    def rows() -> Iterator[RawRow]:
        n = number
        yield first
        try:
            for line in lines:
                n += 1
                if line.strip():
                    yield _parse_json_line(n, line)
        except (UnicodeError, EOFError, OSError) as exc:
            raise FileError(f"{path}: unreadable after row {n} ({exc})") from None

    return header, rows()


def _record_row(number: int, obj: object) -> RawRow:
    if not isinstance(obj, dict):
        return RawRow(number, {"_raw": json.dumps(obj, ensure_ascii=False)[:2000]}, "not an object")
    return RawRow(number, {str(k): _scalar(v) for k, v in obj.items()})


def _with_header(rows: Iterator[RawRow], path: Path) -> tuple[list[str], Iterator[RawRow]]:
    """Column names from the first record that is an object; rows unchanged."""
    buffered: list[RawRow] = []
    for row in rows:
        buffered.append(row)
        if row.fields and not row.problem:
            break
    header = list(buffered[-1].fields or {}) if buffered and not buffered[-1].problem else []
    if not header:
        raise FileError(f"{path}: no JSON object found (expected records of tickets)")

    def chained() -> Iterator[RawRow]:
        yield from buffered
        try:
            yield from rows
        except (UnicodeError, EOFError, OSError) as exc:
            raise FileError(f"{path}: unreadable ({exc})") from None

    return header, chained()


def _json_array(stream: io.TextIOWrapper, head: str, path: Path):
    rows = read_json.array_rows(
        stream,
        head,
        _record_row,
        lambda n, raw, problem: RawRow(n, {"_raw": raw}, problem),
        path,
        FileError,
    )
    return _with_header(rows, path)  # type: ignore[arg-type]


def _json_document(text: str, path: Path):
    records = read_json.document_records(text, path, FileError)
    return _with_header(iter(_record_row(i, r) for i, r in enumerate(records, 1)), path)


def _parse_json_line(number: int, line: str) -> RawRow:
    if has_bad_bytes(line):
        return RawRow(number, {"_raw": line}, "undecodable bytes")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return RawRow(number, {"_raw": line}, f"invalid JSON: {exc.msg}")
    if not isinstance(obj, dict):
        return RawRow(number, {"_raw": line}, "JSON line is not an object")
    return RawRow(number, {k: _scalar(v) for k, v in obj.items()})


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _parquet_rows(path: Path, binary: BinaryIO) -> tuple[list[str], Iterator[RawRow]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(binary)
    except Exception as exc:
        raise FileError(f"{path}: not a readable Parquet file ({exc})") from None
    header = list(pf.schema_arrow.names)

    def rows() -> Iterator[RawRow]:
        number = 0
        try:
            for batch in pf.iter_batches(batch_size=5000):
                for record in batch.to_pylist():
                    number += 1
                    yield RawRow(number, {k: _scalar(v) for k, v in record.items()})
        except Exception as exc:
            raise FileError(f"{path}: unreadable after row {number} ({exc})") from None

    return header, rows()


def open_rows(path: Path) -> tuple[list[str], Iterator[RawRow], BinaryIO]:
    """Return the column names, a row iterator and the underlying handle (close it when done)."""
    if not path.exists():
        raise FileError(f"{path}: no such file")
    if path.is_dir():
        raise FileError(f"{path}: is a folder, not a file")
    fmt, gz = detect_format(path)
    binary = _open_binary(path, gz)
    try:
        if fmt == "parquet":
            if gz:
                binary = io.BytesIO(binary.read())  # parquet needs random access
            header, rows = _parquet_rows(path, binary)
        else:
            try:
                stream = _text_stream(binary)
            except FileError as exc:
                raise FileError(f"{path}: {exc}") from None
            if fmt == "jsonl":
                header, rows = _jsonl_rows(stream, path)
            else:
                header, rows = _csv_rows(stream, "\t" if fmt == "tsv" else ",", path)
    except FileError:
        binary.close()
        raise
    except (OSError, EOFError, UnicodeError, gzip.BadGzipFile) as exc:
        binary.close()
        raise FileError(f"{path}: cannot read ({exc})") from None
    return header, rows, binary
