"""Why a search result is there, in words a reader can check: "contains: kerman, killed; close in meaning"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.settings import MATCH_FLOOR

if TYPE_CHECKING:
    from index import SearchResult

MAX_WORDS = 6


def match_reason(result: SearchResult, floor: float = MATCH_FLOOR) -> str:
    """The query words the article contains, and whether it is close in meaning (at or above `floor`)."""
    words: list[str] = []
    for h in result.highlights:
        word = result.text[h.start : h.end].lower()
        if h.kind == "lexical" and word not in words:
            words.append(word)
    parts = []
    if result.lexical_rank is not None and words:
        shown = ", ".join(words[:MAX_WORDS]) + (", …" if len(words) > MAX_WORDS else "")
        parts.append(f"contains: {shown}")
    elif result.lexical_rank is not None:
        parts.append("contains the query's words")
    score = result.semantic_score
    if result.semantic_rank is not None and score is not None:
        parts.append("close in meaning" if score >= floor else "nearest by meaning, not close")
    return "; ".join(parts) or "kept by the filters alone"
