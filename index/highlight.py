"""Highlights as [start, end) character offsets into the stored article text.

Lexical: every word whose stem is one of the query's stems (so "killed" lights up for "kill").
Semantic: the sentence(s) of the passage most similar to the query, by the embedding model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from archive.sentences import sentence_spans
from index.answer import answer_scores, asks_for_a_number, query_stems
from index.embedder import Embedder
from index.query import stem

SECOND_SENTENCE_MARGIN = 0.03


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    kind: str  # "lexical", "semantic", or "date" (a mentioned date a filter asked for)


def lexical_spans(text: str, stems: frozenset[str], start: int = 0, end: int | None = None) -> list[Highlight]:
    """Spans of the words of text[start:end] whose stem is a query stem."""
    if not stems:
        return []
    return [
        Highlight(m.start(), m.end(), "lexical")
        for m in _candidates(stems).finditer(text, start, len(text) if end is None else end)
        if stem(m.group()) in stems
    ]


@lru_cache(maxsize=256)
def _candidates(stems: frozenset[str]) -> re.Pattern[str]:
    """Whole words that begin like a stem: the stemmer changes only a stem's last letter (y -> i), so a word
    whose stem matches starts with the stem less its last letter (at most 3 letters are asked for)."""
    prefixes = sorted({s[: max(1, min(3, len(s) - 1))] for s in stems})
    return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, prefixes)) + r")[^\W_]*", re.IGNORECASE)


def semantic_spans(
    embedder: Embedder, query_vector: np.ndarray, passages: Sequence[tuple[str, int, int]], query: str = ""
) -> list[list[Highlight]]:
    """For each (text, start, end) passage, the sentence that best answers `query` (index/answer.py: its
    closeness in meaning, its share of the query's words, its neighbours, a number when one is asked
    for), and the next best if nearly as good."""
    spans: list[list[tuple[int, int]]] = []
    sentences: list[str] = []
    for text, start, end in passages:
        local = [(start + s, start + e) for s, e in sentence_spans(text[start:end])]
        spans.append(local)
        sentences.extend(text[s:e] for s, e in local)
    if not sentences:
        return [[] for _ in passages]
    cosines = embedder.embed(sentences) @ query_vector
    stems, wants_number = query_stems(query), asks_for_a_number(query)
    out: list[list[Highlight]] = []
    offset = 0
    for local in spans:
        mine = answer_scores(
            cosines[offset : offset + len(local)], sentences[offset : offset + len(local)], stems, wants_number
        )
        offset += len(local)
        if not len(mine):
            out.append([])
            continue
        order = np.argsort(-mine)
        best = [int(order[0])]
        if len(order) > 1 and mine[order[1]] >= mine[order[0]] - SECOND_SENTENCE_MARGIN:
            best.append(int(order[1]))
        out.append([Highlight(*local[i], "semantic") for i in sorted(best)])
    return out
