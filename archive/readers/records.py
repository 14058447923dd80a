"""Multi-record files: .json, .jsonl (.jsonl.gz) and .csv; one document per record.

A record's origin is its id when the file's ids are unique, else its number. A malformed line is
a failure of that line only; the rest of the file is read.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

from archive.errors import ReadError
from archive.models import RawDoc
from archive.normalize import fingerprint
from archive.readers.base import Item, ReadOptions, bounded_lines, check_size
from archive.readers.fields import ALIASES, as_authors, as_name, as_text, pick

GIVE_UP_AFTER = 20  # records without text at the start of a file before the file is judged wrong


def read_jsonl(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    source: BinaryIO = gzip.GzipFile(fileobj=stream) if path.endswith(".gz") else stream  # type: ignore[assignment]
    try:
        text = io.TextIOWrapper(source, encoding="utf-8", errors="strict")
        yield from _none_found(_records(_jsonl_lines(text, path, options.max_record_chars), path, options), path)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ReadError(f"the file is damaged or not UTF-8 ({exc})", path) from None


def read_json(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    try:
        value = json.loads(stream.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ReadError("not valid UTF-8; re-save it as UTF-8", path) from None
    except json.JSONDecodeError as exc:
        raise ReadError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path) from None
    if isinstance(value, dict) and pick(value, "text", options.fields) is not None:
        yield _one(value, path, options, key=None, number="1")
        return
    records = value if isinstance(value, list) else _list_inside(value)
    if records is None:
        raise ReadError("no articles found: expected an object with a text field, or a list of them", path)
    yield from _none_found(_records(((str(i + 1), r) for i, r in enumerate(records)), path, options), path)


def read_csv(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    limit = options.max_record_chars
    csv.field_size_limit(limit)  # a field is a part of a line, which is bounded below
    try:
        rows = csv.DictReader(_csv_lines(text, limit, path))
        yield from _none_found(_records(((str(i + 2), row) for i, row in enumerate(rows)), path, options), path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ReadError(f"unreadable CSV ({exc})", path) from None


def _csv_lines(text: io.TextIOBase, limit: int, path: str) -> Iterator[str]:
    """The CSV's physical lines, each bounded; an over-long one ends the file (a record may span lines)."""
    for _, line in bounded_lines(text, limit, path):
        if isinstance(line, ReadError):
            raise ReadError(f"{line.reason}; the records before it were kept", path)
        yield line


def _none_found(items: Iterator[Item], path: str) -> Iterator[Item]:
    """The items; a file that held no record at all (empty, blank lines, a header only) is a failure."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        raise ReadError("no records in the file (it is empty, blank, or a header without rows)", path)


def _jsonl_lines(text: io.TextIOBase, path: str, limit: int) -> Iterator[tuple[str, Any]]:
    for number, line in bounded_lines(text, limit, path):
        if isinstance(line, ReadError):
            yield str(number), line
            continue
        if not line.strip():
            continue
        try:
            yield str(number), json.loads(line)
        except json.JSONDecodeError as exc:
            yield str(number), ReadError(f"line {number}: malformed JSON ({exc.msg})", path, str(number))
        except RecursionError:
            yield str(number), ReadError(f"line {number}: JSON nested too deeply to read", path, str(number))


def _list_inside(value: Any) -> list[Any] | None:
    if not isinstance(value, dict):
        return None
    lists = [v for v in value.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
    return lists[0] if len(lists) == 1 else None


def _records(numbered: Iterable[tuple[str, Any]], path: str, options: ReadOptions) -> Iterator[Item]:
    seen_ids: set[str] = set()
    held: list[Item] = []  # the first records' failures, until the file is judged readable
    for index, (number, record) in enumerate(numbered):
        item = _item(record, number, path, options, seen_ids)
        if index < GIVE_UP_AFTER and isinstance(item, ReadError) and item.reason.endswith("no text"):
            held.append(item)
            if len(held) == GIVE_UP_AFTER:
                raise ReadError(_no_text_reason(record, options), path)
            continue
        yield from held
        held = []
        yield item
    yield from held


def _item(record: Any, number: str, path: str, options: ReadOptions, seen_ids: set[str]) -> Item:
    if isinstance(record, ReadError):
        return record
    if not isinstance(record, Mapping):
        return ReadError(f"record {number} is not an object", path, number)
    ext = as_name(pick(record, "id", options.fields))
    key = ext if ext and ext not in seen_ids else f"#{number}"
    if ext:
        seen_ids.add(ext)
    try:
        return _one(record, path, options, key=key, number=number)
    except ReadError as exc:
        return exc
    except RecursionError:
        return ReadError(f"record {number}: nested too deeply to read", path, key)


def _one(record: Mapping[str, Any], path: str, options: ReadOptions, key: str | None, number: str) -> RawDoc:
    fields = options.fields
    value = pick(record, "text", fields)
    if value is not None and not isinstance(value, (str, list)):
        raise ReadError(f"record {number}: the text field holds {_kind(value)}, not text", path, key)
    text = as_text(value)
    if not text or not text.strip():
        raise ReadError(f"record {number}: no text", path, key)
    check_size(text, path, options, key)
    values = {t: pick(record, t, fields) for t in ALIASES if t != "text"}
    date = values["date"]
    return RawDoc(
        text=text,
        title=as_name(values["title"]),
        date=date if isinstance(date, (int, float)) else as_name(date),
        outlet=as_name(values["outlet"]),
        url=as_name(values["url"]),
        authors=as_authors(values["authors"]),
        language=as_name(values["language"]),
        external_id=as_name(values["id"]),
        record=key,
        fingerprint=fingerprint(text, *values.values()),
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return "an object" if isinstance(value, Mapping) else f"a {type(value).__name__}"


def _no_text_reason(record: Mapping[str, Any], options: ReadOptions) -> str:
    looked = options.fields.get("text") or ", ".join(ALIASES["text"])
    keys = ", ".join(list(record)[:12])
    return f"no text field in the records (looked for: {looked}; they have: {keys}); name it with --field text=FIELD"
