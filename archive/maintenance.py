"""Removing documents (a duplicate takes over a removed original's text)."""

from __future__ import annotations

from collections.abc import Sequence

from archive.chunking import Chunker
from archive.store import Store, writes


def remove_documents(store: Store, ids: Sequence[int], chunker: Chunker) -> int:
    """Remove documents (a duplicate takes over a removed original's text); returns how many."""
    removed = 0
    with store.transaction() as db:
        for doc_id in ids:
            path = store.path_of(doc_id)
            if path is None:
                continue
            writes.delete_document(db, doc_id, chunker.chunk)
            writes.forget_file(db, path)
            removed += 1
    return removed
