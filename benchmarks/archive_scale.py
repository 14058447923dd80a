"""Speed at archive scale: the 37,554 articles of article-bias-prediction, fully embedded.

    .venv/bin/python -m benchmarks.archive_scale build [--home DIR]   # once; kept outside the repository
    .venv/bin/python -m benchmarks.archive_scale eval  [--home DIR] [--queries 200]
    .venv/bin/python -m benchmarks.archive_scale hnsw  [--home DIR]   # exact vs HNSW: latency and recall@10

Queries are headlines of 200 articles (a fixed sample). Latency includes embedding the query.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.common import SHARED, peak_rss_mb, percentile
from index import Archive, Filters

DATA = SHARED / "article-bias-prediction"
DEFAULT_HOME = Path("/tmp/semantic-archive-bench/abp")


def log(done: int, total: int, name: str, start: float) -> None:
    rate = done / max(time.perf_counter() - start, 1e-9)
    print(f"{name}: {done}/{total} ({rate:.1f}/s)", file=sys.stderr, flush=True)


def build(home: Path) -> None:
    start = time.perf_counter()
    last = [0.0]

    def step(name: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30 or done == total:
            last[0] = time.perf_counter()
            log(done, total, name, start)

    with Archive(home) as archive:
        report = archive.ingest(sorted(str(p) for p in DATA.glob("*.jsonl.gz")), embed=False, step=step)
        phase1 = time.perf_counter() - start
        archive.embed(step=step)
        health = archive.health()
    print(
        json.dumps(
            {
                "build": "article-bias-prediction",
                "documents": report.added + report.duplicates,
                "chunks": health.chunks,
                "phase1_s": round(phase1, 1),
                "total_s": round(time.perf_counter() - start, 1),
                "vector_index": health.vector_index,
            }
        )
    )


def sample_queries(n: int) -> list[str]:
    titles = []
    for path in sorted(DATA.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            titles.extend(str(json.loads(line).get("title") or "") for line in f)
    rng = random.Random(7)
    return [t for t in rng.sample(titles, n * 2) if t.strip()][:n]


def evaluate(home: Path, n: int) -> None:
    queries = sample_queries(n)
    with Archive(home, catch_up=False) as archive:
        start = time.perf_counter()
        archive.catch_up()  # as the writer would: derived indexes up to date and saved
        health = archive.health()
        print(
            json.dumps(
                {
                    "catch_up_s": round(time.perf_counter() - start, 1),
                    "documents": health.documents,
                    "chunks": health.chunks,
                    "embedded_chunks": health.embedded_chunks,
                    "vector_index": health.vector_index,
                }
            ),
            flush=True,
        )
    with Archive(home) as archive:
        archive.search("warm up the model and caches", limit=10)
        year = Filters(date_from="2016-01-01", date_to="2016-12-31")
        for name, filters, highlights in [
            ("hybrid", None, False),
            ("hybrid_one_year", year, False),
            ("hybrid_with_semantic_highlights", None, True),
        ]:
            times = []
            for q in queries:
                start = time.perf_counter()
                archive.search(q, filters, limit=10, semantic_highlights=highlights)
                times.append(time.perf_counter() - start)
            print(
                json.dumps(
                    {
                        "case": name,
                        "queries": len(times),
                        "p50_ms": round(percentile(times, 50) * 1000, 1),
                        "p95_ms": round(percentile(times, 95) * 1000, 1),
                    }
                ),
                flush=True,
            )
    print(json.dumps({"peak_rss_mb_search_process": round(peak_rss_mb())}))


def hnsw(home: Path) -> None:
    """Exact vs HNSW over the stored vectors: latency per query and recall@10 of HNSW."""
    import faiss

    with Archive(home, catch_up=False) as archive:
        rows = archive.store.db.execute("SELECT vector FROM embeddings ORDER BY seq").fetchall()
        embedder = archive.embedder
        queries = np.stack([embedder.embed_query(q) for q in sample_queries(200)])
    vectors = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float32).reshape(len(rows), -1)
    for size in (20_000, 50_000, len(vectors)):
        sub = np.ascontiguousarray(vectors[:size])
        flat = faiss.IndexFlatIP(sub.shape[1])
        flat.add(sub)
        t = time.perf_counter()
        _, exact = flat.search(queries, 10)
        flat_ms = (time.perf_counter() - t) / len(queries) * 1000
        index = faiss.IndexHNSWFlat(sub.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        t = time.perf_counter()
        index.add(sub)
        build_s = time.perf_counter() - t
        index.hnsw.efSearch = 128
        t = time.perf_counter()
        _, approx = index.search(queries, 10)
        hnsw_ms = (time.perf_counter() - t) / len(queries) * 1000
        recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
        print(
            json.dumps(
                {
                    "vectors": size,
                    "flat_ms_per_query": round(flat_ms, 2),
                    "hnsw_ms_per_query": round(hnsw_ms, 2),
                    "hnsw_recall@10": round(float(recall), 4),
                    "hnsw_build_s": round(build_s, 1),
                }
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "eval", "hnsw"])
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    {
        "build": lambda: build(args.home),
        "eval": lambda: evaluate(args.home, args.queries),
        "hnsw": lambda: hnsw(args.home),
    }[args.command]()


if __name__ == "__main__":
    main()
