"""Stories against third-party event labels: B-cubed precision, recall and F1 on the labelled articles.

    .venv/bin/python -m benchmarks.related build allsides --split val     # the archives (once; also test, basil)
    .venv/bin/python -m benchmarks.stories eval allsides --split val      # tunes the baselines' thresholds
    .venv/bin/python -m benchmarks.stories eval allsides --split test
    .venv/bin/python -m benchmarks.stories eval basil
    .venv/bin/python -m benchmarks.stories build-distractors basil        # BASIL (or allsides --split test)
    .venv/bin/python -m benchmarks.stories eval basil-distractors         #   among the 37,554 articles
    .venv/bin/python -m benchmarks.stories speed                          # the 37,554 articles' stories
    .venv/bin/python -m benchmarks.stories page                           # the Stories page on that archive

Each eval rebuilds the archive's stories (`archive reindex stories`, timed) and scores, in the same run, two
baselines: average-link agglomerative clustering over MiniLM vectors of each article's title and text embedded
whole, and over TF-IDF vectors (scikit-learn, sublinear tf, English stop words); their distance thresholds are
chosen on AllSides val (`eval allsides --split val` writes them) and used unchanged elsewhere.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import related_data
from benchmarks.archive_scale import DEFAULT_HOME as ABP_HOME
from benchmarks.common import peak_rss_mb, percentile
from benchmarks.related import WORK, dataset, home_of
from index import Archive

THRESHOLDS = WORK / "story-baseline-thresholds.json"
GRID = [round(t, 3) for t in np.arange(0.05, 0.95, 0.0125)]


def bcubed(pred: dict[str, int], gold: dict[str, str]) -> dict[str, float]:
    """B-cubed over the labelled items: for each, the share of its predicted cluster (labelled items only) that
    shares its event, and the share of its event found in its predicted cluster; averaged."""
    by_pred: dict[int, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item, cluster in pred.items():
        by_pred[cluster].add(item)
    for item, event in gold.items():
        by_gold[event].add(item)
    precision, recall = [], []
    for item in gold:
        mine, truth = by_pred[pred[item]], by_gold[gold[item]]
        shared = len(mine & truth)
        precision.append(shared / len(mine))
        recall.append(shared / len(truth))
    p, r = statistics.mean(precision), statistics.mean(recall)
    return {"P": round(p, 4), "R": round(r, 4), "F1": round(2 * p * r / (p + r), 4)}


def ours(home: Path, event_of: dict[str, str]) -> dict[str, Any]:
    with Archive(home) as archive:
        start = time.perf_counter()
        archive.reindex(names=["stories"])
        seconds = time.perf_counter() - start
        ids = dict(archive.store.db.execute("SELECT id, external_id FROM documents WHERE external_id IS NOT NULL"))
        found = archive.store.stories_of(list(ids))
    pred = {ids[d]: s for d, s in found.items() if ids[d] in event_of}
    missing = set(event_of) - set(pred)
    pred.update({m: -i for i, m in enumerate(sorted(missing), start=1)})  # an unplaced article: alone
    return {"method": "stories", **bcubed(pred, event_of), "unplaced": len(missing), "seconds": round(seconds, 1)}


def _avg_link(similarity: np.ndarray, threshold: float) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), "average")
    return np.asarray(fcluster(tree, 1.0 - threshold, "distance"))


def baseline_similarities(records: list[dict[str, object]], home: Path) -> dict[str, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r['title']}\n{r['text']}" for r in records]
    with Archive(home) as archive:
        vectors = np.asarray(archive.embedder.embed(texts), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    return {"minilm": vectors @ vectors.T, "tfidf": (tfidf @ tfidf.T).toarray()}


def baselines(
    records: list[dict[str, object]], event_of: dict[str, str], home: Path, tune: bool
) -> list[dict[str, Any]]:
    names = [str(r["id"]) for r in records]
    chosen = json.loads(THRESHOLDS.read_text()) if THRESHOLDS.exists() and not tune else {}
    out = []
    for method, similarity in baseline_similarities(records, home).items():
        if tune:
            scored = {t: bcubed(dict(zip(names, _avg_link(similarity, t).tolist())), event_of)["F1"] for t in GRID}
            chosen[method] = max(scored, key=lambda t: (scored[t], -t))
        if method not in chosen:
            raise SystemExit(f"no threshold for {method}: run `eval allsides --split val` first")
        labels = _avg_link(similarity, chosen[method])
        out.append(
            {
                "method": f"avg-link {method}",
                "threshold": chosen[method],
                **bcubed(dict(zip(names, labels.tolist())), event_of),
            }
        )
    if tune:
        THRESHOLDS.write_text(json.dumps(chosen))
    return out


def evaluate(name: str, split: str) -> None:
    records, event_of = dataset(name.removesuffix("-distractors"), split)
    home = (
        distractor_home(name.removesuffix("-distractors"), split)
        if name.endswith("-distractors")
        else home_of(name, split)
    )
    tune = name == "allsides" and split == "val"
    rows = [ours(home, event_of)]
    if not name.endswith("-distractors"):
        rows += baselines(records, event_of, home, tune)
    for row in rows:
        print(json.dumps({"set": home.name, **row}), flush=True)


def build_distractors(name: str, split: str) -> None:
    """The labelled set ingested into a copy of the 37,554-article archive, and every article's first chunk
    embedded (stories read first chunks only; the copy's later chunks may stay unembedded)."""
    records, _ = dataset(name, split)
    home = distractor_home(name, split)
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run(["cp", "-r", str(ABP_HOME), str(home)], check=True)
    source = related_data.write_jsonl(records, WORK / "src" / f"{home.name}.jsonl")
    with Archive(home) as archive:
        archive.ingest([str(source)], embed=False)
        archive.embed(first_only=True)  # every article's first chunk (what stories read); the stories catch up after it
    print(json.dumps({"built": home.name}))


def distractor_home(name: str, split: str) -> Path:
    return WORK / ("basil-distractors" if name == "basil" else f"allsides-distractors-{split}")


def speed(home: Path, samples: int) -> None:
    """Stories of the 37,554-article archive from its stored vectors; then `stories` and one story, p50/p95."""
    with Archive(home) as archive:
        start = time.perf_counter()
        placed = archive.reindex(names=["stories"])
        rebuild = time.perf_counter() - start
        listed = []
        for _ in range(samples):
            t = time.perf_counter()
            found = archive.stories(limit=50)
            listed.append((time.perf_counter() - t) * 1000)
        shown = []
        for s in found.stories[:samples]:
            t = time.perf_counter()
            archive.story(s.id)
            shown.append((time.perf_counter() - t) * 1000)
        sizes = [s.size for s in archive.stories(limit=1_000_000).stories]
        newest = [
            r[0]
            for r in archive.store.db.execute(
                "SELECT doc_id FROM story_members m JOIN documents d ON d.id = m.doc_id ORDER BY d.published DESC, d.id DESC LIMIT 100"
            )
        ]
        with archive.store.transaction():  # as if the newest 100 had just been ingested and embedded
            archive.store.db.execute(f"DELETE FROM story_members WHERE doc_id IN ({','.join(map(str, newest))})")
        start = time.perf_counter()
        archive.story_index.catch_up(archive.store)
        update = time.perf_counter() - start
    print(
        json.dumps(
            {
                "archive": str(home),
                "rebuilt": placed,
                "assign_s": round(rebuild, 1),
                "stories": len(sizes),
                "largest": max(sizes, default=0),
                "update_100_s": round(update, 2),
                "stories_ms_p50": round(percentile(listed, 50), 1),
                "stories_ms_p95": round(percentile(listed, 95), 1),
                "story_ms_p50": round(percentile(shown, 50), 1),
                "story_ms_p95": round(percentile(shown, 95), 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "search_process_peak_rss_mb": search_process_rss(home),
            }
        )
    )


def search_process_rss(home: Path) -> float:
    """The peak memory of a one-shot `archive search` (hybrid: the model loaded) on the same archive."""
    import resource
    import sys

    archive = str(Path(sys.executable).parent / "archive")
    subprocess.run(
        [archive, "--home", str(home), "search", "earthquake rescue", "--json"], check=True, capture_output=True
    )
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _page_script(home: str) -> None:
    from pathlib import Path

    from index import Archive
    from ui.app.main import main

    main(lambda **kw: Archive(Path(home), **kw), key=home)


def page_latency(home: Path, samples: int) -> None:
    """The Stories page's script (Streamlit's AppTest: what the server does for one rerun, without a browser's
    drawing), after a first run that opens the archive: p50/p95 of `samples` reruns."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_script, args=(str(home),), default_timeout=600)
    at.query_params["view"] = "stories"
    at.run()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    if at.exception or not at.title or at.title[0].value != "Stories":
        raise SystemExit(f"the Stories page did not draw: {at.exception or at.error}")
    print(
        json.dumps(
            {
                "page": "stories",
                "reruns": len(times),
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval")
    ev.add_argument("name", choices=["allsides", "basil", "basil-distractors", "allsides-distractors"])
    ev.add_argument("--split", default="val", choices=["train", "val", "test"])
    bd = sub.add_parser("build-distractors")
    bd.add_argument("name", choices=["allsides", "basil"])
    bd.add_argument("--split", default="test", choices=["train", "val", "test"])
    sp = sub.add_parser("speed")
    sp.add_argument("--home", type=Path, default=ABP_HOME)
    sp.add_argument("--samples", type=int, default=50)
    pg = sub.add_parser("page")
    pg.add_argument("--home", type=Path, default=ABP_HOME)
    pg.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    if args.command == "eval":
        evaluate(args.name, args.split)
    elif args.command == "build-distractors":
        build_distractors(args.name, args.split)
    elif args.command == "page":
        page_latency(args.home, args.samples)
    else:
        speed(args.home, args.samples)


if __name__ == "__main__":
    main()
