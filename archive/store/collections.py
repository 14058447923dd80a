"""The user's collections (named sets of articles, each membership with an optional note and the query that
found it), tags and notes. The user's own work, never derived: kept by an article's origin (its file, or file and record), so it
survives a re-ingest that replaces the article under a new id, and `archive reindex`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from archive.models import CollectionEntry, CollectionSummary, SavedSearch
from archive.store.sql import batches, marks


class CollectionTables:
    db: sqlite3.Connection

    def collections(self) -> list[CollectionSummary]:
        rows = self.db.execute(
            "SELECT c.name, c.created_at, COUNT(i.origin) FROM collections c"
            " LEFT JOIN collection_items i ON i.collection_id = c.id GROUP BY c.id ORDER BY c.name COLLATE NOCASE"
        )
        return [CollectionSummary(str(n), str(at), int(k)) for n, at, k in rows]

    def collection_id(self, name: str) -> int | None:
        row = self.db.execute("SELECT id FROM collections WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
        return None if row is None else int(row[0])

    def collection_entries(self, collection_id: int) -> list[CollectionEntry]:
        """Its articles in the order they were added; one whose article is gone has `id` None."""
        rows = self.db.execute(
            "SELECT i.origin, d.id, d.title, d.outlet, d.published, d.url, d.path, i.note, i.query, i.added_at"
            " FROM collection_items i LEFT JOIN documents d ON d.origin = i.origin"
            " WHERE i.collection_id = ? ORDER BY i.added_at, i.rowid",
            (collection_id,),
        )
        return [
            CollectionEntry(str(o), None if i is None else int(i), t, ou, p, u, pa, n, q, str(a))
            for o, i, t, ou, p, u, pa, n, q, a in rows
        ]

    def tags_of(self, origin: str) -> tuple[str, ...]:
        rows = self.db.execute("SELECT tag FROM tags WHERE origin = ? ORDER BY tag COLLATE NOCASE", (origin,))
        return tuple(str(r[0]) for r in rows)

    def note_of(self, origin: str) -> str | None:
        row = self.db.execute("SELECT note FROM notes WHERE origin = ?", (origin,)).fetchone()
        return None if row is None else str(row[0])

    def tag_counts(self, doc_ids: Sequence[int] | None = None) -> list[tuple[str, int]]:
        """Every tag with how many articles (still in the archive; of `doc_ids`, when given) carry it, most first."""
        sql = "SELECT t.tag, COUNT(*) FROM tags t JOIN documents d ON d.origin = t.origin"
        parts: list[list[int]] = [[]] if doc_ids is None else [list(p) for p in batches(doc_ids)]
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        for part in parts:
            among = f" WHERE d.id IN ({marks(len(part))})" if doc_ids is not None else ""
            for tag, n in self.db.execute(f"{sql}{among} GROUP BY t.tag COLLATE NOCASE", part):
                key = str(tag).lower()
                names.setdefault(key, str(tag))
                counts[key] = counts.get(key, 0) + int(n)
        return sorted(((names[k], n) for k, n in counts.items()), key=lambda x: (-x[1], x[0].lower()))

    def marks_of(self, query: str) -> dict[str, int]:
        """One query's marks (any case): origin -> relevance."""
        rows = self.db.execute("SELECT origin, relevance FROM marks WHERE query = ?", (query,))
        return {str(o): int(r) for o, r in rows}

    def saved_searches(self) -> list[SavedSearch]:
        rows = self.db.execute(
            "SELECT name, query, filters, mode, created_at, last_run_at FROM saved_searches ORDER BY name COLLATE NOCASE"
        )
        return [SavedSearch(str(n), str(q), dict(json.loads(f)), str(m), str(c), last) for n, q, f, m, c, last in rows]

    def marks(self) -> dict[str, dict[str, int]]:
        """Every marked query (as first written) with its articles' origins and relevance."""
        out: dict[str, dict[str, int]] = {}
        for query, origin, relevance in self.db.execute("SELECT query, origin, relevance FROM marks ORDER BY query"):
            out.setdefault(str(query), {})[str(origin)] = int(relevance)
        return out

    def origins_of_ids(self, doc_ids: list[int]) -> dict[int, str]:
        rows = self.db.execute(
            f"SELECT id, origin FROM documents WHERE id IN ({','.join('?' * len(doc_ids))})", doc_ids
        )
        return {int(i): str(o) for i, o in rows}
