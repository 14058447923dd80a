"""Phase 2 of ingest: embed the chunks that have no vector yet, block by block (resumable).

Each block is embedded (sorted by length inside the embedder) and stored in one transaction, so a
killed run loses at most one block and the next run continues with the chunks still missing.
Every article's first chunk (its title and opening) is embedded before any later chunk: a long embedding
stopped part-way leaves every article findable by meaning and in a story, not the first sixth of them whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


def coverage(store: Store) -> Coverage:
    return Coverage(store.embedded_count(), store.chunk_count())


def embed_pending(
    store: Store,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
    block: int = EMBED_BLOCK,
    first_only: bool = False,
) -> int:
    """Embed every chunk without a vector (only articles' first chunks with `first_only`); how many were embedded."""
    todo = coverage(store)
    total = store.first_chunks_to_embed() if first_only else todo.chunks - todo.embedded
    done = 0
    if progress and total:
        progress(0, total)  # the first block (and choosing the model's engine) takes a while
    for firsts in (True,) if first_only else (True, False):
        last_id = 0
        while True:
            rows = store.chunks_to_embed(last_id, block, firsts)
            if not rows:
                break
            vectors = embedder.embed([embedding_text(ordinal, title, text) for _, ordinal, title, text in rows])
            with store.transaction():
                store.save_vectors(embedder.name, [r[0] for r in rows], vectors)
            done += len(rows)
            last_id = rows[-1][0]
            if progress:
                progress(done, total)
    return done


def embedding_text(ordinal: int, title: str | None, text: str) -> str:
    """The text a chunk is embedded from (see EMBEDDING_TEXT)."""
    return f"{title}\n{text}" if ordinal == 0 and title else text
