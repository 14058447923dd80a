"""Answer-sentence selection: how often the highlighted sentence is one that holds the answer.

    .venv/bin/python -m benchmarks.answer_sentences [--tune]

SQuAD and NewsQA cannot be had on these machines (PyPI, Debian and npm only; no package carries them).
The public set with sentence-level answers that can be: SciFact's claims with their rationale
sentences, annotated by its authors (`../shared/data/scifact-beir/source-hf-csv/scifact.zip`, read in
place). For each claim with evidence, the candidates are the sentences of its evidence abstract (as
the dataset splits them); a pick is right when it is one of the rationale sentences. The baseline is
the plain max-cosine sentence; `index/answer.py` adds query words, neighbours and numbers. `--tune`
grids the weights on the train claims; the figures are reported on the validation claims, both in one
run, with the same embeddings.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import itertools
import json
import zipfile
from dataclasses import dataclass

import numpy as np

from benchmarks.common import SHARED

ZIP = SHARED / "scifact-beir" / "source-hf-csv" / "scifact.zip"


@dataclass(frozen=True)
class Case:
    claim: str
    sentences: tuple[str, ...]
    answers: frozenset[int]


def _rows(name: str) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(ZIP) as z, z.open(name) as f:
        return list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")))


def _sentences(printed: str) -> tuple[str, ...]:
    """The abstract's sentences from the CSV's printed numpy array: ['one' 'two' ...]."""
    body = printed.strip()[1:-1]
    out, rest = [], body
    while rest.strip():
        rest = rest.strip()
        value, rest = _literal(rest)
        out.append(value)
    return tuple(out)


def _literal(text: str) -> tuple[str, str]:
    quote = text[0]
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            break
        i += 1
    return str(ast.literal_eval(text[: i + 1])), text[i + 1 :]


def cases(split: str) -> list[Case]:
    abstracts = {r["doc_id"]: _sentences(r["abstract"]) for r in _rows("corpus_train.csv")}
    grouped: dict[tuple[str, str], set[int]] = {}
    claims: dict[tuple[str, str], str] = {}
    for r in _rows(f"claims_{split}.csv"):
        if not r["evidence_doc_id"]:
            continue
        key = (r["id"], r["evidence_doc_id"])
        claims[key] = r["claim"]
        grouped.setdefault(key, set()).update(int(i) for i in r["evidence_sentences"].strip("[]").split())
    return [
        Case(claims[k], abstracts[k[1]], frozenset(v))
        for k, v in grouped.items()
        if k[1] in abstracts and len(abstracts[k[1]]) > 1
    ]


def _embedded(all_cases: list[Case]) -> list[tuple[Case, np.ndarray]]:
    from index.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    claims = embedder.embed([c.claim for c in all_cases])
    sentences = embedder.embed([s for c in all_cases for s in c.sentences])
    out, at = [], 0
    for number, case in enumerate(all_cases):
        mine = sentences[at : at + len(case.sentences)]
        at += len(case.sentences)
        out.append((case, mine @ claims[number]))
    return out


def accuracy(embedded: list[tuple[Case, np.ndarray]], weights: object | None) -> float:
    from index.answer import AnswerWeights, answer_scores, asks_for_a_number, query_stems

    right = 0
    for case, cosines in embedded:
        if weights is None:
            scores = cosines
        else:
            assert isinstance(weights, AnswerWeights)
            scores = answer_scores(
                cosines, case.sentences, query_stems(case.claim), asks_for_a_number(case.claim), weights
            )
        right += int(np.argmax(scores)) in case.answers
    return right / len(embedded)


def main() -> None:
    from index.answer import DEFAULT_WEIGHTS, AnswerWeights

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    train, validation = cases("train"), cases("validation")
    embedded_train, embedded_val = _embedded(train), _embedded(validation)
    if args.tune:
        scored = []
        for words, near in itertools.product((0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5), (0.0, 0.05, 0.1, 0.2)):
            w = AnswerWeights(words, near, DEFAULT_WEIGHTS.number)
            scored.append((accuracy(embedded_train, w), words, near))
        scored.sort(reverse=True)
        print(json.dumps({"tune_top": scored[:5]}))
    out = {"cases": {"train": len(train), "validation": len(validation)}}
    for name, data in (("train", embedded_train), ("validation", embedded_val)):
        base = accuracy(data, None)
        ours = accuracy(data, DEFAULT_WEIGHTS)
        out[name] = {"max_cosine": round(base, 3), "answer_scores": round(ours, 3), "gain": round(ours - base, 3)}
    out["weights"] = DEFAULT_WEIGHTS.__dict__
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
