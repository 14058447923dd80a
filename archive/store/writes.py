"""Writes to the store, each called inside `Store.transaction()`.

Removing a document that others duplicate promotes the oldest duplicate to carry the text and its
chunks, so provenance is kept and nothing searchable is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass

from archive.models import Chunk, cap_reason

Rechunk = Callable[[str], list[Chunk]]


@dataclass(frozen=True)
class NewDocument:
    """A document ready to store: text normalised, date checked, outlet resolved."""

    origin: str
    path: str
    record: str | None
    fingerprint: str
    content_hash: str
    external_id: str | None
    title: str | None
    text: str
    published: str | None
    date_warning: str | None
    outlet: str | None
    url: str | None
    authors: str
    language: str | None
    captured: str | None
    source: str | None
    canonical_url: str | None = None


_INSERT = (
    "INSERT INTO documents (origin, path, record, fingerprint, content_hash, external_id, title, text, published,"
    " date_warning, outlet, url, authors, language, captured, source, canonical_url, duplicate_of, ingested_at)"
    " VALUES (" + ",".join("?" * 19) + ")"
)
_UPDATE = (
    "UPDATE documents SET origin=?, path=?, record=?, fingerprint=?, content_hash=?, external_id=?, title=?, text=?,"
    " published=?, date_warning=?, outlet=?, url=?, authors=?, language=?, captured=?, source=?, canonical_url=?,"
    " ingested_at=?"
    " WHERE id=?"
)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def authors_json(authors: Sequence[str]) -> str:
    return json.dumps(list(authors), ensure_ascii=False)


def insert_document(db: sqlite3.Connection, doc: NewDocument, duplicate_of: int | None) -> int:
    cur = db.execute(_INSERT, (*astuple(doc), duplicate_of, now()))
    return int(cur.lastrowid or 0)


def update_document(db: sqlite3.Connection, doc_id: int, doc: NewDocument) -> None:
    """Replace a document's metadata in place (its text hashes the same, so chunks stay)."""
    db.execute(_UPDATE, (*astuple(doc), now(), doc_id))


def insert_chunks(db: sqlite3.Connection, doc_id: int, chunks: Sequence[Chunk]) -> None:
    db.executemany(
        "INSERT INTO chunks (doc_id, ordinal, start, end) VALUES (?, ?, ?, ?)",
        [(doc_id, i, c.start, c.end) for i, c in enumerate(chunks)],
    )


def delete_document(db: sqlite3.Connection, doc_id: int, rechunk: Rechunk) -> None:
    """Delete a document and its chunks; promote its oldest duplicate if it had any."""
    dups = [r[0] for r in db.execute("SELECT id FROM documents WHERE duplicate_of = ? ORDER BY id", (doc_id,))]
    db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
    if dups:
        heir, rest = dups[0], dups[1:]
        db.execute("UPDATE documents SET duplicate_of = NULL WHERE id = ?", (heir,))
        db.executemany("UPDATE documents SET duplicate_of = ? WHERE id = ?", [(heir, d) for d in rest])
        text = db.execute("SELECT text FROM documents WHERE id = ?", (heir,)).fetchone()[0]
        insert_chunks(db, heir, rechunk(text))
    db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def record_failure(db: sqlite3.Connection, path: str, record: str | None, reason: str) -> None:
    db.execute(
        "INSERT OR REPLACE INTO failures (path, record, reason, at) VALUES (?, ?, ?, ?)",
        (path, record or "", cap_reason(reason), now()),
    )


def clear_failures(db: sqlite3.Connection, path: str | None) -> int:
    """Forget one file's failures (None: every file's); how many rows went."""
    if path is None:
        return int(db.execute("DELETE FROM failures").rowcount)
    return int(db.execute("DELETE FROM failures WHERE path = ?", (path,)).rowcount)


