"""One protocol for every index derived from the store (lexical, vectors, near-duplicates, ...).

Each records how far into the store it reaches, so it can say how far it lags, catch up (after an
ingest, or when the archive is opened, which heals a crash between two commits) and be rebuilt from
the store alone. `Archive` holds them in one list (`Archive.indexes`) and treats them alike: adding an
index is one module implementing this, plus one line there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from archive.store import Store

Progress = Callable[[int, int], None]


class DerivedIndex(Protocol):
    name: str

    def lag(self, store: Store) -> int:
        """How many changes of the store the index has not applied yet."""
        ...

    def catch_up(self, store: Store, progress: Progress | None = None, wait: bool = True) -> int:
        """Apply the store's changes; `wait` False is a reader's catch-up, which leaves the files to a writer."""
        ...

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        """Build the index again from the store alone."""
        ...

    def reload(self) -> None:
        """Pick up what a writer in another process has saved."""
        ...


@dataclass(frozen=True)
class IndexLag:
    """One derived index in `archive stats` / health: its name and how far it is behind the store."""

    name: str
    lag: int


class ArticleByArticle(ABC):
    """A derived index that does articles in id order and keeps its work in the store (near-duplicates, dates).

    `resume`: each catch-up starts past the articles the one before did (the second process of an ingest,
    index/alongside.py, whose many catch-ups would otherwise each walk the whole archive; what it passes over,
    such as an original that lost its copy, the ingest's own catch-up does). `most`: articles a catch-up does
    at most (so that the second process turns to the next index, or stops, soon)."""

    def __init__(self, resume: bool = False, most: int | None = None) -> None:
        self.resume, self.most = resume, most
        self.after = 0

    def catch_up(self, store: Store, progress: Progress | None = None, wait: bool = True) -> int:
        """Do what lags; a reader (`wait` False) leaves that to the writer."""
        if not wait:
            return 0
        done, last = self._sync(store, progress, self.after, self.most)
        if self.resume:
            self.after = last
        return done

    @abstractmethod
    def _sync(self, store: Store, progress: Progress | None, after: int, most: int | None) -> tuple[int, int]:
        """Do the lagging articles with an id over `after` (at most `most`): how many, and the last id done."""
