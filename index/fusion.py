"""Fusing ranked lists: small pure functions, each with its choice documented.

Both work on rankings of keys (article ids) from several legs, best first.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_RRF_K = 60


def rrf(
    rankings: Mapping[str, Sequence[K]], k: float = DEFAULT_RRF_K, weights: Mapping[str, float] | None = None
) -> dict[K, float]:
    """Reciprocal-rank fusion (Cormack et al. 2009): score = sum of w / (k + rank), rank from 1.

    Scores are ignored, so the legs need no calibration; `k` flattens the head (60 is the
    published default); `weights` lean on one leg.
    """
    fused: dict[K, float] = {}
    for leg, keys in rankings.items():
        w = 1.0 if weights is None else weights.get(leg, 1.0)
        for rank, key in enumerate(keys, start=1):
            fused[key] = fused.get(key, 0.0) + w / (k + rank)
    return fused


def weighted(lexical: Mapping[K, float], semantic: Mapping[K, float], lexical_share: float) -> dict[K, float]:
    """A convex combination: share * bm25 / max(bm25) + (1 - share) * cosine.

    BM25 is divided by the best score of the query (its scale varies by query); the cosine is used
    as it is (already on a fixed scale). A key missing from the semantic leg takes the lowest cosine
    that leg returned, one missing from the lexical leg scores 0 there. On SciFact train this beat
    min-max normalisation of both legs.
    """
    top = max(lexical.values(), default=0.0) or 1.0
    floor = min(semantic.values(), default=0.0)
    return {
        key: lexical_share * lexical.get(key, 0.0) / top + (1 - lexical_share) * semantic.get(key, floor)
        for key in {**lexical, **semantic}
    }


def ranked(fused: Mapping[K, float]) -> list[K]:
    """Keys by fused score, best first (ties keep their first-seen order)."""
    return sorted(fused, key=lambda key: -fused[key])
