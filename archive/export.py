"""Citation exports: rows of articles as CSV, JSON Lines or RIS (Zotero, EndNote), written as they come.

Each row is a plain mapping of citation fields (`FIELDS`); a writer streams it to a text file, so an
export of many rows holds one row at a time. A CSV cell that a spreadsheet would run as a formula
(`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading quote.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from archive.errors import InvalidInputError

FORMATS = ("csv", "jsonl", "ris")
FIELDS = ("id", "title", "outlet", "date", "url", "path", "passage", "note", "tags", "query")


def inert(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write(rows: Iterable[Mapping[str, Any]], fmt: str, out: TextIO) -> int:
    """Write every row in `fmt` to `out`; how many were written."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"the export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    writer = csv.writer(out)
    if fmt == "csv":
        writer.writerow(FIELDS)
    count = 0
    for row in rows:
        if fmt == "csv":
            writer.writerow([inert(row.get(k)) for k in FIELDS])  # None is written as an empty cell
        elif fmt == "jsonl":
            out.write(json.dumps({k: row.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
        else:
            out.write(ris_record(row))
        count += 1
    return count


def ris_record(row: Mapping[str, Any]) -> str:
    """One RIS record of type NEWS: title, publication, date, address, archive id, note, passage, a KW for each
    tag, and the search that found it as a second note."""
    lines: list[tuple[str, Any]] = [("TY", "NEWS")]
    lines += [("TI", row.get("title")), ("T2", row.get("outlet"))]
    date = str(row.get("date") or "")
    if date:
        lines += [("PY", date[:4]), ("DA", date.replace("-", "/"))]
    lines += [("UR", row.get("url") or row.get("path")), ("ID", row.get("id")), ("N1", row.get("note"))]
    lines += [("AB", row.get("passage"))]
    lines += [("KW", tag) for tag in str(row.get("tags") or "").split("; ")]  # Zotero makes each KW a tag
    if row.get("query"):
        lines.append(("N1", f"Found by: {row['query']}"))
    body = "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines if value not in (None, ""))
    return body + "ER  - \n\n"


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())
