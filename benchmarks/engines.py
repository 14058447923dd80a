"""The embedding engines side by side on the same chunks: speed, and agreement with torch fp32.

    .venv/bin/python -m benchmarks.engines [--home DIR] [--chunks 768]

Chunks: a fixed random sample of the SciFact archive's chunks (`benchmarks.scifact build`), as the
archive embeds them (first chunks with their titles), sorted by token count, in batches of 32. Engines:
torch fp32 (sentence-transformers' reference), torch bf16 autocast, OpenVINO fp32 and bf16.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.scifact import DEFAULT_HOME
from index import SentenceTransformerEmbedder, openvino_engine
from index.embed import embedding_text

Encode = Callable[[list[str]], np.ndarray]


def sample(home: Path, size: int) -> list[str]:
    db = sqlite3.connect(home / "archive.sqlite3")
    rows = db.execute(
        "SELECT c.ordinal, d.title, substr(d.text, c.start + 1, c.end - c.start) FROM chunks c"
        " JOIN documents d ON d.id = c.doc_id ORDER BY c.id"
    ).fetchall()
    return [embedding_text(o, t, x) for o, t, x in random.Random(1).sample(rows, size)]


def run(encode: Encode, texts: list[str], lengths: list[int]) -> tuple[float, np.ndarray]:
    order = sorted(range(len(texts)), key=lambda i: lengths[i])
    out: np.ndarray | None = None
    start = time.perf_counter()
    for first in range(0, len(order), 32):
        idx = order[first : first + 32]
        vectors = encode([texts[i] for i in idx])
        out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32) if out is None else out
        out[idx] = vectors
    elapsed = time.perf_counter() - start
    assert out is not None
    return elapsed, out / np.linalg.norm(out, axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--chunks", type=int, default=768)
    args = parser.parse_args()
    texts = sample(args.home, args.chunks)
    embedder = SentenceTransformerEmbedder()
    lengths = embedder._lengths(texts)
    engines: dict[str, Encode | None] = {
        "torch fp32": lambda b: embedder._encode(b, bf16=False),
        "torch bf16": lambda b: embedder._encode(b, bf16=True),
        "openvino fp32": openvino_engine.load(embedder._model, bf16=False),
        "openvino bf16": openvino_engine.load(embedder._model, bf16=True),
    }
    reference: np.ndarray | None = None
    for name, encode in engines.items():
        if encode is None:
            print(json.dumps({"engine": name, "available": False}))
            continue
        encode(texts[:4])  # warm up
        elapsed, vectors = run(encode, texts, lengths)
        reference = vectors if reference is None else reference
        cosine = float(np.min(np.sum(reference * vectors, axis=1)))
        print(
            json.dumps(
                {
                    "engine": name,
                    "chunks": len(texts),
                    "chunks_per_s": round(len(texts) / elapsed, 1),
                    "tokens_per_s": round(sum(lengths) / elapsed),
                    "min_cosine_vs_torch_fp32": round(cosine, 6),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
