"""Search results as CSV and JSON for citation: outlet, date, URL and passage of each."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from archive.export import inert
from index import serialize
from index.search import SearchResponse

COLUMNS = ("rank", "title", "outlet", "date", "url", "path", "passage", "score", "id")


def rows(response: SearchResponse, first_rank: int = 1) -> list[dict[str, Any]]:
    """Each result's citation fields (from the one JSON form of a result), ranked from `first_rank`."""
    out = []
    for rank, r in enumerate(response.results, start=first_rank):
        full = serialize.search_result(r)
        row = {k: "" if full.get(k) is None else full[k] for k in COLUMNS if k not in ("rank", "passage")}
        out.append({"rank": rank, **row, "passage": full["passage"]["text"]})
    return [{k: row[k] for k in COLUMNS} for row in out]


def to_csv(response: SearchResponse, first_rank: int = 1) -> str:
    """CSV for a spreadsheet: a text cell that a spreadsheet would run as a formula gets a leading quote."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({k: _inert(v) for k, v in row.items()} for row in rows(response, first_rank))
    return out.getvalue()


def _inert(value: Any) -> Any:
    return inert(value)


def to_json(response: SearchResponse, first_rank: int = 1) -> str:
    body = {"query": response.query, "mode": response.mode, "results": rows(response, first_rank)}
    return json.dumps(body, ensure_ascii=False, indent=2)
