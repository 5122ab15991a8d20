"""JSON files that are not one object per line: an array of records (streamed, so a large
export is read in bounded memory) or one document holding a list of records
(`{"tickets": [...]}`, `{"conversations": [...]}`, as helpdesk APIs return them)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

CHUNK = 1 << 20
#: A single record may not be larger than this (a broken file is not read to the end in memory).
MAX_RECORD_CHARS = 64 << 20
#: A whole-document JSON (not an array) is read at once: larger ones must be JSONL or an array.
MAX_DOCUMENT_CHARS = 512 << 20
LIST_KEYS = ("tickets", "conversations", "records", "items", "data", "results", "rows")


def array_rows(
    stream: io.TextIOWrapper,
    head: str,
    make_row: Callable[[int, object], object],
    bad_row: Callable[[int, str, str], object],
    path: Path,
    error: Callable[[str], Exception],
) -> Iterator[object]:
    """Records of a top-level JSON array, one at a time; `head` is what was read already."""
    decoder = json.JSONDecoder()
    buf = head[head.index("[") + 1 :]
    pos = 0
    number = 0
    eof = False
    while True:
        while pos < len(buf) and buf[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(buf):
            if eof:
                return  # no closing bracket: what was complete has been read
            more = stream.read(CHUNK)
            buf, pos, eof = buf[pos:] + more, 0, not more
            continue
        if buf[pos] == "]":
            return
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if eof:
                number += 1
                yield bad_row(number, buf[pos : pos + 2000], f"invalid JSON: {exc.msg}")
                return
            if len(buf) - pos > MAX_RECORD_CHARS:
                raise error(
                    f"{path}: a JSON record is larger than {MAX_RECORD_CHARS >> 20} MB or broken"
                ) from None
            more = stream.read(CHUNK)
            buf, pos, eof = buf[pos:] + more, 0, not more
            continue
        number += 1
        yield make_row(number, obj)
        pos = end
        if pos > CHUNK:
            buf, pos = buf[pos:], 0


def document_records(text: str, path: Path, error: Callable[[str], Exception]) -> list[object]:
    """The records of a whole JSON document: a list, a known list field, or one record."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise error(f"{path}: a JSON document over {MAX_DOCUMENT_CHARS >> 20} MB: use JSONL")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise error(f"{path}: expected JSON objects, found {type(data).__name__}")
    for key in LIST_KEYS:
        if isinstance(data.get(key), list):
            return data[key]
    lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
    if len(lists) == 1 and "messages" not in data:
        return lists[0]
    return [data]
