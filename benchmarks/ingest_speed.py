"""Phase-1 ingest speed: parse + normalise + chunk (real tokenizer) + store, no embedding.

    .venv/bin/python benchmarks/ingest_speed.py [--mentions] [PATH...]

Default input: the 37,554 articles of ../shared/data/article-bias-prediction (its two .jsonl.gz files).
Prints one JSON line: articles, seconds, articles/s, peak RSS of this process (MB). With --mentions, the
dates mentioned in the texts are extracted too, as `Archive.ingest` does it (a second process scans while
the ingest runs; the ingest's own catch-up scans the rest), and the clock runs until every article is scanned.
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
from index import mentions
from index.tokenizer import ModelTokenizer

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "article-bias-prediction"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=sorted(str(p) for p in DEFAULT.glob("*.jsonl.gz")))
    parser.add_argument("--mentions", action="store_true", help="Extract the dates mentioned, as an ingest does.")
    args = parser.parse_args()
    if not args.paths:
        sys.exit(f"no input: {DEFAULT} has no .jsonl.gz files")
    with tempfile.TemporaryDirectory() as home, Store(Path(home)) as store:
        chunker = Chunker(ModelTokenizer())
        start = time.perf_counter()
        alongside = mentions.Alongside(Path(home)) if args.mentions else None
        report = ingest(
            store, args.paths, chunker, progress=(lambda p: alongside.seen(p.documents)) if alongside else None
        )
        ingested = time.perf_counter() - start
        tail = 0
        if alongside is not None:
            alongside.stop()
            tail = mentions.sync(store)  # what the second process had not reached
        seconds = time.perf_counter() - start
        stats = store.stats()
        found = store.db.execute("SELECT COUNT(*) FROM date_mentions").fetchone()[0] if args.mentions else None
    articles = report.added + report.duplicates + report.replaced
    print(
        json.dumps(
            {
                "articles": articles,
                "chunks": stats.chunks,
                "failed": len(report.failed),
                "seconds": round(seconds, 1),
                **(
                    {"ingest_seconds": round(ingested, 1), "scanned_after_ingest": tail, "date_mentions": found}
                    if args.mentions
                    else {}
                ),
                "articles_per_s": round(articles / seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
