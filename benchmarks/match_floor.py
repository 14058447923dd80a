"""Calibrate the similarity floor above which an article found only by meaning counts as a match.

    .venv/bin/python -m benchmarks.match_floor [--home DIR]   # the SciFact archive of benchmarks/scifact.py

Positives: the cosine of each SciFact query to its judged-relevant articles (their best chunk), from the
semantic leg's top 100. Negatives: the best cosine that a query about something the archive does not hold
reaches: news headlines (UCI News Aggregator, 1,000 of them) and letter strings. The floor is chosen on
the TRAIN queries (the lowest one that lets at most 5 % of the negatives through) and reported on TEST:
how many relevant articles stay above it, how many negatives pass.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

from benchmarks.common import SHARED
from benchmarks.scifact import DEFAULT_HOME, queries

HEADLINES = SHARED / "uci-news-aggregator-head" / "uci-news-aggregator.head.csv"
NEGATIVE_SHARE = 0.05


def _best_cosines(archive: object, texts: list[str]) -> list[float]:
    from index import Archive

    assert isinstance(archive, Archive)
    out = []
    for text in texts:
        response = archive.search(text, mode="semantic", limit=1)
        out.append(response.results[0].semantic_score or 0.0 if response.results else 0.0)
    return out


def _relevant_cosines(archive: object, split: str) -> list[float]:
    from index import Archive, Filters
    from index.filtering import resolve

    assert isinstance(archive, Archive)
    allowed = resolve(archive.store, Filters())
    ext = dict(archive.store.db.execute("SELECT id, external_id FROM documents").fetchall())
    out = []
    for _, text, relevant in queries(split):
        semantic = archive.searcher._semantic(archive.searcher.parse(text), allowed, 100)
        scores = {ext[d]: v[1] for d, v in semantic.best.items()}
        out += [scores.get(doc, 0.0) for doc, rel in relevant.items() if rel > 0]
    return out


def _negatives(seed: int) -> tuple[list[str], list[str]]:
    with open(HEADLINES, encoding="utf-8") as f:
        titles = [row["TITLE"] for row in csv.DictReader(f)]
    rng = random.Random(seed)
    rng.shuffle(titles)
    letters = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 12))) for _ in range(200)]
    return titles[:1000], letters


def run(home: Path) -> dict[str, object]:
    from index import Archive

    with Archive(home) as archive:
        headlines, letters = _negatives(0)
        half = len(headlines) // 2
        train_neg = _best_cosines(archive, headlines[:half] + letters[:100])
        test_neg = _best_cosines(archive, headlines[half:] + letters[100:])
        train_pos, test_pos = _relevant_cosines(archive, "train"), _relevant_cosines(archive, "test")
    ordered = sorted(train_neg)
    floor = round(ordered[int(len(ordered) * (1 - NEGATIVE_SHARE))], 2)

    def share(values: list[float]) -> float:
        return round(sum(v >= floor for v in values) / len(values), 3)

    return {
        "floor": floor,
        "train": {"relevant_above": share(train_pos), "negatives_above": share(train_neg), "relevant": len(train_pos)},
        "test": {"relevant_above": share(test_pos), "negatives_above": share(test_neg), "relevant": len(test_pos)},
        "test_letter_strings_above": share(test_neg[-100:]),
        "test_headlines_above": share(test_neg[:-100]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    args = parser.parse_args()
    print(json.dumps(run(args.home), indent=2))


if __name__ == "__main__":
    main()
