"""The lexical index: BM25 in tantivy (English stemming), derived from the store.

Two tantivy indexes under `lexical/`. `articles` ranks articles: one entry per article (`all`:
title and whole text; `title`), with the outlets and publication days of the article and of its
exact duplicates, so a filter on a copy's outlet or date still finds the text it shares. On SciFact
train, whole-article BM25 scored nDCG@10 0.701 against 0.646 for the article's best chunk
(benchmarks/RESULTS.md). `chunks` finds the passage inside an article (`text`). They are separate
indexes because BM25's statistics (document count, average length) are per index.

`state.json` records how far into the store's chunk log the indexes reach; `sync` catches up from
there, so a crash between commits heals itself (re-applying an entry is harmless). An index that
cannot be opened (a damaged `meta.json` or segment), or one whose `state.json` is gone or garbled
(its position unknown: applying the log again would index every article twice), is emptied and built
again from the store; `repaired` says why, for the user. Anything tantivy raises or panics with while
searching becomes an IndexDamagedError (a panic is a BaseException and would pass every handler).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from archive.errors import IndexDamagedError, StoreError
from archive.store import Store, batches

Progress = Callable[[int, int], None]
LEXICAL_DIR = "lexical"
STATE_FILE = "state.json"
LEXICAL_VERSION = 5  # 5: built again once: a fresh build had added some articles twice
UNDATED_DAY = -1
OUTLET_ANALYZER = "outlet_exact"
WRITER_HEAP = 96_000_000
SYNC_BATCH = 20_000
WRITER_WAIT_S = 60.0
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class LexicalHit:
    doc_id: int
    chunk_id: int  # -1 for an article hit
    score: float


def day_number(iso: str | None) -> int:
    return UNDATED_DAY if iso is None else (dt.date.fromisoformat(iso) - _EPOCH).days


def _article_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("doc_id", stored=False, indexed=True, fast=True)
    b.add_text_field("all", stored=False, tokenizer_name="en_stem", index_option="position")
    b.add_text_field("title", stored=False, tokenizer_name="en_stem", index_option="position")
    b.add_text_field("outlet", stored=False, tokenizer_name=OUTLET_ANALYZER, index_option="basic")
    b.add_integer_field("day", stored=False, indexed=True, fast=True)
    return b.build()


def _chunk_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("chunk_id", stored=False, indexed=True, fast=True)
    b.add_integer_field("doc_id", stored=False, indexed=True, fast=True)
    b.add_text_field("text", stored=False, tokenizer_name="en_stem", index_option="position")
    return b.build()


@contextmanager
def _creation_lock(home: Path) -> Iterator[None]:
    """One process at a time creates or migrates the index folders (another may be opening them)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lexical.lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; the race is only at first creation
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


FULL_DISK_BYTES = 64 * 2**20  # less free space than this after a failed write: the disk is taken to be full


