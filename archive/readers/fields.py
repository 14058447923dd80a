"""Map a record's fields (JSON, JSONL, CSV) to a document's, by common names or by the user's choice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive.errors import InvalidInputError

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "text": (
        "text",
        "body",
        "content_original",
        "content",
        "body-paragraphs",
        "body_paragraphs",
        "paragraphs",
        "article",
        "full_text",
        "fulltext",
        "maintext",
        "story",
    ),
    "date": (
        "date",
        "published",
        "publish_date",
        "published_date",
        "published_at",
        "pubdate",
        "date_published",
        "datePublished",
        "publication_date",
    ),
    "outlet": ("source", "outlet", "publisher", "site_name", "sitename", "source_name"),
    "url": ("url", "link"),
    "authors": ("authors", "author", "byline"),
    "id": ("id", "_id", "ID", "uuid", "doc_id", "article_id"),
    "language": ("language", "lang"),
}
TARGETS = tuple(ALIASES)


def parse_field_overrides(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`["text=body-paragraphs"]` -> `{"text": "body-paragraphs"}`, checking the targets."""
    out: dict[str, str] = {}
    for pair in pairs:
        target, sep, name = pair.partition("=")
        target = target.strip().lower()
        if target == "source":
            target = "outlet"
        if not sep or not name.strip():
            raise InvalidInputError(f"--field {pair!r}: write TARGET=FIELD, e.g. --field text=body-paragraphs")
        if target not in ALIASES:
            raise InvalidInputError(f"--field {pair!r}: unknown target {target!r}; choose from {', '.join(TARGETS)}")
        out[target] = name.strip()
    return out


def pick(record: Mapping[str, Any], target: str, overrides: Mapping[str, str]) -> Any:
    """The value of `target` in `record`: the user's field if named, else the first common name."""
    if target in overrides:
        return lookup(record, overrides[target])
    for name in ALIASES[target]:
        value = record.get(name)
        if value not in (None, "", []):
            return value
    return None


def lookup(record: Mapping[str, Any], name: str) -> Any:
    """A field by name, or by a dotted path into nested objects (`source.name`)."""
    if name in record:
        return record[name]
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def as_text(value: Any) -> str | None:
    """A body: a string, or paragraphs (a list), or paragraphs of sentences (a list of lists)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        paragraphs = [" ".join(_flatten(p)) if isinstance(p, list) else p for p in value if isinstance(p, (str, list))]
        return "\n\n".join(p for p in paragraphs if p.strip())
    return None  # a number, a bool or an object is no text (its repr must not be stored as an article)


def as_name(value: Any) -> str | None:
    """An outlet or title: a string, or an object's name."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("title")
    if value is None or isinstance(value, (list, dict)):
        return None
    return str(value).strip() or None


def as_authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    return tuple(a for a in (str(as_name(i) or "").strip() for i in items) if a)


def _flatten(value: list[Any]) -> list[str]:
    out: list[str] = []
    for item in value:
        if isinstance(item, list):
            out.extend(_flatten(item))
        elif isinstance(item, str):
            out.append(item)
    return out
