"""Stories (derived by index/stories.py): each embedded original article's story, the articles the assignment
may weigh (a window of days, or every article for an undated one), and the stories as listed and shown."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from archive.store.sql import batches, marks

_ASSIGNABLE = (
    "FROM documents d JOIN chunks c ON c.doc_id = d.id AND c.ordinal = 0 JOIN embeddings e ON e.chunk_id = c.id"
)
# An article's first chunk with a vector: only originals have chunks, so the documents need not be read.
_FIRSTS = "FROM chunks c JOIN embeddings e ON e.chunk_id = c.id WHERE c.ordinal = 0"
# Every article of a story, for counting: its members (their outlet and day kept beside them) and their exact
# copies (never members themselves: few, read from the documents).
_COUNTED = (
    "SELECT story, outlet, day FROM story_members"
    " UNION ALL SELECT m.story, d.outlet, substr(d.published, 1, 10) FROM story_members m"
    " JOIN documents d ON d.duplicate_of = m.doc_id"
)
# Every article of a story: its members and their exact copies (which are never members themselves).
_ARTICLES = (
    "SELECT m.story AS story, d.id AS id, d.outlet AS outlet, d.published AS published, d.title AS title,"
    " NULL AS copy_of FROM story_members m JOIN documents d ON d.id = m.doc_id"
    " UNION ALL SELECT m.story, d.id, d.outlet, d.published, d.title, d.duplicate_of FROM story_members m"
    " JOIN documents d ON d.duplicate_of = m.doc_id"
)

StoryRow = tuple[int, int, int, "str | None", "str | None"]  # story, articles, outlets, first, last
ArticleRow = tuple[int, int, "str | None", "str | None", "str | None", "int | None"]


class StoryTables:
    db: sqlite3.Connection

    # the assignment

    def story_state(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM story_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def set_story_state(self, key: str, value: bytes) -> None:
        """(inside a transaction)"""
        self.db.execute("INSERT OR REPLACE INTO story_state (key, value) VALUES (?, ?)", (key, value))

    def unassigned_count(self) -> int:
        """Embedded original articles in no story."""
        sql = f"SELECT COUNT(*) {_FIRSTS} AND NOT EXISTS (SELECT 1 FROM story_members m WHERE m.doc_id = c.doc_id)"
        return int(self.db.execute(sql).fetchone()[0])

    def assignable_count(self) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) {_FIRSTS}").fetchone()[0])

    def unassigned(self) -> list[tuple[int, str | None]]:
        """(id, day published) of embedded originals in no story: dated ones by day, then the undated, by id."""
        rows = self.db.execute(
            f"SELECT d.id, substr(d.published, 1, 10) {_ASSIGNABLE} LEFT JOIN story_members m ON m.doc_id = d.id"
            " WHERE d.duplicate_of IS NULL AND m.doc_id IS NULL ORDER BY d.published IS NULL, d.published, d.id"
        )
        return [(int(i), p) for i, p in rows]

    def assignable_between(self, first: str, last: str) -> list[tuple[int, str, int | None, float | None]]:
        """(id, day, story, density) of embedded originals published on the days first..last, by id."""
        rows = self.db.execute(
            f"SELECT d.id, substr(d.published, 1, 10), m.story, m.density {_ASSIGNABLE}"
            " LEFT JOIN story_members m ON m.doc_id = d.id WHERE d.duplicate_of IS NULL"
            " AND d.published >= ? AND d.published < ? ORDER BY d.id",
            (first, last + "~"),
        )
        return [(int(i), str(p), s, r) for i, p, s, r in rows]

    def assigned(self) -> list[tuple[int, str | None, int, float]]:
        """(id, day, story, density) of every article in a story."""
        rows = self.db.execute(
            "SELECT d.id, substr(d.published, 1, 10), m.story, m.density FROM story_members m"
            " JOIN documents d ON d.id = m.doc_id ORDER BY d.id"
        )
        return [(int(i), p, int(s), float(r)) for i, p, s, r in rows]

    def first_chunk_vectors(self, doc_ids: Sequence[int]) -> dict[int, bytes]:
        """Each article's first chunk vector (float32 bytes; embedded with its title)."""
        out: dict[int, bytes] = {}
        for ids in batches(doc_ids):
            rows = self.db.execute(
                f"SELECT d.id, e.vector {_ASSIGNABLE} WHERE d.id IN ({marks(len(ids))})",
                ids,
            )
            out.update((int(i), bytes(v)) for i, v in rows)
        return out

    def leads(self, doc_ids: Sequence[int], chars: int) -> dict[int, str]:
        """Each article's title and the first `chars` characters of its text."""
        out: dict[int, str] = {}
        for ids in batches(doc_ids):
            rows = self.db.execute(
                f"SELECT id, COALESCE(title, ''), substr(text, 1, ?) FROM documents WHERE id IN ({marks(len(ids))})",
                [chars, *ids],
            )
            out.update((int(i), f"{t}\n{x}") for i, t, x in rows)
        return out

    def story_densities(self, doc_ids: Sequence[int]) -> dict[int, float]:
        """Each placed article's neighbourhood density (the mean of its best scores when it was placed)."""
        out: dict[int, float] = {}
        for ids in batches(doc_ids):
            rows = self.db.execute(
                f"SELECT doc_id, density FROM story_members WHERE doc_id IN ({marks(len(ids))})", ids
            )
            out.update((int(d), float(r)) for d, r in rows)
        return out

    def new_story(self) -> int:
        """(inside a transaction)"""
        cursor = self.db.execute("INSERT INTO stories (label_doc) VALUES (NULL)")
        return int(cursor.lastrowid or 0)

    def save_members(self, rows: Sequence[tuple[int, int, float, str]]) -> None:
        """(doc id, story, density, how) (inside a transaction); an article changed or removed meanwhile is skipped."""
        self.db.executemany(
            "INSERT OR REPLACE INTO story_members (doc_id, story, density, how, outlet, day)"
            " SELECT ?, ?, ?, ?, outlet, substr(published, 1, 10) FROM documents WHERE id = ? AND duplicate_of IS NULL",
            [(*row, row[0]) for row in rows],
        )

    def label_stories(self, labels: Sequence[tuple[int, int]]) -> None:
        """(story, label article) (inside a transaction)."""
        self.db.executemany("UPDATE stories SET label_doc = ? WHERE id = ?", [(d, s) for s, d in labels])

    def infer_from_stories(self, doc_ids: Sequence[int]) -> int:
        """For each of these undated articles with no inferred day yet: its story's earliest dated day, with the
        report it comes from as evidence (inside a transaction); how many got one."""
        done = 0
        for ids in batches(doc_ids):
            rows = self.db.execute(
                "SELECT m.doc_id, (SELECT d2.id FROM story_members m2 JOIN documents d2 ON d2.id = m2.doc_id"
                "   WHERE m2.story = m.story AND d2.published IS NOT NULL ORDER BY d2.published, d2.id LIMIT 1)"
                f" FROM story_members m JOIN documents d ON d.id = m.doc_id WHERE m.doc_id IN ({marks(len(ids))})"
                " AND d.published IS NULL AND NOT EXISTS (SELECT 1 FROM inferred_dates i WHERE i.doc_id = m.doc_id)",
                ids,
            ).fetchall()
            for doc_id, source in rows:
                if source is None:
                    continue
                day, outlet, title = self.db.execute(
                    "SELECT substr(published, 1, 10), outlet, title FROM documents WHERE id = ?", (source,)
                ).fetchone()
                evidence = (
                    f"the first dated report of its story: {outlet or 'an unknown outlet'}, ‘{title or '(untitled)'}’"
                )
                self.db.execute(
                    "INSERT INTO inferred_dates (doc_id, day, evidence) VALUES (?, ?, ?)", (doc_id, day, evidence)
                )
                done += 1
        return done

    def story_members_of(self, stories: Sequence[int]) -> dict[int, list[int]]:
        """Each of these stories' members, by id."""
        out: dict[int, list[int]] = {}
        for ids in batches(stories):
            rows = self.db.execute(
                f"SELECT story, doc_id FROM story_members WHERE story IN ({marks(len(ids))}) ORDER BY story, doc_id",
                ids,
            )
            for story, doc in rows:
                out.setdefault(int(story), []).append(int(doc))
        return out

    def clear_stories(self) -> None:
        """Forget every story (inside a transaction)."""
        self.db.execute("DELETE FROM story_members")
        self.db.execute("DELETE FROM stories")
        self.db.execute("DELETE FROM story_state")

    # reading

    def story_rows(self, story_ids: Sequence[int] | None = None) -> list[StoryRow]:
        """(story, articles, outlets, first day, last day) of every story (or of these)."""
        if story_ids is None:
            return self._story_rows("", [])
        out: list[StoryRow] = []
        for ids in batches(story_ids):
            out.extend(self._story_rows(f"WHERE story IN ({marks(len(ids))})", ids))
        return out

    def _story_rows(self, where: str, params: Sequence[object]) -> list[StoryRow]:
        rows = self.db.execute(
            "SELECT story, COUNT(*), COUNT(DISTINCT outlet), MIN(day), MAX(day)"
            f" FROM ({_COUNTED}) {where} GROUP BY story",
            list(params),
        )
        return [(int(s), int(n), int(o), f, la) for s, n, o, f, la in rows]

    def stories_fingerprint(self) -> tuple[object, ...]:
        """Changes whenever a story's members or copies change (a key for caching the listing)."""
        members = self.db.execute("SELECT COUNT(*), MAX(rowid), TOTAL(story), TOTAL(doc_id * story) FROM story_members")
        copies = self.db.execute("SELECT COUNT(*), TOTAL(duplicate_of) FROM documents WHERE duplicate_of IS NOT NULL")
        return (*members.fetchone(), *copies.fetchone())

    def stories_with_outlets(self, outlets: Sequence[str]) -> set[int]:
        rows = self.db.execute(
            f"SELECT DISTINCT story FROM ({_COUNTED}) WHERE outlet IN ({marks(len(outlets))}) COLLATE NOCASE",
            list(outlets),
        )
        return {int(r[0]) for r in rows}

    def stories_of(self, doc_ids: Sequence[int]) -> dict[int, int]:
        """The story of each of these articles that has one (an exact copy: its original's)."""
        out: dict[int, int] = {}
        for ids in batches(doc_ids):
            rows = self.db.execute(
                "SELECT d.id, m.story FROM documents d JOIN story_members m"
                f" ON m.doc_id = COALESCE(d.duplicate_of, d.id) WHERE d.id IN ({marks(len(ids))})",
                ids,
            )
            out.update((int(d), int(s)) for d, s in rows)
        return out

    def story_labels(self, stories: Sequence[int]) -> dict[int, tuple[int, str | None]]:
        """Each story's label article and its title."""
        out: dict[int, tuple[int, str | None]] = {}
        for ids in batches(stories):
            rows = self.db.execute(
                "SELECT s.id, d.id, d.title FROM stories s JOIN documents d ON d.id = s.label_doc"
                f" WHERE s.id IN ({marks(len(ids))})",
                ids,
            )
            out.update((int(s), (int(d), t)) for s, d, t in rows)
        return out

    def story_articles(self, stories: Sequence[int]) -> list[ArticleRow]:
        """(story, id, outlet, day, title, exact copy of) of every article of these stories, oldest first."""
        out: list[ArticleRow] = []
        for ids in batches(stories):
            rows = self.db.execute(
                f"SELECT story, id, outlet, substr(published, 1, 10), title, copy_of FROM ({_ARTICLES})"
                f" WHERE story IN ({marks(len(ids))}) ORDER BY story, published IS NULL, published, id",
                ids,
            )
            out.extend((int(s), int(i), o, p, t, None if c is None else int(c)) for s, i, o, p, t, c in rows)
        return out

    def active_outlets(self, first: str, last: str) -> list[tuple[str, int]]:
        """(outlet, articles) of every outlet that published on the days first..last."""
        rows = self.db.execute(
            "SELECT outlet, COUNT(*) FROM documents WHERE outlet IS NOT NULL AND published >= ? AND published < ?"
            " GROUP BY outlet ORDER BY outlet",
            (first, last + "~"),
        )
        return [(str(o), int(n)) for o, n in rows]

    def texts(self, doc_ids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for ids in batches(doc_ids):
            rows = self.db.execute(
                f"SELECT id, COALESCE(title, '') || char(10) || text FROM documents WHERE id IN ({marks(len(ids))})",
                ids,
            )
            out.update((int(i), str(t)) for i, t in rows)
        return out
