"""Related coverage: from one article (or pasted text), the other articles that report the same event.

seed -> its chunk vectors and its text -> two candidate legs inside the date window (all time for an
undated seed) and the outlet filter: the faiss neighbours of each seed chunk, and a more-like-this
query over the seed's distinctive terms (tantivy, BM25 over title and text) -> for every candidate,
a dense score computed exactly (each seed chunk's best match among the candidate's chunks, averaged),
its BM25 share of the best, the TF-IDF cosine of the openings and its neighbourhood density -> a learned
same-event probability -> a second pass adds each candidate's agreement with those ranked first -> the seed
and its copies left out; each result with the passage nearest the seed. Both models were fitted on AllSides
train and checked on val (benchmarks/related.py learn; benchmarks/RESULTS.md).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import numpy as np
import tantivy

from archive.models import Document
from archive.store import Store
from archive.store.filters import Filters
from index import filtering, near_dupes
from index.lexical import LexicalIndex
from index.settings import RelatedSettings
from index.vectors import VectorIndex


@dataclass(frozen=True)
class Seed:
    """What related coverage starts from: a stored article, or text with its own vectors."""

    text: str
    vectors: np.ndarray  # (chunks, dim), normalised
    date: str | None = None
    excluded: frozenset[int] = field(default=frozenset())  # the seed and its copies: never results


@dataclass(frozen=True)
class RelatedResult:
    id: int
    title: str | None
    outlet: str | None
    date: str | None
    days_from_seed: int | None
    score: float
    dense_score: float
    lexical_score: float
    passage_start: int
    passage_end: int
    passage_text: str = ""
    duplicates: tuple[int, ...] = ()
    also_in: tuple[str, ...] = ()


def stored_seed(store: Store, doc: Document, seed_chunks: int) -> Seed:
    """The seed for a stored article: its original's first chunk vectors, its text and date."""
    original = doc.duplicate_of if doc.duplicate_of is not None else doc.id
    vectors = store.first_vectors(original, seed_chunks)
    text = f"{doc.title}\n\n{doc.text}" if doc.title else doc.text
    group = frozenset({doc.id, *(i for i, _ in near_dupes.group_documents(store, doc.id))})
    return Seed(text, vectors, doc.date, group)


# The openings compared by TF-IDF: hashing ~150 candidates' 4,000-character openings took ~100 ms a call on the
# 37,554-article archive; every AllSides excerpt (where the model was fitted) is under 820 characters.
LEAD_CHARS = 1_500


@dataclass(frozen=True)
class Evidence:
    """What says a candidate reports the seed's event."""

    dense: float  # each seed chunk's best cosine among the candidate's chunks, averaged
    lexical: float  # its more-like-this BM25 over the best candidate's
    terms: float  # TF-IDF cosine of the two openings
    density: float  # how alike the candidate is to its own neighbours (a hub scores high with everything)
    support: float | None = None  # its best cosine with the candidates ranked first (`supported`); None: not known

    def features(self) -> tuple[float, float, float, float]:
        return (self.dense, self.lexical, self.terms, self.density)


def combine(evidence: Evidence, settings: RelatedSettings) -> float:
    """The same-event probability from the learned model, with the candidates' agreement once it is known;
    without a model, the weighted share of dense and BM25."""
    if settings.model is None:
        w = settings.lexical_share
        return (1 - w) * evidence.dense + w * evidence.lexical
    if evidence.support is not None and settings.support_model is not None:
        return _logistic(settings.support_model, (*evidence.features(), evidence.support))
    return _logistic(settings.model, evidence.features())


def _logistic(model: tuple[float, ...], features: tuple[float, ...]) -> float:
    intercept, *weights = model
    return 1.0 / (1.0 + math.exp(-(intercept + sum(w * x for w, x in zip(weights, features)))))


def supported(
    evidence: dict[int, Evidence],
    firsts: dict[int, np.ndarray],
    settings: RelatedSettings,
    groups: dict[int, int] | None = None,
) -> dict[int, Evidence]:
    """Each candidate's agreement with the others: its best cosine (first-chunk vectors) with the
    `settings.support_from` candidates outside its own near-duplicate group (`groups`: doc -> group) that the
    first model ranks highest, one per group (a wire copy does not vouch for its original). The reports of one
    event agree with each other; a look-alike event's report agrees with the seed more than with them. Without a
    model, or a candidate without a vector: unchanged."""
    if settings.model is None or not firsts:
        return evidence
    group = groups or {}
    first = {d: _logistic(settings.model, e.features()) for d, e in evidence.items()}
    top: list[int] = []  # one more than `support_from`, so that each of them has that many others
    for doc in sorted(first, key=lambda d: (-first[d], d)):
        if doc in firsts and all(group.get(doc, doc) != group.get(t, t) for t in top):
            top.append(doc)
            if len(top) > settings.support_from:
                break
    matrix = np.stack([firsts[d] for d in top])
    out = {}
    for doc, found in evidence.items():
        vector = firsts.get(doc)
        if vector is None:
            out[doc] = found
            continue
        others = [i for i, d in enumerate(top) if group.get(d, d) != group.get(doc, doc)][: settings.support_from]
        out[doc] = replace(found, support=float((matrix[others] @ vector).max()) if others else 0.0)
    return out


