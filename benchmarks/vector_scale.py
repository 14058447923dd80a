"""The vector index at 250,000 to 6,000,000 vectors: exact-rescored IVF-PQ against float32 HNSW (issue 16).

    .venv/bin/python -m benchmarks.vector_scale [--sizes 250000,1000000] [--kinds hnsw,ivfpq] [--queries 200]

Vectors are derived from the real ones of an embedded archive (default: the SciFact bench archive), so that
embedding stays out of the clock: each derived vector is a real vector plus half another plus a little
Gaussian noise, normalised (quality of the vectors themselves is measured elsewhere; this measures the
index). Queries are other real vectors with noise, never in the index. For each size and kind, in one run:
build time, search p50/p95 (the index alone: the query's embedding is measured by the cold-start and
archive benchmarks), the same with a filter that keeps a fifth of the rows, recall@10 against exact search,
and the resident memory the index added (RSS after build minus before, the exact file's pages not counted
until touched). The real `VectorIndex` code runs, fed by an in-memory stand-in for the store.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

import index.compressed
import index.vectors
from benchmarks.common import percentile, rss_mb
from index import Archive
from index.vectors import VectorIndex

DEFAULT_SOURCE = Path("/tmp/semantic-archive-bench/scifact")


class MemoryStore:
    """What VectorIndex reads from a store, over arrays: seq i+1 is chunk id i+1."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    def embedded_count(self) -> int:
        return len(self.vectors)

    def vectors_top(self) -> int:
        return len(self.vectors)

    def log_top(self) -> int:
        return 0

    def vectors_since(self, seq: int) -> int:
        return len(self.vectors) - seq

    def removed_chunks(self, after: int, upto: int) -> list[int]:
        return []

    def vector_rows(self, after: int, upto: int, limit: int) -> list[tuple[int, int, bytes]]:
        stop = min(upto, after + limit)
        return [(i + 1, i + 1, self.vectors[i].tobytes()) for i in range(after, stop)]


def real_vectors(source: Path) -> np.ndarray:
    with Archive(source) as archive:
        dim = archive.embedder.dim if archive.vectors is None else archive.vectors.dim
        rows = archive.store.vector_rows(0, archive.store.vectors_top(), 10**9)
    return np.stack([np.frombuffer(r[2], dtype=np.float32, count=dim) for r in rows])


def derived(real: np.ndarray, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((count, real.shape[1]), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        block = real[rng.integers(0, len(real), n)] + 0.5 * real[rng.integers(0, len(real), n)]
        block += rng.normal(0, 0.02, block.shape).astype(np.float32)
        out[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int, allowed: np.ndarray | None) -> list[set[int]]:
    out = []
    for q in queries:
        scores = vectors @ q
        if allowed is not None:
            mask = np.full(len(vectors), -np.inf, dtype=np.float32)
            mask[allowed - 1] = 0
            scores = scores + mask
        out.append(set((np.argpartition(-scores, k)[:k] + 1).tolist()))
    return out


def sweep(vi: VectorIndex, vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> None:
    """Recall and latency of the compressed index over lists searched and candidates rescored (to choose them:
    run with other --seed queries than the ones reported)."""
    truth = exact_top(vectors, queries, k, None)
    for nprobe in (64, 128, 256, 512):
        for rescore in (10, 20, 40):
            vi.index.nprobe = nprobe
            index.compressed.RESCORE = rescore
            latencies, recalls = [], []
            for q, want in zip(queries, truth):
                t = time.perf_counter()
                hits = vi.search(q, k)
                latencies.append(time.perf_counter() - t)
                recalls.append(len({h.chunk_id for h in hits} & want) / k)
            row = {"nprobe": nprobe, "rescore": rescore, "recall@10": round(float(np.mean(recalls)), 4)}
            row |= {
                "p50_ms": round(percentile(latencies, 50) * 1000, 2),
                "p95_ms": round(percentile(latencies, 95) * 1000, 2),
            }
            print(json.dumps({"sweep": len(vectors), **row}), flush=True)


def measure(
    kind: str, vectors: np.ndarray, queries: np.ndarray, k: int = 10, sweep_queries: np.ndarray | None = None
) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="vector-scale-"))
    index.vectors.HNSW_THRESHOLD = 0 if kind == "hnsw" else 10**12
    index.compressed.COMPRESS_THRESHOLD = 0 if kind == "ivfpq" else 10**12
    try:
        gc.collect()
        before, anon_before = rss_mb(), rss_mb("RssAnon")
        vi = VectorIndex(folder, vectors.shape[1], "bench")
        start = time.perf_counter()
        vi.rebuild(MemoryStore(vectors))  # type: ignore[arg-type]
        build = time.perf_counter() - start
        gc.collect()
        added = rss_mb() - before
        rng = np.random.default_rng(7)
        allowed = np.sort(rng.choice(np.arange(1, len(vectors) + 1), size=len(vectors) // 5, replace=False))
        result: dict[str, object] = {"kind": vi.kind, "vectors": len(vectors), "build_s": round(build, 1)}
        result["params"] = vi.params
        result["index_rss_mb"] = round(added)
        if sweep_queries is not None and kind == "ivfpq":
            sweep(vi, vectors, sweep_queries)
            return result
        result["files_mb"] = round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20)
        for name, filt in (("all", None), ("a fifth", allowed)):
            truth = exact_top(vectors, queries, k, filt)
            latencies, recalls = [], []
            for q, want in zip(queries, truth):
                t = time.perf_counter()
                hits = vi.search(q, k, filt)
                latencies.append(time.perf_counter() - t)
                recalls.append(len({h.chunk_id for h in hits} & want) / k)
            result[name] = {
                "p50_ms": round(percentile(latencies, 50) * 1000, 2),
                "p95_ms": round(percentile(latencies, 95) * 1000, 2),
                "recall@10": round(float(np.mean(recalls)), 4),
            }
        result["rss_after_search_mb"] = round(rss_mb() - before)
        result["anon_after_search_mb"] = round(rss_mb("RssAnon") - anon_before)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--sizes", default="250000,1000000")
    parser.add_argument("--kinds", default="hnsw,ivfpq")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=99, help="of the queries (choose settings on another seed)")
    parser.add_argument("--sweep", action="store_true", help="ivfpq only: recall over nprobe x rescore")
    args = parser.parse_args()
    real = real_vectors(args.source)
    queries = derived(real, args.queries, seed=args.seed)
    for size in (int(s) for s in args.sizes.split(",")):
        vectors = derived(real, size, seed=1)
        for kind in args.kinds.split(","):
            result = measure(kind, vectors, queries, sweep_queries=queries if args.sweep else None)
            print(json.dumps({"source_vectors": len(real), **result}), flush=True)
        del vectors


if __name__ == "__main__":
    main()
