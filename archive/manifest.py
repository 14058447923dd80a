"""`manifest.json`: how the archive was built, as one typed record read and written here alone.

    {"schema_version": 3, "chunker": {...}, "embedding": {"model", "dim", "normalized", "text", "weights"},
     "search": {"fusion", "lexical_share", "rrf_k", "tuned_on"},   # search: only after `archive tune`
     "vector_index": {"kind", ...}}   # the kind of vector index the size chose, with its parameters

A missing or unreadable file reads as an empty manifest with `problem` saying why, so the archive can
rebuild what it can (the embedding record from the store) and tell the user.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from archive.errors import StoreError
from archive.store.migrations import SCHEMA_VERSION

MANIFEST_FILE = "manifest.json"
MAX_DIM = 65_536


@dataclass(frozen=True)
class EmbeddingRecord:
    """Which model made the vectors: its name, dimension, what was embedded, and its weights' sha256."""

    model: str
    dim: int
    text: str | None = None  # what a chunk's vector is made from (index/embed.py EMBEDDING_TEXT)
    weights: str | None = None
    normalized: bool = True

    @classmethod
    def parse(cls, value: object) -> EmbeddingRecord | None:
        """The record in a manifest's "embedding" value, or None when it is absent or not valid."""
        if not isinstance(value, dict):
            return None
        model, dim = value.get("model"), value.get("dim")
        if not isinstance(model, str) or isinstance(dim, bool) or not isinstance(dim, int) or not 0 < dim <= MAX_DIM:
            return None
        text, weights = value.get("text"), value.get("weights")
        return cls(model, dim, text if isinstance(text, str) else None, weights if isinstance(weights, str) else None)


@dataclass(frozen=True)
class Manifest:
    schema_version: int = SCHEMA_VERSION
    chunker: dict[str, int] = field(default_factory=dict)
    embedding: EmbeddingRecord | None = None
    problem: str | None = None  # why the file could not be read as written (not saved)
    search: dict[str, Any] = field(default_factory=dict)  # fusion settings `archive tune` chose ({}: the defaults)
    vector_index: dict[str, Any] = field(default_factory=dict)  # {"kind": "ivfpq", "nlist": ...} ({}: none yet)

    def with_embedding(self, embedding: EmbeddingRecord | None) -> Manifest:
        return replace(self, embedding=embedding)


def read_manifest(home: Path) -> Manifest:
    path = Path(home) / MANIFEST_FILE
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Manifest(problem="was missing")
    except (OSError, ValueError) as exc:
        return Manifest(problem=f"could not be read ({type(exc).__name__})")
    if not isinstance(value, dict):
        return Manifest(problem="does not hold a JSON object")
    chunker = value.get("chunker")
    search = value.get("search")
    vector_index = value.get("vector_index")
    embedding = EmbeddingRecord.parse(value.get("embedding"))
    problem = "had a wrong record of the vectors" if value.get("embedding") is not None and embedding is None else None
    return Manifest(
        schema_version=int(value.get("schema_version") or SCHEMA_VERSION),
        chunker=dict(chunker) if isinstance(chunker, dict) else {},
        embedding=embedding,
        problem=problem,
        search=dict(search) if isinstance(search, dict) else {},
        vector_index=dict(vector_index) if isinstance(vector_index, dict) else {},
    )


def write_manifest(home: Path, manifest: Manifest) -> Manifest:
    """Write the manifest atomically (a temporary file, then a rename); returns it as written."""
    written = replace(manifest, schema_version=SCHEMA_VERSION, problem=None)
    body: dict[str, Any] = {"schema_version": written.schema_version, "chunker": written.chunker}
    if written.embedding is not None:
        body["embedding"] = {k: v for k, v in asdict(written.embedding).items() if v is not None}
    if written.search:
        body["search"] = written.search
    if written.vector_index:
        body["vector_index"] = written.vector_index
    path = Path(home) / MANIFEST_FILE
    tmp = path.with_suffix(f".json.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        full = " (the disk is full: free some space, then run the same command again)" if exc.errno == 28 else ""
        raise StoreError(f"cannot write {path}: {exc.strerror}{full}") from exc
    return written
