"""Phase 2 of ingest: embed the chunks that have no vector yet, block by block (resumable).

Each block is embedded (sorted by length inside the embedder) and stored in one transaction, so a
killed run loses at most one block and the next run continues with the chunks still missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from archive.store import Store
from index.embedder import Embedder

EMBED_BLOCK = 512


@dataclass(frozen=True)
class Coverage:
    """How many chunks have a vector (`embedded`) of all chunks (`chunks`)."""

    embedded: int
    chunks: int

    @property
    def complete(self) -> bool:
        return self.embedded >= self.chunks

    @property
    def fraction(self) -> float:
        return 1.0 if self.chunks == 0 else self.embedded / self.chunks


def coverage(db: sqlite3.Connection) -> Coverage:
    embedded = int(db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])
    chunks = int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
    return Coverage(embedded, chunks)


def embed_pending(
    store: Store,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
    block: int = EMBED_BLOCK,
) -> int:
    """Embed every chunk without a vector; returns how many were embedded."""
    todo = coverage(store.db)
    total = todo.chunks - todo.embedded
    done = 0
    last_id = 0
    while True:
        rows = store.db.execute(
            "SELECT c.id, substr(d.text, c.start + 1, c.end - c.start) FROM chunks c"
            " JOIN documents d ON d.id = c.doc_id LEFT JOIN embeddings e ON e.chunk_id = c.id"
            " WHERE e.chunk_id IS NULL AND c.id > ? ORDER BY c.id LIMIT ?",
            (last_id, block),
        ).fetchall()
        if not rows:
            return done
        vectors = embedder.embed([text for _, text in rows])  # the chunk alone: a title prefix gained 0.0025
        with store.transaction() as db:
            save_vectors(db, embedder.name, [r[0] for r in rows], vectors)
        done += len(rows)
        last_id = rows[-1][0]
        if progress:
            progress(done, total)


def save_vectors(db: sqlite3.Connection, model: str, chunk_ids: list[int], vectors: np.ndarray) -> None:
    """Store vectors (float32) for chunks that still exist."""
    db.executemany(
        "INSERT OR REPLACE INTO embeddings (chunk_id, model, vector) SELECT ?, ?, ? WHERE EXISTS"
        " (SELECT 1 FROM chunks WHERE id = ?)",
        [(cid, model, vectors[i].astype(np.float32).tobytes(), cid) for i, cid in enumerate(chunk_ids)],
    )


def drop_embeddings(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM embeddings")
