"""Meaning highlights with batches sorted by each sentence's own length against their padded length, side by side;
with `--compare precision`, batches embedded in bf16 against fp32.

    .venv/bin/python -m benchmarks.highlight_batches [--home DIR] [--queries 20] [--rounds 3] [--compare lengths|precision]

One warm process on an archive whose query engine has been checked (index/light_engine.py). A page of 10 hybrid
results per query (headlines of the corpus's fixed sample, as in `benchmarks.archive_scale`), then its
sentences marked by meaning again and again, alternating: `own` sorts them for batching by their own token
count (the code since 2026-12-07); `padded` by the length `encode_batch` returns, which padding makes the
longest's for all of them (the code before: batches came in the texts' own order). `precision`: `bf16` embeds a
page's sentences on the bf16 graph where the CPU has it (the code since 2026-12-07, later), `fp32` on the checked
fp32 graph that single queries use (the code before). Prints the median time a page per side and on how many
queries both marked the same sentences.
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


def fp32(self: light_engine.LightEncoder) -> object:
    return self._request  # the fp32 request single queries use


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", choices=("lengths", "precision"), default="lengths")
    args = parser.parse_args()
    attribute = "lengths" if args.compare == "lengths" else "_batch_request"
    original = getattr(light_engine.LightEncoder, attribute)
    sides = {"own": original, "padded": padded} if args.compare == "lengths" else {"bf16": original, "fp32": fp32}
    first, second = sides
    with Archive(args.home, catch_up=False) as archive:
        pages = [archive.search(q, limit=10, semantic_highlights=False) for q in sample_queries(args.queries)]
        times: dict[str, list[float]] = {name: [] for name in sides}
        marks: dict[str, list[object]] = {name: [] for name in sides}
        for round_ in range(args.rounds):
            for name in sorted(sides, reverse=bool(round_ % 2)):
                setattr(light_engine.LightEncoder, attribute, sides[name])
                for page in pages:
                    start = time.perf_counter()
                    done = archive.with_semantic_highlights(page)
                    times[name].append(time.perf_counter() - start)
                    if not round_:
                        marks[name].append([[h for h in r.highlights if h.kind == "semantic"] for r in done.results])
        setattr(light_engine.LightEncoder, attribute, original)
        engine = getattr(archive.query_embedder, "engine", "?")
    same = sum(a == b for a, b in zip(marks[first], marks[second]))
    out = {f"{name}: median s a page": round(statistics.median(t), 3) for name, t in times.items()}
    print(json.dumps({**out, "pages each": len(times[first]), "same marks": f"{same}/{len(pages)}", "engine": engine}))


if __name__ == "__main__":
    main()
