"""Near-duplicates: articles whose text is nearly the same (a wire story under another headline, byline or
boilerplate; a re-scrape with another footer; a cut last paragraph) share a group.

Each original article gets a MinHash signature (datasketch; 128 permutations) of its word 5-shingles.
Locality-sensitive hashing in SQLite (32 bands of 4 rows, one key per band) proposes candidates; a
candidate joins when the signatures agree on at least THRESHOLD of their permutations (the estimated
Jaccard similarity of the shingle sets). The threshold was set by measurement (benchmarks/RESULTS.md):
copies made from real articles score 0.75-1.0, different articles on the same event under 0.15.
Like the lexical index this is derived from the store and caught up after each ingest.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import zlib
from collections.abc import Callable

import numpy as np
from datasketch import MinHash

from archive.store import batches, marks

PERMUTATIONS = 128
BANDS, ROWS = 32, 4
SHINGLE = 5
THRESHOLD = 0.5
# Two dated articles further apart than this are never copies of each other: scraped pages that share
# a large site template scored >= 0.5 across years on the 37,554-article corpus (benchmarks/RESULTS.md).
MAX_DAYS_APART = 30
# Copies also share their opening: the first LEDE_WORDS words must agree as well. Pages of one site that
# carry the same long photo-gallery caption in the middle of different stories otherwise scored >= 0.5.
LEDE_WORDS = 500
MAX_CANDIDATE_ROWS = 100
SEED = 7
BATCH = 500
_WORD = re.compile(r"[^\W_]+")
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint64)
SCHEME = "affine32"  # named, so that stored signatures stay comparable across datasketch versions
_TEMPLATE = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME)


def signature(text: str) -> np.ndarray:
    """The MinHash signature (uint64, PERMUTATIONS values) of the text's word shingles."""
    return _sign(_word_hashes(text))


