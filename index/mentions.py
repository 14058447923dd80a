"""Dates mentioned in the articles' texts as a derived index (index/derived.py): each article's text is scanned
by index/timex.py against its publication date, and the mentions are kept in the store (archive/store/mentions.py).

A new version of the rules (`timex.VERSION`) makes every article lag, so a catch-up scans them all again.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from archive.models import StoredMention
from archive.store import Store
from index import timex
from index.derived import Progress

BATCH = 500
ALONGSIDE_AFTER = 2_000  # articles an ingest stores before a second process scans beside it


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


class DateMentions:
    """The dates each article mentions; nothing is held outside the store."""

    name = "date-mentions"

    def lag(self, store: Store) -> int:
        """Articles not yet scanned by this version of the rules."""
        return store.unscanned_count(timex.VERSION)

    def catch_up(self, store: Store, progress: Progress | None = None, wait: bool = True) -> int:
        """Scan what is unscanned; a reader (`wait` False) leaves that to the writer."""
        return sync(store, progress) if wait else 0

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        with store.transaction():
            store.clear_mentions()
        return sync(store, progress)

    def reload(self) -> None:
        """Nothing held outside the store."""


def sync(store: Store, progress: Progress | None = None, stop: Any = None) -> int:
    """Scan every article this version has not scanned (resumable; one transaction a batch; `stop`, an event,
    ends it after the batch in hand)."""
    total, done, last = store.unscanned_count(timex.VERSION), 0, 0
    while stop is None or not stop.is_set():
        rows = store.unscanned(timex.VERSION, last, BATCH)
        if not rows:
            return done
        found = [(doc_id, scan(text, day), (day, digest)) for doc_id, text, day, digest in rows]  # outside the lock
        with store.transaction():
            for doc_id, mentions, scanned in found:  # one changed meanwhile is left for the next catch-up
                guess = infer(mentions) if scanned[0] is None else None
                store.save_mentions(doc_id, timex.VERSION, mentions, scanned, guess)
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(done, total)
    return done


class Alongside:
    """Scans date mentions in a second process while a long ingest runs, so the ingest's one busy core is not
    also the scanner's: started once the ingest has stored `after` articles, stopped (and waited for) by
    `stop()`; what it has not reached, the ingest's own catch-up scans. Nothing is lost if it dies: its work
    is one transaction a batch, and whatever it has not saved is still unscanned.

    A plain `python -c` child told to stop by the end of its stdin, which also ends when the ingest dies
    however it dies; multiprocessing's spawn would run the parent's `__main__` again in the child."""

    def __init__(self, home: Path, after: int | None = None) -> None:
        self.home, self.after = home, ALONGSIDE_AFTER if after is None else after
        self._process: subprocess.Popen[bytes] | None = None

    def seen(self, documents: int) -> None:
        """The ingest has stored this many articles so far."""
        if self._process is None and documents >= self.after:
            path = os.pathsep.join([p for p in sys.path if p] + [os.environ.get("PYTHONPATH", "")])
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from index.mentions import scan_until_told; scan_until_told()", str(self.home)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path},
            )

    def stop(self) -> None:
        if self._process is None:
            return
        process, self._process = self._process, None
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def scan_until_told() -> None:
    """The second process (`Alongside`): scan what is unscanned in the archive named by argv[1] until stdin ends."""
    stop = threading.Event()

    def watch() -> None:
        sys.stdin.buffer.read()
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        with Store(Path(sys.argv[1])) as store:
            while not stop.is_set():
                if not sync(store, stop=stop):
                    stop.wait(0.2)
    except Exception:  # noqa: BLE001 - best effort: the ingest's own catch-up scans whatever is left
        return
