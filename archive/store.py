"""The SQLite store: the one source of truth (WAL mode, numbered migrations).

Writers use `transaction()` (BEGIN IMMEDIATE), one per batch, so a crash loses at most the batch
in flight and never leaves half a document. Readers never block a writer (WAL).

A home that cannot be written (a read-only folder or disk) is opened read-only: reading works, and
any write is refused with a StoreError that says the folder is not writable.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from archive.errors import NotFoundError, SchemaTooNewError, StoreError
from archive.migrations import MIGRATIONS, SCHEMA_VERSION
from archive.models import Chunk, Document, DocumentSummary, Failure, Stats

T = TypeVar("T")

STORE_FILE = "archive.sqlite3"
BUSY_TIMEOUT_MS = 30_000
FULL_DISK_BYTES = 1 << 20  # an open that fails with less free than this is taken as a full disk

_DOC_COLUMNS = (
    "id, title, outlet, published, url, path, text, external_id, authors, language, captured,"
    " duplicate_of, date_warning, origin"
)


@contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """SQLite's errors while writing `path` become a StoreError saying what to do."""
    try:
        yield
    except sqlite3.Error as exc:
        if "full" in str(exc):
            hint = "the disk is full: free some space, then run the same command again (nothing stored was lost)"
        elif "readonly" in str(exc):
            hint = "the archive folder or file is not writable"
        else:
            hint = "run the same command again"
        raise StoreError(f"writing to {path} failed: {exc}; {hint}") from exc


