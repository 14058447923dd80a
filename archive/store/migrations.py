"""Numbered schema migrations. Append a new entry; never edit a released one.

`PRAGMA user_version` holds how many have been applied.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: documents, chunks (with a log the derived indexes follow), files, failures, ingest runs
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        origin TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        record TEXT,
        fingerprint TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        external_id TEXT,
        title TEXT,
        text TEXT NOT NULL,
        published TEXT,
        date_warning TEXT,
        outlet TEXT,
        url TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        language TEXT,
        captured TEXT,
        source TEXT,
        duplicate_of INTEGER REFERENCES documents(id),
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_hash ON documents(content_hash);
    CREATE INDEX documents_published ON documents(published);
    CREATE INDEX documents_outlet ON documents(outlet);
    CREATE INDEX documents_path ON documents(path);
    CREATE INDEX documents_duplicate ON documents(duplicate_of);
    CREATE INDEX documents_external ON documents(external_id);
    CREATE INDEX documents_source ON documents(source);

    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL
    );
    CREATE INDEX chunks_doc ON chunks(doc_id, ordinal);

    CREATE TABLE chunk_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk_id INTEGER NOT NULL,
        doc_id INTEGER NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('add', 'del'))
    );
    CREATE TRIGGER chunks_added AFTER INSERT ON chunks BEGIN
        INSERT INTO chunk_log (chunk_id, doc_id, op) VALUES (new.id, new.doc_id, 'add');
    END;
    CREATE TRIGGER chunks_deleted AFTER DELETE ON chunks BEGIN
        INSERT INTO chunk_log (chunk_id, doc_id, op) VALUES (old.id, old.doc_id, 'del');
    END;

    CREATE TABLE files (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        signature TEXT NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE failures (
        path TEXT NOT NULL,
        record TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (path, record)
    );

    CREATE TABLE ingest_runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        report TEXT
    );
    """,
    # 2: the log also says when a chunk's document changed ('upd': title, outlet, date or its duplicates),
    #    so the lexical index can refresh what it keeps per chunk; embeddings per chunk, with their model
    """
    CREATE TABLE chunk_log_v2 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk_id INTEGER NOT NULL,
        doc_id INTEGER NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('add', 'del', 'upd'))
    );
    INSERT INTO chunk_log_v2 (seq, chunk_id, doc_id, op) SELECT seq, chunk_id, doc_id, op FROM chunk_log;
    DROP TRIGGER chunks_added;
    DROP TRIGGER chunks_deleted;
    DROP TABLE chunk_log;
    ALTER TABLE chunk_log_v2 RENAME TO chunk_log;
    CREATE TRIGGER chunks_added AFTER INSERT ON chunks BEGIN
        INSERT INTO chunk_log (chunk_id, doc_id, op) VALUES (new.id, new.doc_id, 'add');
    END;
    CREATE TRIGGER chunks_deleted AFTER DELETE ON chunks BEGIN
        INSERT INTO chunk_log (chunk_id, doc_id, op) VALUES (old.id, old.doc_id, 'del');
    END;
    CREATE TRIGGER documents_changed AFTER UPDATE OF title, outlet, published, duplicate_of ON documents BEGIN
        INSERT INTO chunk_log (chunk_id, doc_id, op)
            SELECT id, doc_id, 'upd' FROM chunks
            WHERE doc_id IN (new.id, new.duplicate_of, old.duplicate_of);
    END;
    CREATE TRIGGER duplicate_added AFTER INSERT ON documents WHEN new.duplicate_of IS NOT NULL BEGIN
        INSERT INTO chunk_log (chunk_id, doc_id, op)
            SELECT id, doc_id, 'upd' FROM chunks WHERE doc_id = new.duplicate_of;
    END;
    CREATE TRIGGER duplicate_removed AFTER DELETE ON documents WHEN old.duplicate_of IS NOT NULL BEGIN
        INSERT INTO chunk_log (chunk_id, doc_id, op)
            SELECT id, doc_id, 'upd' FROM chunks WHERE doc_id = old.duplicate_of;
    END;

    CREATE TABLE embeddings (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        chunk_id INTEGER NOT NULL UNIQUE REFERENCES chunks(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        vector BLOB NOT NULL
    );
    """,
    # 3: near-duplicate groups (index/near_dupes.py): a MinHash signature and group per original article,
    #    and the locality-sensitive hashing keys that find candidates. Derived from the text: a changed
    #    text, or an article becoming an exact copy, forgets its row and is signed again.
    """
    CREATE TABLE near_dupes (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        grp INTEGER NOT NULL,
        signature BLOB NOT NULL,
        lede BLOB NOT NULL
    );
    CREATE INDEX near_dupes_group ON near_dupes(grp);
    CREATE TABLE lsh (
        key INTEGER NOT NULL,
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE
    );
    CREATE INDEX lsh_key ON lsh(key);
    CREATE INDEX lsh_doc ON lsh(doc_id);
    CREATE TRIGGER near_dupes_stale AFTER UPDATE OF content_hash, duplicate_of ON documents BEGIN
        DELETE FROM near_dupes WHERE doc_id = new.id;
        DELETE FROM lsh WHERE doc_id = new.id;
    END;
    """,
    # 4: what `archive stats` counts (dates, outlets, duplicates) in one covering index, so counting reads
    #    the index, not every article's text: 0.40 s -> see benchmarks/RESULTS.md on 37,554 articles
    """
    CREATE INDEX documents_facets ON documents(outlet, published, duplicate_of);
    """,
    # 5: a web page's own canonical address (<link rel=canonical>, og:url) beside the address it was captured at
    """
    ALTER TABLE documents ADD COLUMN canonical_url TEXT;
    """,
    # 6: the user's collections (archive/store/collections.py), kept by origin: a re-ingest that replaces an
    #    article under a new id keeps its memberships
    """
    CREATE TABLE collections (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE collection_items (
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        origin TEXT NOT NULL,
        note TEXT,
        query TEXT,
        added_at TEXT NOT NULL,
        PRIMARY KEY (collection_id, origin)
    );
    CREATE INDEX collection_items_origin ON collection_items(origin);
    """,
    # 7: the user's tags (many an article) and note (one an article), kept by origin like collections
    """
    CREATE TABLE tags (
        origin TEXT NOT NULL,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (origin, tag)
    );
    CREATE INDEX tags_tag ON tags(tag);
    CREATE TABLE notes (
        origin TEXT PRIMARY KEY,
        note TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 8: saved searches: a query, its filters (JSON) and mode, and when it last ran (for --new-since-last)
    """
    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        query TEXT NOT NULL,
        filters TEXT NOT NULL,
        mode TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_run_at TEXT
    );
    CREATE INDEX documents_ingested ON documents(ingested_at);
    """,
    # 9: relevance marks: for a query, an article (by origin) judged relevant (1, or more for graded) or not (0)
    """
    CREATE TABLE marks (
        query TEXT NOT NULL COLLATE NOCASE,
        origin TEXT NOT NULL,
        relevance INTEGER NOT NULL,
        marked_at TEXT NOT NULL,
        PRIMARY KEY (query, origin)
    );
    """,
    # 10: dates mentioned in each article's text (derived by index/mentions.py from the text and the publication
    #     date): spans with their TimeML value and the days they cover; `mention_scans` says which articles were
    #     scanned by which version of the rules; `inferred_dates` a day proposed for an undated article, with
    #     its evidence (never mixed with real dates). A changed text or date forgets all three: scanned again.
    """
    CREATE TABLE mention_scans (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        version INTEGER NOT NULL
    );
    CREATE TABLE date_mentions (
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        value TEXT NOT NULL,
        granularity TEXT NOT NULL,
        day_from TEXT,
        day_to TEXT
    );
    CREATE INDEX date_mentions_doc ON date_mentions(doc_id);
    CREATE INDEX date_mentions_days ON date_mentions(day_from, day_to, doc_id);
    CREATE TABLE inferred_dates (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        evidence TEXT NOT NULL
    );
    CREATE INDEX inferred_dates_day ON inferred_dates(day);
    CREATE TRIGGER mentions_stale AFTER UPDATE OF content_hash, published ON documents BEGIN
        DELETE FROM date_mentions WHERE doc_id = new.id;
        DELETE FROM mention_scans WHERE doc_id = new.id;
        DELETE FROM inferred_dates WHERE doc_id = new.id;
    END;
    """,
    # 11: stories (derived by index/stories.py from the first-chunk vectors, the texts and the dates): each
    #     embedded original article's story, how it joined, and its neighbourhood density (the mean of its
    #     closest scores when it was assigned); `stories` the article whose headline labels each; `story_state`
    #     the assignment's version and its term counts. Each member's outlet and day are kept beside it, so
    #     that listing every story reads this narrow table alone. A changed text, date, outlet or original
    #     forgets the article's story (it is placed again).
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        label_doc INTEGER
    );
    CREATE TABLE story_members (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        story INTEGER NOT NULL REFERENCES stories(id),
        density REAL NOT NULL,
        how TEXT NOT NULL,
        outlet TEXT,
        day TEXT
    );
    CREATE INDEX story_members_story ON story_members(story, outlet, day);
    CREATE INDEX chunks_first ON chunks(doc_id) WHERE ordinal = 0;
    CREATE TABLE story_state (
        key TEXT PRIMARY KEY,
        value BLOB
    );
    CREATE TRIGGER stories_stale AFTER UPDATE OF content_hash, published, duplicate_of, outlet ON documents BEGIN
        DELETE FROM story_members WHERE doc_id = new.id;
    END;
    """,
    # 12: filters that stay O(matches) at a million articles. A date range reads (published, duplicate_of, id)
    #     from one index instead of each article's row, where the text lies between the date and the original
    #     (so each row read the pages of its text too); an outlet filter finds its outlet's articles by the key
    #     it compares (trimmed, lower-cased: archive/store/filters.py) instead of scanning every article.
    """
    CREATE INDEX documents_day ON documents(published, duplicate_of);
    DROP INDEX documents_published;
    CREATE INDEX documents_outlet_key ON documents(lower(trim(outlet)), published, duplicate_of);
    """,
    # 13: how far near-duplicates and dates lag (`archive stats`, and the second process of an ingest, which asks
    #     past where it stopped) is counted from ids alone: each article's id was read from its row in
    #     `documents` (text inline) and each signed one looked up among the signatures (about 1 KB a row). On
    #     the 37,554-article archive: the near-duplicates' lag 274 ms in a fresh process (54 warm) -> 11 (7.7),
    #     the dates' 93 (40) -> 6 (2.9); past a resume point near the end, 0.1 ms. The group is in the index too:
    #     a search collapses its matches by group (752 ids: 2.6 -> 0.64 ms, twice a filtered search).
    """
    CREATE INDEX documents_ids ON documents(id);
    CREATE INDEX near_dupes_ids ON near_dupes(doc_id, grp);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
