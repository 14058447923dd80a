"""The vector index: faiss over chunk vectors, derived from the store's embeddings table.

Exact (a flat inner-product index) while small; HNSW past HNSW_THRESHOLD vectors; past
COMPRESS_THRESHOLD, IVF-PQ codes with exact rescoring from vectors on disk (index/compressed.py). Each
threshold was chosen by measurement (benchmarks/RESULTS.md). Removed chunks are tombstoned and the index is
rebuilt when too many are dead. A filtered search with few survivors runs exactly over just those
survivors, so a filter never silently drops a match.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from archive.store import Store
from index import compressed
from index.compressed import RawRows


class _Faiss:
    """faiss, imported at its first use (a quarter of a second that `stats` or a word search never needs).
    Typed as Any: the bundled stubs lag behind the library (SearchParameters(sel=...))."""

    def __getattr__(self, name: str) -> Any:
        import faiss as module

        return getattr(module, name)


faiss: Any = _Faiss()

Progress = Callable[[int, int], None]
VECTORS_DIR = "vectors"
INDEX_FILE = "index.faiss"
IDS_FILE = "ids.npy"
STATE_FILE = "state.json"
VECTORS_VERSION = 1
HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
EXACT_MAX_SURVIVORS = 50_000
BITMAP_FROM = 20_000  # survivors from which a filter is passed to faiss as a bitmap rather than a list
REBUILD_DEAD_FRACTION = 0.2
# Read in place from the file (faiss's IO_FLAG_MMAP_IFC: the vectors and the graph are mapped, not copied): a
# search process opens the 37,554-article archive's 411 MB HNSW index in 0.05 s instead of 0.56 s, and its pages
# are the page cache's, shared by every process that searches. Writers copy it into memory first (`_own`).
MAPPED_KINDS = ("flat", "hnsw")
SYNC_BATCH = 20_000


@dataclass(frozen=True)
class VectorHit:
    chunk_id: int
    score: float


class VectorIndex:
    """faiss index + the chunk id of each row + which rows are still alive."""

    name = "vectors"

    def __init__(self, home: Path, dim: int, model: str) -> None:
        self.folder = Path(home) / VECTORS_DIR
        self.dim, self.model = dim, model
        self.emb_seq = 0
        self.log_seq = 0
        self.index: Any = None  # read from its file at first use (`_ready`): `archive stats` needs only the state
        self.ids = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self._alive_count = 0
        self.raw: RawRows | None = None  # the exact vectors on disk, for the compressed kind only
        # the identity of the file the index is mapped from (MAPPED_KINDS), or None when it is held in memory
        self._mapped_from: tuple[int, ...] | None = None
        self._state = self._read_state()
        if self._state:
            self.emb_seq, self.log_seq = int(self._state["emb_seq"]), int(self._state["log_seq"])

    # persistence

    def _read_state(self) -> dict[str, Any]:
        try:
            state = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(state, dict):
            return {}
        if (state.get("version"), state.get("dim"), state.get("model")) != (VECTORS_VERSION, self.dim, self.model):
            return {}
        return state if isinstance(state.get("emb_seq"), int) and isinstance(state.get("log_seq"), int) else {}

    def _ready(self) -> None:
        """Read the saved index at its first use; one that cannot be read is empty, and catching up refills it."""
        if self.index is not None:
            return
        self.index = faiss.IndexFlatIP(self.dim)
        if self._state and not self._load(self._state):
            self.emb_seq = self.log_seq = 0
        self._reindex_lookup()

    def _load(self, state: dict[str, Any]) -> bool:
        try:
            identity = _identity(self.folder / INDEX_FILE)
            index, mapped = _read_index(self.folder / INDEX_FILE, state.get("kind") in MAPPED_KINDS)
            ids = np.load(self.folder / IDS_FILE)
        except (OSError, ValueError, RuntimeError):
            return False
        if index.ntotal != len(ids):
            return False
        raw = None
        if state.get("exact"):
            raw = RawRows(self.folder, self.dim, str(state["exact"]))
            if not raw.open(len(ids)):
                return False
        self.index, self.ids, self.raw, self._mapped_from = index, ids, raw, identity if mapped else None
        self.alive = np.ones(len(ids), dtype=bool)
        dead = np.asarray(state.get("dead", []), dtype=np.int64)
        if len(dead):
            self.alive[np.isin(self.ids, dead)] = False
        return True

    def save(self) -> None:
        self._ready()
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.raw is not None:
            self.raw.flush()
        pid = os.getpid()
        tmp_index, tmp_ids = self.folder / f"{INDEX_FILE}.{pid}.tmp", self.folder / f"ids.{pid}.tmp.npy"
        faiss.write_index(self.index, str(tmp_index))
        np.save(tmp_ids, self.ids)
        state = {
            "version": VECTORS_VERSION,
            "dim": self.dim,
            "model": self.model,
            "emb_seq": self.emb_seq,
            "log_seq": self.log_seq,
            "kind": self.kind,
            "dead": self.ids[~self.alive].tolist(),
        }
        if self.raw is not None:
            state["exact"] = self.raw.token
            state["params"] = compressed.describe(self.index)
        tmp_state = self.folder / f"{STATE_FILE}.{pid}.tmp"
        tmp_state.write_text(json.dumps(state), encoding="utf-8")
        tmp_index.replace(self.folder / INDEX_FILE)
        tmp_ids.replace(self.folder / IDS_FILE)
        tmp_state.replace(self.folder / STATE_FILE)
        self._state = state
        compressed.remove_exact_files(self.folder, self.raw)

    @property
    def kind(self) -> str:
        if self.index is None and self._state.get("kind"):
            return str(self._state["kind"])
        self._ready()
        if self.raw is not None:
            return "ivfpq"
        return "hnsw" if isinstance(self.index, faiss.IndexHNSWFlat) else "flat"

    @property
    def description(self) -> dict[str, object]:
        """The kind and its parameters, as the manifest and `archive stats --json` give them."""
        return {"kind": self.kind, **self.params}

    @property
    def params(self) -> dict[str, int]:
        """What the compressed kind was built with (lists, code bytes, lists probed, rescoring); empty otherwise."""
        if self.index is None:
            return dict(self._state.get("params") or {})
        return compressed.describe(self.index) if self.raw is not None else {}

    @property
    def in_place(self) -> bool:
        """Whether the index is read in place from its file (mapped; MAPPED_KINDS) rather than held in memory."""
        return self._mapped_from is not None

    @property
    def size(self) -> int:
        """Alive vectors: counted when the rows change (with the lookups), not at each search (2.5 ms at 6.7M rows)."""
        self._ready()
        return self._alive_count

    # keeping up with the store

    # the DerivedIndex protocol (index/derived.py)

    def lag(self, store: Store) -> int:
        return store.vectors_since(self.emb_seq)

    def catch_up(self, store: Store, progress: Progress | None = None, wait: bool = True) -> int:
        """Add what the store has; a reader (`wait` False) catches up in memory and leaves the files to the writer."""
        return self.sync(store, progress, save=wait)

    def reload(self) -> None:
        """Nothing to read again: a reader catches up from the store itself (`catch_up`)."""

    def sync(self, store: Store, progress: Progress | None = None, save: bool = True) -> int:
        """Add new vectors and tombstone removed chunks; rebuild when that pays. Returns vectors added.

        A reader passes `save=False`: it catches up in memory and leaves the files to the writer.
        """
        self._ready()
        top_log, top_emb = store.log_top(), store.vectors_top()
        stale = save and self.raw is not None and not self.raw.intact()  # another writer rebuilt the index
        if stale or top_emb < self.emb_seq or top_log < self.log_seq:
            return self.rebuild(store, progress, save)
        changed = self._tombstone(store.removed_chunks(self.log_seq, top_log))
        added = self._add_from(store, top_emb, progress, save)
        self.log_seq = top_log
        if self._needs_rebuild():
            return self.rebuild(store, progress, save)
        if save and (changed or added):
            self.save()
        return added

    def rebuild(self, store: Store, progress: Progress | None = None, save: bool = True) -> int:
        """Build the index again from every stored vector (exact, HNSW or compressed by size)."""
        count = store.embedded_count()
        self._mapped_from = None  # every kind is built anew, in memory
        self.ids = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self.emb_seq = 0
        self.log_seq = store.log_top()
        if count > compressed.COMPRESS_THRESHOLD:
            added = self._build_compressed(store, count, progress, save)
        else:
            self.index, self.raw = _new_index(self.dim, count), None
            added = self._add_from(store, store.vectors_top(), progress, save)
        if save:
            self.save()
        return added

    def _build_compressed(self, store: Store, count: int, progress: Progress | None, save: bool) -> int:
        """Write every vector to a new exact file, train the codes on rows spread over it, then add them all."""
        self.raw = RawRows(self.folder, self.dim)
        self.index = None
        top = store.vectors_top()
        parts, read = [], 0
        while self.emb_seq < top:
            rows = store.vector_rows(self.emb_seq, top, SYNC_BATCH)
            if not rows:
                break
            ids, vectors = self._decode(rows)
            self.raw.append(vectors, persist=save)
            parts.append(ids)
            read += len(ids)
            self.emb_seq = int(rows[-1][0])
            if progress:
                progress(read // 2, count)  # reading is half the work, coding the other half
        self.ids = np.concatenate([self.ids, *parts])
        self.alive = np.ones(len(self.ids), dtype=bool)
        self._tombstone_repeats()
        self.index = compressed.new_index(faiss, self.dim, len(self.ids))
        compressed.train(self.index, self.raw)
        for start in range(0, len(self.ids), compressed.ADD_BATCH):
            self.index.add(self.raw.slice(start, start + compressed.ADD_BATCH))
            if progress:
                progress((len(self.ids) + min(start + compressed.ADD_BATCH, len(self.ids))) // 2, count)
        self._reindex_lookup()
        return len(self.ids)

    def _tombstone_repeats(self) -> None:
        """A chunk embedded twice keeps only its newest row alive."""
        _, last = np.unique(self.ids[::-1], return_index=True)
        keep = np.zeros(len(self.ids), dtype=bool)
        keep[len(self.ids) - 1 - last] = True
        self.alive &= keep

    def _needs_rebuild(self) -> bool:
        n = len(self.ids)
        too_dead = n > 1000 and (n - self.size) > REBUILD_DEAD_FRACTION * n
        grown = (self.kind == "flat" and self.size > HNSW_THRESHOLD) or (
            self.kind != "ivfpq" and self.size > compressed.COMPRESS_THRESHOLD
        )
        return too_dead or grown

    def _tombstone(self, chunk_ids: list[int]) -> bool:
        if not chunk_ids or not len(self.ids):
            return False
        hit = np.isin(self.ids, np.asarray(chunk_ids, dtype=np.int64)) & self.alive
        self.alive[hit] = False
        return bool(hit.any())

    def _add_from(self, store: Store, top: int, progress: Progress | None, save: bool = True) -> int:
        total = top - self.emb_seq
        added = 0
        while self.emb_seq < top:
            rows = store.vector_rows(self.emb_seq, top, SYNC_BATCH)
            if not rows:
                break
            ids, vectors = self._decode(rows)
            self._tombstone(ids.tolist())  # a chunk embedded again replaces its old row
            if self.raw is not None:
                self.raw.append(vectors, persist=save)
            self._own()
            self.index.add(np.ascontiguousarray(vectors))
            self.ids = np.concatenate([self.ids, ids])
            self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
            self.emb_seq = int(rows[-1][0])
            added += len(rows)
            if progress:
                progress(total - (top - self.emb_seq), total)
        self._reindex_lookup()
        return added

    def _own(self) -> None:
        """A mapped index cannot grow (faiss aborts the process; `faiss.clone_index` keeps the mapping): before the
        first vector is added to one, it is read into memory from its file, one copy as a plain read makes, or,
        when another writer has replaced that file since, copied through a buffer (two copies at the peak)."""
        mapped_from, self._mapped_from = self._mapped_from, None
        if mapped_from is None:
            return
        path = self.folder / INDEX_FILE
        with suppress(OSError, RuntimeError):
            if _identity(path) == mapped_from:
                whole = faiss.read_index(str(path))
                if _identity(path) == mapped_from:  # not replaced while it was read either
                    self.index = whole
                    return
        self.index = faiss.deserialize_index(faiss.serialize_index(self.index))

    def _decode(self, rows: list[tuple[int, int, bytes]]) -> tuple[np.ndarray, np.ndarray]:
        ids = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), self.dim)
        return ids, vectors

    def _reindex_lookup(self) -> None:
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted = self.ids[self._order]
        self._bitmap = np.packbits(self.alive, bitorder="little")
        self._alive_count = int(self.alive.sum())

    # searching

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[VectorHit]:
        """The k nearest alive chunks, restricted to `allowed` chunk ids when given."""
        self._ready()
        if not len(self.ids) or k <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is None:
            rows = None
        else:
            rows = self._rows_of(allowed)
            if not len(rows):
                return []
        if self.raw is not None:
            return self._search_compressed(q, k, rows)
        selector = self._selector(rows)
        if rows is not None and (self.kind == "flat" or len(rows) <= EXACT_MAX_SURVIVORS):
            flat = self.index if self.kind == "flat" else faiss.downcast_index(self.index.storage)
            scores, found = flat.search(q, k, params=faiss.SearchParameters(sel=selector))
        elif self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, 2 * k))
            scores, found = self.index.search(q, k, params=params)
        else:
            scores, found = self.index.search(q, k, params=faiss.SearchParameters(sel=selector))
        return [VectorHit(int(self.ids[i]), float(s)) for s, i in zip(scores[0], found[0]) if i >= 0]

    def _search_compressed(self, q: np.ndarray, k: int, rows: np.ndarray | None) -> list[VectorHit]:
        """Few survivors: exactly over them, from the file. Else the codes propose RESCORE x k candidates
        (alive, and among the survivors) and the file scores them exactly."""
        assert self.raw is not None
        if rows is None or len(rows) > EXACT_MAX_SURVIVORS:
            wanted = min(len(self.ids), compressed.RESCORE * k, max(k, compressed.MAX_CANDIDATES))
            params = faiss.SearchParametersIVF(sel=self._selector(rows), nprobe=self.index.nprobe)
            _, found = self.index.search(q, wanted, params=params)
            rows = found[0][found[0] >= 0].astype(np.int64)
        if not len(rows):
            return []
        scores = self.raw.scores(q[0], rows)
        best = np.argsort(-scores, kind="stable")[:k]
        return [VectorHit(int(self.ids[rows[i]]), float(scores[i])) for i in best]

    def _rows_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        """The alive rows holding these chunk ids (ids without a vector are left out)."""
        pos = np.searchsorted(self._sorted, chunk_ids)
        ok = pos < len(self._sorted)
        pos, wanted = pos[ok], chunk_ids[ok]
        rows = self._order[pos[self._sorted[pos] == wanted]]
        return np.asarray(rows[self.alive[rows]], dtype=np.int64)

    def _selector(self, rows: np.ndarray | None) -> Any:
        if rows is not None and len(rows) < BITMAP_FROM:
            return faiss.IDSelectorBatch(rows.astype(np.int64))
        if rows is not None:  # many survivors: a bitmap answers each test in one lookup, a hash set does not
            mask = np.zeros(len(self.alive), dtype=bool)
            mask[rows] = True
            bits = np.packbits(mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
            selector.bits = bits  # faiss only points at the array: keep it alive as long as the selector
            return selector
        if self._alive_count == len(self.alive):  # none removed
            return None
        return faiss.IDSelectorBitmap(len(self.alive), faiss.swig_ptr(self._bitmap))


def _identity(path: Path) -> tuple[int, ...]:
    """What tells one file from the next at a path (a save writes a new file and moves it into place)."""
    stat = path.stat()
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _read_index(path: Path, mapped: bool) -> tuple[Any, bool]:
    """The saved index, mapped when asked and faiss can (a build or system that cannot map reads it whole, rather
    than finding it unreadable and rebuilding it from the store at each open), and whether it is mapped."""
    if mapped:
        with suppress(RuntimeError):
            return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC), True
    return faiss.read_index(str(path)), False


def _new_index(dim: int, count: int) -> Any:
    if count <= HNSW_THRESHOLD:
        return faiss.IndexFlatIP(dim)
    index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    return index
