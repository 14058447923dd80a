"""Hybrid search: BM25 and vector legs over chunks, filtered inside each leg, fused per article.

query + filters -> lexical leg (tantivy, filter inside the query) and semantic leg (faiss,
restricted to the allowed chunks) -> chunks grouped into articles (best chunk per leg) -> fusion
(weighted by default, or RRF) -> exact filter check, duplicates collapsed -> passage and highlights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import tantivy

from archive.errors import InvalidInputError
from archive.models import StoredMention
from archive.store import Store
from archive.store.filters import Filters
from index import filtering, near_dupes
from index.fusion import DEFAULT_RRF_K, ranked, rrf, weighted
from index.highlight import Highlight, lexical_spans
from index.lexical import LexicalIndex
from index.query import ParsedQuery, parse_query
from index.query_dates import DatesRead
from index.settings import MODES, SearchSettings
from index.vectors import VectorIndex

MIN_CANDIDATES = 100
PASSAGE_CANDIDATES = 20
NEGATION_LIMIT = 100_000
MATCH_IDS_CAP = 10_000  # up to this many word matches are listed (and near copies counted once) for the count
# Where the word index holds the filter exactly, the count is taken without listing the matches (which waits until
# `matched_ids` is read) where at most this many articles share a near-duplicate group: those matching are looked
# up by id in the word index.
SHARED_COUNT_MAX = 5_000
MAX_RESULTS = 100_000  # offset + limit: the legs fetch ten candidates a result, and tantivy allocates for each


def _check_page(mode: str, limit: int, offset: int) -> None:
    if mode not in MODES:
        raise InvalidInputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not (isinstance(limit, int) and isinstance(offset, int) and limit >= 1 and offset >= 0):
        raise InvalidInputError(f"limit must be a whole number from 1 and offset from 0, not {limit!r} and {offset!r}")
    if offset + limit > MAX_RESULTS:
        raise InvalidInputError(f"a search reaches at most {MAX_RESULTS:,} results (offset + limit)")


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SearchResult:
    id: int
    external_id: str | None
    title: str | None
    outlet: str | None
    date: str | None
    url: str | None
    path: str
    score: float
    lexical_rank: int | None
    semantic_rank: int | None
    lexical_score: float | None
    semantic_score: float | None
    passage: Passage
    highlights: tuple[Highlight, ...]
    also_in: tuple[str, ...] = ()
    duplicates: tuple[int, ...] = ()
    text: str = field(default="", repr=False, compare=False)
    mentions: tuple[StoredMention, ...] = ()  # dates it mentions: in its passage, or those a mentions filter matched


@dataclass(frozen=True)
class SearchResponse:
    """`matched`: how many articles match, whatever page or limit: those that contain the words, and those found
    by meaning alone at `SearchSettings.match_floor` or above; the same for every page of one query."""

    query: str
    mode: str
    filtered_articles: int
    vector_coverage: float
    results: tuple[SearchResult, ...]
    matched: int
    listing: Callable[[], tuple[int, ...]] = field(repr=False, compare=False)  # what `matched_ids` reads
    notice: str | None = None
    semantic_query: str = field(default="", repr=False, compare=False)  # what the meaning leg embedded
    matched_total: int | None = None  # over MATCH_IDS_CAP word matches (not all listed): how many (copies each counted)
    words_matched: bool = True  # False: no article contains the query's words; the results are nearest by meaning
    dates_read: DatesRead | None = None  # a date expression of the query read as the date filter

    @cached_property
    def matched_ids(self) -> tuple[int, ...]:
        """The matches, best first (one per near-duplicate group): as many as `matched`, or past MATCH_IDS_CAP word
        matches those the page's candidates held. Listed when first read (a few ms for thousands of matches)."""
        return self.listing()


@dataclass
class _Leg:
    """One leg's articles, best first, with each article's best chunk and score in that leg."""

    order: list[int] = field(default_factory=list)
    best: dict[int, tuple[int, float]] = field(default_factory=dict)
    ranks: dict[int, int] = field(default_factory=dict)
    chunk_rank: dict[int, int] = field(default_factory=dict)
    matching: int | None = None  # the lexical leg: how many articles its query matches, counted as it searched

    def add(self, doc_id: int, chunk_id: int, score: float) -> None:
        self.chunk_rank.setdefault(chunk_id, len(self.chunk_rank) + 1)
        if doc_id not in self.best:
            self.best[doc_id] = (chunk_id, score)
            self.order.append(doc_id)
            self.ranks[doc_id] = len(self.order)


