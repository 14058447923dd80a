"""Identity, change, duplicates and bad input across ingests."""

from __future__ import annotations

import json
import os
from pathlib import Path

from archive import Chunker, IngestOptions, Store, ingest, remove_documents

BODY = "The blasts struck near the cemetery. Dozens were killed. Rescue teams worked through the night."


def chunk_rows(store: Store) -> list[tuple[int, int, int]]:
    return store.db.execute("SELECT doc_id, start, end FROM chunks ORDER BY doc_id, ordinal").fetchall()


def test_reingest_of_unchanged_files_adds_nothing(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.txt": "Title one\n\n" + BODY, "b.jsonl": '{"id": "x", "text": "Other text."}\n'})
    first = ingest(store, [str(root)], chunker)
    before = (store.stats(), chunk_rows(store))
    again = ingest(store, [str(root)], chunker)
    assert (first.added, again.added, again.unchanged) == (2, 0, 2)
    assert (store.stats(), chunk_rows(store)) == before


def test_a_changed_file_replaces_its_old_version_and_chunks(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.txt": "Title one\n\n" + BODY})
    ingest(store, [str(root)], chunker)
    (old,) = store.list_documents()
    files({"a.txt": "Title two\n\nA completely different story about a flood in the valley."})
    report = ingest(store, [str(root)], chunker)
    (new,) = store.list_documents()
    assert (report.added, report.replaced) == (0, 1)
    assert new.title == "Title two"
    assert {row[0] for row in chunk_rows(store)} == {new.id}
    assert store.stats().documents == 1


def test_a_changed_record_replaces_only_that_record(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.jsonl": '{"id": "1", "text": "First."}\n{"id": "2", "text": "Second."}\n'})
    ingest(store, [str(root)], chunker)
    files({"a.jsonl": '{"id": "1", "text": "First."}\n{"id": "2", "text": "Second, corrected."}\n'})
    report = ingest(store, [str(root)], chunker)
    assert (report.unchanged, report.replaced, report.added) == (1, 1, 0)
    assert store.find("2").text == "Second, corrected."


def test_a_record_gone_from_its_file_is_removed(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.jsonl": '{"id": "1", "text": "First."}\n{"id": "2", "text": "Second."}\n'})
    ingest(store, [str(root)], chunker)
    files({"a.jsonl": '{"id": "1", "text": "First."}\n'})
    ingest(store, [str(root)], chunker)
    assert [d.external_id for d in store.list_documents()] == ["1"]


def test_exact_duplicate_keeps_provenance_without_new_chunks(store: Store, chunker: Chunker, files) -> None:
    root = files(
        {
            "wire/a.json": json.dumps({"title": "A", "source": "AP", "text": BODY}),
            "copy/b.json": json.dumps(
                {"title": "B", "source": "Local Paper", "text": BODY.replace(". ", ".\n") + "  \n"}
            ),
        }
    )
    report = ingest(store, [str(root)], chunker)
    assert (report.added, report.duplicates) == (1, 1)
    a, b = (store.get(d.id) for d in store.list_documents())
    original, copy = (a, b) if a.duplicate_of is None else (b, a)
    assert copy.duplicate_of == original.id and copy.outlet != original.outlet
    assert {row[0] for row in chunk_rows(store)} == {original.id}
    assert store.stats().duplicates == 1


def test_removing_the_original_promotes_its_duplicate(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.txt": "Same title\n\n" + BODY, "b.txt": "Same title\n\n" + BODY})
    ingest(store, [str(root)], chunker)
    original = next(d for d in store.list_documents() if store.get(d.id).duplicate_of is None)
    assert remove_documents(store, [original.id], chunker) == 1
    (heir,) = store.list_documents()
    assert store.get(heir.id).duplicate_of is None
    assert [row[0] for row in chunk_rows(store)] and {row[0] for row in chunk_rows(store)} == {heir.id}
    # the removed file is read again on the next ingest
    assert ingest(store, [str(root)], chunker).duplicates == 1


def test_bad_inputs_are_recorded_and_the_ingest_goes_on(store: Store, chunker: Chunker, files, tmp_path: Path) -> None:
    root = files(
        {
            "good.txt": "A good title\n\n" + BODY,
            "binary.txt": b"\x00\x01\x02\x03binary",
            "latin1.txt": "caf\xe9 au lait".encode("latin-1"),
            "empty.txt": "",
            "lines.jsonl": '{"text": "Fine."}\n{oops\n',
            "notes.docx": b"PK\x03\x04",
        }
    )
    huge = root / "huge.txt"
    with open(huge, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    report = ingest(store, [str(root), str(tmp_path / "missing")], chunker)
    reasons = {Path(f.path.split(" (")[0]).name: f.reason for f in report.failed}
    assert report.added == 2
    assert "binary" in reasons["binary.txt"]
    assert "not valid UTF-8" in reasons["latin1.txt"] and "iconv" in reasons["latin1.txt"]
    assert reasons["empty.txt"] == "empty file"
    assert "malformed JSON" in reasons["lines.jsonl"]
    assert "200 MB" in reasons["huge.txt"]
    assert reasons["missing"] == "no such file or folder"
    assert report.skipped_files == 1  # notes.docx: not a supported type
    assert store.stats().failed_files == 5


def test_a_failed_file_that_is_fixed_clears_its_failure(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.txt": ""})
    ingest(store, [str(root)], chunker)
    assert store.stats().failed_files == 1
    files({"a.txt": "Now a title\n\nAnd a body."})
    assert ingest(store, [str(root)], chunker).added == 1
    assert store.stats().failed_files == 0


def test_outlet_comes_from_record_then_url_then_source_never_the_folder(store: Store, chunker: Chunker, files) -> None:
    root = files(
        {
            "Folder Name/a.jsonl": "\n".join(
                [
                    '{"id": "rec", "text": "One.", "source": "Record Outlet", "url": "https://www.url.example/x"}',
                    '{"id": "url", "text": "Two.", "url": "https://www.url.example/y"}',
                    '{"id": "none", "text": "Three."}',
                ]
            ),
            "Folder Name/b.txt": "Four title here\n\nFour.",
        }
    )
    ingest(store, [str(root / "Folder Name" / "a.jsonl")], chunker, IngestOptions(source="Given"))
    ingest(store, [str(root / "Folder Name" / "b.txt")], chunker)
    assert store.find("rec").outlet == "Record Outlet"
    assert store.find("url").outlet == "url.example"
    assert store.find("none").outlet == "Given"
    b = next(d for d in store.list_documents() if d.external_id is None)
    assert b.outlet is None  # a folder of downloads holds many outlets: its name is none of them


def test_store_is_wal_and_migrated(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA user_version").fetchone()[0] >= 1
    assert os.path.exists(store.path)


def test_outlet_spelling_is_shared_across_case(store: Store, chunker: Chunker, files) -> None:
    root = files(
        {"a.jsonl": '{"id": "1", "text": "One.", "source": "fox"}\n{"id": "2", "text": "Two.", "source": "FOX"}'}
    )
    ingest(store, [str(root)], chunker)
    assert store.find("2").outlet == "fox" and store.stats().outlets == 1