class Store:
    """An open `archive.sqlite3`. Use as a context manager or call `close()`."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = self.home / STORE_FILE
        self.read_only = self.home.is_dir() and not os.access(self.home, os.W_OK)
        self._why_read_only = "is not writable"
        try:
            if self.read_only:
                self.db = self._connect_read_only()
            else:
                self.home.mkdir(parents=True, exist_ok=True)
                self.db = self._connect_writable()
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            hint = ""
            if "not a database" in str(exc) or "malformed" in str(exc):
                hint = (
                    "; the file is damaged: restore it from a backup (the word and vector indexes are made "
                    "again from it with: archive reindex)"
                )
            raise StoreError(f"cannot open the archive store {self.path}: {exc}{hint}") from exc
        except OSError as exc:
            raise StoreError(f"cannot create the archive home {self.home}: {exc.strerror}") from exc

    @staticmethod
    def _connect(target: str, uri: bool) -> sqlite3.Connection:
        db = sqlite3.connect(
            target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, uri=uri
        )
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return db

    def _connect_writable(self) -> sqlite3.Connection:
        try:
            db = self._connect(str(self.path), uri=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            return db
        except sqlite3.OperationalError as exc:
            full = "full" in str(exc) or shutil.disk_usage(self.home).free < FULL_DISK_BYTES
            if not full or not self.path.exists():
                raise
        # A full disk: WAL's -shm file cannot even be made. Reading still works; writing says why not.
        self.read_only, self._why_read_only = True, "is on a full disk (free some space)"
        return self._connect_read_only()

    def _connect_read_only(self) -> sqlite3.Connection:
        """Read-only; a WAL store whose -shm file cannot be made is read as immutable (nobody can write it)."""
        if not self.path.exists():
            raise StoreError(f"the archive folder {self.home} {self._why_read_only}, and it holds no archive yet")
        uri = f"file:{quote(str(self.path))}"
        try:
            db = self._connect(f"{uri}?mode=ro", uri=True)
            db.execute("PRAGMA user_version").fetchone()
            return db
        except sqlite3.OperationalError:
            return self._connect(f"{uri}?mode=ro&immutable=1", uri=True)

    @property
    def why_read_only(self) -> str:
        return self._why_read_only

    def require_writable(self) -> None:
        """Raise StoreError, saying why, when the archive folder cannot be written."""
        if not self.read_only:
            return
        raise StoreError(
            f"the archive folder {self.home} {self._why_read_only}, so nothing can be added, changed or removed "
            "(search, list, show and stats still work); make it writable, or copy the archive elsewhere"
        )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"{self.path} was written by a newer semantic-archive (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade with: pip install -U semantic-archive"
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise StoreError(
                f"{self.path} must be upgraded (schema {version} to {SCHEMA_VERSION}), which needs the archive "
                f"folder {self.home} to be writable"
            )
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error (the error itself raised)."""
        self.require_writable()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll back what is still open: SQLite has already rolled back after some errors (a full disk)."""
        if not self.db.in_transaction:
            return
        with suppress(sqlite3.Error):  # the error that brought us here is the one to report
            self.db.execute("ROLLBACK")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same state of the store."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN")
        try:
            yield self.db
        finally:
            self.db.execute("COMMIT")

    # reads

    def get(self, doc_id: int) -> Document:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id {doc_id}; `archive list` shows the ids")
        return _document(row)

    def find(self, key: str) -> Document:
        """A document by id, else by external id."""
        if key.isdigit():
            try:
                return self.get(int(key))
            except NotFoundError:
                pass
        row = self.db.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE external_id = ? ORDER BY id LIMIT 1", (key,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id or external id {key!r}; `archive list` shows the ids")
        return _document(row)

    def list_documents(
        self,
        outlets: Sequence[str] = (),
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int | None = None,
    ) -> list[DocumentSummary]:
        """Documents by date (undated last) then id; date bounds are inclusive ISO dates."""
        where, args = _filters(outlets, date_from, date_to)
        sql = f"SELECT id, external_id, title, outlet, published FROM documents {where}"
        sql += " ORDER BY published IS NULL, published, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [DocumentSummary(*row) for row in self.db.execute(sql, args)]

    def chunks(self, doc_id: int) -> list[Chunk]:
        rows = self.db.execute("SELECT start, end FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [Chunk(s, e) for s, e in rows]

    def stats(self) -> Stats:
        q = self.db.execute
        docs, dups, undated, dmin, dmax, outlets = q(
            "SELECT COUNT(*), COUNT(duplicate_of), SUM(published IS NULL), MIN(published), MAX(published),"
            " COUNT(DISTINCT outlet) FROM documents"
        ).fetchone()
        chunks = q("SELECT COUNT(*) FROM chunks").fetchone()[0]
        failed = q("SELECT COUNT(DISTINCT path) FROM failures").fetchone()[0]
        return Stats(docs, chunks, dups, outlets, undated or 0, dmin, dmax, failed)

    def failures(self) -> list[Failure]:
        rows = self.db.execute("SELECT path, record, reason FROM failures ORDER BY path, record")
        return [Failure(_where(p, r), reason) for p, r, reason in rows]

    def embedding_sample(self) -> tuple[str, int] | None:
        """The model and dimension of one stored vector (float32), or None when nothing is embedded."""
        row = self.db.execute("SELECT model, length(vector) FROM embeddings LIMIT 1").fetchone()
        return None if row is None else (str(row[0]), int(row[1]) // 4)

    def outlets(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT outlet FROM documents WHERE outlet IS NOT NULL")]

    def ids_for_source(self, name: str) -> list[int]:
        """Documents whose outlet, or the --source given when ingesting them, is `name`."""
        rows = self.db.execute("SELECT id FROM documents WHERE outlet = ? OR source = ? ORDER BY id", (name, name))
        return [r[0] for r in rows]

    # what ingest asks before writing

    def file_state(self, path: str) -> tuple[int, int, str, bool] | None:
        row = self.db.execute(
            "SELECT size, mtime_ns, signature, complete FROM files WHERE path = ?", (path,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2], bool(row[3]))

    def count_path(self, path: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM documents WHERE path = ?", (path,)).fetchone()[0])

    def fingerprints(self, origins: Iterable[str]) -> dict[str, tuple[int, str, str]]:
        """origin -> (id, fingerprint, content hash) for the origins already stored."""
        found: dict[str, tuple[int, str, str]] = {}
        for part in batches(list(origins), 500):
            sql = f"SELECT origin, id, fingerprint, content_hash FROM documents WHERE origin IN ({marks(len(part))})"
            for origin, doc_id, fp, h in self.db.execute(sql, part):
                found[origin] = (doc_id, fp, h)
        return found

    def canonical_for(self, content_hash: str) -> int | None:
        row = self.db.execute(
            "SELECT id FROM documents WHERE content_hash = ? AND duplicate_of IS NULL ORDER BY id LIMIT 1",
            (content_hash,),
        ).fetchone()
        return None if row is None else int(row[0])

    def origins_of(self, path: str) -> dict[str, int]:
        return dict(self.db.execute("SELECT origin, id FROM documents WHERE path = ?", (path,)).fetchall())


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers keep their inner semicolons)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _filters(outlets: Sequence[str], date_from: str | None, date_to: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    if outlets:
        clauses.append(f"outlet IN ({','.join('?' * len(outlets))})")
        args.extend(outlets)
    if date_from:
        clauses.append("published >= ?")
        args.append(date_from)
    if date_to:
        clauses.append("published <= ?")
        args.append(date_to)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), args


def _document(row: sqlite3.Row | tuple[object, ...]) -> Document:
    (doc_id, title, outlet, published, url, path, text, ext, authors, lang, captured, dup, warning, origin) = row
    return Document(
        id=int(str(doc_id)),
        title=_opt(title),
        outlet=_opt(outlet),
        date=_opt(published),
        url=_opt(url),
        path=str(path),
        text=str(text),
        external_id=_opt(ext),
        authors=tuple(json.loads(str(authors))),
        language=_opt(lang),
        captured=_opt(captured),
        duplicate_of=None if dup is None else int(str(dup)),
        date_warning=_opt(warning),
        origin=str(origin),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _where(path: str, record: str) -> str:
    return f"{path} (record {record})" if record else path


SQL_BATCH = 900  # ids per `IN (...)`: under SQLite's default limit of 999 bound variables


def batches(items: Sequence[T], size: int = SQL_BATCH) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, for queries with `IN ({marks(len(batch))})`."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def marks(count: int) -> str:
    """`?, ?, ...` placeholders for `count` bound values."""
    return ",".join("?" * count)
