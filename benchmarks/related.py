"""Same-event retrieval: every article is a seed; relevant = the other articles of its event.

    .venv/bin/python -m benchmarks.related build allsides --split val     # or train, test
    .venv/bin/python -m benchmarks.related build basil                    # BASIL alone
    .venv/bin/python -m benchmarks.related build basil-distractors        # BASIL + the 37,554-article archive
    .venv/bin/python -m benchmarks.related eval allsides --split val [--legs dense,lexical,related,txtai]
    .venv/bin/python -m benchmarks.related grid allsides --split val      # lexical share x MLT terms
    .venv/bin/python -m benchmarks.related latency                        # p50/p95 on the 37,554-article archive
    .venv/bin/python -m benchmarks.related learn allsides --split train   # fit the related model (index/settings.py)
    .venv/bin/python -m benchmarks.related learn allsides --split train --stage support   # then its second pass

Metrics: hit@1, R-precision, MAP (over the top 100). Legs: `dense` (the dense score alone), `lexical`
(more-like-this alone), `related` (the default fusion) and `txtai` (its hybrid search with the seed's
text as the query, as a peer). Archives are built under /tmp/semantic-archive-bench/related/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks import related_data
from benchmarks.archive_scale import DEFAULT_HOME as ABP_HOME
from benchmarks.common import percentile
from index import Archive
from index.related import RelatedResult
from index.settings import RelatedSettings

WORK = related_data.SCRATCH / "related"
Ranker = Callable[[str], list[str]]


def dataset(name: str, split: str) -> tuple[list[dict[str, object]], dict[str, str]]:
    if name == "allsides":
        return related_data.allsides(split)
    return related_data.basil()


def home_of(name: str, split: str) -> Path:
    return WORK / (f"allsides-{split}" if name == "allsides" else name)


def build(name: str, split: str) -> None:
    records, _ = dataset(name, split)
    home = home_of(name, split)
    shutil.rmtree(home, ignore_errors=True)
    if name == "basil-distractors":
        subprocess.run(["cp", "-r", str(ABP_HOME), str(home)], check=True)
    source = related_data.write_jsonl(records, WORK / "src" / f"{home.name}.jsonl")
    start = time.perf_counter()
    with Archive(home) as archive:
        if name == "basil-distractors":  # first chunks only, as in the archive it copies (the rest: hours here)
            report = archive.ingest([str(source)], embed=False)
            archive.embed(first_only=True)
        else:
            report = archive.ingest([str(source)])
        health = archive.health()
    print(
        json.dumps(
            {
                "built": home.name,
                "added": report.added,
                "chunks": health.chunks,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    )


def metrics(rankings: dict[str, list[str]], event_of: dict[str, str]) -> dict[str, float]:
    members: dict[str, set[str]] = defaultdict(set)
    for doc, event in event_of.items():
        members[event].add(doc)
    hits, rprec, aps = [], [], []
    for seed, ranked in rankings.items():
        relevant = members[event_of[seed]] - {seed}
        if not relevant:
            continue
        ranked = [_pick(d, relevant) for d in ranked if d != seed]
        hits.append(1.0 if ranked and ranked[0] in relevant else 0.0)
        rprec.append(len(relevant & set(ranked[: len(relevant)])) / len(relevant))
        found, total = 0, 0.0
        for i, doc in enumerate(ranked[:100], start=1):
            if doc in relevant:
                found += 1
                total += found / i
        aps.append(total / len(relevant))
    return {
        "seeds": len(hits),
        "hit@1": round(statistics.mean(hits), 4),
        "R-precision": round(statistics.mean(rprec), 4),
        "MAP": round(statistics.mean(aps), 4),
    }


def _pick(name: str, relevant: set[str]) -> str:
    """A group named "a|b": the relevant member if there is one (each group is one result)."""
    members = name.split("|")
    return next((m for m in members if m in relevant), members[0])


def ours(archive: Archive, settings: RelatedSettings) -> Ranker:
    """A result stands for its whole duplicate group: it counts as a labelled article when any copy is one."""
    ids = dict(archive.store.db.execute("SELECT external_id, id FROM documents WHERE external_id IS NOT NULL"))
    external = {v: k for k, v in ids.items()}

    def name(result: RelatedResult) -> str:
        labelled = [external[i] for i in (result.id, *result.duplicates) if i in external]
        return "|".join(sorted(labelled)) or f"#{result.id}"

    def rank(seed: str) -> list[str]:
        return [name(r) for r in archive.related(ids[seed], settings=settings, limit=100)]

    return rank


def txtai_ranker(records: list[dict[str, object]]) -> Ranker:
    from txtai import Embeddings

    from index.model_files import default_model_dir

    texts = {str(r["id"]): f"{r['title']}\n\n{r['text']}" for r in records}
    embeddings = Embeddings(path=str(default_model_dir()), hybrid=True, content=False)
    embeddings.index([(doc, text, None) for doc, text in texts.items()])

    def rank(seed: str) -> list[str]:
        return [str(hit[0]) for hit in embeddings.search(texts[seed], 101)]

    return rank


def settings_for(leg: str, name: str, base: RelatedSettings) -> RelatedSettings:
    """`related`: the default (the learned combination); `fusion`: the weighted share it replaced (0.8 dense +
    0.2 BM25 share); `dense` and `lexical`: one leg alone."""
    window = base.window_days if name.startswith("basil") else None  # AllSides excerpts have no dates
    share = {"dense": 0.0, "lexical": 1.0}.get(leg, base.lexical_share)
    model = base.model if leg == "related" else None
    return replace(base, lexical_share=share, window_days=window, model=model)


def learn(name: str, split: str, stage: str, negatives: int = 30) -> None:
    """Fit a related model on every seed's candidates of this split, for ranking: a logistic regression on
    the differences between the evidence of an event-mate and of each of the seed's `negatives` best-scored other
    candidates (by the weighted fusion), both ways round; then scaled to a probability (Platt) on all candidates.
    Stage `first`: the four pieces of evidence (RELATED_MODEL); `support`: those and each candidate's support,
    the first model fixed (RELATED_SUPPORT_MODEL)."""
    from sklearn.linear_model import LogisticRegression

    from index.related import Evidence, RelatedFinder, combine, stored_seed

    def features(e: Evidence) -> tuple[float, ...]:
        return (*e.features(), e.support or 0.0) if stage == "support" else e.features()

    _, event_of = dataset(name, split)
    pairs, sides, points, labels = [], [], [], []
    fusion = settings_for("fusion", name, RelatedSettings())
    settings = settings_for("related", name, RelatedSettings()) if stage == "support" else fusion
    with Archive(home_of(name, split)) as archive:
        ids = dict(archive.store.db.execute("SELECT external_id, id FROM documents WHERE external_id IS NOT NULL"))
        external = {v: k for k, v in ids.items()}
        finder = RelatedFinder(archive.store, archive.lexical, archive.vectors, archive.searcher.allowed)
        for seed_name, doc_id in ids.items():
            seed = stored_seed(archive.store, archive.get(doc_id), settings.seed_chunks)
            found = finder.gather(seed, settings)
            mates = [e for d, e in found.items() if event_of.get(external.get(d, "")) == event_of[seed_name]]
            others = sorted(
                (e for d, e in found.items() if event_of.get(external.get(d, "")) != event_of[seed_name]),
                key=lambda e: -combine(e, fusion),
            )[:negatives]
            for mate in mates:
                for other in others:
                    difference = np.subtract(features(mate), features(other))
                    pairs.extend([difference, -difference])
                    sides.extend([1, 0])
            points.extend(features(e) for e in found.values())
            labels.extend(int(event_of.get(external.get(d, "")) == event_of[seed_name]) for d in found)
    ranker = LogisticRegression(C=1.0, fit_intercept=False, max_iter=1000).fit(pairs, sides)
    weights = ranker.coef_[0]
    platt = LogisticRegression(C=1.0, max_iter=1000).fit(np.asarray(points) @ weights[:, None], labels)
    scale, intercept = float(platt.coef_[0][0]), float(platt.intercept_[0])
    model = [round(intercept, 4), *(round(scale * float(w), 4) for w in weights)]
    print(
        json.dumps(
            {
                "trained_on": f"{name} {split}",
                "stage": stage,
                "pairs": len(pairs),
                "candidates": len(labels),
                "model": model,
            }
        )
    )


def evaluate(name: str, split: str, legs: list[str], base: RelatedSettings) -> None:
    records, event_of = dataset(name, split)
    seeds = [str(r["id"]) for r in records]
    with Archive(home_of(name, split)) as archive:
        for leg in legs:
            rank = txtai_ranker(records) if leg == "txtai" else ours(archive, settings_for(leg, name, base))
            start = time.perf_counter()
            rankings = {seed: rank(seed) for seed in seeds}
            elapsed = time.perf_counter() - start
            out = {"set": home_of(name, split).name, "leg": leg, **metrics(rankings, event_of)}
            if name.endswith("distractors"):  # the unlabelled articles dropped from each ranking before scoring
                labelled = set(event_of)
                condensed = {s: [d for d in ranked if labelled & set(d.split("|"))] for s, ranked in rankings.items()}
                out["condensed"] = metrics(condensed, event_of)
            out["ms_per_seed"] = round(elapsed / len(seeds) * 1000, 1)
            if leg != "txtai":
                out["lexical_share"] = settings_for(leg, name, base).lexical_share
            print(json.dumps(out), flush=True)


def grid(name: str, split: str) -> None:
    records, event_of = dataset(name, split)
    seeds = [str(r["id"]) for r in records]
    with Archive(home_of(name, split)) as archive:
        for terms in (25, 40, 80):
            for share in (0.2, 0.3, 0.4, 0.5):
                base = RelatedSettings(lexical_share=share, mlt_terms=terms)
                rank = ours(archive, settings_for("related", name, base))
                result = metrics({s: rank(s) for s in seeds}, event_of)
                print(json.dumps({"mlt_terms": terms, "lexical_share": share, **result}), flush=True)


def latency(queries: int, settings: RelatedSettings) -> None:
    with Archive(ABP_HOME) as archive:
        ids = [
            r[0] for r in archive.store.db.execute("SELECT id FROM documents WHERE duplicate_of IS NULL ORDER BY id")
        ]
        sample = ids[:: max(1, len(ids) // queries)][:queries]
        archive.related(sample[0], settings=settings)
        times = []
        for doc in sample:
            start = time.perf_counter()
            archive.related(doc, settings=settings)
            times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "set": "article-bias-prediction",
                "seeds": len(times),
                "p50_ms": round(percentile(times, 50) * 1000, 1),
                "p95_ms": round(percentile(times, 95) * 1000, 1),
            }
        )
    )


def _weights(text: str) -> tuple[float, ...]:
    """A model given on the command line: its intercept and weights, comma-separated."""
    return tuple(float(x) for x in text.split(","))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "eval", "grid", "latency", "learn"])
    parser.add_argument("name", nargs="?", default="allsides", choices=["allsides", "basil", "basil-distractors"])
    parser.add_argument("--split", default="val", choices=["train", "val", "test"])
    parser.add_argument("--legs", default="lexical,dense,related")
    parser.add_argument("--lexical-share", type=float, default=None)
    parser.add_argument("--mlt-terms", type=int, default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--model", help="comma-separated intercept and weights, instead of the default model")
    parser.add_argument("--support-model", help="the same for the second pass (none: the first model alone)")
    parser.add_argument("--stage", default="first", choices=["first", "support"], help="which model `learn` fits")
    args = parser.parse_args()
    base = RelatedSettings()
    if args.model:
        base = replace(base, model=_weights(args.model))
    if args.support_model:
        base = replace(base, support_model=None if args.support_model == "none" else _weights(args.support_model))
    if args.lexical_share is not None:  # each option changes its own setting and keeps the others
        base = replace(base, lexical_share=args.lexical_share)
    if args.mlt_terms is not None:
        base = replace(base, mlt_terms=args.mlt_terms)
    if args.command == "build":
        build(args.name, args.split)
    elif args.command == "eval":
        evaluate(args.name, args.split, args.legs.split(","), base)
    elif args.command == "grid":
        grid(args.name, args.split)
    elif args.command == "learn":
        learn(args.name, args.split, args.stage)
    else:
        latency(args.queries, base)


if __name__ == "__main__":
    main()
