"""Search results as CSV and JSON for citation: outlet, date, URL and passage of each."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from index.search import SearchResponse

COLUMNS = ("rank", "title", "outlet", "date", "url", "path", "passage", "score", "id")


def rows(response: SearchResponse, first_rank: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "rank": first_rank + i,
            "title": r.title or "",
            "outlet": r.outlet or "",
            "date": r.date or "",
            "url": r.url or "",
            "path": r.path,
            "passage": r.passage.text,
            "score": r.score,
            "id": r.id,
        }
        for i, r in enumerate(response.results)
    ]


def to_csv(response: SearchResponse, first_rank: int = 1) -> str:
    """CSV for a spreadsheet: a text cell that a spreadsheet would run as a formula gets a leading quote."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({k: _inert(v) for k, v in row.items()} for row in rows(response, first_rank))
    return out.getvalue()


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(response: SearchResponse, first_rank: int = 1) -> str:
    body = {"query": response.query, "mode": response.mode, "results": rows(response, first_rank)}
    return json.dumps(body, ensure_ascii=False, indent=2)
