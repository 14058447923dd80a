"""One protocol for every index derived from the store (lexical, vectors, near-duplicates, ...).

Each records how far into the store it reaches, so it can say how far it lags, catch up (after an
ingest, or when the archive is opened, which heals a crash between two commits) and be rebuilt from
the store alone. `Archive` holds them in one list (`Archive.indexes`) and treats them alike: adding an
index is one module implementing this, plus one line there.
"""

from __future__ import annotations

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