@contextmanager
def native(what: str, folder: Path | None = None) -> Iterator[None]:
    """Errors and panics of the tantivy library become IndexDamagedError (exit and interrupt pass);
    a write that failed for want of space or permission becomes a StoreError that says so."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, StoreError, IndexDamagedError):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        if "No space left" in str(exc) or "Read-only file system" in str(exc):
            raise StoreError(f"the word index could not be written while {what}: {_short(exc)}") from exc
        if folder is not None and _free_bytes(folder) < FULL_DISK_BYTES:
            raise StoreError(
                f"the disk holding {folder} is full ({_free_bytes(folder) / 2**20:.0f} MB free) and the word "
                "index could not be written; free some space, then run the same command again"
            ) from exc
        raise IndexDamagedError(
            f"the word index failed while {what} ({type(exc).__name__}: {_short(exc)}); "
            "rebuild it from the store with: archive reindex"
        ) from exc


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return FULL_DISK_BYTES


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"


def _open(folder: Path, schema: tantivy.Schema) -> tantivy.Index:
    folder.mkdir(parents=True, exist_ok=True)
    with native(f"opening {folder}"):
        index = tantivy.Index(schema, path=str(folder), reuse=True)
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase()).build()
    index.register_tokenizer(OUTLET_ANALYZER, analyzer)
    return index


class LexicalIndex:
    """The `articles` and `chunks` tantivy indexes under `home/lexical`, kept in step with the store."""

    name = "lexical"

    def __init__(self, home: Path, read_only: bool = False) -> None:
        self.folder = Path(home) / LEXICAL_DIR
        self.schema = _article_schema()
        self.chunk_schema = _chunk_schema()
        self.read_only = read_only  # a home that cannot be written: opened as it is, never caught up
        self.repaired: str | None = None  # why the index was emptied to be built again, if it was
        self._copy: Path | None = None
        self._index: tantivy.Index | None = None
        self._chunk_index: tantivy.Index | None = None
        if read_only:  # the copy is made when a search first needs it: a lag needs only state.json
            self.seq = int(self._read_state().get("seq", 0))
            return
        with _creation_lock(Path(home)):
            state = self._read_state()
            if state and state.get("version") != LEXICAL_VERSION:  # an older layout: built again from the store
                self._empty_folder()
                state = {}
            elif not state and (self.folder / "articles" / "meta.json").exists():
                self._empty_folder()
                self.repaired = f"{self.folder / STATE_FILE} was missing or unreadable"
            try:
                self._open_indexes()
            except IndexDamagedError as exc:
                self._empty_folder()
                self._open_indexes()
                self.repaired = f"{self.folder} could not be opened ({exc.__cause__})"
                state = {}
            self.seq = int(state.get("seq", 0))
            if not state:
                self._write_state()

    def _open_copy(self) -> None:
        """tantivy takes a lock file even to read: a read-only home's index is read from a private copy."""
        if not (self.folder / "articles" / "meta.json").exists():
            raise IndexDamagedError(
                f"the archive folder is not writable and its word index {self.folder} is missing; "
                "make the folder writable and run: archive reindex"
            )
        self._copy = Path(tempfile.mkdtemp(prefix="semantic-archive-lexical-"))
        shutil.copytree(self.folder, self._copy, dirs_exist_ok=True)
        self.folder, original = self._copy, self.folder
        try:
            self._open_indexes()
        finally:
            self.folder = original

    def close(self) -> None:
        """Remove the private copy a read-only home was read from, if any."""
        if self._copy is not None:
            shutil.rmtree(self._copy, ignore_errors=True)
            self._copy = None

    def _open_indexes(self) -> None:
        self._index = _open(self.folder / "articles", self.schema)
        self._chunk_index = _open(self.folder / "chunks", self.chunk_schema)

    @property
    def index(self) -> tantivy.Index:
        """The `articles` index (a read-only home's private copy is made here, at first use)."""
        if self._index is None:
            self._open_copy()
        assert self._index is not None
        return self._index

    @property
    def chunk_index(self) -> tantivy.Index:
        if self._chunk_index is None:
            self._open_copy()
        assert self._chunk_index is not None
        return self._chunk_index

    def _empty_folder(self) -> None:
        try:
            shutil.rmtree(self.folder, ignore_errors=False)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise IndexDamagedError(
                f"the word index {self.folder} must be built again but cannot be removed ({exc.strerror})"
            ) from exc

    def _read_state(self) -> dict[str, Any]:
        try:
            state = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
            return state if isinstance(state, dict) and isinstance(state.get("seq"), int) else {}
        except (OSError, ValueError):
            return {}

    def _write_state(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / (STATE_FILE + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": LEXICAL_VERSION, "seq": self.seq}), encoding="utf-8")
        tmp.replace(self.folder / STATE_FILE)

    # the DerivedIndex protocol (index/derived.py)

    def lag(self, store: Store) -> int:
        """How many chunk-log entries the index has not applied yet."""
        return store.log_count_since(self.seq)

    def catch_up(self, store: Store, progress: Progress | None = None, wait: bool = True) -> int:
        """Apply the store's changes; a reader (`wait` False) does not wait for another process's writer."""
        return self.sync(store, progress, wait_s=WRITER_WAIT_S if wait else 0.0)

    def sync(self, store: Store, progress: Progress | None = None, wait_s: float = WRITER_WAIT_S) -> int:
        """Apply the chunk log since the last sync; returns how many entries were applied.

        Waits up to `wait_s` for another process's writer to finish, then raises StoreError.
        """
        self.reload()  # another process (the second of a long ingest: index/alongside.py) may have gone further
        top = (
            store.log_top()
        )  # read after: a seq another process reached is never past it unless the store was replaced
        if self.read_only:
            return 0
        if top < self.seq:  # the store was replaced under us: start again
            self._clear(wait_s)
        if top <= self.seq:
            return 0
        writers = self._writers(wait_s)
        with native("indexing", self.folder), self._closing(writers):
            self.reload()  # the writer held, nobody else commits: how far the index got is settled
            total = self._apply_log(writers, store, top, progress)
        self.reload()
        return total

    def _apply_log(self, writers: tuple[Any, Any], store: Store, top: int, progress: Progress | None) -> int:
        total = top - self.seq
        fresh = self.seq == 0 and self._empty()  # not empty at 0: a process died after a commit, before its state
        # A fresh build skips deleting before adding (nothing is there yet), except for what an earlier batch of
        # this same build added: an article whose chunks' log entries straddle two batches, or a chunk with a
        # later 'upd' entry, was added twice (15 articles of the 37,554-article archive were in twice).
        added_chunks: set[int] = set()
        added_docs: set[int] = set()
        while self.seq < top:
            rows = store.log_entries(self.seq, top, SYNC_BATCH)
            if not rows:
                break
            chunk_ids, doc_ids = {r[1] for r in rows}, {r[2] for r in rows}
            if fresh:
                self._apply(writers, store, chunk_ids, doc_ids, (chunk_ids & added_chunks, doc_ids & added_docs))
                added_chunks |= chunk_ids
                added_docs |= doc_ids
            else:
                self._apply(writers, store, chunk_ids, doc_ids, (chunk_ids, doc_ids))
            for writer in writers:
                writer.commit()
            self.seq = int(rows[-1][0])
            self._write_state()
            if progress:
                progress(total - (top - self.seq), total)
        return max(total, 0)

    @staticmethod
    @contextmanager
    def _closing(writers: tuple[Any, Any]) -> Iterator[None]:
        try:
            yield
        finally:
            for writer in writers:
                writer.wait_merging_threads()

    def _writers(self, wait_s: float) -> tuple[Any, Any]:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                articles = self.index.writer(WRITER_HEAP, 1)
                try:
                    return articles, self.chunk_index.writer(WRITER_HEAP, 1)
                except ValueError:
                    articles.wait_merging_threads()
                    raise
            except ValueError as exc:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"the lexical index {self.folder} is being written by another process; try again when it "
                        f"finishes ({exc})"
                    ) from exc
                time.sleep(0.2)

    def _clear(self, wait_s: float = WRITER_WAIT_S) -> None:
        writers = self._writers(wait_s)
        for writer in writers:
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
        self.seq = 0
        self._write_state()

    def _apply(
        self,
        writers: tuple[Any, Any],
        store: Store,
        chunk_ids: set[int],
        doc_ids: set[int],
        delete_first: tuple[set[int], set[int]],
    ) -> None:
        """Index these chunks and articles as the store has them now, deleting `delete_first`'s entries first."""
        articles, chunks = writers
        for chunk_id in delete_first[0]:
            chunks.delete_documents_by_term("chunk_id", chunk_id)
        for doc_id in delete_first[1]:
            articles.delete_documents_by_term("doc_id", doc_id)
        for entry in _chunk_entries(store, sorted(chunk_ids)):
            chunks.add_document(entry)
        for entry in _article_entries(store, sorted(doc_ids)):
            articles.add_document(entry)

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        """Drop everything and index every article and chunk again from the store."""
        self._clear()
        return self.sync(store, progress)

    # reading

    def reload(self) -> None:
        """See what a writer (another process, or the app's own ingest) has committed, and how far it got."""
        with native("reloading"):
            self.index.reload()
            self.chunk_index.reload()
        if not self.read_only:  # the writer commits the index before it writes state.json: never ahead of it
            self.seq = max(self.seq, int(self._read_state().get("seq", self.seq)))

    def _empty(self) -> bool:
        with native("reading"):
            return int(self.index.searcher().num_docs) + int(self.chunk_index.searcher().num_docs) == 0

    def live_documents(self) -> int:
        """Articles in the index, deleted ones not counted (their terms still count in document frequencies)."""
        with native("reading"):
            return int(self.index.searcher().num_docs)

    def search(self, query: tantivy.Query, limit: int) -> list[LexicalHit]:
        """Articles, best first (`query` built against `schema`)."""
        with native("searching"):
            return _hits(self.index, query, limit, with_chunks=False)

    def search_counted(self, query: tantivy.Query, limit: int) -> tuple[list[LexicalHit], int]:
        """`search`, and how many articles match: one walk of the postings instead of two."""
        with native("searching"):
            searcher = self.index.searcher()
            found = searcher.search(query, limit, count=True)
            return _found_hits(searcher, found.hits, with_chunks=False), int(getattr(found, "count", 0) or 0)

    def count(self, query: tantivy.Query) -> int:
        """How many articles match `query` (built against `schema`)."""
        with native("searching"):
            return int(getattr(self.index.searcher().search(query, 1, count=True), "count", 0) or 0)

    def doc_ids(self, query: tantivy.Query, limit: int) -> list[int]:
        """The ids of the articles `search` would return, best first, without their scores (thousands of them
        list in a third of the time)."""
        with native("searching"):
            searcher = self.index.searcher()
            hits = searcher.search(query, limit, count=False).hits
            if not hits:
                return []
            return [int(d or 0) for d in searcher.fast_field_values("doc_id", [address for _, address in hits])]

    def among(self, query: tantivy.Query, doc_ids: Sequence[int]) -> set[int]:
        """Which of these articles match `query`."""
        within = tantivy.Query.term_set_query(self.schema, "doc_id", list(doc_ids))
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, within)])
        return set(self.doc_ids(both, len(doc_ids)))

    def search_chunks(self, query: tantivy.Query, limit: int) -> list[LexicalHit]:
        """Chunks, best first (`query` built against `chunk_schema`)."""
        with native("searching"):
            return _hits(self.chunk_index, query, limit, with_chunks=True)


