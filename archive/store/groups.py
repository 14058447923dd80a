"""Near-duplicate groups (derived by index/near_dupes.py): signatures, LSH keys and group ids per original."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from archive.store.sql import batches, marks, version

# `near_dupes` rows are wide (a signature and an opening's, about 1 KB): whether an article is signed, and its group,
# are read from the narrow index of schema 13, named in each query since SQLite's planner would look each id up in
# the table itself.
SIGNED = "near_dupes n INDEXED BY near_dupes_ids"
UNSIGNED_JOIN = f"LEFT JOIN {SIGNED} ON n.doc_id = d.id"  # with `n.doc_id IS NULL`: articles without a signature
# From this many ids, groups are read from a map of the articles that share a group, kept while the store is
# unchanged: looking each id up costs about 2 us (12 ms for the 5,180 word matches of a median SciFact query),
# the map is read in 5 ms over 37,547 signed articles (62 in shared groups) and then costs nothing.
SHARED_MAP_FROM = 1_000


class GroupTables:
    db: sqlite3.Connection
    _shared: tuple[tuple[int, int], dict[int, int]] | None = None  # (the store's version, the map) when read

    def unsigned_count(self, after: int = 0) -> int:
        """Original articles not yet in a near-duplicate group (with an id over `after`)."""
        return int(
            self.db.execute(
                f"SELECT COUNT(*) FROM documents d {UNSIGNED_JOIN}"
                " WHERE d.duplicate_of IS NULL AND n.doc_id IS NULL AND d.id > ?",
                (after,),
            ).fetchone()[0]
        )

    def unsigned(self, after: int, limit: int) -> list[tuple[int, str]]:
        """(id, text) of original articles without a signature, by id, after `after`."""
        return self.db.execute(
            f"SELECT d.id, d.text FROM documents d {UNSIGNED_JOIN}"
            " WHERE d.duplicate_of IS NULL AND n.doc_id IS NULL AND d.id > ? ORDER BY d.id LIMIT ?",
            (after, limit),
        ).fetchall()

    def still_unsigned(self, doc_ids: Sequence[int]) -> set[int]:
        """Those of `doc_ids` still original and unsigned (read under the write lock: another writer may sign)."""
        out: set[int] = set()
        for ids in batches(doc_ids):
            rows = self.db.execute(
                f"SELECT d.id FROM documents d {UNSIGNED_JOIN}"
                f" WHERE d.id IN ({marks(len(ids))}) AND d.duplicate_of IS NULL AND n.doc_id IS NULL",
                ids,
            )
            out.update(int(r[0]) for r in rows)
        return out

    def sharing_keys(self, keys: Sequence[int], doc_id: int, limit: int) -> list[int]:
        """Articles sharing an LSH key with these, read from at most `limit` rows."""
        rows = self.db.execute(
            f"SELECT doc_id FROM lsh WHERE key IN ({marks(len(keys))}) AND doc_id != ? LIMIT ?",
            [*keys, doc_id, limit],
        )
        return sorted({int(r[0]) for r in rows})

    def signed(self, doc_ids: Sequence[int]) -> list[tuple[int, int, bytes, bytes, float | None]]:
        """(doc id, group, signature, lede signature, julian day published) of these signed articles."""
        out: list[tuple[int, int, bytes, bytes, float | None]] = []
        for ids in batches(doc_ids):
            out.extend(
                self.db.execute(
                    "SELECT n.doc_id, n.grp, n.signature, n.lede, julianday(d.published) FROM near_dupes n"
                    f" JOIN documents d ON d.id = n.doc_id WHERE n.doc_id IN ({marks(len(ids))})",
                    ids,
                ).fetchall()
            )
        return out

    def signed_with_keys(self, keys: Sequence[int]) -> list[tuple[int, bytes, bytes]]:
        """(doc id, signature, lede signature) of every signed article holding one of these LSH keys."""
        return self.db.execute(
            "SELECT DISTINCT n.doc_id, n.signature, n.lede FROM lsh l JOIN near_dupes n ON n.doc_id = l.doc_id"
            f" WHERE l.key IN ({marks(len(keys))})",
            list(keys),
        ).fetchall()

    def julian_day(self, doc_id: int) -> float | None:
        row = self.db.execute("SELECT julianday(published) FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def add_to_group(
        self, doc_id: int, group: int, merged: Sequence[int], signature: bytes, lede: bytes, keys: Sequence[int]
    ) -> None:
        """Sign an article into `group`, folding the `merged` groups into it (inside a transaction)."""
        if merged:
            self.db.execute(f"UPDATE near_dupes SET grp = ? WHERE grp IN ({marks(len(merged))})", [group, *merged])
        self.db.execute(
            "INSERT INTO near_dupes (doc_id, grp, signature, lede) VALUES (?, ?, ?, ?)",
            (doc_id, group, signature, lede),
        )
        self.db.executemany("INSERT INTO lsh (key, doc_id) VALUES (?, ?)", [(k, doc_id) for k in keys])

    def clear_groups(self) -> None:
        """Forget every signature and group (inside a transaction)."""
        self.db.execute("DELETE FROM lsh")
        self.db.execute("DELETE FROM near_dupes")

    def groups_of(self, doc_ids: Sequence[int]) -> dict[int, int]:
        """A key for the near-duplicate group of each of these original articles, the same for every member of a
        group (an article not yet signed is its own; read from many ids, so is one alone in its group)."""
        if len(doc_ids) >= SHARED_MAP_FROM:
            shared = self.shared_groups()
            return {d: shared.get(d, d) for d in doc_ids}
        out = {d: d for d in doc_ids}
        for ids in batches(doc_ids):
            out.update(
                self.db.execute(
                    f"SELECT doc_id, grp FROM {SIGNED} WHERE doc_id IN ({marks(len(ids))})",
                    ids,
                ).fetchall()
            )
        return out

    def shared_groups(self) -> dict[int, int]:
        """The group of every original article that shares its group with another (kept while the store is
        unchanged)."""
        now = version(self.db)
        if self._shared is None or self._shared[0] != now:
            rows = self.db.execute(
                "SELECT doc_id, grp FROM near_dupes INDEXED BY near_dupes_group WHERE grp IN"
                " (SELECT grp FROM near_dupes INDEXED BY near_dupes_group GROUP BY grp HAVING COUNT(*) > 1)"
            ).fetchall()
            self._shared = (now, dict(rows))
        return self._shared[1]

    def members(self, group: int) -> list[int]:
        """The original articles of a group, by id."""
        rows = self.db.execute("SELECT doc_id FROM near_dupes WHERE grp = ? ORDER BY doc_id", (group,))
        return [int(r[0]) for r in rows]
