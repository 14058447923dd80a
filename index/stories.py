"""Stories as a derived index (index/derived.py): every embedded original article belongs to exactly one story.

The same-event score of two articles is a weighted sum of the cosine of their first-chunk vectors (embedded
with the title) and the cosine of their TF-IDF term vectors (title and opening; hashed terms, document
frequencies kept in the store and grown with each catch-up). Scores are corrected for how crowded each
article's neighbourhood is (CSLS, Lample et al. 2018: minus half of each side's mean top-NEIGHBOURS score), so
that a busy news week does not glue its stories together and a quiet one does not leave them apart.

Articles are assigned in date order (the undated last): an article joins the story whose members within
WINDOW_DAYS of it (any member, for an undated article: content alone) it matches best, on average over the
LINK_TOP members it matches best (a story grown large in a busy week is not diluted by its far members), when
that average is at least JOIN and the plain score at least FLOOR; else it starts a story of its own. A
near-duplicate of an assigned article joins that article's story whatever the score; exact copies are never
assigned, they are read with their original. An undated article whose text names no day is proposed its story's
first dated report's day (kept as inferred, with that evidence; index/mentions.py proposes from the text first). The weights and thresholds were chosen on AllSides val
(benchmarks/stories.py; benchmarks/RESULTS.md).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archive.store import Store

Progress = Callable[[int, int], None]

VERSION = 2  # 2: a story is weighed by its LINK_TOP best members, not all of them
WINDOW_DAYS = 3
LEXICAL_SHARE = 0.7
NEIGHBOURS = 5
LINK_TOP = 2
JOIN = 0.0
FLOOR = 0.2
LEAD_CHARS = 4_000
FEATURES = 1 << 18
UNDATED_CANDIDATES = 100
# Past this many articles in the pool, an undated article's nearest in meaning come from an HNSW graph over
# the pool's vectors (faiss) instead of a product with every one of them: exact, that tail of an assignment
# grew with the square of the archive (benchmarks/RESULTS.md, "Whole archives at scale").
UNDATED_EXACT_MAX = 50_000
SAVE_EVERY = 500  # articles a transaction
LOAD_PART = 20_000  # articles read into the pool at a time when every article is loaded (for the undated)


class Stories:
    """The story of every embedded article; nothing is held outside the store."""

    name = "stories"

    def lag(self, store: Store) -> int:
        """Embedded original articles in no story (all of them after a change of the assignment's version)."""
        if _version(store) != VERSION:
            return store.assignable_count()
        return store.unassigned_count()

    def catch_up(self, store: Store, progress: Progress | None = None, wait: bool = True) -> int:
        """Assign what is unassigned; a reader (`wait` False) leaves that to the writer."""
        return assign(store, progress) if wait else 0

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        with store.transaction():
            store.clear_stories()
        return assign(store, progress)

    def reload(self) -> None:
        """Nothing held outside the store."""


def _version(store: Store) -> int | None:
    raw = store.story_state("version")
    return None if raw is None else int(raw.decode())


@dataclass
class Terms:
    """Hashed term counts for TF-IDF: how many articles hold each term (grown as articles are assigned)."""

    df: np.ndarray
    articles: int
    _hasher: Any = field(default=None, repr=False)

    @classmethod
    def load(cls, store: Store) -> Terms:
        raw, count = store.story_state("df"), store.story_state("articles")
        df = np.zeros(FEATURES, dtype=np.int32) if raw is None else np.frombuffer(raw, dtype=np.int32).copy()
        return cls(df, 0 if count is None else int(count.decode()))

    @classmethod
    def current(cls, store: Store) -> Terms:
        """The stored counts for reading (related coverage asks at every call): the 1 MB of counts is read again
        only when they have been saved again since."""
        key = (str(store.path), store.story_state("saved"))
        held = _READ.get(key[0])
        if held is None or held[0] != key:
            held = (key, cls.load(store))
            _READ[key[0]] = held
        return held[1]

    def save(self, store: Store) -> None:
        """(inside a transaction)"""
        store.set_story_state("df", self.df.tobytes())
        store.set_story_state("articles", str(self.articles).encode())
        store.set_story_state("saved", str(time.time_ns()).encode())  # what Terms.current compares

    def counts(self, texts: Sequence[str]) -> Any:
        """Term counts (a scipy CSR matrix, one row a text)."""
        if self._hasher is None:
            from sklearn.feature_extraction.text import HashingVectorizer  # only the story assignment needs it

            self._hasher = HashingVectorizer(
                n_features=FEATURES, alternate_sign=False, norm=None, stop_words="english", dtype=np.float32
            )
        return self._hasher.transform(texts)

    def add(self, counts: Any) -> None:
        """Count new articles' terms (each row's terms are distinct: the hasher sums repeats)."""
        self.df += np.bincount(counts.indices, minlength=FEATURES).astype(np.int32)
        self.articles += counts.shape[0]

    def weigh(self, counts: Any) -> Any:
        """Sublinear TF x smoothed IDF, each row of unit length."""
        from sklearn.preprocessing import normalize

        out = counts.copy()
        out.data = 1.0 + np.log(out.data)
        idf = np.log((1 + self.articles) / (1 + self.df.astype(np.float64))) + 1.0
        out = out.multiply(idf.astype(np.float32)).tocsr()
        return normalize(out)


_READ: dict[str, tuple[tuple[str, bytes | None], Terms]] = {}  # Terms.current's, by store file


class Pool:
    """What the assignment knows of the articles it weighs, as arrays a row an article: ids, days (ordinal; NaN
    undated), first-chunk vectors, weighted terms, stories (0: none yet) and densities."""

    def __init__(self, store: Store, terms: Terms) -> None:
        from scipy.sparse import csr_matrix

        self.store, self.terms = store, terms
        self.ids = np.zeros(0, dtype=np.int64)
        self.days = np.zeros(0, dtype=np.float64)
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.lexical: Any = csr_matrix((0, FEATURES), dtype=np.float32)
        self.story = np.zeros(0, dtype=np.int64)
        self.density = np.zeros(0, dtype=np.float32)
        self.row: dict[int, int] = {}
        self._scratch = np.zeros(FEATURES, dtype=np.float32)  # one article's term weights, zero between uses

    def load(self, rows: Sequence[tuple[int, str | None, int | None, float | None]]) -> None:
        """Add (id, day, story, density) rows not yet held, with their vectors and terms (an article with no
        vector is left out)."""
        from scipy.sparse import vstack

        blobs = self.store.first_chunk_vectors([r[0] for r in rows if r[0] not in self.row])
        new = [r for r in rows if r[0] in blobs]
        if not new:
            return
        ids = [r[0] for r in new]
        leads = self.store.leads(ids, LEAD_CHARS)
        vectors = np.stack([np.frombuffer(blobs[d], dtype=np.float32) for d in ids])
        self.vectors = vectors if not len(self.ids) else np.vstack([self.vectors, vectors])
        self.lexical = vstack([self.lexical, self.terms.weigh(self.terms.counts([leads.get(d, "") for d in ids]))])
        self.lexical = self.lexical.tocsr()
        days = [_ordinal(r[1]) for r in new]
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
        self.days = np.concatenate([self.days, np.array([np.nan if d is None else d for d in days], dtype=np.float64)])
        self.story = np.concatenate([self.story, np.array([r[2] or 0 for r in new], dtype=np.int64)])
        self.density = np.concatenate([self.density, np.array([r[3] or 0.0 for r in new], dtype=np.float32)])
        self.row = {int(d): i for i, d in enumerate(self.ids)}

    def forget_before(self, day: int) -> None:
        """Drop the dated articles published before `day`."""
        keep = ~(self.days < day)
        if keep.all():
            return
        self.ids, self.days = self.ids[keep], self.days[keep]
        self.vectors, self.lexical = self.vectors[keep], self.lexical[np.flatnonzero(keep)]
        self.story, self.density = self.story[keep], self.density[keep]
        self.row = {int(d): i for i, d in enumerate(self.ids)}

    def scores(self, row: int, others: np.ndarray) -> np.ndarray:
        """The same-event score of the article in `row` with those in the rows `others`."""
        if not len(others):
            return np.zeros(0, dtype=np.float32)
        dense = self.vectors[others] @ self.vectors[row]
        start, end = self.lexical.indptr[row], self.lexical.indptr[row + 1]
        terms = self.lexical.indices[start:end]
        self._scratch[terms] = self.lexical.data[start:end]  # the row's weights spread out: a sparse-by-dense
        try:  # product costs half a sparse-by-sparse one (0.2 against 0.5 ms for 100 others)
            lexical = self.lexical[others] @ self._scratch
        finally:
            self._scratch[terms] = 0.0
        return np.asarray((1 - LEXICAL_SHARE) * dense + LEXICAL_SHARE * lexical, dtype=np.float32)

    def rename(self, story_of: dict[int, int]) -> None:
        for fake, real in story_of.items():
            self.story[self.story == fake] = real


def _ordinal(day: str | None) -> int | None:
    if not day:
        return None
    try:
        return dt.date.fromisoformat(day[:10]).toordinal()
    except ValueError:
        return None


def _day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def density(scores: np.ndarray) -> float:
    """The mean of the NEIGHBOURS best scores (a missing neighbour counts 0)."""
    top = np.sort(scores)[::-1][:NEIGHBOURS]
    return float(np.sum(np.clip(top, 0.0, None)) / NEIGHBOURS)


def story_means(
    group: np.ndarray, corrected: np.ndarray, plain: np.ndarray, stories: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per story (`group`: each weighed member's story, 0..stories-1): the mean corrected and plain score of its
    LINK_TOP best members by corrected score (all of them in a smaller story)."""
    order = np.lexsort((-corrected, group))  # by story, the best first
    by_story = group[order]
    starts = np.flatnonzero(np.r_[True, by_story[1:] != by_story[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    best = order[rank < LINK_TOP]
    counts = np.bincount(group[best], minlength=stories)
    return (
        np.bincount(group[best], weights=corrected[best], minlength=stories) / counts,
        np.bincount(group[best], weights=plain[best], minlength=stories) / counts,
    )


def assign(store: Store, progress: Progress | None = None) -> int:
    """Put every embedded original that is in no story into one (resumable: saved every SAVE_EVERY articles)."""
    if _version(store) != VERSION:
        with store.transaction():
            store.clear_stories()
            store.set_story_state("version", str(VERSION).encode())
    pending = store.unassigned()
    if not pending:
        return 0
    terms = Terms.load(store)
    for part in _parts([d for d, _ in pending], 2_000):
        leads = store.leads(part, LEAD_CHARS)
        terms.add(terms.counts([leads.get(d, "") for d in part]))
    with store.transaction():  # counted once, before any is placed (a resumed run counts the rest again)
        terms.save(store)
    pool = Pool(store, terms)
    assigner = Assigner(store, pool)
    done = 0
    for batch in _parts(pending, SAVE_EVERY):
        rows = [assigner.place(doc, day) for doc, day in batch]
        with store.transaction():
            story_of = {fake: store.new_story() for fake in assigner.take_new()}
            store.save_members([(d, story_of.get(s, s), r, how) for d, s, r, how in rows])
        assigner.rename(story_of)
        done += len(batch)
        if progress:
            progress(done, len(pending))
    undated = [d for d, day in pending if day is None]
    with store.transaction():
        store.label_stories(labels(store, assigner.touched))
        store.infer_from_stories(undated)
    return done


def _parts(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


class Assigner:
    """Places articles one at a time, in date order; new stories get a temporary (negative) id until saved."""

    def __init__(self, store: Store, pool: Pool) -> None:
        self.store, self.pool = store, pool
        self.loaded: tuple[int, int] | None = None  # the days held in the pool
        self.new: list[int] = []
        self.touched: set[int] = set()
        self._everything = False
        self._graph: tuple[int, Any] | None = None  # (pool size, HNSW graph) for undated articles in a large pool

    def place(self, doc: int, day: str | None) -> tuple[int, int, float, str]:
        """(doc, story, density, how) for one article."""
        when = _ordinal(day)
        if when is None:
            self._load_everything()
        else:
            self._load_days(when)
        row = self.pool.row.get(doc)
        if row is None:  # its vector went meanwhile (a re-embedding): alone, until the next catch-up
            return self._new(doc, None, 0.0)
        others = self._candidates(row, when)
        scores = self.pool.scores(row, others)
        own = density(scores)
        copy = self._copy_story(doc)
        if copy is not None:
            return self._keep(doc, row, copy, own, "copy")
        stories = self.pool.story[others]
        placed = stories != 0
        best, best_score = None, JOIN
        if placed.any():
            at, plain = stories[placed], scores[placed]
            corrected = plain - 0.5 * (own + self.pool.density[others][placed])
            names, group = np.unique(at, return_inverse=True)
            corrected_mean, plain_mean = story_means(group, corrected, plain, len(names))
            corrected_mean[plain_mean < FLOOR] = -np.inf
            top = int(np.argmax(corrected_mean))
            if corrected_mean[top] > best_score:
                best = int(names[top])
        if best is None:
            return self._new(doc, row, own)
        return self._keep(doc, row, best, own, "content" if when is None else "content and time")

    def _candidates(self, row: int, when: int | None) -> np.ndarray:
        """Rows of the articles weighed against this one: within WINDOW_DAYS, or (undated) the nearest in meaning."""
        if when is not None:
            near = np.flatnonzero(np.abs(self.pool.days - when) <= WINDOW_DAYS)
            others: np.ndarray = near[near != row]
            return others
        vectors = self.pool.vectors
        count = min(UNDATED_CANDIDATES, len(vectors) - 1)
        if count <= 0:
            return np.zeros(0, dtype=np.int64)
        if len(vectors) > UNDATED_EXACT_MAX:
            return self._nearest(row, count)
        sims = vectors @ vectors[row]
        sims[row] = -np.inf
        return np.argpartition(-sims, count - 1)[:count]

    def _nearest(self, row: int, count: int) -> np.ndarray:
        """The `count` rows nearest in meaning to `row`, from an HNSW graph over the whole pool (built once: the
        pool no longer changes once every article is loaded for the undated)."""
        vectors = self.pool.vectors
        if self._graph is None or self._graph[0] != len(vectors):
            import faiss

            graph = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = 80
            graph.add(np.ascontiguousarray(vectors, dtype=np.float32))
            graph.hnsw.efSearch = 2 * UNDATED_CANDIDATES
            self._graph = (len(vectors), graph)
        _, found = self._graph[1].search(vectors[row : row + 1], count + 1)
        rows = np.asarray(found[0], dtype=np.int64)
        nearest: np.ndarray = rows[(rows >= 0) & (rows != row)][:count]
        return nearest

    def _new(self, doc: int, row: int | None, own: float) -> tuple[int, int, float, str]:
        story = -(len(self.new) + 1)
        self.new.append(story)
        return self._keep(doc, row, story, own, "alone")

    def _keep(self, doc: int, row: int | None, story: int, own: float, how: str) -> tuple[int, int, float, str]:
        if row is not None:
            self.pool.story[row], self.pool.density[row] = story, own
        self.touched.add(story)
        return doc, story, own, how

    def _copy_story(self, doc: int) -> int | None:
        """The story of an article already placed in this article's near-duplicate group."""
        group = self.store.groups_of([doc])[doc]
        mates = [m for m in self.store.members(group) if m != doc]
        for mate in mates:
            row = self.pool.row.get(mate)
            if row is not None and self.pool.story[row] != 0:
                return int(self.pool.story[row])
        found = self.store.stories_of(mates) if mates else {}
        return next((found[m] for m in mates if m in found), None)

    def _load_days(self, when: int) -> None:
        first, last = when - WINDOW_DAYS, when + WINDOW_DAYS
        if self._everything or (self.loaded is not None and self.loaded[0] <= first and last <= self.loaded[1]):
            return
        start = first if self.loaded is None or self.loaded[1] < first else self.loaded[1] + 1
        end = max(last, start + 30)  # read a month ahead at a time
        self.pool.forget_before(first)
        self.pool.load(self.store.assignable_between(_day(start), _day(end)))
        self.loaded = (first, end)

    def _load_everything(self) -> None:
        """Undated articles weigh every article, dated or not."""
        if not self._everything:
            rows = self.store.assigned() + [(d, day, None, None) for d, day in self.store.unassigned()]
            for part in _parts(rows, LOAD_PART):  # a part at a time: the openings and counts read are let go
                self.pool.load(part)
            self._everything = True

    def take_new(self) -> list[int]:
        new, self.new = self.new, []
        return new

    def rename(self, story_of: dict[int, int]) -> None:
        """Temporary story ids -> the stored ones."""
        self.pool.rename(story_of)
        self.touched = {story_of.get(s, s) for s in self.touched}


def labels(store: Store, stories: set[int]) -> list[tuple[int, int]]:
    """(story, label article) for these stories: the member closest to the story's mean vector (a story of one:
    its article)."""
    out = []
    members = store.story_members_of(sorted(s for s in stories if s > 0))
    for part in _parts(sorted(members), 2_000):
        docs = [d for story in part for d in members[story]]
        vectors = store.first_chunk_vectors(docs)
        for story in part:
            held = [m for m in members[story] if m in vectors]
            if len(held) == 1:
                out.append((story, held[0]))
            elif held:
                matrix = np.stack([np.frombuffer(vectors[m], dtype=np.float32) for m in held])
                out.append((story, held[int(np.argmax(matrix @ matrix.mean(axis=0)))]))
    return out
