"""The SQLite store: the one source of truth (WAL mode, numbered migrations).

Writers use `transaction()` (BEGIN IMMEDIATE), one per batch, so a crash loses at most the batch
in flight and never leaves half a document. Readers never block a writer (WAL).

A home that cannot be written (a read-only folder or disk) is opened read-only: reading works, and
any write is refused with a StoreError that says the folder is not writable.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from archive.errors import SchemaTooNewError, StoreError
from archive.store.chunks import ChunkTables
from archive.store.collections import CollectionTables
from archive.store.documents import DocumentTables
from archive.store.embeddings import EmbeddingTables
from archive.store.groups import GroupTables
from archive.store.mentions import MentionTables
from archive.store.migrations import MIGRATIONS, SCHEMA_VERSION
from archive.store.stories import StoryTables

T = TypeVar("T")

STORE_FILE = "archive.sqlite3"
BUSY_TIMEOUT_MS = 30_000
FULL_DISK_BYTES = 1 << 20  # an open that fails with less free than this is taken as a full disk
# SQLite's page cache for a long ingest and its second process (`bulk_writes`), in KiB; SQLite's default is 2 MiB.
# The near-duplicates' LSH keys are random, so each catch-up reads and writes index pages all over a 24 MB index
# (37,554 articles); with 2 MiB they were read again from the OS at each turn: the catch-up's system time 4.5-6.4
# -> 2.4 s over 18,777 articles (benchmarks/RESULTS.md).
BULK_CACHE_KIB = 65_536


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


class Store(DocumentTables, ChunkTables, EmbeddingTables, GroupTables, CollectionTables, MentionTables, StoryTables):
    """An open `archive.sqlite3`. Use as a context manager or call `close()`."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.closed = False
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
            _into_wal(db)
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

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """A larger page cache for this connection (BULK_CACHE_KIB) while a long ingest and its catch-ups run; the
        size before it afterwards (SQLite lets the extra pages go), so that a process that stays open, the app,
        does not keep them."""
        before = int(self.db.execute("PRAGMA cache_size").fetchone()[0])
        self.db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            with suppress(sqlite3.Error):  # a closed or broken connection keeps nothing to give back
                self.db.execute(f"PRAGMA cache_size = {before}")

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
        self.closed = True

    def require_open(self, doing: str) -> None:
        """Raise StoreError when the store was closed before `doing` (a result read after its archive closed)."""
        if self.closed:
            raise StoreError(f"the archive {self.home} was closed before {doing}: do it while the archive is open")

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

    def backup_to(self, folder: Path) -> Path:
        """A consistent copy of the store in `folder` (SQLite's online backup: safe while others read or write).

        Written beside its final name and moved into place, so a backup cut short leaves no half a store."""
        target = Path(folder) / STORE_FILE
        if target.exists():
            raise StoreError(f"{target} exists already; back up into an empty folder")
        partial = target.with_name(STORE_FILE + ".partial")
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            copy = sqlite3.connect(partial)
            try:
                self.db.backup(copy)
            finally:
                copy.close()
            os.replace(partial, target)
        except (OSError, sqlite3.Error) as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"cannot back up to {folder}: {exc}") from exc
        return target

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


def _into_wal(db: sqlite3.Connection) -> None:
    """Put the store in WAL mode. Turning a new file to WAL takes an exclusive lock for which SQLite does not wait
    (no busy handler): two processes opening a new archive at once would see "database is locked", so wait here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers keep their inner semicolons)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
