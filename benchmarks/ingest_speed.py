"""Phase-1 ingest speed: parse + normalise + chunk (real tokenizer) + store, no embedding.

    .venv/bin/python benchmarks/ingest_speed.py [--derived] [PATH...]

Default input: the 37,554 articles of ../shared/data/article-bias-prediction (its two .jsonl.gz files).
Prints one JSON line: articles, seconds, articles/s, peak RSS of this process (MB). With --derived, the whole
of phase 1 as `archive ingest --no-embed` runs it (`Archive.ingest`): the store, then the lexical index,
near-duplicates and dates mentioned, which a second process catches up while the store is written
(index/alongside.py; the ingest's own catch-up applies the rest); the clock runs until all of them are caught
up. (Until 2026-12-02 the flag was --mentions, and the second process scanned dates only.)
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
from index import Archive
from index.tokenizer import ModelTokenizer

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "article-bias-prediction"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=sorted(str(p) for p in DEFAULT.glob("*.jsonl.gz")))
    parser.add_argument("--derived", action="store_true", help="The derived indexes too, as an ingest builds them.")
    args = parser.parse_args()
    if not args.paths:
        sys.exit(f"no input: {DEFAULT} has no .jsonl.gz files")
    with tempfile.TemporaryDirectory() as home:
        stored: list[float] = []  # when the store's last batch was written
        start = time.perf_counter()
        if args.derived:
            with Archive(Path(home)) as archive:
                report = archive.ingest(args.paths, embed=False, progress=lambda p: stored.append(time.perf_counter()))
                stats = archive.store.stats()
        else:
            with Store(Path(home)) as store:
                report = ingest(store, args.paths, Chunker(ModelTokenizer()))
                stats = store.stats()
        seconds = time.perf_counter() - start
    articles = report.added + report.duplicates + report.replaced
    print(
        json.dumps(
            {
                "articles": articles,
                "chunks": stats.chunks,
                "failed": len(report.failed),
                "seconds": round(seconds, 1),
                **({"stored_seconds": round(stored[-1] - start, 1)} if stored else {}),
                "articles_per_s": round(articles / seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
