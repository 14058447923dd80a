"""Every error the library raises, in one small tree.

    ArchiveError                 base: catch this to handle anything the library raises
    ├── StoreError               the store under the archive home cannot be opened or written
    │   └── SchemaTooNewError    the store was written by a newer semantic-archive
    ├── NotFoundError            no document with the given id
    ├── InvalidInputError        a bad argument: a date filter, a field mapping, an option
    ├── ReadError                one file or record could not be read (ingest records it and goes on)
    ├── ComputeError             the Ray cluster embedding phase 2 failed or cannot be reached; what was stored stays
    └── IndexDamagedError        a derived index (lexical, vectors) failed or cannot be opened; reindex rebuilds it

Messages say what failed, where, and what to do next. Only the CLI and the app turn these into
messages and exit codes.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class of every error raised by semantic-archive."""


class StoreError(ArchiveError):
    """The SQLite store cannot be opened or written."""


class SchemaTooNewError(StoreError):
    """The store's schema is newer than this version understands."""


class NotFoundError(ArchiveError):
    """No document with the given id."""


class InvalidInputError(ArchiveError):
    """A bad argument given by the user (not a bad file)."""


class ComputeError(ArchiveError):
    """Embedding on a Ray cluster failed: the cluster cannot be reached, or a worker's model failed its check.

    Vectors stored before the failure stay; the next `archive embed` embeds only what is still missing.
    """


class IndexDamagedError(ArchiveError):
    """A derived index cannot be opened or failed inside its native library (a tantivy panic, say).

    Derived indexes are rebuilt from the store, so nothing is lost: `archive reindex` makes them again.
    """


class ReadError(ArchiveError):
    """A file or a record inside it could not be read.

    `path` is the file; `record` the record's id or line number inside a multi-record file.
    """

    def __init__(self, reason: str, path: str = "", record: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path
        self.record = record
