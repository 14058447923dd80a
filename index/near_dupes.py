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
import zlib
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from archive.store import Store
from index.derived import ArticleByArticle

Progress = Callable[[int, int], None]
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


def signature(text: str) -> np.ndarray:
    """The MinHash signature (uint64, PERMUTATIONS values) of the text's word shingles."""
    return _sign(_shingles(_word_hashes(text)))


def signatures(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The signature of the whole text and of its first LEDE_WORDS words (the words hashed once, each shingle
    hashed by the permutations once: a MinHash of a union is the least of its parts' MinHashes)."""
    hashes = _word_hashes(text)
    if len(hashes) <= LEDE_WORDS:
        whole = _sign(_shingles(hashes))
        return whole, whole
    shingles = _shingles(hashes)
    opening = LEDE_WORDS - SHINGLE + 1  # the shingles that lie within the first LEDE_WORDS words
    lede = _sign(shingles[:opening])
    return np.minimum(lede, _sign(shingles[opening:])), lede


class _WordHashes(dict[str, int]):
    """crc32 of each word's UTF-8, computed the first time the word is looked up."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode())
        return value


_WORD_HASHES = _WordHashes()
WORDS_KEPT = 1_000_000  # distinct words whose hash is kept (about 100 MB); past it they are forgotten and hashed afresh


def _word_hashes(text: str) -> np.ndarray:
    """crc32 of each word's UTF-8 (each distinct word hashed once, then looked up)."""
    words = _WORD.findall(text.lower())
    if len(_WORD_HASHES) + len(words) > WORDS_KEPT:
        _WORD_HASHES.clear()
    return np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))


def _shingles(hashes: np.ndarray) -> np.ndarray:
    """One 32-bit hash for each run of SHINGLE words (one for the whole text when it is shorter): the words'
    hashes weighed by _MIX and summed (uint64, wrapping), the low 32 bits kept."""
    if len(hashes) >= SHINGLE:
        count = len(hashes) - SHINGLE + 1
        total: np.ndarray = hashes[:count] * _MIX[0]
        for k in range(1, SHINGLE):
            total += hashes[k : k + count] * _MIX[k]
        total &= np.uint64(0xFFFFFFFF)
        return total
    return (hashes * _MIX[: len(hashes)]).sum(keepdims=True) & np.uint64(0xFFFFFFFF)  # type: ignore[no-any-return]


SIGN_ROWS = 4_096  # shingles permuted at once (each row: PERMUTATIONS 32-bit values), so memory stays bounded
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)  # MurmurHash3's 32-bit finalizer, datasketch's pre-mix for affine32


