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


def weighted(scores: Mapping[str, Mapping[K, float]], weights: Mapping[str, float]) -> dict[K, float]:
    """A weighted sum of each leg's scores after min-max normalisation within the leg.

    A key missing from a leg scores 0 there. Calibrated scores let a confident leg dominate.
    """
    fused: dict[K, float] = {}
    for leg, leg_scores in scores.items():
        if not leg_scores:
            continue
        lo, hi = min(leg_scores.values()), max(leg_scores.values())
        span = hi - lo or 1.0
        w = weights.get(leg, 1.0)
        for key, score in leg_scores.items():
            fused[key] = fused.get(key, 0.0) + w * (score - lo) / span
    return fused


def ranked(fused: Mapping[K, float]) -> list[K]:
    """Keys by fused score, best first (ties keep their first-seen order)."""
    return sorted(fused, key=lambda key: -fused[key])
