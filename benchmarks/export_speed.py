"""Export of every match of a broad query: rows per second and memory.

    .venv/bin/python -m benchmarks.export_speed [--home DIR] [--query TEXT] [--format csv|jsonl|ris]

On the 37,554-article archive of benchmarks/archive_scale.py (phase 1 is enough: a word search). Peak RSS
is read before and after the export: a streamed export keeps it flat.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.common import peak_rss_mb

DEFAULT_HOME = Path("/tmp/semantic-archive-bench/abp")


def run(home: Path, query: str, fmt: str) -> dict[str, object]:
    from archive.export import write
    from index import Archive

    with Archive(home) as archive:
        matched = archive.search(query, mode="lexical", limit=10, semantic_highlights=False).matched
        before = peak_rss_mb()
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"export.{fmt}"
            started = time.perf_counter()
            with target.open("w", encoding="utf-8", newline="") as out:
                rows = write(archive.search_rows(query, mode="lexical"), fmt, out)
            seconds = time.perf_counter() - started
            size = target.stat().st_size
    return {
        "query": query,
        "format": fmt,
        "matched": matched,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "mb_written": round(size / 2**20, 1),
        "peak_rss_mb_before": round(before),
        "peak_rss_mb_after": round(peak_rss_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--query", default="president said")
    parser.add_argument("--format", default="csv")
    args = parser.parse_args()
    print(json.dumps(run(args.home, args.query, args.format)))


if __name__ == "__main__":
    main()
