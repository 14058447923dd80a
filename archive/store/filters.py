"""Which articles a list, search or related query may return: the one filter, and its one SQL form.

One rule for outlets everywhere (the store's SQL, tantivy's outlet field, the app): a name matches
whatever its case and surrounding spaces, so `reuters`, `Reuters` and ` REUTERS ` are one outlet.
Dates are inclusive ISO days; undated articles are kept without a date range and left out with one,
unless `undated` says otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from archive.errors import InvalidInputError

UNDATED_CHOICES = ("include", "exclude", "only", "inferred")


def outlet_key(name: str) -> str:
    """The form an outlet name is compared in: trimmed and lower-cased."""
    return name.strip().lower()


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return. Dates are inclusive ISO dates; outlets kept as their keys."""

    date_from: str | None = None
    date_to: str | None = None
    outlets: tuple[str, ...] = ()
    undated: str | None = None  # None: included without a date range, left out with one; "inferred": in a range by
    #                             the day proposed from their text (index/mentions.py), never by a real date
    collection: str | None = None  # only the articles of this collection (any case)
    tags: tuple[str, ...] = ()  # only articles with one of these tags (any case)
    arrived_after: str | None = None  # only articles ingested (or changed) after this UTC time (ISO)
    mentions_from: str | None = None  # only articles whose text mentions a date on or after this day...
    mentions_to: str | None = None  # ...and on or before this one (a mention covering any day of the range)

    def __post_init__(self) -> None:
        if self.undated is not None and self.undated not in UNDATED_CHOICES:
            raise InvalidInputError(f"undated must be one of {', '.join(UNDATED_CHOICES)}, not {self.undated!r}")
        for value in (self.date_from, self.date_to, self.mentions_from, self.mentions_to):
            if value is not None:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    raise InvalidInputError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInputError(f"the date range is empty: {self.date_from} is after {self.date_to}")
        if self.mentions_from and self.mentions_to and self.mentions_from > self.mentions_to:
            raise InvalidInputError(
                f"the mentioned-date range is empty: {self.mentions_from} is after {self.mentions_to}"
            )
        keys = tuple(dict.fromkeys(outlet_key(o) for o in self.outlets if o.strip()))
        object.__setattr__(self, "outlets", keys)
        object.__setattr__(self, "tags", tuple(dict.fromkeys(t.strip() for t in self.tags if t.strip())))

    @property
    def undated_policy(self) -> str:
        if self.undated is not None:
            return self.undated
        return "exclude" if self.dated_range else "include"

    @property
    def active(self) -> bool:
        return bool(
            self.date_from
            or self.date_to
            or self.outlets
            or self.collection
            or self.tags
            or self.arrived_after
            or self.mentions
            or self.undated_policy != "include"
        )

    @property
    def mentions(self) -> bool:
        """Whether the filter asks for articles mentioning a date in a range."""
        return bool(self.mentions_from or self.mentions_to)

    @property
    def dated_range(self) -> bool:
        return bool(self.date_from or self.date_to)


def where(filters: Filters) -> tuple[str, list[object]]:
    """The filter as a WHERE clause over `documents` (empty when it lets everything through) and its values."""
    clauses: list[str] = []
    args: list[object] = []
    dated: list[str] = []
    if filters.date_from:
        dated.append("published >= ?")
        args.append(filters.date_from)
    if filters.date_to:
        dated.append("published <= ?")
        args.append(filters.date_to)
    if filters.undated_policy == "only":
        clauses.append("published IS NULL")
        args = []
    elif dated:
        joined = " AND ".join(dated)
        if filters.undated_policy == "include":
            clauses.append(f"(({joined}) OR published IS NULL)")
        elif filters.undated_policy == "inferred":
            clauses.append(
                f"(({joined}) OR (published IS NULL AND id IN"
                " (SELECT doc_id FROM inferred_dates WHERE day >= ? AND day <= ?)))"
            )
            args.extend([filters.date_from or "0000-01-01", filters.date_to or "9999-12-31"])
        else:
            clauses.append(f"({joined})")
    elif filters.undated_policy == "exclude":
        clauses.append("published IS NOT NULL")
    if filters.outlets:
        clauses.append(f"lower(trim(outlet)) IN ({','.join('?' * len(filters.outlets))})")
        args.extend(filters.outlets)
    if filters.collection:
        clauses.append(
            "origin IN (SELECT i.origin FROM collection_items i JOIN collections c ON c.id = i.collection_id"
            " WHERE c.name = ? COLLATE NOCASE)"
        )
        args.append(filters.collection)
    if filters.tags:
        clauses.append(f"origin IN (SELECT origin FROM tags WHERE tag IN ({','.join('?' * len(filters.tags))}))")
        args.extend(filters.tags)
    if filters.arrived_after:
        clauses.append("ingested_at > ?")
        args.append(filters.arrived_after)
    if filters.mentions:
        clauses.append(
            "id IN (SELECT doc_id FROM date_mentions WHERE day_from IS NOT NULL AND day_from <= ? AND day_to >= ?)"
        )
        args.extend([filters.mentions_to or "9999-12-31", filters.mentions_from or "0000-01-01"])
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args
