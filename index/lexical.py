"""The lexical index: BM25 over chunks in tantivy (English stemming), derived from the store.

Per chunk: its text and its document's title (stemmed), outlet (exact, lower-cased) and publication
day; the outlets and days of the document's exact duplicates are added too, so a filter on a copy's
outlet or date still finds the text it shares. `state.json` records how far into the store's chunk
log the index reaches; `sync` catches up from there (so a crash between commits heals itself).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from archive.errors import StoreError

LEXICAL_DIR = "lexical"
STATE_FILE = "state.json"
LEXICAL_VERSION = 2
UNDATED_DAY = -1
OUTLET_ANALYZER = "outlet_exact"
WRITER_HEAP = 128_000_000
SYNC_BATCH = 20_000
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: int
    doc_id: int
    score: float


def day_number(iso: str | None) -> int:
    return UNDATED_DAY if iso is None else (dt.date.fromisoformat(iso) - _EPOCH).days


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("chunk_id", stored=False, indexed=True, fast=True)
    b.add_integer_field("doc_id", stored=False, indexed=True, fast=True)
    b.add_text_field("text", stored=False, tokenizer_name="en_stem", index_option="position")
    b.add_text_field("title", stored=False, tokenizer_name="en_stem", index_option="position")
    b.add_text_field("outlet", stored=False, tokenizer_name=OUTLET_ANALYZER, index_option="basic")
    b.add_integer_field("day", stored=False, indexed=True, fast=True)
    return b.build()


def _outlet_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase()).build()


class LexicalIndex:
    """A tantivy index under `home/lexical`, kept in step with the store's chunk log."""

    def __init__(self, home: Path) -> None:
        self.folder = Path(home) / LEXICAL_DIR
        state = self._read_state()
        if state.get("version") != LEXICAL_VERSION and self.folder.exists():
            shutil.rmtree(self.folder)
            state = {}
        self.folder.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(self.folder), reuse=True)
        self.index.register_tokenizer(OUTLET_ANALYZER, _outlet_analyzer())
        self.seq = int(state.get("seq", 0))

    def _read_state(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def _write_state(self) -> None:
        tmp = self.folder / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps({"version": LEXICAL_VERSION, "seq": self.seq}), encoding="utf-8")
        tmp.replace(self.folder / STATE_FILE)

    def lag(self, db: sqlite3.Connection) -> int:
        """How many chunk-log entries the index has not applied yet."""
        return int(db.execute("SELECT COUNT(*) FROM chunk_log WHERE seq > ?", (self.seq,)).fetchone()[0])

    def sync(self, db: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> int:
        """Apply the chunk log since the last sync; returns how many entries were applied.

        Raises StoreError when another process holds the index's writer (it will sync instead).
        """
        top = int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM chunk_log").fetchone()[0])
        if top < self.seq:  # the store was replaced under us: start again
            self.seq = 0
            self._clear()
        total = top - self.seq
        if total <= 0:
            return 0
        writer = self._writer()
        fresh = self.seq == 0
        try:
            while self.seq < top:
                rows = db.execute(
                    "SELECT seq, chunk_id FROM chunk_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                    (self.seq, top, SYNC_BATCH),
                ).fetchall()
                if not rows:
                    break
                self._apply(writer, db, {r[1] for r in rows}, delete_first=not fresh)
                writer.commit()
                self.seq = int(rows[-1][0])
                self._write_state()
                if progress:
                    progress(total - (top - self.seq), total)
        finally:
            writer.wait_merging_threads()
        self.index.reload()
        return total

    def _writer(self) -> Any:
        try:
            return self.index.writer(WRITER_HEAP, 2)
        except ValueError as exc:
            raise StoreError(f"the lexical index {self.folder} is being written by another process ({exc})") from exc

    def _clear(self) -> None:
        writer = self._writer()
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()

    def _apply(self, writer: Any, db: sqlite3.Connection, chunk_ids: set[int], delete_first: bool) -> None:
        if delete_first:
            for chunk_id in chunk_ids:
                writer.delete_documents_by_term("chunk_id", chunk_id)
        for row in _chunk_rows(db, sorted(chunk_ids)):
            writer.add_document(_document(row))

    def rebuild(self, db: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop everything and index every chunk again from the store."""
        self._clear()
        self.seq = 0
        self._write_state()
        return self.sync(db, progress)

    # reading

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def reload(self) -> None:
        self.index.reload()

    def search(self, query: tantivy.Query, limit: int) -> list[LexicalHit]:
        searcher = self.index.searcher()
        hits = searcher.search(query, limit, count=False).hits
        if not hits:
            return []
        addresses = [address for _, address in hits]
        chunk_ids = searcher.fast_field_values("chunk_id", addresses)
        doc_ids = searcher.fast_field_values("doc_id", addresses)
        return [LexicalHit(int(c or 0), int(d or 0), float(s)) for (s, _), c, d in zip(hits, chunk_ids, doc_ids)]


def _document(row: dict[str, Any]) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_integer("chunk_id", row["chunk_id"])
    doc.add_integer("doc_id", row["doc_id"])
    doc.add_text("text", row["text"])
    doc.add_text("title", row["title"])
    for outlet in row["outlet"]:
        doc.add_text("outlet", outlet)
    for day in row["day"]:
        doc.add_integer("day", day)
    return doc


def _chunk_rows(db: sqlite3.Connection, chunk_ids: Sequence[int]) -> Iterable[dict[str, Any]]:
    """The tantivy fields of each chunk that still exists."""
    for part in range(0, len(chunk_ids), 900):
        ids = chunk_ids[part : part + 900]
        marks = ",".join("?" * len(ids))
        rows = db.execute(
            "SELECT c.id, c.doc_id, substr(d.text, c.start + 1, c.end - c.start), d.title FROM chunks c"
            f" JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({marks})",
            ids,
        ).fetchall()
        facets = _doc_facets(db, {r[1] for r in rows})
        for chunk_id, doc_id, text, title in rows:
            outlets, days = facets.get(doc_id, ([], [UNDATED_DAY]))
            yield {
                "chunk_id": chunk_id,
                "doc_id": doc_id,
                "text": text,
                "title": title or "",
                "outlet": outlets,
                "day": days,
            }


def _doc_facets(db: sqlite3.Connection, doc_ids: set[int]) -> dict[int, tuple[list[str], list[int]]]:
    """Per document: the outlets and days of it and its exact duplicates."""
    out: dict[int, tuple[list[str], list[int]]] = {}
    ids = list(doc_ids)
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT COALESCE(duplicate_of, id), outlet, published FROM documents WHERE id IN ({marks})"
        f" OR duplicate_of IN ({marks})",
        ids + ids,
    )
    for canon, outlet, published in rows:
        outlets, days = out.setdefault(canon, ([], []))
        if outlet and outlet not in outlets:
            outlets.append(outlet)
        day = day_number(published)
        if day not in days:
            days.append(day)
    return out
