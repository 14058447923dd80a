"""`archive eval` against the benchmark: SciFact's train qrels as relevance marks, through the API.

    .venv/bin/python -m benchmarks.marks_eval [--home DIR]   # the SciFact archive of benchmarks/scifact.py

The archive is backed up into a temporary folder (`Archive.backup`, then `reindex`), each train qrel is
marked there with `Archive.mark`, and `Archive.evaluate` (what `archive eval` prints) is set beside
`benchmarks/scifact.py`'s own train nDCG@10, in the same run on the same copy. Then `Archive.tune` picks
the fusion on those train marks, and the test split is scored with it and with the defaults.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks.scifact import DEFAULT_HOME, evaluate, queries


def run(home: Path) -> dict[str, object]:
    from index import Archive, SearchSettings

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy"
        with Archive(home) as archive:
            archive.backup(copy)
        with Archive(copy) as archive:
            archive.reindex()
            ids = dict(archive.store.db.execute("SELECT external_id, id FROM documents").fetchall())
            marked = 0
            for _, text, relevant in queries("train"):
                for doc, grade in relevant.items():
                    archive.mark(text, ids[doc], grade)
                    marked += 1
            started = time.perf_counter()
            scores = archive.evaluate()
            seconds = time.perf_counter() - started
            bench = evaluate(archive, "train", modes=("lexical", "semantic", "hybrid"))
            best, _ = archive.tune()
            tuned_test = evaluate(archive, "test", modes=("hybrid",))["hybrid"]
            chosen = archive.search_settings
            archive.searcher.settings = SearchSettings()
            default_test = evaluate(archive, "test", modes=("hybrid",))["hybrid"]
    return {
        "tune_chose": best.name if best else None,
        "tuned_settings": asdict(chosen),
        "test_hybrid_ndcg@10": {"tuned": tuned_test["ndcg@10"], "default": default_test["ndcg@10"]},  # type: ignore[index]
        "marks": marked,
        "eval_seconds": round(seconds, 1),
        "archive_eval": [
            {"name": s.name, "ndcg@10": s.ndcg_at_10, "p@10": s.p_at_10, "queries": s.queries} for s in scores
        ],
        "benchmark_train": {m: bench[m]["ndcg@10"] for m in ("lexical", "semantic", "hybrid")},  # type: ignore[index]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    args = parser.parse_args()
    print(json.dumps(run(args.home), indent=2))


if __name__ == "__main__":
    main()
