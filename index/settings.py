"""The tuned settings of search and related coverage: plain values, importable without the indexes.

The command line reads its defaults from here (a `--help` must not load numpy, tantivy or faiss).
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.errors import InvalidInputError

MODES = ("hybrid", "lexical", "semantic")
FUSIONS = ("rrf", "weighted")
# An article found only by meaning counts as a match (in `matched`) at this cosine or above; lower ones are
# shown as "nearest by meaning". Calibrated by benchmarks/match_floor.py (benchmarks/RESULTS.md).
MATCH_FLOOR = 0.36  # SciFact train: 90.4 % of relevant articles above it, 4.5 % of off-archive queries
TUNED_RRF_K = 1.0  # SciFact train (titles embedded): k=1 0.7383, 2 0.7354, 3 0.7343, 10 0.7309 (benchmarks/RESULTS.md)


@dataclass(frozen=True)
class SearchSettings:
    """How the two legs are fused. Defaults tuned on SciFact train only (benchmarks/RESULTS.md).

    "weighted" (default): lexical_share * BM25 / best BM25 + (1 - lexical_share) * cosine. "rrf":
    reciprocal-rank fusion with `rrf_k`. The weighted form is the default because it ranked better on
    SciFact, train (0.742 against RRF's best 0.738) and test (0.734 against 0.721): RRF throws away
    how far ahead a leg's best hit is.
    """

    fusion: str = "weighted"
    lexical_share: float = 0.3
    rrf_k: float = TUNED_RRF_K
    candidates_per_result: int = 10
    match_floor: float = MATCH_FLOOR

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise InvalidInputError(f"fusion must be one of {', '.join(FUSIONS)}, not {self.fusion!r}")
        if not 0.0 <= self.lexical_share <= 1.0:
            raise InvalidInputError(f"the lexical share must be between 0 and 1, not {self.lexical_share}")
        if self.rrf_k <= 0:
            raise InvalidInputError(f"the RRF k must be positive, not {self.rrf_k}")


DEFAULT_WINDOW_DAYS = 14
# Related coverage's learned combination: a logistic regression (intercept, then the weights of the dense score,
# the BM25 share, the TF-IDF cosine and the candidate's density; index/related.py `Evidence`), fitted on AllSides
# train by `benchmarks.related learn` and checked on val (benchmarks/RESULTS.md).
# 2026-12-01: on val R-precision 0.841, MAP 0.886 (the weighted share it replaces: 0.803, 0.850).
RELATED_MODEL: tuple[float, ...] | None = (-4.0092, 10.7565, -0.6653, 22.8066, -25.947)
# The second pass (index/related.py `supported`): the same four and each candidate's best cosine with the two other
# candidates the first model ranks highest, fitted the same way on AllSides train with the first model fixed.
RELATED_SUPPORT_MODEL: tuple[float, ...] | None = (-4.4473, 7.7546, -0.6749, 22.2191, -26.3947, 4.2133)


@dataclass(frozen=True)
class RelatedSettings:
    """How candidates are gathered and scored (defaults tuned on AllSides train/val only)."""

    window_days: int | None = DEFAULT_WINDOW_DAYS  # None: any time
    lexical_share: float = 0.2  # the fusion without a model (benchmarks' dense and lexical legs)
    model: tuple[float, ...] | None = RELATED_MODEL
    support_model: tuple[float, ...] | None = RELATED_SUPPORT_MODEL
    support_from: int = 2  # the candidates ranked first that each candidate is compared with
    seed_chunks: int = 8
    candidates: int = 100
    mlt_terms: int = 40