def _hits(index: tantivy.Index, query: tantivy.Query, limit: int, with_chunks: bool) -> list[LexicalHit]:
    searcher = index.searcher()
    return _found_hits(searcher, searcher.search(query, limit, count=False).hits, with_chunks)


def _found_hits(searcher: tantivy.Searcher, hits: list[tuple[float, Any]], with_chunks: bool) -> list[LexicalHit]:
    if not hits:
        return []
    addresses = [address for _, address in hits]
    doc_ids = searcher.fast_field_values("doc_id", addresses)
    chunk_ids = searcher.fast_field_values("chunk_id", addresses) if with_chunks else [-1] * len(hits)
    return [
        LexicalHit(int(d or 0), int(c if c is not None else -1), float(s))
        for (s, _), d, c in zip(hits, doc_ids, chunk_ids)
    ]


def _chunk_entries(store: Store, chunk_ids: Sequence[int]) -> Iterable[tantivy.Document]:
    """The entry of each chunk that still exists."""
    for chunk_id, doc_id, text in store.chunk_texts(chunk_ids):
        doc = tantivy.Document()
        doc.add_integer("chunk_id", chunk_id)
        doc.add_integer("doc_id", doc_id)
        doc.add_text("text", text)
        yield doc


def _article_entries(store: Store, doc_ids: Sequence[int]) -> Iterable[tantivy.Document]:
    """The entry of each article that still exists and holds its text (not an exact duplicate)."""
    for ids in batches(doc_ids):
        rows = store.original_texts(ids)
        facets = _doc_facets(store, [r[0] for r in rows])
        for doc_id, title, text in rows:
            doc = tantivy.Document()
            doc.add_integer("doc_id", doc_id)
            doc.add_text("title", title or "")
            doc.add_text("all", f"{title or ''}\n{text}")
            outlets, days = facets.get(doc_id, ([], [UNDATED_DAY]))
            for outlet in outlets:
                doc.add_text("outlet", outlet.strip())  # lower-cased by its analyzer: the outlet_key rule
            for day in days:
                doc.add_integer("day", day)
            yield doc


def _doc_facets(store: Store, doc_ids: list[int]) -> dict[int, tuple[list[str], list[int]]]:
    """Per document: the outlets and days of it and its exact duplicates."""
    out: dict[int, tuple[list[str], list[int]]] = {}
    for canon, outlet, published in store.copy_facets(doc_ids) if doc_ids else []:
        outlets, days = out.setdefault(canon, ([], []))
        if outlet and outlet not in outlets:
            outlets.append(outlet)
        day = day_number(published)
        if day not in days:
            days.append(day)
    return out
