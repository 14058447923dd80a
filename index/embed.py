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
# What a chunk's vector is made from: the chunk's text, and for an article's first chunk its title
# before it. Titles carry the event ("Twin blasts kill 84 in Kerman"): on AllSides val, same-event
# retrieval by MiniLM rose from R-precision 0.663 (text) to 0.777 (title + text); SciFact is unchanged
# (benchmarks/RESULTS.md). Archives embedded before this re-embed their first chunks once.
EMBEDDING_TEXT = "title+first-chunk"


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
    if progress and total:
        progress(0, total)  # the first block (and choosing the model's engine) takes a while
    while True:
        rows = store.db.execute(
            "SELECT c.id, c.ordinal, d.title, substr(d.text, c.start + 1, c.end - c.start) FROM chunks c"
            " JOIN documents d ON d.id = c.doc_id LEFT JOIN embeddings e ON e.chunk_id = c.id"
            " WHERE e.chunk_id IS NULL AND c.id > ? ORDER BY c.id LIMIT ?",
            (last_id, block),
        ).fetchall()
        if not rows:
            return done
        vectors = embedder.embed([embedding_text(ordinal, title, text) for _, ordinal, title, text in rows])
        with store.transaction() as db:
            save_vectors(db, embedder.name, [r[0] for r in rows], vectors)
        done += len(rows)
        last_id = rows[-1][0]
        if progress:
            progress(done, total)


def embedding_text(ordinal: int, title: str | None, text: str) -> str:
    """The text a chunk is embedded from (see EMBEDDING_TEXT)."""
    return f"{title}\n{text}" if ordinal == 0 and title else text


def drop_first_chunks(db: sqlite3.Connection) -> int:
    """Forget the first chunks' vectors (made before titles were embedded); `embed_pending` redoes them."""
    return db.execute("DELETE FROM embeddings WHERE chunk_id IN (SELECT id FROM chunks WHERE ordinal = 0)").rowcount


def save_vectors(db: sqlite3.Connection, model: str, chunk_ids: list[int], vectors: np.ndarray) -> None:
    """Store vectors (float32) for chunks that still exist."""
    db.executemany(
        "INSERT OR REPLACE INTO embeddings (chunk_id, model, vector) SELECT ?, ?, ? WHERE EXISTS"
        " (SELECT 1 FROM chunks WHERE id = ?)",
        [(cid, model, vectors[i].astype(np.float32).tobytes(), cid) for i, cid in enumerate(chunk_ids)],
    )


def drop_embeddings(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM embeddings")
