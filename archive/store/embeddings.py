"""Chunk vectors: what is still to embed, the vectors themselves, and what the vector index follows."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from archive.store.sql import batches, marks

if TYPE_CHECKING:
    import numpy as np


class EmbeddingTables:
    db: sqlite3.Connection

    def embedded_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def embedding_sample(self) -> tuple[str, int] | None:
        """The model and dimension of one stored vector (float32), or None when nothing is embedded."""
        row = self.db.execute("SELECT model, length(vector) FROM embeddings LIMIT 1").fetchone()
        return None if row is None else (str(row[0]), int(row[1]) // 4)

    def chunks_to_embed(
        self, after: int, limit: int, first_only: bool = False
    ) -> list[tuple[int, int, str | None, str]]:
        """(chunk id, ordinal, title, text) of chunks without a vector, by id, after `after` (only articles' first
        chunks when `first_only`)."""
        first = " AND c.ordinal = 0" if first_only else ""
        return self.db.execute(
            "SELECT c.id, c.ordinal, d.title, substr(d.text, c.start + 1, c.end - c.start) FROM chunks c"
            " JOIN documents d ON d.id = c.doc_id LEFT JOIN embeddings e ON e.chunk_id = c.id"
            f" WHERE e.chunk_id IS NULL AND c.id > ?{first} ORDER BY c.id LIMIT ?",
            (after, limit),
        ).fetchall()

    def first_chunks_to_embed(self) -> int:
        """Articles' first chunks without a vector."""
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM chunks c LEFT JOIN embeddings e ON e.chunk_id = c.id"
                " WHERE c.ordinal = 0 AND e.chunk_id IS NULL"
            ).fetchone()[0]
        )

    def save_vectors(self, model: str, chunk_ids: Sequence[int], vectors: np.ndarray) -> None:
        """Store vectors (float32) for chunks that still exist (inside a transaction)."""
        import numpy as np

        self.db.executemany(
            "INSERT OR REPLACE INTO embeddings (chunk_id, model, vector) SELECT ?, ?, ? WHERE EXISTS"
            " (SELECT 1 FROM chunks WHERE id = ?)",
            [(cid, model, vectors[i].astype(np.float32).tobytes(), cid) for i, cid in enumerate(chunk_ids)],
        )

    def drop_first_chunk_vectors(self) -> int:
        """Forget the first chunks' vectors (made before titles were embedded with them)."""
        sql = "DELETE FROM embeddings WHERE chunk_id IN (SELECT id FROM chunks WHERE ordinal = 0)"
        return int(self.db.execute(sql).rowcount)

    def drop_vectors(self) -> None:
        self.db.execute("DELETE FROM embeddings")

    # what the vector index follows

    def vectors_top(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM embeddings").fetchone()[0])

    def vectors_since(self, seq: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM embeddings WHERE seq > ?", (seq,)).fetchone()[0])

    def vector_rows(self, after: int, upto: int, limit: int) -> list[tuple[int, int, bytes]]:
        """(seq, chunk id, float32 bytes) of the vectors stored in (after, upto], oldest first."""
        return self.db.execute(
            "SELECT seq, chunk_id, vector FROM embeddings WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
            (after, upto, limit),
        ).fetchall()

    def first_vectors(self, doc_id: int, count: int) -> np.ndarray:
        """The vectors of an article's first `count` chunks, in order: (chunks, dim) float32."""
        rows = self.db.execute(
            "SELECT e.vector FROM chunks c JOIN embeddings e ON e.chunk_id = c.id WHERE c.doc_id = ?"
            " ORDER BY c.ordinal LIMIT ?",
            (doc_id, count),
        ).fetchall()
        import numpy as np

        return np.array([np.frombuffer(r[0], dtype=np.float32) for r in rows], dtype=np.float32)

    def chunk_vectors(self, doc_ids: Sequence[int]) -> list[tuple[int, int, int, bytes]]:
        """(doc id, start, end, vector) of every embedded chunk of these articles, by article and order."""
        out: list[tuple[int, int, int, bytes]] = []
        for ids in batches(doc_ids):
            out.extend(
                self.db.execute(
                    "SELECT c.doc_id, c.start, c.end, e.vector FROM chunks c JOIN embeddings e ON e.chunk_id = c.id"
                    f" WHERE c.doc_id IN ({marks(len(ids))}) ORDER BY c.doc_id, c.ordinal",
                    ids,
                ).fetchall()
            )
        return out
