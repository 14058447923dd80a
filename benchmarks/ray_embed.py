"""Phase 2 on Ray against phase 2 on this machine, side by side in one run (issue 16).

    .venv/bin/python -m benchmarks.ray_embed [--root DIR] [--ray local] [--actors N]

SciFact is read once (phase 1) into one archive, and the folder is copied, so both copies hold the same
chunks under the same ids. One copy is embedded here (`archive.embed()`), the other on Ray
(`archive.embed(ray=...)`, the start of a local instance included in its time). Then: the lowest and
mean cosine between the two vectors of each chunk, and SciFact test nDCG@10 of both. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

from benchmarks.common import peak_rss_mb
from benchmarks.scifact import DATA, evaluate
from index import Archive

DEFAULT_ROOT = Path("/tmp/semantic-archive-bench/ray-embed")


def vectors(archive: Archive) -> dict[int, np.ndarray]:
    dim = archive.embedder.dim
    rows = archive.store.vector_rows(0, archive.store.vectors_top(), 10**9)
    return {int(r[1]): np.frombuffer(r[2], dtype=np.float32, count=dim) for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--ray", default="local")
    parser.add_argument("--actors", type=int, default=None)
    args = parser.parse_args()
    shutil.rmtree(args.root, ignore_errors=True)
    here, there = args.root / "local", args.root / "ray"
    with Archive(here) as archive:
        archive.ingest([str(DATA / "corpus.reconstructed.jsonl")], embed=False)
        chunks = archive.coverage().chunks
    shutil.copytree(here, there)
    out: dict[str, object] = {"corpus": "scifact", "chunks": chunks}
    for name, home, ray in (("local", here, None), ("ray", there, args.ray)):
        with Archive(home) as archive:
            start = time.perf_counter()
            done = archive.embed(ray=ray, ray_actors=args.actors)
            seconds = time.perf_counter() - start
            out[name] = {"embedded": done, "s": round(seconds, 1), "chunks_per_s": round(done / seconds, 1)}
    with Archive(here) as a, Archive(there) as b:
        va, vb = vectors(a), vectors(b)
        assert va.keys() == vb.keys(), "the two archives embedded different chunks"
        cosines = np.array([float(va[k] @ vb[k]) for k in va])
        out["cosine"] = {"min": round(float(cosines.min()), 6), "mean": round(float(cosines.mean()), 6)}
        for name, archive in (("local", a), ("ray", b)):
            scores = evaluate(archive, "test")
            out[f"{name}_ndcg@10"] = {mode: scores[mode]["ndcg@10"] for mode in ("lexical", "semantic", "hybrid")}  # type: ignore[index]
    local, ray_run = out["local"], out["ray"]
    out["ray_over_local_throughput"] = round(ray_run["chunks_per_s"] / local["chunks_per_s"], 3)  # type: ignore[index]
    out["peak_rss_mb"] = round(peak_rss_mb())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
