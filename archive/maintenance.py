"""Removing documents, and the manifest that says how the store was built."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archive import writes
from archive.chunking import Chunker
from archive.errors import StoreError
from archive.migrations import SCHEMA_VERSION
from archive.store import Store

MANIFEST_FILE = "manifest.json"


def remove_documents(store: Store, ids: Sequence[int], chunker: Chunker) -> int:
    """Remove documents (a duplicate takes over a removed original's text); returns how many."""
    removed = 0
    with store.transaction() as db:
        for doc_id in ids:
            row = db.execute("SELECT path FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                continue
            writes.delete_document(db, doc_id, chunker.chunk)
            writes.forget_file(db, row[0])
            removed += 1
    return removed


def read_manifest(home: Path) -> dict[str, Any]:
    path = Path(home) / MANIFEST_FILE
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(value) if isinstance(value, dict) else {}


def manifest_problem(home: Path) -> str | None:
    """What is wrong with the manifest file, if anything: missing, unreadable, or not an object."""
    path = Path(home) / MANIFEST_FILE
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "was missing"
    except (OSError, ValueError) as exc:
        return f"could not be read ({type(exc).__name__})"
    return None if isinstance(value, dict) else "does not hold a JSON object"


def write_manifest(home: Path, **values: Any) -> dict[str, Any]:
    """Merge `values` into the manifest (written atomically; a None value removes its key)."""
    merged = read_manifest(home) | {"schema_version": SCHEMA_VERSION} | values
    manifest = {k: v for k, v in merged.items() if v is not None}
    path = Path(home) / MANIFEST_FILE
    tmp = path.with_suffix(f".json.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        full = " (the disk is full: free some space, then run the same command again)" if exc.errno == 28 else ""
        raise StoreError(f"cannot write {path}: {exc.strerror}{full}") from exc
    return manifest
