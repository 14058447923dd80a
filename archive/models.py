"""The small frozen records that flow through the library (the CLI prints them with `asdict`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawDoc:
    """One document as a reader found it, before normalising, dating and de-duplicating.

    `record` names the record inside a multi-record file (its id, or its number); None for a
    one-document file. `fingerprint` is a hash of what the reader read for this record, used to
    tell an unchanged record from a changed one on re-ingest.
    """

    text: str
    fingerprint: str
    title: str | None = None
    date: str | int | float | None = None
    outlet: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    external_id: str | None = None
    record: str | None = None
    captured: str | None = None
    canonical_url: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A record a reader passed over on purpose (a revisit record, an image in a web archive), and why."""

    reason: str
    record: str | None = None


@dataclass(frozen=True)
class CollectionSummary:
    name: str
    created_at: str
    articles: int


@dataclass(frozen=True)
class CollectionEntry:
    """One article of a collection, as it is now; `id` None when the article has left the archive."""

    origin: str
    id: int | None
    title: str | None
    outlet: str | None
    date: str | None
    url: str | None
    path: str | None
    note: str | None
    query: str | None
    added_at: str


@dataclass(frozen=True)
class SavedSearch:
    """A named query with its filters (as `Filters` fields) and mode; `last_run_at` None: never run."""

    name: str
    query: str
    filters: dict[str, object]
    mode: str
    created_at: str
    last_run_at: str | None


@dataclass(frozen=True)
class Annotations:
    """The user's tags and note on one article."""

    tags: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Collection:
    name: str
    entries: tuple[CollectionEntry, ...]


@dataclass(frozen=True)
class StoredMention:
    """A date mentioned in an article's text: [start, end) of its stored text, the TimeML value (`2024-01-03`,
    `2024-W01`, `2024-01`, `2024-Q1`, `2024`, `PAST_REF`, ...), how precise it is, and the first and last
    day it covers (None when it fixes no date)."""

    start: int
    end: int
    text: str
    value: str
    granularity: str
    day_from: str | None
    day_to: str | None


@dataclass(frozen=True)
class Chunk:
    """A [start, end) character span of a document's stored text."""

    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """A stored document. `date` is an ISO date or None (undated)."""

    id: int
    title: str | None
    outlet: str | None
    date: str | None
    url: str | None
    path: str
    text: str
    external_id: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    captured: str | None = None
    duplicate_of: int | None = None
    date_warning: str | None = None
    origin: str = ""
    canonical_url: str | None = None


@dataclass(frozen=True)
class DocumentSummary:
    """One line of `archive list`."""

    id: int
    external_id: str | None
    title: str | None
    outlet: str | None
    date: str | None


MAX_REASON_CHARS = 500  # a failure's reason is cut here: a reader's message may quote a whole "line" of a bad file


def cap_reason(reason: str) -> str:
    """A reason short enough to show and keep (a bad file's first "line" can be hundreds of MB)."""
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


@dataclass(frozen=True)
class Failure:
    """A file (or a record in it) that could not be ingested, and why (the reason capped)."""

    path: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", cap_reason(self.reason))


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did. `warnings` are kept documents with a note (e.g. an impossible date)."""

    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    duplicates: int = 0
    failed: tuple[Failure, ...] = ()
    warnings: tuple[Failure, ...] = ()
    skipped_files: int = 0
    skipped_records: tuple[tuple[str, int], ...] = ()  # (reason, how many), most first
    skipped_names: tuple[str, ...] = ()  # README, LICENSE, ... and --exclude matches, left out of a folder

    @property
    def stored_anything(self) -> bool:
        """True when the ingest added, replaced or found already present at least one document."""
        return (self.added + self.unchanged + self.replaced + self.duplicates) > 0


@dataclass(frozen=True)
class Stats:
    """The archive at a glance (`archive stats`)."""

    documents: int
    chunks: int
    duplicates: int
    outlets: int
    undated: int
    date_min: str | None
    date_max: str | None
    failed_files: int


@dataclass(frozen=True)
class Progress:
    """A progress report from a long operation, for the CLI's progress bar.

    `bytes_done`/`bytes_total` measure the input read so far (compressed bytes for gzip files).
    """

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    documents: int
    path: str = ""