class RelatedFinder:
    """Finds related coverage in one archive's store, lexical index and vector index."""

    def __init__(
        self,
        store: Store,
        lexical: LexicalIndex,
        vectors: VectorIndex | None,
        allowed: filtering.AllowedCache,
    ) -> None:
        self.store, self.lexical, self.vectors, self.allowed = store, lexical, vectors, allowed

    def find(
        self, seed: Seed, settings: RelatedSettings, scope: Filters | None = None, limit: int = 20
    ) -> list[RelatedResult]:
        """The closest `limit` articles (one per copy group) within the seed's window and `scope` (outlets,
        tags, a collection: its dates are the window's)."""
        evidence, passages, groups = self._weigh(seed, settings, scope)
        scored = {doc: combine(found, settings) for doc, found in evidence.items()}
        ranked = sorted(scored, key=lambda d: (-scored[d], d))
        order, groups = near_dupes.one_per_group(self.store, ranked, limit, groups)
        return [
            self._result(doc, scored[doc], evidence[doc].dense, evidence[doc].lexical, passages, seed, groups[doc])
            for doc in order
        ]

    def gather(self, seed: Seed, settings: RelatedSettings, scope: Filters | None = None) -> dict[int, Evidence]:
        """Every candidate's evidence (for learning the combination: benchmarks/related.py learn)."""
        return self._weigh(seed, settings, scope)[0]

    def _weigh(
        self, seed: Seed, settings: RelatedSettings, scope: Filters | None
    ) -> tuple[dict[int, Evidence], dict[int, tuple[int, int]], dict[int, int]]:
        """Every candidate's evidence, its passage nearest the seed, and its near-duplicate group."""
        filters = window(seed.date, settings.window_days, scope or Filters())
        allowed = self.allowed.resolve(self.store, filters)
        lexical = self._lexical_candidates(seed, settings, filters, allowed)
        candidates = sorted((self._dense_candidates(seed, settings, allowed) | set(lexical)) - seed.excluded)
        if not candidates:
            return {}, {}, {}
        dense, passages, firsts = self._dense_scores(seed, candidates)
        best_bm25 = max((lexical.get(d, 0.0) for d in candidates), default=0.0) or 1.0  # the seed's own is no guide
        evidence = self.evidence(seed, candidates, dense, {d: lexical.get(d, 0.0) / best_bm25 for d in candidates})
        groups = self.store.groups_of(candidates)
        return supported(evidence, firsts, settings, groups), passages, groups

    def evidence(
        self, seed: Seed, candidates: list[int], dense: dict[int, float], lexical: dict[int, float]
    ) -> dict[int, Evidence]:
        """Per candidate: the dense score, the BM25 share, the TF-IDF cosine of the openings (the stories' term
        weights) and the candidate's neighbourhood density (from its story placement; 0 before it is placed)."""
        terms = self._terms_cosine(seed, candidates)
        crowded = self.store.story_densities(candidates)
        return {
            d: Evidence(dense.get(d, 0.0), lexical.get(d, 0.0), terms.get(d, 0.0), crowded.get(d, 0.0))
            for d in candidates
        }

    def _terms_cosine(self, seed: Seed, candidates: list[int]) -> dict[int, float]:
        from index import stories

        terms = stories.Terms.current(self.store)
        if not terms.articles or not candidates:
            return {}
        leads = self.store.leads(candidates, LEAD_CHARS)
        title, _, body = seed.text.partition("\n\n")
        matrix = terms.weigh(terms.counts([f"{title}\n{body[:LEAD_CHARS]}"] + [leads.get(d, "") for d in candidates]))
        cosines = np.asarray((matrix[1:] @ matrix[0].T).toarray()).ravel()
        return {d: float(c) for d, c in zip(candidates, cosines)}

    def _dense_candidates(self, seed: Seed, settings: RelatedSettings, allowed: filtering.Allowed) -> set[int]:
        """The articles of the nearest chunks to each seed chunk (scored exactly later)."""
        if self.vectors is None or not self.vectors.size or not len(seed.vectors):
            return set()
        chunk_ids = [
            hit.chunk_id
            for vector in seed.vectors[: settings.seed_chunks]
            for hit in self.vectors.search(vector, settings.candidates, allowed.chunks)
        ]
        return set(self.store.doc_of(chunk_ids).values())

    def _lexical_candidates(
        self, seed: Seed, settings: RelatedSettings, filters: Filters, allowed: filtering.Allowed
    ) -> dict[int, float]:
        live = self.lexical.live_documents()
        if not seed.text.strip() or not live:
            return {}
        schema = self.lexical.schema
        # Deleted articles still count in a term's document frequency until their segment is merged;
        # a term found in more documents than are alive makes tantivy's idf panic ("29 >= 30"), and
        # such a term is in (nearly) every article, so it is no distinctive term anyway.
        query = tantivy.Query.more_like_this_document_fields_query(
            schema,
            {"all": [seed.text]},
            min_doc_frequency=1,
            max_doc_frequency=live,
            min_term_frequency=1,
            max_query_terms=settings.mlt_terms,
            min_word_length=2,
        )
        clauses = filtering.tantivy_filter(schema, filters, allowed)
        if clauses:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query)] + [(tantivy.Occur.Must, c) for c in clauses]
            )
        hits = self.lexical.search(query, settings.candidates + len(seed.excluded))
        return {h.doc_id: h.score for h in hits if allowed.originals is None or h.doc_id in allowed.originals}

    def _dense_scores(
        self, seed: Seed, candidates: list[int]
    ) -> tuple[dict[int, float], dict[int, tuple[int, int]], dict[int, np.ndarray]]:
        """Each seed chunk's best cosine among a candidate's chunks, averaged; the candidate's best chunk; and its
        first chunk's vector."""
        if not len(seed.vectors):
            return {}, {}, {}
        chunk_doc: list[int] = []
        spans: list[tuple[int, int]] = []
        blobs: list[bytes] = []
        for doc, start, end, blob in self.store.chunk_vectors(candidates):
            chunk_doc.append(doc)
            spans.append((start, end))
            blobs.append(blob)
        if not blobs:
            return {}, {}, {}
        matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
        sims = seed.vectors @ matrix.T  # (seed chunks, candidate chunks)
        owners = np.asarray(chunk_doc)
        dense: dict[int, float] = {}
        passages: dict[int, tuple[int, int]] = {}
        firsts: dict[int, np.ndarray] = {}
        for doc in np.unique(owners):
            cols = np.flatnonzero(owners == doc)  # in the chunks' order
            block = sims[:, cols]
            dense[int(doc)] = float(block.max(axis=1).mean())
            passages[int(doc)] = spans[int(cols[int(block.max(axis=0).argmax())])]
            firsts[int(doc)] = matrix[cols[0]]
        return dense, passages, firsts

    def _result(
        self,
        doc: int,
        score: float,
        dense: float,
        lexical: float,
        passages: dict[int, tuple[int, int]],
        seed: Seed,
        group: int,
    ) -> RelatedResult:
        start, end = passages.get(doc, (0, 0))
        title, outlet, date, passage = self.store.headline(doc, start, end)
        copies = [(i, o) for i, o in self.store.with_copies(self.store.members(group) or [doc]) if i != doc]
        days = None
        if date and seed.date:
            days = (dt.date.fromisoformat(date) - dt.date.fromisoformat(seed.date)).days
        return RelatedResult(
            id=doc,
            title=title,
            outlet=outlet,
            date=date,
            days_from_seed=days,
            score=round(score, 4),
            dense_score=round(dense, 4),
            lexical_score=round(lexical, 4),
            passage_start=int(start),
            passage_end=int(end),
            passage_text=passage or "",
            duplicates=tuple(int(i) for i, _ in copies),
            also_in=tuple(sorted({o for _, o in copies if o and o != outlet})),
        )


def window(seed_date: str | None, window_days: int | None, scope: Filters) -> Filters:
    """`scope` around a seed's date: +- window_days (all time when either is None)."""
    if seed_date is None or window_days is None:
        return replace(scope, date_from=None, date_to=None)
    day = dt.date.fromisoformat(seed_date)
    span = dt.timedelta(days=window_days)
    return replace(scope, date_from=(day - span).isoformat(), date_to=(day + span).isoformat())
