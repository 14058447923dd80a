"""Stories as a derived index (index/derived.py): every embedded original article belongs to exactly one story.

The same-event score of two articles is a weighted sum of the cosine of their first-chunk vectors (embedded
with the title) and the cosine of their TF-IDF term vectors (title and opening; hashed terms, document
frequencies kept in the store and grown with each catch-up). Scores are corrected for how crowded each
article's neighbourhood is (CSLS, Lample et al. 2018: minus half of each side's mean top-NEIGHBOURS score), so
that a busy news week does not glue its stories together and a quiet one does not leave them apart.

Articles are assigned in date order (the undated last): an article joins the story whose members within
WINDOW_DAYS of it (any member, for an undated article: content alone) it matches best on average (average link),
when that average is at least JOIN and the plain score at least FLOOR; else it starts a story of its own. A
near-duplicate of an assigned article joins that article's story whatever the score; exact copies are never
assigned, they are read with their original. The weights and thresholds were chosen on AllSides val
(benchmarks/stories.py; benchmarks/RESULTS.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archive.store import Store

Progress = Callable[[int, int], None]

VERSION = 1
WINDOW_DAYS = 3
LEXICAL_SHARE = 0.7
NEIGHBOURS = 5
JOIN = 0.0
FLOOR = 0.2
LEAD_CHARS = 4_000
FEATURES = 1 << 18
UNDATED_CANDIDATES = 100
SAVE_EVERY = 500  # articles a transaction


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

    def save(self, store: Store) -> None:
        """(inside a transaction)"""
        store.set_story_state("df", self.df.tobytes())
        store.set_story_state("articles", str(self.articles).encode())

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


@dataclass
class Pool:
    """What the assignment knows of the articles it weighs: vectors, weighted terms, days and stories."""

    store: Store
    terms: Terms
    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    lexical: dict[int, Any] = field(default_factory=dict)
    day: dict[int, int | None] = field(default_factory=dict)
    story: dict[int, int] = field(default_factory=dict)
    density: dict[int, float] = field(default_factory=dict)

    def load(self, rows: Sequence[tuple[int, str | None, int | None, float | None]]) -> None:
        """Add (id, day, story, density) rows, reading the vectors and terms of those not yet held."""
        new = [r[0] for r in rows if r[0] not in self.vectors]
        for doc, blob in self.store.first_chunk_vectors(new).items():
            self.vectors[doc] = np.frombuffer(blob, dtype=np.float32)
        if new:
            leads = self.store.leads(new, LEAD_CHARS)
            weighted = self.terms.weigh(self.terms.counts([leads.get(d, "") for d in new]))
            for i, doc in enumerate(new):
                self.lexical[doc] = weighted[i]
        for doc, day, story, density in rows:
            self.day[doc] = _ordinal(day)
            if story is not None:
                self.story[doc] = int(story)
                self.density[doc] = float(density or 0.0)

    def forget_before(self, day: int) -> None:
        old = [d for d, t in self.day.items() if t is not None and t < day]
        for doc in old:
            for held in (self.vectors, self.lexical, self.day):
                held.pop(doc, None)

    def scores(self, doc: int, others: Sequence[int]) -> np.ndarray:
        """The same-event score of `doc` with each of `others`."""
        from scipy.sparse import vstack

        if not others:
            return np.zeros(0, dtype=np.float32)
        dense = np.stack([self.vectors[o] for o in others]) @ self.vectors[doc]
        lexical = (vstack([self.lexical[o] for o in others]) @ self.lexical[doc].T).toarray().ravel()
        return np.asarray((1 - LEXICAL_SHARE) * dense + LEXICAL_SHARE * lexical, dtype=np.float32)


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
    with store.transaction():
        store.label_stories(labels(store, assigner.touched))
    return done


def _parts(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


class Assigner:
    """Places articles one at a time, in date order; new stories get a temporary (negative) id until saved."""

    def __init__(self, store: Store, pool: Pool) -> None:
        self.store, self.pool = store, pool
        self.loaded: tuple[int, int] | None = None  # the days held in the pool
        self.groups: dict[int, int] = {}
        self.new: list[int] = []
        self.touched: set[int] = set()
        self._undated_loaded = False
        self._ids: list[int] = []
        self._matrix: np.ndarray | None = None

    def place(self, doc: int, day: str | None) -> tuple[int, int, float, str]:
        """(doc, story, density, how) for one article."""
        when = _ordinal(day)
        if when is None:
            self._load_all()
            candidates = self._nearest(doc)
        else:
            self._load_days(when)
            candidates = [
                o
                for o, t in self.pool.day.items()
                if o != doc and t is not None and abs(t - when) <= WINDOW_DAYS and o in self.pool.vectors
            ]
        scores = self.pool.scores(doc, candidates)
        own = density(scores)
        copy = self._copy_story(doc)
        if copy is not None:
            return self._keep(doc, copy, own, "copy")
        best, best_score = None, JOIN
        by_story: dict[int, list[int]] = defaultdict(list)
        for i, other in enumerate(candidates):
            if other in self.pool.story:
                by_story[self.pool.story[other]].append(i)
        for story, at in by_story.items():
            plain = scores[at]
            if float(plain.mean()) < FLOOR:
                continue
            others = np.array([self.pool.density[candidates[i]] for i in at])
            corrected = float((plain - 0.5 * (own + others)).mean())
            if corrected > best_score:
                best, best_score = story, corrected
        how = "content" if when is None else "content and time"
        if best is None:
            best = -(len(self.new) + 1)
            self.new.append(best)
            how = "alone"
        return self._keep(doc, best, own, how)

    def _keep(self, doc: int, story: int, own: float, how: str) -> tuple[int, int, float, str]:
        self.pool.story[doc] = story
        self.pool.density[doc] = own
        self.touched.add(story)
        return doc, story, own, how

    def _copy_story(self, doc: int) -> int | None:
        """The story of an assigned article in this article's near-duplicate group."""
        group = self.store.groups_of([doc])[doc]
        mates = [m for m in self.store.members(group) if m != doc]
        for mate in mates:
            if mate in self.pool.story:
                return self.pool.story[mate]
        found = self.store.stories_of(mates) if mates else {}
        return next((found[m] for m in mates if m in found), None)

    def _load_days(self, when: int) -> None:
        first, last = when - WINDOW_DAYS, when + WINDOW_DAYS
        if self.loaded is not None and self.loaded[0] <= first and last <= self.loaded[1]:
            return
        start = first if self.loaded is None or self.loaded[1] < first else self.loaded[1] + 1
        end = max(last, start + 30)  # read a month ahead at a time
        self.pool.load(self.store.assignable_between(_day(start), _day(end)))
        self.pool.forget_before(first)
        self.loaded = (first, end)

    def _load_all(self) -> None:
        if not self._undated_loaded:
            self.pool.load(self.store.assigned() + [(d, None, None, None) for d, day in self.store.unassigned()])
            self._undated_loaded = True
            self.loaded = None
            self._ids = list(self.pool.vectors)
            self._matrix = np.stack([self.pool.vectors[d] for d in self._ids]) if self._ids else None

    def _nearest(self, doc: int) -> list[int]:
        """For an undated article: the UNDATED_CANDIDATES articles closest in meaning (content alone)."""
        if self._matrix is None:
            return []
        sims = self._matrix @ self.pool.vectors[doc]
        keep = np.argsort(-sims)[: UNDATED_CANDIDATES + 1]
        return [self._ids[int(i)] for i in keep if self._ids[int(i)] != doc][:UNDATED_CANDIDATES]

    def take_new(self) -> list[int]:
        new, self.new = self.new, []
        return new

    def rename(self, story_of: dict[int, int]) -> None:
        """Temporary story ids -> the stored ones."""
        if not story_of:
            return
        for doc, story in self.pool.story.items():
            if story in story_of:
                self.pool.story[doc] = story_of[story]
        self.touched = {story_of.get(s, s) for s in self.touched}


def labels(store: Store, stories: set[int]) -> list[tuple[int, int]]:
    """(story, label article) for these stories: the titled member closest to the story's mean vector."""
    out = []
    for story in sorted(s for s in stories if s > 0):
        members = store.story_member_ids(story)
        vectors = store.first_chunk_vectors(members)
        held = [m for m in members if m in vectors]
        if not held:
            continue
        matrix = np.stack([np.frombuffer(vectors[m], dtype=np.float32) for m in held])
        centre = matrix.mean(axis=0)
        out.append((story, held[int(np.argmax(matrix @ centre))]))
    return out
