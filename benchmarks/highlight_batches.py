"""Meaning highlights with batches sorted by each sentence's own length against their padded length, side by side.

    .venv/bin/python -m benchmarks.highlight_batches [--home DIR] [--queries 20] [--rounds 3]

One warm process on an archive whose query engine has been checked (index/light_engine.py). A page of 10 hybrid
results per query (headlines of the corpus's fixed sample, as in `benchmarks.archive_scale`), then its
sentences marked by meaning again and again, alternating: `own` sorts them for batching by their own token
count (the code since 2026-12-07); `padded` by the length `encode_batch` returns, which padding makes the
longest's for all of them (the code before: batches came in the texts' own order). Prints the median time a
page per side and on how many queries both marked the same sentences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.archive_scale import sample_queries
from index import Archive, light_engine

DEFAULT_HOME = Path("/tmp/semantic-archive-bench/scale/archive-37554")


def padded(self: light_engine.LightEncoder, texts: Sequence[str]) -> list[int]:
    return [len(e.ids) for e in self._tok.encode_batch(list(texts))]  # the padded length: the longest's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sides = {"own": light_engine.LightEncoder.lengths, "padded": padded}
    with Archive(args.home, catch_up=False) as archive:
        pages = [archive.search(q, limit=10, semantic_highlights=False) for q in sample_queries(args.queries)]
        times: dict[str, list[float]] = {name: [] for name in sides}
        marks: dict[str, list[object]] = {name: [] for name in sides}
        for round_ in range(args.rounds):
            for name in sorted(sides, reverse=bool(round_ % 2)):
                light_engine.LightEncoder.lengths = sides[name]  # type: ignore[method-assign]
                for page in pages:
                    start = time.perf_counter()
                    done = archive.with_semantic_highlights(page)
                    times[name].append(time.perf_counter() - start)
                    if not round_:
                        marks[name].append([[h for h in r.highlights if h.kind == "semantic"] for r in done.results])
        light_engine.LightEncoder.lengths = sides["own"]  # type: ignore[method-assign]
        engine = getattr(archive.query_embedder, "engine", "?")
    same = sum(a == b for a, b in zip(marks["own"], marks["padded"]))
    out = {f"{name}: median s a page": round(statistics.median(t), 3) for name, t in times.items()}
    print(json.dumps({**out, "pages each": len(times["own"]), "same marks": f"{same}/{len(pages)}", "engine": engine}))


if __name__ == "__main__":
    main()
