"""SciFact (BEIR) quality and speed for lexical, semantic and hybrid search.

    .venv/bin/python benchmarks/scifact.py build  [--home DIR]        # ingest + embed the corpus (timed)
    .venv/bin/python benchmarks/scifact.py eval   [--home DIR] [--split test|train] [--fusion rrf --rrf-k 60 ...]
    .venv/bin/python benchmarks/scifact.py tune   [--home DIR]        # grid over fusion settings on TRAIN only

Tune on qrels/train.tsv, report on qrels/test.tsv. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from benchmarks.common import SHARED, ndcg_at, peak_rss_mb, percentile, read_jsonl, recall_at
from index import Archive, SearchSettings

DATA = SHARED / "scifact-beir"
DEFAULT_HOME = Path("/tmp/semantic-archive-bench/scifact")


def qrels(split: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    with open(DATA / "qrels" / f"{split}.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return out


def queries(split: str) -> list[tuple[str, str, dict[str, int]]]:
    judged = qrels(split)
    texts = {str(q["_id"]): str(q["text"]) for q in read_jsonl(DATA / "queries.jsonl")}
    return [(qid, texts[qid], rel) for qid, rel in judged.items()]


def build(home: Path) -> None:
    start = time.perf_counter()
    with Archive(home) as archive:
        report = archive.ingest([str(DATA / "corpus.reconstructed.jsonl")], embed=False)
        phase1 = time.perf_counter() - start
        archive.embed()
        total = time.perf_counter() - start
        health = archive.health()
    print(
        json.dumps(
            {
                "build": "scifact",
                "documents": report.added,
                "chunks": health.chunks,
                "phase1_s": round(phase1, 1),
                "total_s": round(total, 1),
                "peak_rss_mb": round(peak_rss_mb()),
            }
        )
    )


def evaluate(
    archive: Archive, split: str, modes: tuple[str, ...] = ("lexical", "semantic", "hybrid")
) -> dict[str, object]:
    out: dict[str, object] = {"split": split}
    for mode in modes:
        ndcg, recall, latency, notices = [], [], [], 0
        for _, text, relevant in queries(split):
            start = time.perf_counter()
            response = archive.searcher.search(text, mode=mode, limit=100)
            latency.append(time.perf_counter() - start)
            notices += response.notice is not None
            ranked = [r.external_id or "" for r in response.results]
            ndcg.append(ndcg_at(ranked, relevant))
            recall.append(recall_at(ranked, relevant))
        out[mode] = {
            "ndcg@10": round(sum(ndcg) / len(ndcg), 4),
            "recall@100": round(sum(recall) / len(recall), 4),
            "p50_ms": round(percentile(latency, 50) * 1000, 1),
            "notices": notices,
        }
    return out


def settings_from(args: argparse.Namespace) -> SearchSettings:
    return SearchSettings(fusion=args.fusion, rrf_k=args.rrf_k, lexical_share=args.lexical_share)


def _legs(archive: Archive, split: str) -> list[tuple[dict[str, int], dict[str, float], dict[str, float]]]:
    """Per query: its judgements, and the lexical and semantic legs' article scores (by external id)."""
    from index import Filters
    from index.filtering import resolve

    allowed = resolve(archive.store, Filters())
    ext = dict(archive.store.db.execute("SELECT id, external_id FROM documents").fetchall())
    out = []
    for _, text, relevant in queries(split):
        parsed = archive.searcher.parse(text)
        lexical = archive.searcher._lexical(parsed, Filters(), allowed, 300)
        semantic = archive.searcher._semantic(parsed, allowed, 300)
        out.append(
            (
                relevant,
                {ext[d]: v[1] for d, v in lexical.best.items()},
                {ext[d]: v[1] for d, v in semantic.best.items()},
            )
        )
    return out


def tune(home: Path) -> None:
    """Grid over fusion settings on the TRAIN split only; prints each point, best of each fusion last.

    The legs are computed once; fusion is replayed offline over them.
    """
    from index.fusion import ranked, rrf, weighted

    with Archive(home) as archive:
        legs = _legs(archive, "train")
    points: list[tuple[float, dict[str, object]]] = []
    grid: list[dict[str, object]] = [
        {"fusion": "rrf", "rrf_k": k, "lexical_share": w}
        for k in (1, 2, 3, 5, 10, 20, 60)
        for w in (0.3, 0.4, 0.45, 0.5, 0.55, 0.6)
    ]
    grid += [{"fusion": "weighted", "lexical_share": w} for w in (0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)]
    for point in grid:
        ndcg = []
        for relevant, lex, sem in legs:
            if point["fusion"] == "rrf":
                rankings = {"lexical": ranked(lex), "semantic": ranked(sem)}
                w = float(point["lexical_share"])  # type: ignore[arg-type]
                fused = rrf(rankings, float(point["rrf_k"]), {"lexical": w, "semantic": 1 - w})  # type: ignore[arg-type]
            else:
                fused = weighted(lex, sem, float(point["lexical_share"]))  # type: ignore[arg-type]
            ndcg.append(ndcg_at(ranked(fused), relevant))
        score = sum(ndcg) / len(ndcg)
        points.append((score, {**point, "train_ndcg@10": round(score, 4)}))
        print(json.dumps(points[-1][1]), flush=True)
    for fusion in ("rrf", "weighted"):
        best = max((p for p in points if p[1]["fusion"] == fusion), key=lambda p: p[0])
        print(json.dumps({"best_on_train": best[1]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "eval", "tune"])
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--split", default="test", choices=["test", "train"])
    defaults = SearchSettings()
    parser.add_argument("--fusion", default=defaults.fusion)
    parser.add_argument("--rrf-k", type=float, default=defaults.rrf_k)
    parser.add_argument("--lexical-share", type=float, default=defaults.lexical_share)
    args = parser.parse_args()
    if args.command == "build":
        build(args.home)
    elif args.command == "tune":
        tune(args.home)
    else:
        with Archive(args.home, settings=settings_from(args)) as archive:
            print(json.dumps(evaluate(archive, args.split)))


if __name__ == "__main__":
    main()