@dataclass(frozen=True)
class _Matches:
    count: int  # how many articles match (near copies once, unless over MATCH_IDS_CAP)
    listing: Callable[[], tuple[int, ...]]  # the matches (run once, when first asked)
    words: int  # how many articles contain the words
    capped: bool = False  # too many word matches to list: the listing holds the page's candidates only


class Searcher:
    """Runs searches over one archive's store and derived indexes."""

    def __init__(
        self,
        store: Store,
        lexical: Callable[[], LexicalIndex],  # the archive's indexes as they are now (opened at first use)
        vectors: Callable[[], VectorIndex | None],  # (made at the first embed)
        embed_query: Callable[[str], np.ndarray] | None,
        coverage: Callable[[], float],
        settings: SearchSettings | None = None,
    ) -> None:
        self.store, self._lexical_index, self.vectors = store, lexical, vectors
        self.embed_query, self.coverage = embed_query, coverage
        self.settings = settings or SearchSettings()
        self.allowed = filtering.AllowedCache()

    @property
    def lexical(self) -> LexicalIndex:
        return self._lexical_index()

    def parse(self, query: str) -> ParsedQuery:
        return parse_query(self.lexical.index, self.lexical.chunk_index, query)

    def search(
        self,
        query: str | ParsedQuery,
        filters: Filters | None = None,
        mode: str = "hybrid",
        limit: int = 10,
        offset: int = 0,
        settings: SearchSettings | None = None,
        collapse: bool = True,
    ) -> SearchResponse:
        """One page of results; `settings` overrides the searcher's fusion settings for this search.

        With `collapse`, near-duplicates (index/near_dupes.py) show as one result, "also in" the others.
        """
        _check_page(mode, limit, offset)
        filters = filters or Filters()
        settings = settings or self.settings
        parsed = self.parse(query) if isinstance(query, str) else query
        store = self.store
        allowed = self.allowed.resolve(store, filters)
        want = max(MIN_CANDIDATES, (offset + limit) * settings.candidates_per_result)
        lexical = self._lexical(parsed, filters, allowed, want) if mode != "semantic" else _Leg()
        semantic = self._semantic(parsed, allowed, want) if mode != "lexical" else _Leg()
        order, fused = self._fuse(lexical, semantic, parsed, settings)
        excluded: set[int] = set()
        if parsed.negated is not None:
            excluded = {h.doc_id for h in self.lexical.search(parsed.negated, NEGATION_LIMIT)}
            order = [d for d in order if d not in excluded]
        groups: dict[int, int] = {}
        if collapse:
            order, groups = near_dupes.one_per_group(store, order)
        matches = self._matches(
            parsed, filters, allowed, mode, order, (lexical, semantic), excluded, settings, collapse
        )
        page = order[offset : offset + limit]
        copies = {d: _near_copies(store, d, groups[d], allowed) for d in page} if collapse else {}
        passages = self._passage_leg(parsed, page)
        results = tuple(
            self._result(doc_id, fused[doc_id], lexical, semantic, passages, parsed, filters, copies.get(doc_id, []))
            for doc_id in page
        )
        words = mode == "semantic" or parsed.lexical is None or matches.words > 0
        notice = parsed.notice
        if not words:
            nearest = "; the nearest by meaning follow" if results else ""
            notice = "; ".join(filter(None, [notice, f"no article contains these words{nearest}"]))
        return SearchResponse(
            parsed.text,
            mode,
            allowed.articles,
            self.coverage(),
            results,
            matches.count,
            matches.listing,
            notice,
            parsed.semantic_text or "",
            matches.words if matches.capped else None,
            words,
        )

    def all_match_ids(
        self, parsed: ParsedQuery, filters: Filters | None, mode: str, settings: SearchSettings | None, collapse: bool
    ) -> list[int]:
        """Every match of a search, best first: as many as `matched` says (for an export of all of them)."""
        filters = filters or Filters()
        response = self.search(parsed, filters, mode, 1, 0, settings, collapse)
        ids = list(response.matched_ids)
        query = self._word_query(parsed, filters) if mode != "semantic" else None
        if response.matched_total is None or query is None:
            return ids
        allowed = self.allowed.resolve(self.store, filters)
        seen = set(ids)
        for doc_id in self.lexical.doc_ids(query, response.matched_total):
            if doc_id not in seen and (allowed.originals is None or doc_id in allowed.originals):
                seen.add(doc_id)
                ids.append(doc_id)
        return ids

    def _matches(
        self,
        parsed: ParsedQuery,
        filters: Filters,
        allowed: filtering.Allowed,
        mode: str,
        order: list[int],
        legs: tuple[_Leg, _Leg],
        excluded: set[int],
        settings: SearchSettings,
        collapse: bool,
    ) -> _Matches:
        """Every article that matches, counted once per query: all that contain the words (not just the
        candidates a page needed), plus those found by meaning alone at the floor or above."""
        lexical, semantic = legs
        query = self._word_query(parsed, filters) if mode != "semantic" else None
        if query is None:
            total = 0
        elif lexical.matching is not None and parsed.negated is None:  # the leg's query: the same matches
            total = lexical.matching
        else:
            total = self.lexical.count(query)
        floor = settings.match_floor
        by_meaning = [d for d, (_, score) in semantic.best.items() if score >= floor and d not in excluded]
        if query is not None and total > MATCH_IDS_CAP:  # too many to list: count them, and the meaning-only ones
            shown = set(lexical.best) | set(by_meaning)
            ids = tuple(d for d in order if d in shown)
            return _Matches(total + self._meaning_only(query, by_meaning), lambda: ids, total, capped=True)

        @cache
        def words() -> list[int]:  # the word matches, best first, that the filter allows
            self.store.require_open("listing the matches (matched_ids)")
            found = self.lexical.doc_ids(query, total) if query is not None and total else []
            return found if allowed.originals is None else [d for d in found if d in allowed.originals]

        @cache
        def listing() -> tuple[int, ...]:
            known = set(words()) | set(by_meaning)
            ids = [d for d in order if d in known] + sorted(known.difference(order))
            if collapse:
                ids, _ = near_dupes.one_per_group(self.store, ids)
            return tuple(ids)

        if query is not None and filtering.exact_in_words(filters):  # the count needs no listing
            count = self._count(query, total, by_meaning, collapse)
            if count is not None:
                return _Matches(count, listing, total)
        return _Matches(len(listing()), listing, len(words()))

    def _count(self, query: tantivy.Query, total: int, by_meaning: list[int], collapse: bool) -> int | None:
        """How many articles match a query that `total` articles' words match: those, the ones found by meaning
        alone, less the near copies among them (None: too many articles share a group to look them up). The
        articles found by meaning and those that share a group are looked up in one search (a search costs about
        as much for 60 ids as for the whole index)."""
        shared = self.store.shared_groups() if collapse else {}
        if len(shared) > SHARED_COUNT_MAX:
            return None
        asked = list(dict.fromkeys([*by_meaning, *shared]))
        inside = self.lexical.among(query, asked) if asked else set()
        count = total + sum(1 for d in by_meaning if d not in inside)
        members = (inside & shared.keys()) | (shared.keys() & set(by_meaning))
        return count - len(members) + len({shared[d] for d in members})

    def _meaning_only(self, query: tantivy.Query, by_meaning: list[int]) -> int:
        """How many of the articles found by meaning do not contain the words."""
        inside = self.lexical.among(query, by_meaning) if by_meaning else set()
        return sum(1 for d in by_meaning if d not in inside)

    def _word_query(self, parsed: ParsedQuery, filters: Filters) -> tantivy.Query | None:
        """The query's words with the filters inside and the negated words left out (None: no words)."""
        if parsed.lexical is None:
            return None
        clauses = [(tantivy.Occur.Must, parsed.lexical)]
        allowed = self.allowed.resolve(self.store, filters)
        clauses += [(tantivy.Occur.Must, c) for c in filtering.tantivy_filter(self.lexical.schema, filters, allowed)]
        if parsed.negated is not None:
            clauses.append((tantivy.Occur.MustNot, parsed.negated))
        return tantivy.Query.boolean_query(clauses)

    def _lexical(self, parsed: ParsedQuery, filters: Filters, allowed: filtering.Allowed, want: int) -> _Leg:
        leg = _Leg()
        if parsed.lexical is None:
            return leg
        clauses = filtering.tantivy_filter(self.lexical.schema, filters, allowed)
        query = parsed.lexical
        if clauses:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, parsed.lexical)] + [(tantivy.Occur.Must, c) for c in clauses]
            )
        hits, leg.matching = self.lexical.search_counted(query, want)
        for hit in hits:
            if allowed.originals is None or hit.doc_id in allowed.originals:
                leg.add(hit.doc_id, hit.chunk_id, hit.score)
        return leg

    def _passage_leg(self, parsed: ParsedQuery, doc_ids: list[int]) -> _Leg:
        """The chunks of these articles that match the query's words, best first."""
        leg = _Leg()
        if parsed.passage is None or not doc_ids:
            return leg
        within = tantivy.Query.term_set_query(self.lexical.chunk_schema, "doc_id", doc_ids)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, parsed.passage), (tantivy.Occur.Must, within)])
        for hit in self.lexical.search_chunks(query, PASSAGE_CANDIDATES * len(doc_ids)):
            leg.add(hit.doc_id, hit.chunk_id, hit.score)
        return leg

    def _semantic(self, parsed: ParsedQuery, allowed: filtering.Allowed, want: int) -> _Leg:
        leg = _Leg()
        vectors = self.vectors()
        if vectors is None or self.embed_query is None or not parsed.semantic_text or not vectors.size:
            return leg
        hits = vectors.search(self.embed_query(parsed.semantic_text), want, allowed.chunks)
        docs = self.store.doc_of([h.chunk_id for h in hits])
        for hit in hits:
            if hit.chunk_id in docs:
                leg.add(docs[hit.chunk_id], hit.chunk_id, hit.score)
        return leg

    def _fuse(
        self, lexical: _Leg, semantic: _Leg, parsed: ParsedQuery, s: SearchSettings
    ) -> tuple[list[int], dict[int, float]]:
        if s.fusion == "weighted":
            lexical_scores = {d: v[1] for d, v in lexical.best.items()}
            fused = weighted(lexical_scores, {d: v[1] for d, v in semantic.best.items()}, s.lexical_share)
        else:
            fused = rrf({"lexical": lexical.order, "semantic": semantic.order}, s.rrf_k)
        order = ranked(fused)
        if parsed.exact and lexical.order:  # a quoted phrase: articles that contain it come first
            order = [d for d in order if d in lexical.best] + [d for d in order if d not in lexical.best]
        return order, fused

    def _result(
        self,
        original: int,
        score: float,
        lexical: _Leg,
        semantic: _Leg,
        passages: _Leg,
        parsed: ParsedQuery,
        filters: Filters,
        near: list[int],
    ) -> SearchResult:
        group = self.store.matching_documents(filters, original) or [original]
        shown = self.store.get(group[0])
        copies = [(i, o) for i, o in self.store.with_copies([original, *near]) if i != shown.id]
        start, end = _passage_span(self.store, original, passages, semantic)
        lex, sem = lexical.best.get(original), semantic.best.get(original)
        return SearchResult(
            id=shown.id,
            external_id=shown.external_id,
            title=shown.title,
            outlet=shown.outlet,
            date=shown.date,
            url=shown.url,
            path=shown.path,
            score=round(score, 6),
            lexical_rank=lexical.ranks.get(original),
            semantic_rank=semantic.ranks.get(original),
            lexical_score=None if lex is None else round(lex[1], 4),
            semantic_score=None if sem is None else round(sem[1], 4),
            passage=Passage(start, end, shown.text[start:end]),
            highlights=tuple(lexical_spans(shown.text, parsed.stems)),
            also_in=tuple(sorted({o for _, o in copies if o and o != shown.outlet})),
            duplicates=tuple(i for i, _ in copies),
            text=shown.text,
        )


def _near_copies(store: Store, doc: int, group: int, allowed: filtering.Allowed) -> list[int]:
    """The other articles of a near-duplicate group that the filter allows."""
    return [m for m in store.members(group) if m != doc and (allowed.originals is None or m in allowed.originals)]


def _passage_span(store: Store, doc_id: int, passages: _Leg, semantic: _Leg) -> tuple[int, int]:
    """The article's chunk ranked best by words and by meaning together (else its first chunk)."""
    candidates = {v[0] for v in (passages.best.get(doc_id), semantic.best.get(doc_id)) if v is not None}

    def value(chunk_id: int) -> float:
        return sum(
            1.0 / (DEFAULT_RRF_K + leg.chunk_rank[chunk_id])
            for leg in (passages, semantic)
            if chunk_id in leg.chunk_rank
        )

    return store.chunk_span(max(sorted(candidates), key=value) if candidates else None, doc_id)