def _sign(shingles: np.ndarray) -> np.ndarray:
    """The MinHash of these 32-bit shingle hashes: what datasketch's `MinHash(scheme="affine32", seed=SEED)
    .update_batch` gives (each value pre-mixed by MurmurHash3's finalizer, then permuted as a * h + b wrapping in
    uint32, the least kept per permutation; tests/test_near_dupes.py checks it against datasketch itself), in numpy
    over the whole array at once. update_batch turns each value into a Python int and back, two thirds of its time."""
    a, b = _permutations()
    least = np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(shingles), SIGN_ROWS):
        hv = shingles[start : start + SIGN_ROWS].astype(np.uint32)
        s1, m1, s2, m2, s3 = _FMIX32
        hv ^= hv >> np.uint32(s1)
        hv *= np.uint32(m1)
        hv ^= hv >> np.uint32(s2)
        hv *= np.uint32(m2)
        hv ^= hv >> np.uint32(s3)
        permuted = np.multiply.outer(hv, a)
        permuted += b
        np.minimum(least, permuted.min(axis=0), out=least)
    return least.astype(np.uint64)


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for affine32 and SEED, as uint32."""
    from datasketch import MinHash  # imported here: it pulls in scipy (a second), which most commands never need

    a, b = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def band_keys(sig: np.ndarray) -> list[int]:
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes() + bytes([band]), digest_size=8)
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


class NearDuplicates(ArticleByArticle):
    """The near-duplicate groups as a derived index (index/derived.py); the groups live in the store."""

    name = "near-duplicates"

    def lag(self, store: Store) -> int:
        """Original articles not yet in a near-duplicate group."""
        return store.unsigned_count(self.after)

    def _sync(self, store: Store, progress: Progress | None, after: int, most: int | None) -> tuple[int, int]:
        return _sync(store, progress, after, most)

    def rebuild(self, store: Store, progress: Progress | None = None) -> int:
        with store.transaction():
            store.clear_groups()
        return sync(store, progress)

    def reload(self) -> None:
        """Nothing held outside the store."""


def sync(store: Store, progress: Progress | None = None, after: int = 0, most: int | None = None) -> int:
    """Sign and group the original articles (with an id over `after`) that had no signature when it began
    (resumable; one transaction a batch; those stored meanwhile are the next catch-up's, so that one beside an
    ingest ends)."""
    return _sync(store, progress, after, most)[0]


def _sync(store: Store, progress: Progress | None, after: int, most: int | None) -> tuple[int, int]:
    """`sync`, and the id of the last article it did."""
    total, done, last = store.unsigned_count(after), 0, after
    total = total if most is None else min(total, most)
    while done < total:
        rows = store.unsigned(last, min(BATCH, total - done))
        if not rows:
            break
        signed = [(doc_id, *signatures(text)) for doc_id, text in rows]  # outside the lock: the slow part
        keyed = [(doc_id, sig, lede, band_keys(sig)) for doc_id, sig, lede in signed]
        with store.transaction():
            # Another process (a second ingest) may have signed some of them since they were picked.
            pending = store.still_unsigned([doc_id for doc_id, _, _, _ in keyed])
            for doc_id, sig, lede, keys in keyed:
                if doc_id in pending:
                    _join(store, doc_id, sig, lede, keys)
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(done, total)
    return done, last


def _join(store: Store, doc_id: int, sig: np.ndarray, lede: np.ndarray, keys: list[int]) -> None:
    found = store.signed(store.sharing_keys(keys, doc_id, MAX_CANDIDATE_ROWS))
    day = store.julian_day(doc_id)
    groups: set[int] = set()
    close = _close([r[2] for r in found], [r[3] for r in found], sig, lede)
    for row, ok in zip(found, close):
        near_in_time = day is None or row[4] is None or abs(day - row[4]) <= MAX_DAYS_APART
        if ok and near_in_time:
            groups.add(row[1])
    group = min(groups | {doc_id})
    store.add_to_group(doc_id, group, sorted(groups - {group}), sig.tobytes(), lede.tobytes(), keys)


def copies_of_text(store: Store, text: str) -> list[int]:
    """Stored original articles that are near-duplicates of this text."""
    sig, lede = signatures(text)
    found = store.signed_with_keys(band_keys(sig))
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


def group_documents(store: Store, doc_id: int) -> list[tuple[int, str | None]]:
    """(id, outlet) of every article (originals and their exact copies) in this article's near-duplicate group."""
    original = store.original_of(doc_id)
    group = store.groups_of([original])[original]
    return store.with_copies(store.members(group) or [original])


def one_per_group(
    store: Store, ranked: list[int], limit: int | None = None, groups: dict[int, int] | None = None
) -> tuple[list[int], dict[int, int]]:
    """The best ranked article of each near-duplicate group (up to `limit`), and every ranked article's group
    (`groups`: already read for these articles)."""
    groups = store.groups_of(ranked) if groups is None else groups
    if len(set(groups.values())) == len(groups) == len(ranked):  # no two share a group (no repeats either)
        return ranked[:limit], groups
    seen: set[int] = set()
    kept: list[int] = []
    for doc in ranked:
        if groups[doc] not in seen:
            seen.add(groups[doc])
            kept.append(doc)
            if len(kept) == limit:
                break
    return kept, groups
