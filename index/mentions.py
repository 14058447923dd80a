"""Dates mentioned in the articles' texts as a derived index (index/derived.py): each article's text is scanned
by index/timex.py against its publication date, and the mentions are kept in the store (archive/store/mentions.py).

A new version of the rules (`timex.VERSION`) makes every article lag, so a catch-up scans them all again.
"""

from __future__ import annotations

import datetime as dt

from archive.models import StoredMention
from archive.store import Store
from index import timex
from index.derived import ArticleByArticle, Progress

BATCH = 500


def stored(mentions: list[timex.DateMention]) -> list[StoredMention]:
    out = []
    for m in mentions:
        days = m.days
        out.append(StoredMention(m.start, m.end, m.text, m.value, m.granularity, *(days or (None, None))))
    return out


def scan(text: str, published: str | None) -> list[StoredMention]:
    """One text's date mentions as the store keeps them."""
    return stored(timex.find(text, published))


def infer(mentions: list[StoredMention], today: dt.date | None = None) -> tuple[str, str] | None:
    """A publication day for an undated article: the latest full day its text names (news reports what has
    happened: it is written on or after the days it names), never after today; with the mention as evidence."""
    latest = (today or dt.date.today()).isoformat()
    days = [m for m in mentions if m.granularity == "day" and m.day_from and m.day_from <= latest]
    if not days:
        return None
    best = max(days, key=lambda m: (m.day_from or "", -m.start))
    return str(best.day_from), f"the latest day its text names: ‘{best.text}’"


class DateMentions(ArticleByArticle):
    """The dates each article mentions; nothing is held outside the store."""

    name = "date-mentions"

    def lag(self, store: Store) -> int:
        """Articles not yet scanned by this version of the rules."""
        return store.unscanned_count(timex.VERSION, self.after)

    def _sync(self, store: Store, progress: Progress | None, after: int, most: int | None) -> tuple[int, int]:
        return _sync(store, progress, after, most)

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        with store.transaction():
            store.clear_mentions()
        return sync(store, progress)

    def reload(self) -> None:
        """Nothing held outside the store."""


def sync(store: Store, progress: Progress | None = None, after: int = 0, most: int | None = None) -> int:
    """Scan the articles (with an id over `after`) this version had not scanned when it began (resumable; one
    transaction a batch; those stored meanwhile are the next catch-up's, so that one beside an ingest ends)."""
    return _sync(store, progress, after, most)[0]


def _sync(store: Store, progress: Progress | None, after: int, most: int | None) -> tuple[int, int]:
    """`sync`, and the id of the last article it did."""
    total, done, last = store.unscanned_count(timex.VERSION, after), 0, after
    total = total if most is None else min(total, most)
    while done < total:
        rows = store.unscanned(timex.VERSION, last, min(BATCH, total - done))
        if not rows:
            break
        found = [(doc_id, scan(text, day), (day, digest)) for doc_id, text, day, digest in rows]  # outside the lock
        with store.transaction():
            for doc_id, mentions, scanned in found:  # one changed meanwhile is left for the next catch-up
                guess = infer(mentions) if scanned[0] is None else None
                store.save_mentions(doc_id, timex.VERSION, mentions, scanned, guess)
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(done, total)
    return done, last
