"""Related coverage, first cut: the articles whose chunks lie nearest the seed's, near its date.

seed article -> its stored chunk vectors -> faiss neighbours of each, restricted to the chunks of
articles dated within the window (all time for an undated seed) -> per article, the mean over the
seed's chunks of the best similarity -> ranked, the seed and its exact duplicates left out.

This is the dense leg only; the lexical more-like-this leg, near-duplicate groups and tuning on
BASIL/AllSides are issue 4's work.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from index import filtering
from index.query import Filters
from index.search import doc_of
from index.vectors import VectorIndex

DEFAULT_WINDOW_DAYS = 14
SEED_CHUNKS = 8
NEIGHBOURS_PER_CHUNK = 200


@dataclass(frozen=True)
class RelatedResult:
    id: int
    title: str | None
    outlet: str | None
    date: str | None
    days_from_seed: int | None
    score: float
    passage_start: int
    passage_end: int


def related(
    db: sqlite3.Connection,
    vectors: VectorIndex | None,
    seed_id: int,
    window_days: int | None = DEFAULT_WINDOW_DAYS,
    outlets: tuple[str, ...] = (),
    limit: int = 20,
) -> list[RelatedResult]:
    """Articles near the seed by meaning, dated within `window_days` of it (None: any time)."""
    if vectors is None or not vectors.size:
        return []
    seed_date, seed_vectors = _seed(db, seed_id)
    if not len(seed_vectors):
        return []
    allowed = filtering.resolve(db, _window(seed_date, window_days, outlets))
    excluded = _group_of(db, seed_id)
    best: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)  # doc -> seed chunk -> (score, chunk)
    for i, vector in enumerate(seed_vectors):
        hits = vectors.search(vector, NEIGHBOURS_PER_CHUNK, allowed.chunks)
        docs = doc_of(db, [h.chunk_id for h in hits])
        for hit in hits:
            doc = docs.get(hit.chunk_id)
            if doc is None or doc in excluded:
                continue
            if i not in best[doc] or hit.score > best[doc][i][0]:
                best[doc][i] = (hit.score, hit.chunk_id)
    scored = sorted(
        ((sum(s for s, _ in per.values()) / len(seed_vectors), doc, per) for doc, per in best.items()),
        key=lambda t: (-t[0], t[1]),
    )
    return [_result(db, doc, score, per, seed_date) for score, doc, per in scored[:limit]]


def _seed(db: sqlite3.Connection, seed_id: int) -> tuple[str | None, np.ndarray]:
    row = db.execute("SELECT published, duplicate_of FROM documents WHERE id = ?", (seed_id,)).fetchone()
    original = row[1] if row and row[1] is not None else seed_id
    rows = db.execute(
        "SELECT e.vector FROM chunks c JOIN embeddings e ON e.chunk_id = c.id WHERE c.doc_id = ?"
        " ORDER BY c.ordinal LIMIT ?",
        (original, SEED_CHUNKS),
    ).fetchall()
    vectors = np.array([np.frombuffer(r[0], dtype=np.float32) for r in rows], dtype=np.float32)
    return (row[0] if row else None), vectors


def _window(seed_date: str | None, window_days: int | None, outlets: tuple[str, ...]) -> Filters:
    if seed_date is None or window_days is None:
        return Filters(outlets=outlets)
    day = dt.date.fromisoformat(seed_date)
    span = dt.timedelta(days=window_days)
    return Filters((day - span).isoformat(), (day + span).isoformat(), outlets)


def _group_of(db: sqlite3.Connection, doc_id: int) -> set[int]:
    row = db.execute("SELECT duplicate_of FROM documents WHERE id = ?", (doc_id,)).fetchone()
    original = row[0] if row and row[0] is not None else doc_id
    ids = db.execute("SELECT id FROM documents WHERE id = ? OR duplicate_of = ?", (original, original)).fetchall()
    return {doc_id, original, *(r[0] for r in ids)}


def _result(
    db: sqlite3.Connection, doc_id: int, score: float, per: dict[int, tuple[float, int]], seed_date: str | None
) -> RelatedResult:
    title, outlet, date = db.execute(
        "SELECT title, outlet, published FROM documents WHERE id = ?", (doc_id,)
    ).fetchone()
    _, chunk_id = max(per.values())
    start, end = db.execute("SELECT start, end FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
    days = None
    if date and seed_date:
        days = (dt.date.fromisoformat(date) - dt.date.fromisoformat(seed_date)).days
    return RelatedResult(doc_id, title, outlet, date, days, round(score, 4), int(start), int(end))
