"""Whole archives of 37,554, 250,000 and 1,000,000 articles on this machine (issue 16).

    .venv/bin/python -m benchmarks.scale build --articles 250000 [--home DIR] [--phase1] [--no-stories]
    .venv/bin/python -m benchmarks.scale eval  --articles 250000 [--home DIR] [--queries 200]
    .venv/bin/python -m benchmarks.scale stories --articles 250000 [--home DIR]   # place every article again

Input: the 37,554 articles of article-bias-prediction as they are, then copies of them until there are N.
Copy k of article i keeps i's title, outlet and even-numbered sentences and takes its odd-numbered ones
from another article j drawn at random (among those with at least half i's words; more of j's sentences follow
until j gave as many words as i kept), and j's date (so the dates keep the corpus's spread, the missing and
malformed ones included). Half the words differ, so near-duplicate detection (estimated Jaccard of word
shingles >= 0.5) folds a copy neither into its original nor into another copy (0.6 % of the 250,000 were
folded all the same), and the texts stay real
news sentences: the lexical index sees a real vocabulary. The files (gzip JSONL, 50,000 articles each) are
written once beside the archive and reused; their writing is not in the ingest's clock.

build: phase 1 as `archive ingest --no-embed` runs it (store, lexical index, near-duplicates, dates
mentioned), each stage timed, with the ingest rate over each tenth of the articles (sustained, not only the
average). Since 2026-12-02 a second process catches the three indexes up while the store is written
(index/alongside.py), so the store's column includes that work on the other core and the three columns are
the tails left when the store was done. `--phase1` stops there (and reports the sizes on disk). Phase 2 with the model kept out of the clock: the vectors are derived from real ones, 4,096
MiniLM vectors of this archive's own chunks embedded first; each chunk gets one of them plus half another
plus a little noise, normalised, from an embedder that carries the real model's name and weights, so that
queries are embedded by the real engine. The rest of phase 2 runs as it is (vectors stored, the vector
index built, articles placed in stories), each stage timed. Then the sizes on disk. `--no-stories` leaves the
stories out of phase 2 (they are not among issue 16's targets; at 250,000 they took 514-873 s): the archive's
stories index is replaced by one that places nothing, so every article stays unplaced and `eval` (a reader,
which leaves placing to a writer) measures search, memory and recall as before.

eval: a fresh search process, as the CLI or the app would open the archive. Queries: headlines of a fixed
sample of the corpus's articles, embedded by the real query engine inside the timed loop. Hybrid search, 10
results, without meaning highlights (about 1 s a page whatever the archive's size: benchmarks/cold_start.py),
without a filter, with one one-year filter (2016; resolved once, then answered from the filter cache as a
user's next searches are) and with another year's window for each query (never cached): p50/p95, in
two passes (the first reads what the page cache lost since the build).
The lexical index's segments and the time a reader takes to reload it. Resident memory after opening, after
the queries, and at its peak. Last (after the memory is read), recall@10 of the vector index against exact search over every
stored vector, for the same query vectors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from archive.store import Store
from benchmarks.archive_scale import sample_queries
from benchmarks.common import SHARED, peak_rss_mb, percentile, rss_mb
from benchmarks.vector_scale import derived
from index import Archive, Filters
from index.embed import embedding_text
from index.embedder import Embedder
from index.model_files import DEFAULT_MODEL_NAME, DEFAULT_MODEL_SHA256
from index.stories import Progress as StoryProgress
from index.stories import Stories

DATA = SHARED / "article-bias-prediction"
ROOT = Path("/tmp/semantic-archive-bench/scale")
PER_FILE = 50_000
POOL = 4_096  # real vectors the derived ones are made from
SENTENCE = re.compile(r"(?<=[.!?\u201d\"])\s+(?=[A-Z\u201c\"])")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def originals() -> list[dict[str, object]]:
    out = []
    for path in sorted(DATA.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            out.extend(json.loads(line) for line in f)
    return out


def varied(article: dict[str, object], donor: dict[str, object], copy: int) -> dict[str, object]:
    """Copy `copy` of `article`: its even-numbered sentences, the donor's in between (and after, until the
    donor gave as many words as the article kept: a short article is not left near its original), the
    donor's date."""
    own = SENTENCE.split(str(article.get("content_original") or ""))
    other = SENTENCE.split(str(donor.get("content_original") or ""))
    kept = own[::2]
    taken = other[: len(own) // 2]
    words = sum(len(s.split()) for s in kept)
    rest = iter(other[len(taken) :])
    while sum(len(s.split()) for s in taken) < words and (more := next(rest, None)) is not None:
        taken.append(more)
    mixed = [s for pair in zip(kept, taken, strict=False) for s in pair]
    mixed += kept[len(taken) :] + taken[len(kept) :]
    return {
        "ID": f"{article.get('ID')}-copy{copy}",
        "title": article.get("title"),
        "content_original": " ".join(mixed),
        "source": article.get("source"),
        "url": f"{article.get('url') or ''}#copy{copy}",
        "date": donor.get("date"),
        "authors": article.get("authors"),
    }


def words(article: dict[str, object]) -> int:
    return len(str(article.get("content_original") or "").split())


def donor_for(article: dict[str, object], base: list[dict[str, object]], rng: random.Random) -> dict[str, object]:
    """A random other article with at least as many words as half this one (so the copy is half the donor's)."""
    donor = base[rng.randrange(len(base))]
    for _ in range(20):
        if donor is not article and 2 * words(donor) >= words(article):
            break
        donor = base[rng.randrange(len(base))]
    return donor


def generated(total: int) -> Iterator[dict[str, object]]:
    base = originals()
    rng = random.Random(16)
    yield from base[:total]
    made, copy = len(base), 1
    while made < total:
        for article in base:
            if made == total:
                return
            yield varied(article, donor_for(article, base, rng), copy)
            made += 1
        copy += 1


def input_files(total: int) -> list[str]:
    """The N articles as gzip JSONL files, written once and reused."""
    folder = ROOT / f"input-{total}"
    done = folder / "COMPLETE"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        records = generated(total)
        for part in range(-(-total // PER_FILE)):
            name = folder / f"articles-{part:03d}.jsonl.gz"
            with gzip.open(name, "wt", encoding="utf-8", compresslevel=1) as out:
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in itertools.islice(records, PER_FILE))
        done.write_text(str(total))
        log(f"input of {total:,} articles written in {time.perf_counter() - start:.0f} s")
    return sorted(str(p) for p in folder.glob("articles-*.jsonl.gz"))


class DerivedEmbedder(Embedder):
    """Vectors derived from real ones (module docstring), under the real model's name and weights."""

    name = DEFAULT_MODEL_NAME
    weights = DEFAULT_MODEL_SHA256

    def __init__(self, real: np.ndarray) -> None:
        self.real = real
        self.dim = real.shape[1]
        self.batch_size = 4096
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1  # another seed for each batch
        return derived(self.real, len(texts), seed=16 + self.calls)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts)


class Unplaced(Stories):
    """The stories index of a `--no-stories` build: it places nothing and says it lags by nothing."""

    def lag(self, store: Store) -> int:
        return 0

    def catch_up(self, store: Store, progress: StoryProgress | None = None, wait: bool = True) -> int:
        return 0

    def rebuild(self, store: Store, progress: StoryProgress | None = None) -> int:
        return 0


class Stages:
    """Wall time of each named stage of a step-reporting call, and the ingest's rate over each tenth."""

    def __init__(self, total: int) -> None:
        self.start = time.perf_counter()
        self.total = total
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.tenths: list[tuple[int, float]] = [(0, self.start)]
        self.logged = 0.0
        self.ingested = self.start

    def step(self, name: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.first.setdefault(name, now)
        self.last[name] = now
        if now - self.logged > 60 or done == total:
            self.logged = now
            log(f"{name}: {done:,}/{total:,}")

    def progress(self, p: object) -> None:
        done = int(getattr(p, "documents", 0))
        now = self.ingested = time.perf_counter()  # the store's last batch: where the derived indexes begin
        if done >= len(self.tenths) * self.total / 10:
            self.tenths.append((done, now))
        if now - self.logged > 60:
            self.logged = now
            log(f"ingest: {done:,} articles, {done / (now - self.start):.0f}/s")

    def rates(self) -> list[float]:
        return [
            round((b[0] - a[0]) / max(b[1] - a[1], 1e-9), 1) for a, b in zip(self.tenths, self.tenths[1:], strict=False)
        ]

    def seconds(self, origin: float) -> dict[str, float]:
        """Each stage from the end of the one before (the first from `origin`)."""
        out, previous = {}, origin
        for name in self.first:
            out[name] = round(self.last[name] - previous, 1)
            previous = self.last[name]
        return out


def folder_mb(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / 2**20, 1)
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def disk(home: Path) -> dict[str, float]:
    out = {p.name: folder_mb(p) for p in sorted(home.iterdir()) if p.name != "cache"}
    out["total"] = round(sum(out.values()), 1)
    return out


def real_pool(home: Path) -> np.ndarray:
    """POOL real vectors: chunks of this archive, spread over it, embedded by the real model."""
    with Archive(home, catch_up=False) as archive:
        rows = archive.store.chunks_to_embed(0, POOL * 20)[::20]
        return archive.embedder.embed([embedding_text(ordinal, title, text) for _, ordinal, title, text in rows])


def build(total: int, home: Path, phase1_only: bool = False, place_stories: bool = True) -> None:
    paths = input_files(total)
    if home.exists() and any(home.iterdir()):
        sys.exit(f"{home} is not empty: remove it to build again")
    stages = Stages(total)
    with Archive(home) as archive:
        report = archive.ingest(paths, embed=False, step=stages.step, progress=stages.progress)
    phase1 = time.perf_counter() - stages.start
    store_s = stages.ingested - stages.start
    result: dict[str, object] = {
        "articles": total,
        "added": report.added,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "phase1_s": round(phase1, 1),
        "phase1_articles_per_s": round(total / phase1, 1),
        "store_s": round(store_s, 1),
        "store_articles_per_s": round(total / store_s, 1),
        "store_rate_by_tenth": stages.rates(),
        "derived_s": stages.seconds(stages.start + store_s),
    }
    log(json.dumps(result))
    if phase1_only:
        print(json.dumps(result | {"disk_mb": disk(home)}), flush=True)
        return
    t = time.perf_counter()
    real = real_pool(home)
    result["real_pool_s"] = round(time.perf_counter() - t, 1)
    embedding = Stages(0)
    with Archive(home, embedder=DerivedEmbedder(real)) as archive:
        if not place_stories:
            archive.story_index = Unplaced()
        archive.embed(step=embedding.step)
        health = archive.health()
        grouped = "SELECT grp FROM near_dupes GROUP BY grp HAVING COUNT(*) > 1"
        folded = archive.store.db.execute(f"SELECT COUNT(*) FROM near_dupes WHERE grp IN ({grouped})").fetchone()[0]
    result["in_near_duplicate_groups"] = int(folded)  # 62 in the corpus itself: its own copies
    result["phase2_s"] = embedding.seconds(embedding.start)
    result["stories_placed"] = place_stories
    result |= {"documents": health.documents, "chunks": health.chunks, "embedded": health.embedded_chunks}
    result["vector_index"] = health.vector_index
    result["disk_mb"] = disk(home)
    print(json.dumps(result), flush=True)


def exact_top(archive: Archive, queries: np.ndarray, k: int) -> list[set[int]]:
    """The k chunks of highest inner product for each query, over every stored vector, block by block."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), k), dtype=np.int64)
    after, top = 0, archive.store.vectors_top()
    while after < top:
        rows = archive.store.vector_rows(after, top, 200_000)
        if not rows:
            break
        after = rows[-1][0]
        ids = np.array([r[1] for r in rows], dtype=np.int64)
        block = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        scores = queries @ block.T
        scores = np.concatenate([best_scores, scores], axis=1)
        pool = np.concatenate([best_ids, np.broadcast_to(ids, (len(queries), len(ids)))], axis=1)
        keep = np.argpartition(-scores, k, axis=1)[:, :k]
        best_scores = np.take_along_axis(scores, keep, axis=1)
        best_ids = np.take_along_axis(pool, keep, axis=1)
    return [set(row.tolist()) for row in best_ids]


def segments(home: Path) -> dict[str, int]:
    """How many segments each tantivy index holds (its merge policy at work)."""
    return {
        m.parent.name: len(json.loads(m.read_text())["segments"])
        for m in sorted((home / "lexical").glob("*/meta.json"))
    }


def one_year_from(day: dt.date) -> Filters:
    """A year's filter from `day`: another window for each query, so none is answered from the filter cache."""
    return Filters(date_from=day.isoformat(), date_to=(day + dt.timedelta(days=365)).isoformat())


def evaluate(total: int, home: Path, n: int) -> None:
    queries = sample_queries(n)
    start = time.perf_counter()
    with Archive(home) as archive:
        opened = {"open_s": round(time.perf_counter() - start, 2), "rss_after_open_mb": round(rss_mb())}
        archive.search("warm up the model and caches", limit=10)
        opened["rss_after_warm_up_mb"] = round(rss_mb())
        health = archive.health()
        print(json.dumps({"articles": total, "chunks": health.chunks, "vector_index": health.vector_index} | opened))
        year = Filters(date_from="2016-01-01", date_to="2016-12-31")
        shifted = [one_year_from(dt.date(2016, 1, 1) + dt.timedelta(days=i)) for i in range(len(queries))]
        cases = (("hybrid", [None] * len(queries)), ("hybrid_one_year", [year] * len(queries)))
        for run in ("first", "second"):  # the first reads what the page cache lost since the build
            for name, filters in (*cases, ("hybrid_one_year_new_each_time", shifted)):
                times = []
                for q, f in zip(queries, filters, strict=True):
                    archive._query_vector.cache_clear()  # the query's embedding is in the clock every time
                    t = time.perf_counter()
                    archive.search(q, f, limit=10, semantic_highlights=False)
                    times.append(time.perf_counter() - t)
                row = {"pass": run, "case": name, "queries": len(times)}
                row |= {
                    "p50_ms": round(percentile(times, 50) * 1000, 1),
                    "p95_ms": round(percentile(times, 95) * 1000, 1),
                }
                print(json.dumps(row), flush=True)
        reloads = []
        for _ in range(20):
            t = time.perf_counter()
            archive.lexical.reload()  # what a reader does to see a writer's commits
            reloads.append(time.perf_counter() - t)
        print(
            json.dumps({"lexical_segments": segments(home), "reload_p50_ms": round(percentile(reloads, 50) * 1000, 2)})
        )
        memory = {"rss_after_queries_mb": round(rss_mb()), "anon_after_queries_mb": round(rss_mb("RssAnon"))}
        memory["peak_rss_mb"] = round(peak_rss_mb())
        print(json.dumps(memory), flush=True)
        vectors = archive.vectors
        assert vectors is not None
        embedder = archive.query_embedder
        qv = np.stack([embedder.embed_query(q) for q in queries])
        truth = exact_top(archive, qv, 10)
        found = [{h.chunk_id for h in vectors.search(q, 10)} for q in qv]
        recall = float(np.mean([len(a & b) / 10 for a, b in zip(found, truth, strict=True)]))
        print(json.dumps({"vector_index_recall@10": round(recall, 4), "kind": vectors.kind}), flush=True)


def stories(total: int, home: Path) -> None:
    """Every article placed in a story again (`archive reindex stories`), timed, with the process's peak memory."""
    stages = Stages(0)
    with Archive(home) as archive:
        archive.reindex(step=stages.step, names=["stories"])
    result = {"articles": total, "stories_rebuild_s": round(time.perf_counter() - stages.start, 1)}
    print(json.dumps(result | {"peak_rss_mb": round(peak_rss_mb())}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "eval", "stories"])
    parser.add_argument("--articles", type=int, default=37_554)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--phase1", action="store_true", help="build: stop after phase 1 (store and the indexes)")
    parser.add_argument("--no-stories", action="store_true", help="build: phase 2 without placing stories")
    args = parser.parse_args()
    home = args.home or ROOT / f"archive-{args.articles}"
    if args.command == "build":
        build(args.articles, home, args.phase1, place_stories=not args.no_stories)
    elif args.command == "stories":
        stories(args.articles, home)
    else:
        evaluate(args.articles, home, args.queries)


if __name__ == "__main__":
    main()
