"""Dates mentioned in the articles' texts (derived by index/mentions.py): which articles were scanned by which
version of the rules, and each mention's span, TimeML value and the days it covers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from archive.models import StoredMention
from archive.store.sql import batches, marks


class MentionTables:
    db: sqlite3.Connection

    def unscanned_count(self, version: int, after: int = 0) -> int:
        """Articles not scanned for date mentions by this version of the rules (with an id over `after`)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM documents d LEFT JOIN mention_scans s ON s.doc_id = d.id"
            " WHERE (s.doc_id IS NULL OR s.version != ?) AND d.id > ?",
            (version, after),
        ).fetchone()
        return int(row[0])

    def unscanned(self, version: int, after: int, limit: int) -> list[tuple[int, str, str | None, str]]:
        """(id, text, publication date, content hash) of articles not scanned by this version, by id, after `after`."""
        rows = self.db.execute(
            "SELECT d.id, d.text, d.published, d.content_hash FROM documents d"
            " LEFT JOIN mention_scans s ON s.doc_id = d.id"
            " WHERE (s.doc_id IS NULL OR s.version != ?) AND d.id > ? ORDER BY d.id LIMIT ?",
            (version, after, limit),
        )
        return [(int(i), str(t), p, str(h)) for i, t, p, h in rows]

    def save_mentions(
        self,
        doc_id: int,
        version: int,
        mentions: Iterable[StoredMention],
        scanned: tuple[str | None, str],
        inferred: tuple[str, str] | None = None,
    ) -> bool:
        """Replace an article's mentions (inside a transaction); it counts as scanned by `version`. Nothing is
        saved (False) when its (publication date, content hash) is no longer `scanned`: it changed meanwhile.
        `inferred`: for an undated article, a proposed (day, evidence)."""
        row = self.db.execute("SELECT published, content_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None or (row[0], str(row[1])) != scanned:
            return False
        self.db.execute("DELETE FROM date_mentions WHERE doc_id = ?", (doc_id,))
        self.db.executemany(
            "INSERT INTO date_mentions (doc_id, start, end, text, value, granularity, day_from, day_to)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, m.start, m.end, m.text, m.value, m.granularity, m.day_from, m.day_to) for m in mentions],
        )
        self.db.execute("INSERT OR REPLACE INTO mention_scans (doc_id, version) VALUES (?, ?)", (doc_id, version))
        self.db.execute("DELETE FROM inferred_dates WHERE doc_id = ?", (doc_id,))
        if inferred is not None and row[0] is None:
            self.db.execute("INSERT INTO inferred_dates (doc_id, day, evidence) VALUES (?, ?, ?)", (doc_id, *inferred))
        return True

    def inferred_date(self, doc_id: int) -> tuple[str, str] | None:
        """The (day, evidence) proposed for an undated article, if any."""
        row = self.db.execute("SELECT day, evidence FROM inferred_dates WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def clear_mentions(self) -> None:
        """Forget every mention and scan (inside a transaction)."""
        self.db.execute("DELETE FROM date_mentions")
        self.db.execute("DELETE FROM mention_scans")
        self.db.execute("DELETE FROM inferred_dates")

    def mentions_of(self, doc_id: int, version: int) -> list[StoredMention] | None:
        """An article's mentions in text order, or None when this version has not scanned it."""
        scanned = self.db.execute(
            "SELECT 1 FROM mention_scans WHERE doc_id = ? AND version = ?", (doc_id, version)
        ).fetchone()
        if scanned is None:
            return None
        rows = self.db.execute(
            "SELECT start, end, text, value, granularity, day_from, day_to FROM date_mentions"
            " WHERE doc_id = ? ORDER BY start",
            (doc_id,),
        )
        return [StoredMention(int(a), int(b), str(t), str(v), str(g), f, u) for a, b, t, v, g, f, u in rows]

    def mentions_in(
        self, doc_ids: Sequence[int], day_from: str | None, day_to: str | None
    ) -> dict[int, list[StoredMention]]:
        """Of these articles, the mentions that cover a day in [day_from, day_to] (either end open)."""
        out: dict[int, list[StoredMention]] = {}
        for part in batches(doc_ids):
            rows = self.db.execute(
                "SELECT doc_id, start, end, text, value, granularity, day_from, day_to FROM date_mentions"
                f" WHERE doc_id IN ({marks(len(part))}) AND day_from IS NOT NULL"
                " AND day_to >= ? AND day_from <= ? ORDER BY doc_id, start",
                [*part, day_from or "0000-01-01", day_to or "9999-12-31"],
            )
            for d, a, b, t, v, g, f, u in rows:
                out.setdefault(int(d), []).append(StoredMention(int(a), int(b), str(t), str(v), str(g), f, u))
        return out
