"""The library's results as JSON-ready dicts: one function per result type, used by the CLI, the app and export.

The field names are the documented `--json` forms (README).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive import Document
    from archive.models import StoredMention
    from index.related import RelatedResult
    from index.search import SearchResponse, SearchResult
    from index.story_view import Story, StorySummary


def search_result(r: SearchResult) -> dict[str, Any]:
    return {
        "id": r.id,
        "external_id": r.external_id,
        "title": r.title,
        "outlet": r.outlet,
        "date": r.date,
        "url": r.url,
        "path": r.path,
        "score": r.score,
        "lexical_rank": r.lexical_rank,
        "semantic_rank": r.semantic_rank,
        "lexical_score": r.lexical_score,
        "semantic_score": r.semantic_score,
        "passage": {"start": r.passage.start, "end": r.passage.end, "text": r.passage.text},
        "highlights": [{"start": h.start, "end": h.end, "kind": h.kind} for h in r.highlights],
        "also_in": list(r.also_in),
        "duplicates": list(r.duplicates),
        "date_mentions": mentions(r.mentions),
    }


def search_response(response: SearchResponse, query_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "query": response.query,
        "mode": response.mode,
        "filtered_articles": response.filtered_articles,
        "vector_coverage": round(response.vector_coverage, 4),
        "matched": response.matched,
        "words_matched": response.words_matched,
        "notice": response.notice,
        "dates_read": _dates_read(response),
        "results": [search_result(r) for r in response.results],
    }
    return out if query_id is None else {"id": query_id, **out}


def related_result(r: RelatedResult) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "outlet": r.outlet,
        "date": r.date,
        "days_from_seed": r.days_from_seed,
        "score": r.score,
        "passage": {"start": r.passage_start, "end": r.passage_end, "text": r.passage_text},
        "duplicate_group": [r.id, *r.duplicates],
        "also_in": list(r.also_in),
    }


def document(doc: Document) -> dict[str, Any]:
    """An article as `archive show --json` prints it."""
    keys = ("id", "external_id", "title", "outlet", "date", "url", "canonical_url", "captured", "path", "text")
    return {k: getattr(doc, k) for k in keys}


def mentions(found: Sequence[StoredMention]) -> list[dict[str, Any]]:
    """Dates mentioned in a text as `archive show --json` lists them (`date_mentions`)."""
    return [
        {"start": m.start, "end": m.end, "text": m.text, "value": m.value, "granularity": m.granularity} for m in found
    ]


def _dates_read(response: SearchResponse) -> dict[str, Any] | None:
    read = response.dates_read
    if read is None:
        return None
    return {
        "phrase": read.phrase,
        "from": read.date_from,
        "to": read.date_to,
        "relative": read.relative,
        "searched": read.rest,
    }


def story_summary(s: StorySummary) -> dict[str, Any]:
    """A story as `archive stories --json` lists it."""
    return {
        "id": s.id,
        "label": s.label,
        "first": s.first,
        "last": s.last,
        "size": s.size,
        "outlets": list(s.outlets),
        "articles": [
            {"id": a.id, "outlet": a.outlet, "date": a.date, "title": a.title, "copy_of": a.copy_of} for a in s.articles
        ],
    }


def story(s: Story) -> dict[str, Any]:
    """A story as `archive story ID --json` prints it."""
    return {
        **story_summary(s.summary),
        "first_report": s.first_report,
        "copies": [{"original": original, "copies": list(copies)} for original, copies in s.copies],
        "coverage": [
            {"outlet": c.outlet, "articles": c.articles, "first": c.first, "last": c.last, "terms": list(c.terms)}
            for c in s.coverage
        ],
        "silent_outlets": [{"outlet": o, "articles_in_period": n} for o, n in s.silent],
        "placed_by_content_only": s.by_content,
        "event_date": s.event_date,
    }
