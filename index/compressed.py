"""The vector index past COMPRESS_THRESHOLD vectors: product-quantised codes in memory, exact vectors on disk.

Float32 HNSW needs about 1.8 KB of memory per vector (the vector and its graph links): six million chunks,
a million articles, would need 10 GB. Past the threshold the index is faiss IVF-PQ instead: each vector
kept as PQ_M bytes of code in inverted lists (about 60 bytes with its id), and every vector kept
exactly in a float32 file beside it, read only where needed (the candidates' rows; a build reads it in order). A search scans NPROBE lists for
RESCORE times the hits wanted, then scores those candidates exactly from the file, so the ranking is by the
true inner product and recall stays high while resident memory stays bounded (benchmarks/RESULTS.md).

The file's name carries a build token kept in the index's state: a rebuild writes a new file, and the
state names the new one only once the index beside it is saved, so a crash leaves the old pair whole.
"""

from __future__ import annotations

import math
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from archive.errors import IndexDamagedError

COMPRESS_THRESHOLD = 1_000_000  # vectors; chosen by measurement (benchmarks/RESULTS.md, issue 16)
PQ_M = 48  # sub-quantisers: 8 of 384 dimensions each, one byte of code each
NPROBE = 64  # lists searched: at 6M vectors 64 to 512 gave the same recall, so the fewest (RESULTS.md)
RESCORE = 40  # candidates scored exactly per hit wanted: PQ codes cannot order near-ties, exact scores can
MAX_CANDIDATES = 8192  # whatever the hits wanted
MIN_NLIST, MAX_NLIST = 64, 4096  # 4096 lists train on 164k rows in about two minutes here
TRAIN_PER_LIST = 40  # training vectors per inverted list (faiss warns below 39)
MAX_TRAIN = 200_000
ADD_BATCH = 100_000
PREAD_MAX = MAX_CANDIDATES  # candidates read row by row; more (a filter's survivors) through the memory map


def nlist_for(count: int) -> int:
    """About 4 x sqrt(n) inverted lists, as faiss's guidelines suggest, within bounds."""
    return int(min(MAX_NLIST, max(MIN_NLIST, 4 * math.sqrt(max(count, 1)))))


def new_index(faiss: Any, dim: int, count: int) -> Any:
    nlist = nlist_for(count)
    quantizer = faiss.IndexFlatIP(dim)
    m = PQ_M if dim % PQ_M == 0 else next(d for d in range(min(PQ_M, dim), 0, -1) if dim % d == 0)
    index = faiss.IndexIVFPQ(quantizer, dim, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)  # keeps the quantizer alive
    index.nprobe = NPROBE
    return index


def train(index: Any, raw: RawRows) -> None:
    """Train on evenly spaced rows of the exact vectors (every period of the archive, not its first one)."""
    index.train(raw.spread(min(MAX_TRAIN, TRAIN_PER_LIST * index.nlist)))


def describe(index: Any) -> dict[str, int]:
    return {"nlist": int(index.nlist), "pq_m": int(index.pq.M), "nprobe": int(index.nprobe), "rescore": RESCORE}


