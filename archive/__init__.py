"""semantic-archive's document store: read files, normalise, de-duplicate, chunk and store.

from archive import Store, Chunker, WordTokenizer, ingest
with Store(home) as store:
    report = ingest(store, ["articles/"], Chunker(WordTokenizer()))

The names below are imported when first used (PEP 562), so a command's `--help` does not load the
readers or dateutil; type checkers see the imports under TYPE_CHECKING.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.lazy import lazy_exports

if TYPE_CHECKING:
    from archive.chunking import CHUNKER_VERSION, Chunker, Tokenizer, WordTokenizer
    from archive.errors import (
        ArchiveError,
        ComputeError,
        IndexDamagedError,
        InvalidInputError,
        NotFoundError,
        ReadError,
        SchemaTooNewError,
        StoreError,
    )
    from archive.home import default_home
    from archive.ingestion import IngestOptions, ingest, report_json
    from archive.maintenance import remove_documents
    from archive.manifest import EmbeddingRecord, Manifest, read_manifest, write_manifest
    from archive.models import Chunk, Document, DocumentSummary, Failure, IngestReport, Progress, RawDoc, Stats
    from archive.readers import ReadOptions
    from archive.readers.fields import parse_field_overrides
    from archive.store import Store

_WHERE = {
    "ArchiveError": "archive.errors",
    "ComputeError": "archive.errors",
    "CHUNKER_VERSION": "archive.chunking",
    "Chunk": "archive.models",
    "Chunker": "archive.chunking",
    "Document": "archive.models",
    "DocumentSummary": "archive.models",
    "EmbeddingRecord": "archive.manifest",
    "Failure": "archive.models",
    "IndexDamagedError": "archive.errors",
    "IngestOptions": "archive.ingestion",
    "IngestReport": "archive.models",
    "InvalidInputError": "archive.errors",
    "Manifest": "archive.manifest",
    "NotFoundError": "archive.errors",
    "Progress": "archive.models",
    "RawDoc": "archive.models",
    "ReadError": "archive.errors",
    "ReadOptions": "archive.readers",
    "SchemaTooNewError": "archive.errors",
    "Stats": "archive.models",
    "Store": "archive.store",
    "StoreError": "archive.errors",
    "Tokenizer": "archive.chunking",
    "WordTokenizer": "archive.chunking",
    "default_home": "archive.home",
    "ingest": "archive.ingestion",
    "parse_field_overrides": "archive.readers.fields",
    "read_manifest": "archive.manifest",
    "remove_documents": "archive.maintenance",
    "report_json": "archive.ingestion",
    "write_manifest": "archive.manifest",
}
__all__ = [
    "ArchiveError",
    "CHUNKER_VERSION",
    "Chunk",
    "Chunker",
    "ComputeError",
    "Document",
    "DocumentSummary",
    "EmbeddingRecord",
    "Failure",
    "IndexDamagedError",
    "IngestOptions",
    "IngestReport",
    "InvalidInputError",
    "Manifest",
    "NotFoundError",
    "Progress",
    "RawDoc",
    "ReadError",
    "ReadOptions",
    "SchemaTooNewError",
    "Stats",
    "Store",
    "StoreError",
    "Tokenizer",
    "WordTokenizer",
    "default_home",
    "ingest",
    "parse_field_overrides",
    "read_manifest",
    "remove_documents",
    "report_json",
    "write_manifest",
]


__getattr__, __dir__ = lazy_exports("archive", _WHERE, __all__)
