"""Which model made an archive's vectors: the manifest's record, checked against the store and the model.

A deleted, garbled or hand-edited manifest must not silently drop the meaning leg: the store keeps each
vector with its model's name and its length, so the record is made again from there (and said). A model
whose weights differ from those recorded is refused, whatever its folder is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive import EmbeddingRecord, InvalidInputError, StoreError, read_manifest, write_manifest
from archive.manifest import MANIFEST_FILE
from archive.store import Store
from index.embed import EMBEDDING_TEXT
from index.embedder import Embedder


@dataclass(frozen=True)
class Reconciled:
    record: EmbeddingRecord | None
    notice: str | None = None


def reconcile(home: Path, store: Store) -> Reconciled:
    """The record of the vectors, made again from the store (and saved when the folder allows) if wrong."""
    manifest = read_manifest(home)
    record = manifest.embedding
    stored = store.embedding_sample()
    if stored is None:
        return Reconciled(record)
    model, dim = stored
    if record is not None and (record.model, record.dim) == (model, dim):
        return Reconciled(record)
    kept = record if record is not None and record.model == model else None
    repaired = EmbeddingRecord(model, dim, kept.text if kept else EMBEDDING_TEXT, kept.weights if kept else None)
    problem = manifest.problem or "had a wrong record of the vectors"
    try:
        write_manifest(home, manifest.with_embedding(repaired))
    except StoreError:
        problem += " (and it could not be saved: the archive folder is not writable)"
    notice = (
        f"{Path(home) / MANIFEST_FILE} {problem}: its record of the vectors was made again from the store "
        f"({model}, {dim} dimensions)"
    )
    return Reconciled(repaired, notice)


def record_of(embedder: Embedder) -> EmbeddingRecord:
    return EmbeddingRecord(embedder.name, embedder.dim, EMBEDDING_TEXT, embedder.weights)


def check_name(record: EmbeddingRecord | None, requested: str | None) -> None:
    """Refuse a --model other than the one that made the vectors (by name)."""
    if record is None or not requested:
        return
    if Path(requested).name != record.model and requested != record.model:
        raise InvalidInputError(
            f"this archive's vectors were made by {record.model}, not {requested}; leave --model out (or give "
            f"--model {record.model}), or embed everything again with: archive reindex --embeddings --model {requested}"
        )


def check_weights(record: EmbeddingRecord | None, embedder: Embedder, model_name: str) -> None:
    """Refuse a model whose weights differ from those that made the vectors (a name proves nothing)."""
    made_by = record.weights if record else None
    if made_by and embedder.weights and made_by != embedder.weights:
        raise InvalidInputError(
            f"the model {embedder.name} has other weights (sha256 {embedder.weights[:12]}…) than the one that "
            f"made this archive's vectors ({made_by[:12]}…), so its vectors would not compare with them; "
            "use the archive's own model, or embed everything again with: "
            f"archive reindex --embeddings --model {model_name}"
        )
