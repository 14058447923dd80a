"""The archive the app reads, opened once per process (`st.cache_resource`), and a lock around it.

The reader is shared by every browser session; one lock keeps its SQLite connection and indexes to
one caller at a time. An ingest opens its own writer with the reader's model (no second load).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from archive.home import HOME_ENV, MODEL_ENV
from archive.models import Stats
from index import Archive

Opener = Callable[..., Archive]


@dataclass
class Shared:
    archive: Archive
    opener: Opener
    lock: threading.RLock = field(default_factory=threading.RLock)
    _stats: tuple[tuple[int, int], Stats, list[str]] | None = None

    def overview(self) -> tuple[Stats, list[str]]:
        """The archive's stats and outlets, counted again only after the store has changed."""
        with self.lock:
            version = self.archive.version()
            if self._stats is None or self._stats[0] != version:
                self._stats = (version, self.archive.stats(), self.archive.outlets())
            return self._stats[1], self._stats[2]

    def writer(self) -> Archive:
        """A second Archive on the same home for ingesting, sharing the reader's loaded model."""
        with self.lock:
            embedder = self.archive.embedder
        return self.opener(embedder=embedder)


def default_opener() -> Opener:
    home = os.environ.get(HOME_ENV) or None
    model = os.environ.get(MODEL_ENV) or None

    def open_archive(**kwargs: Any) -> Archive:
        if model and "embedder" not in kwargs:
            kwargs["model"] = model
        return Archive.open(home, **kwargs)

    return open_archive


@st.cache_resource(show_spinner="Opening the archive…")
def shared(key: str, _opener: Opener) -> Shared:
    """One reader per archive home (`key`) and process; the model is loaded and warmed in the background, once,
    so the first page is drawn at once (a first search waits for the model under its spinner)."""
    archive = _opener()
    archive.warm(background=True)
    return Shared(archive, _opener)
