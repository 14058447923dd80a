"""This archive's own search quality, from its user's relevance marks: nDCG@10 and P@10 per setting.

The same computation as the benchmarks' (benchmarks/scifact.py): each marked query is searched with
`limit` 100, the ranked articles' origins are compared with the marks (relevance 0 = not relevant).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from index.settings import TUNED_RRF_K, SearchSettings

EVAL_LIMIT = 100


@dataclass(frozen=True)
class Variant:
    name: str
    mode: str
    settings: SearchSettings


@dataclass(frozen=True)
class SettingScore:
    name: str
    ndcg_at_10: float
    p_at_10: float
    queries: int  # marked queries (with at least one relevant article) behind the figures


def variants(current: SearchSettings) -> list[Variant]:
    """The archive's settings and the alternatives: words only, meaning only, RRF, other lexical shares."""
    out = [
        Variant("current", "hybrid", current),
        Variant("words only", "lexical", current),
        Variant("meaning only", "semantic", current),
        Variant(f"rrf k={TUNED_RRF_K:g}", "hybrid", SearchSettings(fusion="rrf", rrf_k=TUNED_RRF_K)),
    ]
    for share in (0.1, 0.2, 0.3, 0.4, 0.5):
        if not (current.fusion == "weighted" and math.isclose(current.lexical_share, share)):
            out.append(Variant(f"weighted {share:g}", "hybrid", SearchSettings(fusion="weighted", lexical_share=share)))
    return out


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(rel / math.log2(i + 2) for i, rel in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    return sum(1 for doc in ranked[:k] if relevant.get(doc, 0) > 0) / k


def score(
    marks: Mapping[str, Mapping[str, int]], ranked_origins: Callable[[str, Variant], list[str]], chosen: list[Variant]
) -> list[SettingScore]:
    """nDCG@10 and P@10 of each variant over the marked queries that have a relevant article."""
    judged = {q: m for q, m in marks.items() if any(r > 0 for r in m.values())}
    out = []
    for variant in chosen:
        ndcg, precision = [], []
        for query, relevant in judged.items():
            ranked = ranked_origins(query, variant)
            ndcg.append(ndcg_at(ranked, relevant))
            precision.append(precision_at(ranked, relevant))
        n = len(judged)
        out.append(
            SettingScore(
                variant.name, round(sum(ndcg) / n, 4) if n else 0.0, round(sum(precision) / n, 4) if n else 0.0, n
            )
        )
    return out