def signatures(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The signature of the whole text and of its first LEDE_WORDS words (the words hashed once)."""
    hashes = _word_hashes(text)
    return _sign(hashes), _sign(hashes[:LEDE_WORDS])


def _word_hashes(text: str) -> np.ndarray:
    words = _WORD.findall(text.lower())
    return np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))


def _sign(hashes: np.ndarray) -> np.ndarray:
    if len(hashes) >= SHINGLE:
        windows = np.lib.stride_tricks.sliding_window_view(hashes, SHINGLE)
        shingles = (windows * _MIX).sum(axis=1) & np.uint64(0xFFFFFFFF)
    else:
        shingles = (hashes * _MIX[: len(hashes)]).sum(keepdims=True) & np.uint64(0xFFFFFFFF)
    sketch = MinHash(num_perm=PERMUTATIONS, seed=SEED, hashfunc=int, permutations=_TEMPLATE.permutations, scheme=SCHEME)
    sketch.update_batch(shingles.tolist())
    return np.asarray(sketch.hashvalues, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def band_keys(sig: np.ndarray) -> list[int]:
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes() + bytes([band]), digest_size=8)
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


def lag(db: sqlite3.Connection) -> int:
    """Original articles not yet in a near-duplicate group."""
    return int(
        db.execute(
            "SELECT COUNT(*) FROM documents d LEFT JOIN near_dupes n ON n.doc_id = d.id"
            " WHERE d.duplicate_of IS NULL AND n.doc_id IS NULL"
        ).fetchone()[0]
    )


def sync(db: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> int:
    """Sign and group every original article that has no signature yet (resumable; one transaction a batch)."""
    total, done, last = lag(db), 0, 0
    while True:
        rows = db.execute(
            "SELECT d.id, d.text FROM documents d LEFT JOIN near_dupes n ON n.doc_id = d.id"
            " WHERE d.duplicate_of IS NULL AND n.doc_id IS NULL AND d.id > ? ORDER BY d.id LIMIT ?",
            (last, BATCH),
        ).fetchall()
        if not rows:
            return done
        signed = [(doc_id, *signatures(text)) for doc_id, text in rows]  # outside the lock: the slow part
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process (a second ingest) may have signed some of them since they were picked.
            pending = _still_pending(db, [doc_id for doc_id, _, _ in signed])
            for doc_id, sig, lede in signed:
                if doc_id in pending:
                    _join(db, doc_id, sig, lede)
        except BaseException:
            if db.in_transaction:  # SQLite has already rolled back after some errors (a full disk)
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(done, total)


def _still_pending(db: sqlite3.Connection, doc_ids: list[int]) -> set[int]:
    """Those of `doc_ids` that are still original articles without a signature (read under the write lock)."""
    rows = db.execute(
        "SELECT d.id FROM documents d LEFT JOIN near_dupes n ON n.doc_id = d.id"
        f" WHERE d.id IN ({marks(len(doc_ids))}) AND d.duplicate_of IS NULL AND n.doc_id IS NULL",
        doc_ids,
    )
    return {int(r[0]) for r in rows}


def _join(db: sqlite3.Connection, doc_id: int, sig: np.ndarray, lede: np.ndarray) -> None:
    keys = band_keys(sig)
    candidates = _candidates(db, keys, doc_id)
    found = db.execute(
        "SELECT n.doc_id, n.grp, n.signature, n.lede, julianday(d.published) FROM near_dupes n"
        f" JOIN documents d ON d.id = n.doc_id WHERE n.doc_id IN ({marks(len(candidates))})",
        candidates,
    ).fetchall()
    day = db.execute("SELECT julianday(published) FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
    groups: set[int] = set()
    close = _close([r[2] for r in found], [r[3] for r in found], sig, lede)
    for row, ok in zip(found, close):
        near_in_time = day is None or row[4] is None or abs(day - row[4]) <= MAX_DAYS_APART
        if ok and near_in_time:
            groups.add(row[1])
    group = min(groups | {doc_id})
    if len(groups) > 1:
        others = sorted(groups - {group})
        db.execute(f"UPDATE near_dupes SET grp = ? WHERE grp IN ({marks(len(others))})", [group, *others])
    db.execute(
        "INSERT INTO near_dupes (doc_id, grp, signature, lede) VALUES (?, ?, ?, ?)",
        (doc_id, group, sig.tobytes(), lede.tobytes()),
    )
    db.executemany("INSERT INTO lsh (key, doc_id) VALUES (?, ?)", [(k, doc_id) for k in keys])


def clear(db: sqlite3.Connection) -> None:
    """Forget every signature and group (`sync` builds them again)."""
    db.execute("DELETE FROM lsh")
    db.execute("DELETE FROM near_dupes")


def _candidates(db: sqlite3.Connection, keys: list[int], doc_id: int) -> list[int]:
    """Articles sharing a band key, read from at most MAX_CANDIDATE_ROWS rows: in a corpus of templated
    texts every article shares keys with every other, and comparing each with all would be quadratic."""
    rows = db.execute(
        f"SELECT doc_id FROM lsh WHERE key IN ({marks(len(keys))}) AND doc_id != ? LIMIT ?",
        [*keys, doc_id, MAX_CANDIDATE_ROWS],
    )
    return sorted({r[0] for r in rows})


def groups_of(db: sqlite3.Connection, doc_ids: list[int]) -> dict[int, int]:
    """The near-duplicate group of each of these original articles (an article not yet signed is its own)."""
    out = {d: d for d in doc_ids}
    for ids in batches(doc_ids):
        out.update(
            db.execute(f"SELECT doc_id, grp FROM near_dupes WHERE doc_id IN ({marks(len(ids))})", ids).fetchall()
        )
    return out


def members(db: sqlite3.Connection, group: int) -> list[int]:
    """The original articles of a group, by id."""
    return [r[0] for r in db.execute("SELECT doc_id FROM near_dupes WHERE grp = ? ORDER BY doc_id", (group,))]


def copies_of_text(db: sqlite3.Connection, text: str) -> list[int]:
    """Stored original articles that are near-duplicates of this text."""
    sig, lede = signatures(text)
    keys = band_keys(sig)
    found = db.execute(
        "SELECT DISTINCT n.doc_id, n.signature, n.lede FROM lsh l JOIN near_dupes n ON n.doc_id = l.doc_id"
        f" WHERE l.key IN ({marks(len(keys))})",
        keys,
    ).fetchall()
    close = _close([r[1] for r in found], [r[2] for r in found], sig, lede)
    return sorted(r[0] for r, ok in zip(found, close) if ok)


def _close(signatures: list[bytes], ledes: list[bytes], sig: np.ndarray, lede: np.ndarray) -> np.ndarray:
    """Which stored (signature, lede) pairs agree with these on at least THRESHOLD of their permutations."""
    if not signatures:
        return np.zeros(0, dtype=bool)
    full = np.frombuffer(b"".join(signatures), dtype=np.uint64).reshape(len(signatures), -1)
    opening = np.frombuffer(b"".join(ledes), dtype=np.uint64).reshape(len(ledes), -1)
    agree: np.ndarray = ((full == sig).mean(axis=1) >= THRESHOLD) & ((opening == lede).mean(axis=1) >= THRESHOLD)
    return agree


def group_documents(db: sqlite3.Connection, doc_id: int) -> list[tuple[int, str | None]]:
    """(id, outlet) of every article (originals and their exact copies) in this article's near-duplicate group."""
    row = db.execute("SELECT COALESCE(duplicate_of, id) FROM documents WHERE id = ?", (doc_id,)).fetchone()
    original = row[0] if row else doc_id
    group = groups_of(db, [original])[original]
    return with_copies(db, members(db, group) or [original])


def with_copies(db: sqlite3.Connection, originals: list[int]) -> list[tuple[int, str | None]]:
    """(id, outlet) of these original articles and of their exact copies, by id."""
    m = marks(len(originals))
    rows = db.execute(
        f"SELECT id, outlet FROM documents WHERE id IN ({m}) OR duplicate_of IN ({m}) ORDER BY id",
        (*originals, *originals),
    )
    return [(int(i), o) for i, o in rows]


def one_per_group(
    db: sqlite3.Connection, ranked: list[int], limit: int | None = None
) -> tuple[list[int], dict[int, int]]:
    """The best ranked article of each near-duplicate group (up to `limit`), and every ranked article's group."""
    groups = groups_of(db, ranked)
    seen: set[int] = set()
    kept: list[int] = []
    for doc in ranked:
        if groups[doc] not in seen:
            seen.add(groups[doc])
            kept.append(doc)
            if len(kept) == limit:
                break
    return kept, groups
