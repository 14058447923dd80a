"""Small helpers for the store's SQL: batches of ids for `IN (...)` and their placeholders."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
SQL_BATCH = 900  # ids per `IN (...)`: under SQLite's default limit of 999 bound variables


def batches(items: Sequence[T], size: int = SQL_BATCH) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, for queries with `IN ({marks(len(batch))})`."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def marks(count: int) -> str:
    """`?, ?, ...` placeholders for `count` bound values."""
    return ",".join("?" * count)


def version(db: sqlite3.Connection) -> tuple[int, int]:
    """Changes when any connection commits (data_version) or this one writes (total_changes)."""
    return int(db.execute("PRAGMA data_version").fetchone()[0]), db.total_changes
