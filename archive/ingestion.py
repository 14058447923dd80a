"""Phase 1 of ingest: read files, normalise, de-duplicate, chunk and store, batch by batch.

Each batch is one transaction, so a kill loses at most the batch in flight; running the same
command again skips what is stored (unchanged origins, by fingerprint) and continues.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from archive.chunking import Chunker
from archive.discover import FileTask, discover
from archive.errors import ReadError
from archive.finalize import finalize, origin_of
from archive.models import Chunk, Failure, IngestReport, Progress, RawDoc, Skipped
from archive.normalize import fingerprint
from archive.readers import MAX_WHOLE_FILE_BYTES, READERS, WHOLE_FILE_FORMATS, CountingStream, Item, ReadOptions
from archive.store import Store, Transaction, sqlite_errors, writes
from archive.store.writes import NewDocument

DEFAULT_BATCH = 256
ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class IngestOptions:
    source: str | None = None
    read: ReadOptions = field(default_factory=ReadOptions)
    batch_size: int = DEFAULT_BATCH
    max_whole_file_bytes: int = MAX_WHOLE_FILE_BYTES
    today: dt.date | None = None
    exclude: tuple[str, ...] = ()  # globs of names or paths (relative to a folder given) not to read


@dataclass
class _Tally:
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    duplicates: int = 0
    failed: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    passed_over: Counter[str] = field(default_factory=Counter)

    def report(self, skipped: int, names: tuple[str, ...] = ()) -> IngestReport:
        return IngestReport(
            self.added,
            self.unchanged,
            self.replaced,
            self.duplicates,
            tuple(self.failed),
            tuple(self.warnings),
            skipped,
            tuple(self.passed_over.most_common()),
            names,
        )


@dataclass(frozen=True)
class _Planned:
    doc: NewDocument
    old_id: int | None
    duplicate_of: int | None  # a stored canonical document
    batch_twin: int | None  # index of an earlier planned document with the same text


@dataclass(frozen=True)
class _Ready:
    """A batch cleaned and chunked ahead of its transaction: documents by origin, chunks by text."""

    docs: dict[str, NewDocument]
    chunks: dict[str, list[Chunk]]


def ingest(
    store: Store,
    paths: Sequence[str],
    chunker: Chunker,
    options: IngestOptions | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest files and folders into `store`; bad files are recorded, never fatal."""
    return _Ingest(store, chunker, options or IngestOptions(), progress).run(paths)