class RawRows:
    """The exact float32 vectors, one row per index row: a file that the writer appends to and everyone
    memory-maps, then the rows a reader added in memory since (a reader never writes the file)."""

    def __init__(self, folder: Path, dim: int, token: str | None = None) -> None:
        self.folder, self.dim = folder, dim
        self.token = token or secrets.token_hex(6)
        self.file_rows = 0
        self._tail = np.zeros((0, dim), dtype=np.float32)
        self._map: np.ndarray | None = None

    @property
    def path(self) -> Path:
        return self.folder / f"exact-{self.token}.f32"

    @property
    def rows(self) -> int:
        return self.file_rows + len(self._tail)

    def open(self, rows: int) -> bool:
        """Use the first `rows` rows of an existing file (a writer may have appended more); False if short."""
        try:
            size = self.path.stat().st_size
        except OSError:
            return False
        if size < rows * self.dim * 4:
            return False
        self.file_rows, self._map = rows, None
        return True

    def intact(self) -> bool:
        """The file still holds the rows this process knows (another writer's rebuild deletes it)."""
        try:
            return self.path.stat().st_size >= self.file_rows * self.dim * 4
        except OSError:
            return False

    def append(self, vectors: np.ndarray, persist: bool = True) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not persist or len(self._tail):
            self._tail = np.concatenate([self._tail, vectors])
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as f:
            f.truncate(self.file_rows * self.dim * 4)  # rows a crash left past the saved state go
            f.seek(0, os.SEEK_END)
            f.write(vectors.tobytes())
        self.file_rows += len(vectors)
        self._map = None

    def flush(self) -> None:
        """Write the rows added in memory to the file (the writer, saving, may)."""
        tail, self._tail = self._tail, np.zeros((0, self.dim), dtype=np.float32)
        if len(tail):
            self.append(tail)

    def slice(self, start: int, stop: int) -> np.ndarray:
        """Rows `start` to `stop`. The file's part is read, not mapped: a build reads every row once, and mapped
        pages would count as the process's memory until the map went (10 GB at 6.7 million rows)."""
        stop = min(stop, self.rows)
        if start >= stop:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        if start < self.file_rows:
            end = min(stop, self.file_rows)
            with open(self.path, "rb") as f:
                f.seek(start * self.dim * 4)
                data = np.fromfile(f, dtype=np.float32, count=(end - start) * self.dim)
            if len(data) != (end - start) * self.dim:
                raise IndexDamagedError(
                    f"{self.path} holds fewer vectors than its index (another process may have rebuilt it); "
                    "run the command again, or rebuild with: archive reindex vectors"
                )
            parts.append(data.reshape(-1, self.dim))
        if stop > self.file_rows:
            parts.append(self._tail[max(start - self.file_rows, 0) : stop - self.file_rows])
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def spread(self, count: int) -> np.ndarray:
        """`count` rows evenly spaced over all rows (all of them when there are fewer), read row by row."""
        if count >= self.rows:
            return self.slice(0, self.rows)
        rows = np.linspace(0, self.rows - 1, num=count).astype(np.int64)
        on_file = rows[rows < self.file_rows]
        picked = self._pread(on_file)
        tail = self._tail[rows[rows >= self.file_rows] - self.file_rows]
        return picked if not len(tail) else np.concatenate([picked, tail])

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact inner products of the query with these rows. A few thousand candidates are read row by row
        (`pread`, in file order): mapping them would map the pages around each as well, and over many
        searches the whole file would count as the process's memory. More (a filter's survivors) are read
        through the map."""
        out = np.empty(len(rows), dtype=np.float32)
        on_file = rows < self.file_rows
        picked = rows[on_file]
        order = np.argsort(picked, kind="stable")
        sub = np.empty(len(picked), dtype=np.float32)
        sub[order] = self._read(picked[order]) @ query.reshape(-1)
        out[on_file] = sub
        out[~on_file] = self._tail[rows[~on_file] - self.file_rows] @ query.reshape(-1)
        return out

    def _read(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) > PREAD_MAX:
            return np.asarray(self._file()[rows])
        return self._pread(rows)

    def _pread(self, rows: np.ndarray) -> np.ndarray:
        """These file rows (ascending), one `pread` each."""
        if not len(rows):
            return np.zeros((0, self.dim), dtype=np.float32)
        size = self.dim * 4
        fd = os.open(self.path, os.O_RDONLY)
        try:
            data = b"".join(os.pread(fd, size, int(row) * size) for row in rows)
        finally:
            os.close(fd)
        return np.frombuffer(data, dtype=np.float32).reshape(len(rows), self.dim)

    def _file(self) -> np.ndarray:
        if self.file_rows == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._map is None:
            self._map = np.memmap(self.path, dtype=np.float32, mode="r", shape=(self.file_rows, self.dim))
        return self._map


def remove_exact_files(folder: Path, keep: RawRows | None) -> None:
    """Delete the exact files of earlier builds (once the saved state names `keep`, or none)."""
    for path in folder.glob("exact-*.f32"):
        if keep is None or path != keep.path:
            path.unlink(missing_ok=True)
