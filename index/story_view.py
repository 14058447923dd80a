"""Stories as the reader meets them (assigned by index/stories.py): the list, filtered and sorted, and one story
laid out by outlet and time: its first report, its copies, which outlets covered it and which did not, and what
set each outlet's coverage apart.

What sets an outlet apart is a plain contrast inside the story: the words of its articles (title and text,
lowercased, English stop words left out) ranked by the smoothed log ratio of their share among its words to their
share among the other outlets' words in the story; a word must occur at least twice in that outlet's articles.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from archive.errors import InvalidInputError, NotFoundError
from archive.store import Store

SORTS = ("size", "outlets", "date", "relevance")
EVENT_DAYS = (7, 3)  # a story's event date is a day named from a week before its first report to 3 days after
TERMS_PER_OUTLET = 5
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class StoryArticle:
    id: int
    outlet: str | None
    date: str | None
    title: str | None
    copy_of: int | None  # the article this one copies (an exact or near-duplicate), else None


@dataclass(frozen=True)
class StorySummary:
    id: int
    label: str
    first: str | None
    last: str | None
    size: int  # articles, copies included
    outlets: tuple[str, ...]
    articles: tuple[StoryArticle, ...]


@dataclass(frozen=True)
class OutletCoverage:
    outlet: str
    articles: int
    first: str | None
    last: str | None
    terms: tuple[str, ...]  # what sets its coverage apart (see the module's note)


@dataclass(frozen=True)
class Story:
    summary: StorySummary
    first_report: int  # the earliest article (ties: the lowest id)
    copies: tuple[tuple[int, tuple[int, ...]], ...]  # (original, its copies) for each copied article
    coverage: tuple[OutletCoverage, ...]  # the outlets that covered it, first to report first
    silent: tuple[tuple[str, int], ...]  # outlets with articles in the story's days that did not cover it
    by_content: bool  # some articles are undated: they were placed by content alone
    event_date: str | None = None  # the day its articles' texts name most near its start (EVENT_DAYS)


@dataclass(frozen=True)
class StoryList:
    stories: tuple[StorySummary, ...]
    total: int  # stories that pass the filters, before the limit
    unplaced: int = 0  # embedded articles not in a story yet (left to `archive embed`)


def list_stories(
    store: Store,
    date_from: str | None = None,
    date_to: str | None = None,
    outlets: Sequence[str] = (),
    min_outlets: int = 1,
    within: dict[int, int] | None = None,
    sort: str = "size",
    limit: int = 20,
    rows: Sequence[tuple[int, int, int, str | None, str | None]] | None = None,
) -> StoryList:
    """Stories overlapping [date_from, date_to] (an undated story only when no dates are given), with an article
    from one of `outlets`, covered by at least `min_outlets` outlets, among `within` (the stories holding a match,
    each with its best match's rank: the order of sort "relevance"). `rows`: `store.story_rows()`, if at hand."""
    if sort not in SORTS or (sort == "relevance" and within is None):
        raise InvalidInputError(
            f"unknown sort {sort!r}; choose one of: {', '.join(SORTS[:3])} (or relevance, with a query)"
        )
    rows = store.story_rows() if rows is None else rows
    with_outlet = store.stories_with_outlets(list(outlets)) if outlets else None
    kept = []
    for story, size, outlet_count, first, last in rows:
        if within is not None and story not in within:
            continue
        if with_outlet is not None and story not in with_outlet:
            continue
        if outlet_count < min_outlets:
            continue
        if (date_from or date_to) and (first is None or (date_from and (last or "") < date_from)):
            continue
        if date_to and first is not None and first > date_to:
            continue
        kept.append((story, size, outlet_count, first, last))
    keys = {
        "size": lambda r: (-r[1], -r[2], r[0]),
        "outlets": lambda r: (-r[2], -r[1], r[0]),
        "date": lambda r: (r[3] is None, _neg(r[3]), r[0]),
        "relevance": lambda r: ((within or {}).get(r[0], 0), r[0]),
    }
    kept.sort(key=keys[sort])
    shown = kept[:limit]
    articles = _articles(store, [r[0] for r in shown])
    labels = store.story_labels([r[0] for r in shown])
    out = [_summary(r, articles.get(r[0], []), labels.get(r[0])) for r in shown]
    return StoryList(tuple(out), len(kept))


def _neg(day: str | None) -> tuple[int, ...]:
    """Newest first: the day's digits negated."""
    return tuple(-int(p) for p in (day or "0000-00-00").split("-"))


def _articles(store: Store, stories: Sequence[int]) -> dict[int, list[StoryArticle]]:
    """Each story's articles, oldest first; a near-duplicate names the earliest article of its group as copied."""
    rows = store.story_articles(stories)
    groups = store.groups_of([r[1] for r in rows if r[5] is None])
    first_of: dict[tuple[int, int], int] = {}
    for story, doc, *_rest, copy_of in rows:
        if copy_of is None:
            first_of.setdefault((story, groups.get(doc, doc)), doc)
    out: dict[int, list[StoryArticle]] = {}
    for story, doc, outlet, date, title, copy_of in rows:
        if copy_of is None:
            first = first_of[(story, groups.get(doc, doc))]
            copy_of = first if first != doc else None
        out.setdefault(story, []).append(StoryArticle(doc, outlet, date, title, copy_of))
    return out


def summaries(store: Store, stories: Sequence[int]) -> dict[int, StorySummary]:
    """These stories' summaries."""
    articles = _articles(store, stories)
    labels = store.story_labels(stories)
    return {r[0]: _summary(r, articles.get(r[0], []), labels.get(r[0])) for r in store.story_rows(stories)}


def _summary(
    row: tuple[int, int, int, str | None, str | None],
    articles: list[StoryArticle],
    label: tuple[int, str | None] | None,
) -> StorySummary:
    story, size, _count, first, last = row
    title = label[1] if label else None
    if not title:
        title = next((a.title for a in articles if a.title), None)
    outlets = tuple(sorted({a.outlet for a in articles if a.outlet}))
    return StorySummary(story, title or "(untitled)", first, last, size, outlets, tuple(articles))


def show_story(store: Store, story: int) -> Story:
    rows = store.story_rows(story_ids=[story])
    if not rows:
        raise NotFoundError(f"no story {story}; list them with: archive stories")
    articles = _articles(store, [story]).get(story, [])
    summary = _summary(rows[0], articles, store.story_labels([story]).get(story))
    copies: dict[int, list[int]] = {}
    for a in articles:
        if a.copy_of is not None:
            copies.setdefault(a.copy_of, []).append(a.id)
    silent: tuple[tuple[str, int], ...] = ()
    if summary.first and summary.last:
        covered = {o.casefold() for o in summary.outlets}
        silent = tuple(
            (o, n) for o, n in store.active_outlets(summary.first, summary.last) if o.casefold() not in covered
        )
    return Story(
        summary=summary,
        first_report=articles[0].id if articles else 0,
        copies=tuple((k, tuple(v)) for k, v in copies.items()),
        coverage=_coverage(store, articles),
        silent=silent,
        by_content=any(a.date is None for a in articles),
        event_date=event_date(store, articles, summary.first),
    )


def event_date(store: Store, articles: Sequence[StoryArticle], first: str | None) -> str | None:
    """The full day named by the most of the story's articles near its start (ties: the earliest); None when no
    article names one there."""
    if first is None:
        return None
    start = dt.date.fromisoformat(first)
    low, high = (
        (start - dt.timedelta(days=EVENT_DAYS[0])).isoformat(),
        (start + dt.timedelta(days=EVENT_DAYS[1])).isoformat(),
    )
    found = store.mentions_in([a.id for a in articles], low, high)
    votes = Counter(
        day
        for mentions in found.values()
        for day in {m.day_from for m in mentions if m.granularity == "day" and m.day_from and low <= m.day_from <= high}
    )
    if not votes:
        return None
    return str(min(votes, key=lambda d: (-votes[d], d)))


def _coverage(store: Store, articles: list[StoryArticle]) -> tuple[OutletCoverage, ...]:
    by_outlet: dict[str, list[StoryArticle]] = {}
    for a in articles:
        by_outlet.setdefault(a.outlet or "unknown outlet", []).append(a)
    texts = store.texts([a.id for a in articles])
    words = {o: Counter(w for a in items for w in _words(texts.get(a.id, ""))) for o, items in by_outlet.items()}
    total = sum(words.values(), Counter())
    out = []
    for outlet, items in by_outlet.items():
        dates = [a.date for a in items if a.date]
        terms = _contrast(words[outlet], total - words[outlet]) if len(by_outlet) > 1 else ()
        out.append(OutletCoverage(outlet, len(items), min(dates, default=None), max(dates, default=None), terms))
    return tuple(sorted(out, key=lambda c: (c.first is None, c.first or "", c.outlet)))


def _words(text: str) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # a plain frozenset; only a story needs it

    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in ENGLISH_STOP_WORDS]


def _contrast(own: Counter[str], rest: Counter[str]) -> tuple[str, ...]:
    vocabulary = len(own.keys() | rest.keys()) or 1
    own_total, rest_total = sum(own.values()), sum(rest.values())

    def score(word: str) -> float:
        mine = (own[word] + 1) / (own_total + vocabulary)
        theirs = (rest[word] + 1) / (rest_total + vocabulary)
        return math.log(mine / theirs)

    ranked = sorted((w for w, n in own.items() if n >= 2), key=lambda w: (-score(w), w))
    return tuple(w for w in ranked if score(w) > 0)[:TERMS_PER_OUTLET]
