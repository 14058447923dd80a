"""semantic-archive's document store: read files, normalise, de-duplicate, chunk and store.

from archive import Store, Chunker, WordTokenizer, ingest
with Store(home) as store:
    report = ingest(store, ["articles/"], Chunker(WordTokenizer()))
"""

from archive.chunking import CHUNKER_VERSION, Chunker, Tokenizer, WordTokenizer
from archive.errors import (
    ArchiveError,
    IndexDamagedError,
    InvalidInputError,
    NotFoundError,
    ReadError,
    SchemaTooNewError,
    StoreError,
)
from archive.home import default_home
from archive.ingest import IngestOptions, ingest, report_json
from archive.maintenance import remove_documents
from archive.manifest import EmbeddingRecord, Manifest, read_manifest, write_manifest
from archive.models import Chunk, Document, DocumentSummary, Failure, IngestReport, Progress, RawDoc, Stats
from archive.readers import ReadOptions
from archive.readers.fields import parse_field_overrides
from archive.store import Store

__all__ = [
    "CHUNKER_VERSION",
    "ArchiveError",
    "Chunk",
    "Chunker",
    "Document",
    "EmbeddingRecord",
    "DocumentSummary",
    "Failure",
    "IngestOptions",
    "IndexDamagedError",
    "IngestReport",
    "Manifest",
    "InvalidInputError",
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