def mark_file(db: sqlite3.Connection, path: str, size: int, mtime_ns: int, signature: str, complete: bool) -> None:
    db.execute(
        "INSERT OR REPLACE INTO files (path, size, mtime_ns, signature, complete) VALUES (?, ?, ?, ?, ?)",
        (path, size, mtime_ns, signature, int(complete)),
    )


def forget_file(db: sqlite3.Connection, path: str) -> None:
    db.execute("DELETE FROM files WHERE path = ?", (path,))


def start_run(db: sqlite3.Connection) -> int:
    return int(db.execute("INSERT INTO ingest_runs (started_at) VALUES (?)", (now(),)).lastrowid or 0)


def finish_run(db: sqlite3.Connection, run_id: int, report: dict[str, object]) -> None:
    db.execute("UPDATE ingest_runs SET finished_at = ?, report = ? WHERE id = ?", (now(), json.dumps(report), run_id))


def create_collection(db: sqlite3.Connection, name: str) -> bool:
    """False when a collection of that name (any case) exists already."""
    cur = db.execute("INSERT OR IGNORE INTO collections (name, created_at) VALUES (?, ?)", (name, now()))
    return cur.rowcount > 0


def add_to_collection(
    db: sqlite3.Connection, collection_id: int, origin: str, note: str | None, query: str | None
) -> None:
    """Add an article (again: its note and query are replaced, its place kept)."""
    db.execute(
        "INSERT INTO collection_items (collection_id, origin, note, query, added_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (collection_id, origin) DO UPDATE SET note = COALESCE(excluded.note, note),"
        " query = COALESCE(excluded.query, query)",
        (collection_id, origin, note, query, now()),
    )


def remove_from_collection(db: sqlite3.Connection, collection_id: int, origin: str) -> int:
    return int(
        db.execute(
            "DELETE FROM collection_items WHERE collection_id = ? AND origin = ?", (collection_id, origin)
        ).rowcount
    )


def delete_collection(db: sqlite3.Connection, collection_id: int) -> None:
    db.execute("DELETE FROM collections WHERE id = ?", (collection_id,))


def tag(db: sqlite3.Connection, origin: str, tags: Sequence[str]) -> None:
    db.executemany("INSERT OR IGNORE INTO tags (origin, tag) VALUES (?, ?)", [(origin, t) for t in tags])


def untag(db: sqlite3.Connection, origin: str, tags: Sequence[str]) -> int:
    return sum(int(db.execute("DELETE FROM tags WHERE origin = ? AND tag = ?", (origin, t)).rowcount) for t in tags)


def set_note(db: sqlite3.Connection, origin: str, note: str | None) -> None:
    """An article's one note (None or blank: no note)."""
    if note is None or not note.strip():
        db.execute("DELETE FROM notes WHERE origin = ?", (origin,))
        return
    db.execute(
        "INSERT INTO notes (origin, note, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (origin) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
        (origin, note.strip(), now()),
    )


def save_search(db: sqlite3.Connection, name: str, query: str, filters: dict[str, object], mode: str) -> bool:
    """False when a saved search of that name exists already."""
    cur = db.execute(
        "INSERT OR IGNORE INTO saved_searches (name, query, filters, mode, created_at) VALUES (?, ?, ?, ?, ?)",
        (name, query, json.dumps(filters, ensure_ascii=False), mode, now()),
    )
    return cur.rowcount > 0


def mark_run(db: sqlite3.Connection, name: str, at: str) -> None:
    db.execute("UPDATE saved_searches SET last_run_at = ? WHERE name = ? COLLATE NOCASE", (at, name))


def delete_saved_search(db: sqlite3.Connection, name: str) -> int:
    return int(db.execute("DELETE FROM saved_searches WHERE name = ? COLLATE NOCASE", (name,)).rowcount)


def mark(db: sqlite3.Connection, query: str, origin: str, relevance: int) -> None:
    db.execute(
        "INSERT INTO marks (query, origin, relevance, marked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (query, origin) DO UPDATE SET relevance = excluded.relevance, marked_at = excluded.marked_at",
        (query, origin, relevance, now()),
    )