class _Ingest:
    def __init__(self, store: Store, chunker: Chunker, options: IngestOptions, progress: ProgressCallback | None):
        self.store, self.chunker, self.options = store, chunker, options
        self.progress = progress or (lambda p: None)
        self.today = options.today or dt.date.today()
        self.tally = _Tally()
        self.signature = fingerprint(options.source, sorted(options.read.fields.items()), chunker.settings)
        self.bytes_done = 0
        self.files_done = 0
        self._seen: set[str] = set()
        self._outlets = {o.lower(): o for o in store.outlets()}

    def run(self, paths: Sequence[str]) -> IngestReport:
        found = discover(tuple(paths), self.options.exclude)
        self.tally.failed.extend(found.failures)
        total = sum(f.size for f in found.files)
        with self.store.transaction() as db:
            run_id = writes.start_run(db)
        with sqlite_errors(self.store.path):
            for task in found.files:
                self._file(task, len(found.files), total)
                self.files_done += 1
                self.bytes_done += task.size
                self._report(task.path, len(found.files), total, 0)
        report = self.tally.report(found.skipped, found.left_out)
        with self.store.transaction() as db:
            writes.finish_run(db, run_id, _summary(report))
        return report

    def _report(self, path: str, files_total: int, bytes_total: int, partial: int) -> None:
        t = self.tally
        docs = t.added + t.unchanged + t.replaced + t.duplicates
        self.progress(Progress(self.files_done, files_total, self.bytes_done + partial, bytes_total, docs, path))

    def _file(self, task: FileTask, files_total: int, bytes_total: int) -> None:
        try:
            st = os.stat(task.path)
        except OSError as exc:
            self.tally.failed.append(Failure(task.path, exc.strerror or str(exc)))
            return
        if self.store.file_state(task.path) == (st.st_size, st.st_mtime_ns, self.signature, True):
            self.tally.unchanged += self.store.count_path(task.path)
            return
        if task.format in WHOLE_FILE_FORMATS and st.st_size > self.options.max_whole_file_bytes:
            mb, limit = st.st_size / 2**20, self.options.max_whole_file_bytes / 2**20
            self._file_failed(task.path, f"file is {mb:.0f} MB; {task.format} files over {limit:.0f} MB are not read")
            return
        with self.store.transaction() as db:
            writes.clear_failures(db, task.path)
            writes.mark_file(db, task.path, st.st_size, st.st_mtime_ns, self.signature, complete=False)
        error = self._read_file(task, files_total, bytes_total)
        with self.store.transaction() as db:
            if error is not None:
                self._fail(db, task.path, None, error)
                return
            self._drop_vanished(db, task.path)
            writes.mark_file(db, task.path, st.st_size, st.st_mtime_ns, self.signature, complete=True)

    def _file_failed(self, path: str, reason: str) -> None:
        with self.store.transaction() as db:
            self._fail(db, path, None, reason)

    def _read_file(self, task: FileTask, files_total: int, bytes_total: int) -> str | None:
        """Read and store one file batch by batch; the file-level failure reason, if any."""
        self._seen = set()
        batch: list[Item] = []
        error: str | None = None
        try:
            with open(task.path, "rb") as raw:
                whole = task.format in WHOLE_FILE_FORMATS
                counter = CountingStream(raw, self.options.max_whole_file_bytes if whole else None, task.path)
                stream = io.BufferedReader(counter, buffer_size=1 << 16)
                for item in _safely(READERS[task.format](stream, task.path, self.options.read), task.path):
                    if isinstance(item, str):
                        error = item
                        break
                    batch.append(item)
                    if len(batch) >= self.options.batch_size:
                        self._batch(task.path, batch)
                        batch = []
                        self._report(task.path, files_total, bytes_total, counter.count)
                self._batch(task.path, batch)
        except OSError as exc:
            error = exc.strerror or str(exc)
        return error

    def _batch(self, path: str, items: list[Item]) -> None:
        if not items:
            return
        docs = [i for i in items if isinstance(i, RawDoc)]
        ready = self._prepare(path, docs)
        with self.store.transaction() as db:
            for err in (i for i in items if isinstance(i, ReadError)):
                self._fail(db, err.path or path, err.record, err.reason)
            self.tally.passed_over.update(i.reason for i in items if isinstance(i, Skipped))
            self._store_docs(db, path, docs, ready)

    def _prepare(self, path: str, docs: list[RawDoc]) -> _Ready:
        """The slow part of storing a batch (cleaning and chunking), done before its write transaction so that
        the store is locked only while it is written (the derived indexes write beside a long ingest). What
        the transaction then finds otherwise (another process wrote the same records meanwhile) it does
        again itself."""
        origins = [origin_of(path, d) for d in docs]
        existing = self.store.fingerprints(origins)
        ready = _Ready({}, {})
        for raw, origin in zip(docs, origins):
            fp = fingerprint(raw.fingerprint, self.options.source)
            old = existing.get(origin)
            if origin not in ready.docs and not (old and old[1] == fp):  # the first of one identity is kept
                ready.docs[origin] = self._finalized(raw, path, fp)
        same_text = {o for o, d in ready.docs.items() if (old := existing.get(o)) and old[2] == d.content_hash}
        texts = list({d.text: None for o, d in ready.docs.items() if d.text and o not in same_text})
        ready.chunks.update(zip(texts, self.chunker.chunk_many(texts)))
        return ready

    def _finalized(self, raw: RawDoc, path: str, fp: str) -> NewDocument:
        return self._same_outlet_spelling(finalize(raw, path, fp, self.options.source, self.today))

    def _store_docs(self, db: Transaction, path: str, docs: list[RawDoc], ready: _Ready) -> None:
        docs = self._once_each(db, path, docs)
        origins = [origin_of(path, d) for d in docs]
        self._seen.update(origins)
        existing = self.store.fingerprints(origins)
        plan: list[_Planned] = []
        twins: dict[str, int] = {}
        for raw, origin in zip(docs, origins):
            fp = fingerprint(raw.fingerprint, self.options.source)
            old = existing.get(origin)
            if old and old[1] == fp:
                self.tally.unchanged += 1
                continue
            doc = ready.docs.get(origin)
            if doc is None or doc.fingerprint != fp:
                doc = self._finalized(raw, path, fp)
            if not doc.text:
                self._fail(db, path, raw.record, "no text left after cleaning")
                continue
            if doc.date_warning:
                self.tally.warnings.append(Failure(origin, doc.date_warning))
            if old and old[2] == doc.content_hash:
                writes.update_document(db, old[0], doc)
                self.tally.replaced += 1
                continue
            twin = twins.get(doc.content_hash)
            canonical = None if twin is not None else self.store.canonical_for(doc.content_hash)
            if canonical is not None and old and canonical == old[0]:
                canonical = None
            if twin is None and canonical is None:
                twins[doc.content_hash] = len(plan)
            plan.append(_Planned(doc, old[0] if old else None, canonical, twin))
        self._write(db, plan, ready.chunks)

    def _once_each(self, db: Transaction, path: str, docs: list[RawDoc]) -> list[RawDoc]:
        """A record whose identity an earlier one in the same file already has fails alone (a reader that
        gave two records one key would otherwise make the whole command store nothing)."""
        kept: list[RawDoc] = []
        seen: set[str] = set()
        for raw in docs:
            origin = origin_of(path, raw)
            if origin in seen or origin in self._seen:
                self._fail(db, path, raw.record, "an earlier record in this file has the same identity; it is kept")
                continue
            seen.add(origin)
            kept.append(raw)
        return kept

    def _same_outlet_spelling(self, doc: NewDocument) -> NewDocument:
        """One spelling per outlet: "FOX" joins an archive that has "fox" as "fox"."""
        if doc.outlet is None:
            return doc
        known = self._outlets.setdefault(doc.outlet.lower(), doc.outlet)
        return doc if known == doc.outlet else replace(doc, outlet=known)

    def _write(self, db: Transaction, plan: list[_Planned], chunked: dict[str, list[Chunk]]) -> None:
        fresh = [p for p in plan if p.duplicate_of is None and p.batch_twin is None]
        unchunked = [p for p in fresh if p.doc.text not in chunked]
        chunks = self.chunker.chunk_many([p.doc.text for p in unchunked])
        chunks_of = {id(p): c for p, c in zip(unchunked, chunks)}
        chunks_of.update((id(p), chunked[p.doc.text]) for p in fresh if p.doc.text in chunked)
        ids: list[int] = []
        for p in plan:
            if p.old_id is not None:
                writes.delete_document(db, p.old_id, self.chunker.chunk)
                self.tally.replaced += 1
            dup = p.duplicate_of if p.batch_twin is None else ids[p.batch_twin]
            doc_id = writes.insert_document(db, p.doc, dup)
            ids.append(doc_id)
            if dup is None:
                writes.insert_chunks(db, doc_id, chunks_of[id(p)])
            if p.old_id is None:
                if dup is None:
                    self.tally.added += 1
                else:
                    self.tally.duplicates += 1

    def _drop_vanished(self, db: Transaction, path: str) -> None:
        """Records that were in an earlier version of the file and are gone from this one."""
        for origin, doc_id in self.store.origins_of(path).items():
            if origin not in self._seen:
                writes.delete_document(db, doc_id, self.chunker.chunk)

    def _fail(self, db: Transaction, path: str, record: str | None, reason: str) -> None:
        writes.record_failure(db, path, record, reason)
        where = f"{path} (record {record})" if record else path
        self.tally.failed.append(Failure(where, reason))


