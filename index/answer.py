"""Which sentence of a passage answers the query: its closeness in meaning, and three cues without a model.

The plain choice, the sentence whose embedding is nearest the query's, often picks a sentence about the
same scene rather than the one holding the answer ("The blasts reportedly happened near the gravesite"
for "How many people died in the Kerman blasts?"). Each sentence's cosine is raised by
- the share of the query's words (stems, stopwords left out) it contains,
- the closeness of its neighbours (an answer sits among related sentences), and
- for a question that asks for a number ("how many", "how much", "what percentage"), a count in it
  (a date, a year, a time or a web address is not one).
The weights were tuned on SciFact's train claims and their rationale sentences and are reported on its
validation claims (benchmarks/answer_sentences.py, benchmarks/RESULTS.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.query import STOPWORDS, stem

_WORD = re.compile(r"[^\W_]+")
_ASKS_NUMBER = re.compile(
    r"\bhow\s+(many|much|often|old|long|far|big|large|high|deep)\b|\bwhat\s+(number|percentage|share|proportion|"
    r"fraction|amount|size|age)\b|\bdeath\s+toll\b|\bnumber\s+of\b",
    re.IGNORECASE,
)
# What is not a count: a web address, a date ("January 3, 2024", "3 Jan"), a year, a time of day.
_NOT_A_COUNT = re.compile(
    r"\S*(https?://|www\.|\.com|\.org)\S*"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?(,?\s+\d{4})?"
    r"|\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(\s+\d{4})?"
    r"|\b(1[89]|20)\d\d\b|\b\d{1,2}[:.]\d\d\s*(am|pm|a\.m\.|p\.m\.)?",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|millions?|billions?|dozens?|half|third|quarter)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AnswerWeights:
    query_words: float = 1.0  # SciFact train grid: 0 0.495, 0.3 0.555, 0.5 0.560, 1.0 0.567, 1.5 0.566
    neighbours: float = 0.05  # 0 to 0.1 changed nothing on train
    number: float = 0.5  # no SciFact claim asks for one: not tuned; an answer to "how many" holds a count


DEFAULT_WEIGHTS = AnswerWeights()


def query_stems(query: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _WORD.findall(query) if w.lower() not in STOPWORDS)


def asks_for_a_number(query: str) -> bool:
    return bool(_ASKS_NUMBER.search(query))


def has_a_count(sentence: str) -> bool:
    """A number in the sentence other than a date, a year, a time or a web address."""
    return bool(_NUMBER.search(_NOT_A_COUNT.sub(" ", sentence)))


def answer_scores(
    cosines: np.ndarray,
    sentences: Sequence[str],
    stems: frozenset[str],
    wants_number: bool,
    weights: AnswerWeights = DEFAULT_WEIGHTS,
) -> np.ndarray:
    """Each sentence's score as the answer: its cosine raised by the cues above."""
    scores = np.asarray(cosines, dtype=np.float64).copy()
    if not len(scores):
        return scores
    if stems and weights.query_words:
        shares = [len(stems & {stem(w) for w in _WORD.findall(s)}) / len(stems) for s in sentences]
        scores += weights.query_words * np.asarray(shares)
    if weights.neighbours and len(scores) > 1:
        padded = np.pad(np.asarray(cosines, dtype=np.float64), 1, mode="edge")
        scores += weights.neighbours * (padded[:-2] + padded[2:]) / 2
    if wants_number and weights.number:
        scores += weights.number * np.asarray([has_a_count(s) for s in sentences], dtype=np.float64)
    return scores
