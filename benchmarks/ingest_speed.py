"""Phase-1 ingest speed: parse + normalise + chunk (real tokenizer) + store, no embedding.

    .venv/bin/python benchmarks/ingest_speed.py [PATH...]

Default input: the 37,554 articles of ../shared/data/article-bias-prediction (its two .jsonl.gz files).
Prints one JSON line: articles, seconds, articles/s, peak RSS of this process (MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from archive import Chunker, Store, ingest
from index.tokenizer import ModelTokenizer

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "article-bias-prediction"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=sorted(str(p) for p in DEFAULT.glob("*.jsonl.gz")))
    args = parser.parse_args()
    if not args.paths:
        sys.exit(f"no input: {DEFAULT} has no .jsonl.gz files")
    with tempfile.TemporaryDirectory() as home, Store(Path(home)) as store:
        chunker = Chunker(ModelTokenizer())
        start = time.perf_counter()
        report = ingest(store, args.paths, chunker)
        seconds = time.perf_counter() - start
        stats = store.stats()
    articles = report.added + report.duplicates + report.replaced
    print(
        json.dumps(
            {
                "articles": articles,
                "chunks": stats.chunks,
                "failed": len(report.failed),
                "seconds": round(seconds, 1),
                "articles_per_s": round(articles / seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
