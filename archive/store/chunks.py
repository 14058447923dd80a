"""Chunks, their change log (which derived indexes follow), and what the word index is built from."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from archive.models import Chunk
from archive.store.sql import batches, marks


class ChunkTables:
    db: sqlite3.Connection

    def chunks(self, doc_id: int) -> list[Chunk]:
        rows = self.db.execute("SELECT start, end FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [Chunk(s, e) for s, e in rows]

    def chunk_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def doc_of(self, chunk_ids: Sequence[int]) -> dict[int, int]:
        """The article of each of these chunks (chunks that no longer exist are left out)."""
        out: dict[int, int] = {}
        for ids in batches(chunk_ids):
            out.update(
                self.db.execute(f"SELECT id, doc_id FROM chunks WHERE id IN ({marks(len(ids))})", ids).fetchall()
            )
        return out

    def chunk_span(self, chunk_id: int | None, doc_id: int) -> tuple[int, int]:
        """The [start, end) of a chunk, else of the article's first chunk; (0, 0) when neither exists."""
        if chunk_id is not None:
            row = self.db.execute("SELECT start, end FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        else:
            row = self.db.execute(
                "SELECT start, end FROM chunks WHERE doc_id = ? ORDER BY ordinal LIMIT 1", (doc_id,)
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # the change log

    def log_top(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM chunk_log").fetchone()[0])

    def log_count_since(self, seq: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM chunk_log WHERE seq > ?", (seq,)).fetchone()[0])

    def log_entries(self, after: int, upto: int, limit: int) -> list[tuple[int, int, int]]:
        """(seq, chunk_id, doc_id) of the log entries in (after, upto], oldest first."""
        rows = self.db.execute(
            "SELECT seq, chunk_id, doc_id FROM chunk_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
            (after, upto, limit),
        )
        return [(int(s), int(c), int(d)) for s, c, d in rows]

    def removed_chunks(self, after: int, upto: int) -> list[int]:
        rows = self.db.execute(
            "SELECT chunk_id FROM chunk_log WHERE op = 'del' AND seq > ? AND seq <= ?", (after, upto)
        )
        return [int(r[0]) for r in rows]

    # what the word index holds

    def chunk_texts(self, chunk_ids: Sequence[int]) -> Iterator[tuple[int, int, str]]:
        """(chunk_id, doc_id, text) of each of these chunks that still exists."""
        for ids in batches(chunk_ids):
            yield from self.db.execute(
                "SELECT c.id, c.doc_id, substr(d.text, c.start + 1, c.end - c.start) FROM chunks c"
                f" JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({marks(len(ids))})",
                ids,
            )

    def original_texts(self, doc_ids: Sequence[int]) -> list[tuple[int, str | None, str]]:
        """(id, title, text) of these documents that still exist and hold their text (not exact duplicates)."""
        out: list[tuple[int, str | None, str]] = []
        for ids in batches(doc_ids):
            out.extend(
                self.db.execute(
                    f"SELECT id, title, text FROM documents WHERE id IN ({marks(len(ids))}) AND duplicate_of IS NULL",
                    ids,
                ).fetchall()
            )
        return out

    def copy_facets(self, doc_ids: Sequence[int]) -> list[tuple[int, str | None, str | None]]:
        """(original id, outlet, published) of these documents and of their exact duplicates."""
        out: list[tuple[int, str | None, str | None]] = []
        for ids in batches(doc_ids, 450):
            m = marks(len(ids))
            out.extend(
                self.db.execute(
                    f"SELECT COALESCE(duplicate_of, id), outlet, published FROM documents WHERE id IN ({m})"
                    f" OR duplicate_of IN ({m})",
                    ids + ids,
                ).fetchall()
            )
        return out