def _safely(items: Iterator[Item], path: str) -> Iterator[Item | str]:
    """The reader's items; a failure of the reader itself ends the stream with its reason (a str)."""
    try:
        yield from items
    except ReadError as exc:
        yield exc.reason
    except (OSError, EOFError) as exc:
        yield f"unreadable file ({exc})"
    except Exception as exc:  # noqa: BLE001 - a bug on one odd file must not stop the ingest
        yield f"could not be read ({type(exc).__name__}: {exc})"


def _counts(report: IngestReport) -> dict[str, object]:
    return {
        "added": report.added,
        "unchanged": report.unchanged,
        "replaced": report.replaced,
        "duplicates": report.duplicates,
    }


def _summary(report: IngestReport) -> dict[str, object]:
    """What the ingest_runs table keeps of a run."""
    return {**_counts(report), "failed": len(report.failed), "warnings": len(report.warnings)}


def report_json(report: IngestReport) -> str:
    """The `--json` form of an ingest report."""
    out = {
        **_counts(report),
        "failed": [{"path": f.path, "reason": f.reason} for f in report.failed],
        "warnings": [{"path": w.path, "reason": w.reason} for w in report.warnings],
        "skipped_files": report.skipped_files,
        "skipped_records": [{"reason": r, "count": n} for r, n in report.skipped_records],
        "left_out": list(report.skipped_names),
    }
    return json.dumps(out, ensure_ascii=False)
