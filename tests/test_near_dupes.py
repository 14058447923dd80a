"""Near-duplicate groups from real text: copies are grouped, two outlets' reports of one event are not."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from archive import Chunker, StoreError, WordTokenizer
from index import Archive, HashEmbedder, near_dupes
from tests.conftest import shared_path

BOILERPLATE_TOP = "By Staff Writer | Example Wire Service\n\nUpdated 3 hours ago\n\n"
ANNIVERSARY = (
    "A year after the twin blasts in Kerman killed dozens of people near the grave of general Qassem Soleimani, "
    "families of the victims gathered at the cemetery. Officials said the investigation into the explosions "
    "had ended and that those responsible had been punished."
)
BOILERPLATE_END = "\n\nCopyright 2024 Example Wire Service. All rights reserved. Sign up for our morning newsletter."


def _seeds() -> tuple[str, str]:
    folder = shared_path("seeds")
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    return texts[0].split("\n", 1)[1].strip(), texts[1].split("\n", 1)[1].strip()  # without the date marker


def _cut_last_paragraph(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "\n\n".join(paragraphs[:-1])


def _variants(text: str) -> dict[str, str]:
    lines = text.split("\n", 1)
    return {
        "headline": "Blasts near Soleimani's grave kill scores in Kerman\n" + lines[1],
        "boilerplate": BOILERPLATE_TOP + text + BOILERPLATE_END,
        "cut": _cut_last_paragraph(text),
        "all three": BOILERPLATE_TOP + "Kerman explosions: what we know\n" + _cut_last_paragraph(lines[1]),
    }


def _open(home: Path) -> Archive:
    return Archive(home, embedder=HashEmbedder(dim=128), chunker=Chunker(WordTokenizer(254)))


def _ingest(home: Path, tmp_path: Path, records: list[dict[str, object]]) -> dict[str, int]:
    source = tmp_path / "in" / "records.jsonl"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    with _open(home) as archive:
        archive.ingest([str(source)])
        return dict(archive.store.db.execute("SELECT external_id, id FROM documents").fetchall())


def test_copies_are_grouped_and_another_outlets_report_is_not(home: Path, tmp_path: Path) -> None:
    first, second = _seeds()
    records: list[dict[str, object]] = [
        {"id": "original", "title": "Twin blasts in Kerman", "source": "Outlet A", "date": "2024-01-03", "text": first},
        {"id": "other-outlet", "title": "Kerman blasts", "source": "Outlet B", "date": "2024-01-03", "text": second},
    ]
    for n, (name, text) in enumerate(_variants(first).items()):
        records.append({"id": name, "title": f"Copy {n}", "source": f"Wire {n}", "date": "2024-01-03", "text": text})
    ids = _ingest(home, tmp_path, records)
    with _open(home) as archive:
        groups = archive.store.groups_of(list(ids.values()))
        copies = {name: groups[ids[name]] for name in ("original", "headline", "boilerplate", "cut", "all three")}
        assert len(set(copies.values())) == 1, copies
        assert groups[ids["other-outlet"]] != copies["original"]

        collapsed = archive.search("Kerman explosions Soleimani grave", mode="lexical", limit=10)
        assert len(collapsed.results) == 2
        top = next(r for r in collapsed.results if r.id != ids["other-outlet"])
        assert {"Wire 0", "Wire 1", "Wire 2", "Wire 3", "Outlet A"} - {top.outlet} <= set(top.also_in)
        everything = archive.search("Kerman explosions Soleimani grave", mode="lexical", limit=10, collapse=False)
        assert len(everything.results) == 6

        related = archive.related(ids["other-outlet"])
        assert len(related) == 1, "the five copies are one report"
        assert {related[0].outlet, *related[0].also_in} == {"Outlet A", "Wire 0", "Wire 1", "Wire 2", "Wire 3"}
        from_copy = archive.related(ids["cut"])
        assert [r.id for r in from_copy] == [ids["other-outlet"]], "a seed's own copies are not related coverage"


def test_basil_event_mates_stay_apart_and_their_copies_join(tmp_path: Path) -> None:
    folder = shared_path("data", "basil", "articles")
    events: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = raw["body-paragraphs"]
        text = "\n\n".join(" ".join(s) for s in paragraphs)
        events.setdefault(raw["triplet-uuid"], []).append(text)
    signatures = {e: [near_dupes.signature(t) for t in texts] for e, texts in events.items()}
    mates = [near_dupes.similarity(a, b) for sigs in signatures.values() for a, b in itertools.combinations(sigs, 2)]
    assert len(mates) == 300 and max(mates) < near_dupes.THRESHOLD
    for texts, sigs in zip(events.values(), signatures.values()):
        for text, sig in zip(texts, sigs):
            copy = BOILERPLATE_TOP + _cut_last_paragraph(text) + BOILERPLATE_END
            assert near_dupes.similarity(sig, near_dupes.signature(copy)) >= near_dupes.THRESHOLD


@pytest.mark.parametrize("change", ["rewrite", "becomes exact copy"])
def test_a_changed_article_is_grouped_again(home: Path, tmp_path: Path, change: str) -> None:
    text = "The river flooded the old town after three days of rain. " * 8 + "Officials opened shelters."
    other = "A new bridge opened across the bay on Monday, cutting the commute by half. " * 8
    records: list[dict[str, object]] = [
        {"id": "a", "title": "Flood", "text": text},
        {"id": "b", "title": "Flood again", "text": text + " Schools closed."},
    ]
    ids = _ingest(home, tmp_path, records)
    records[1]["text"] = other if change == "rewrite" else text
    ids = _ingest(home, tmp_path, records)
    with _open(home) as archive:
        groups = archive.store.groups_of([ids["a"], ids["b"]])
        assert groups[ids["a"]] != groups[ids["b"]] or change != "rewrite"
        assert archive.near_duplicates.lag(archive.store) == 0


def test_archive_related_command(home: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ui.cli import cli

    first, second = _seeds()
    records: list[dict[str, object]] = [
        {"id": "a", "title": "Twin blasts in Kerman", "source": "Outlet A", "date": "2024-01-03", "text": first},
        {"id": "b", "title": "Kerman blasts", "source": "Outlet B", "date": "2024-01-04", "text": second},
        {"id": "c", "title": "Copy", "source": "Wire", "date": "2024-01-03", "text": _cut_last_paragraph(first)},
        {
            "id": "d",
            "title": "Kerman blasts, a year on",
            "source": "Outlet C",
            "date": "2025-01-03",
            "text": ANNIVERSARY,
        },
    ]
    ids = _ingest(home, tmp_path, records)
    runner = CliRunner()

    def run(*args: str) -> object:
        result = runner.invoke(cli, ["--home", str(home), "related", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    body = json.loads(str(run(str(ids["b"]), "--json")))
    assert body["window_days"] == 14 and body["seed"]["outlet"] == "Outlet B"
    [only] = body["results"]  # the copy counts once; the article a year later is outside the window
    assert {only["outlet"], *only["also_in"]} == {"Outlet A", "Wire"} and only["days_from_seed"] == -1
    assert set(only["duplicate_group"]) == {ids["a"], ids["c"]}
    assert only["passage"]["text"] and 0 <= only["passage"]["start"] < only["passage"]["end"]
    wide = json.loads(str(run(str(ids["b"]), "--any-time", "--json")))
    assert {r["outlet"] for r in wide["results"]} == {"Wire", "Outlet C"} or {r["outlet"] for r in wide["results"]} == {
        "Outlet A",
        "Outlet C",
    }
    plain = str(run(str(ids["b"]), "--by", "date"))
    assert "related to: Kerman blasts" in plain and "(-1d)" in plain
    with _open(home) as archive:  # a pasted text (the CLI's --text) needs the archive's model: here the fake one
        pasted = archive.related(text=second, date="2024-01-03")
        assert pasted and ids["b"] not in {r.id for r in pasted}, "the stored copy of the pasted text is left out"
    batch = tmp_path / "ids.txt"
    batch.write_text(f"{ids['a']}\n{ids['b']}\n", encoding="utf-8")
    lines = str(run("--batch", str(batch))).strip().splitlines()
    assert [json.loads(line)["seed"]["id"] for line in lines] == [ids["a"], ids["b"]]
    batch.write_text(f"{ids['a']}\n999999\n{ids['b']}\n", encoding="utf-8")
    partly = runner.invoke(cli, ["--home", str(home), "related", "--batch", str(batch)])
    assert partly.exit_code == 1 and "1 of the 3 ids" in partly.output
    bodies = [json.loads(line) for line in partly.stdout.splitlines() if line.startswith("{")]
    assert [b["seed"]["id"] for b in bodies] == [ids["a"], "999999", ids["b"]] and "no document" in bodies[1]["error"]
    bad = runner.invoke(cli, ["--home", str(home), "related", "999999"])
    assert bad.exit_code == 1 and "no document" in bad.output
    neither = runner.invoke(cli, ["--home", str(home), "related"])
    assert neither.exit_code == 2


@pytest.mark.parametrize("words", [0, 3, 5, 499, 500, 501, 504, 1_200])
def test_both_signatures_are_those_of_the_whole_text_and_of_its_opening(words: int) -> None:
    text = " ".join(f"Word{i % 37}-{i}" for i in range(words))
    whole, lede = near_dupes.signatures(text)
    opening = " ".join(near_dupes._WORD.findall(text.lower())[: near_dupes.LEDE_WORDS])
    assert (whole == near_dupes.signature(text)).all()
    assert (lede == near_dupes.signature(opening)).all()


@pytest.mark.parametrize("count", [1, 2, 31, 1_000, near_dupes.SIGN_ROWS + 7])
def test_signing_is_datasketchs_minhash(count: int) -> None:
    """The numpy signing gives what datasketch's own MinHash gives for the same 32-bit values and scheme."""
    from datasketch import MinHash

    values = np.random.default_rng(count).integers(0, 2**32, count, dtype=np.uint64)
    sketch = MinHash(num_perm=near_dupes.PERMUTATIONS, seed=near_dupes.SEED, hashfunc=int, scheme=near_dupes.SCHEME)
    sketch.update_batch(values.tolist())
    assert near_dupes._sign(values).tolist() == np.asarray(sketch.hashvalues, dtype=np.uint64).tolist()


def test_shingles_weigh_each_run_of_words() -> None:
    hashes = np.array([2**32 - 1, 7, 2**31, 12345, 99, 2**32 - 5, 3], dtype=np.uint64)
    expected = [
        int(sum(int(h) * int(m) for h, m in zip(hashes[i : i + near_dupes.SHINGLE], near_dupes._MIX)) % 2**64)
        & 0xFFFFFFFF
        for i in range(len(hashes) - near_dupes.SHINGLE + 1)
    ]
    assert near_dupes._shingles(hashes).tolist() == expected
    assert len(near_dupes._shingles(hashes[:3])) == 1


def test_word_hashes_are_crc32_whether_kept_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    import zlib

    monkeypatch.setattr(near_dupes, "WORDS_KEPT", 3)
    for text in ("Kerman blasts kill dozens", "dozens more in Kerman", "Qassem Soleimani's grave"):
        words = near_dupes._WORD.findall(text.lower())
        assert near_dupes._word_hashes(text).tolist() == [zlib.crc32(w.encode()) for w in words]


def _partition(groups: dict[int, int]) -> set[frozenset[int]]:
    by_key: dict[int, set[int]] = {}
    for doc, key in groups.items():
        by_key.setdefault(key, set()).add(doc)
    return {frozenset(docs) for docs in by_key.values()}


def test_many_ids_are_grouped_from_the_map_of_shared_groups_as_one_by_one(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search's thousands of word matches are collapsed through a map of the articles that share a group, read
    again whenever the store changes: the same groups as looking each id up."""
    from archive.store import groups as group_tables

    first, second = _seeds()
    records: list[dict[str, object]] = [
        {"id": "original", "source": "Outlet A", "date": "2024-01-03", "text": first},
        {"id": "other-outlet", "source": "Outlet B", "date": "2024-01-03", "text": second},
        {"id": "copy", "source": "Wire 0", "date": "2024-01-03", "text": _variants(first)["cut"]},
    ]
    ids = _ingest(home, tmp_path, records)
    with _open(home) as archive:
        one_by_one = archive.store.groups_of(list(ids.values()))
        monkeypatch.setattr(group_tables, "SHARED_MAP_FROM", 1)
        mapped = archive.store.groups_of(list(ids.values()))
        assert (
            _partition(mapped)
            == _partition(one_by_one)
            == {
                frozenset({ids["original"], ids["copy"]}),
                frozenset({ids["other-outlet"]}),
            }
        )
        found = archive.search("Kerman explosions Soleimani grave", mode="lexical")
        assert found.matched == len(found.results) == 2
    later = tmp_path / "later" / "records.jsonl"
    later.parent.mkdir()
    later.write_text(json.dumps({"id": "headline", "source": "Wire 1", "text": _variants(first)["headline"]}))
    with _open(home) as archive:
        before = archive.store.groups_of(list(ids.values()))  # the map is read; the next ingest changes the store
        archive.ingest([str(later)])
        headline = archive.store.db.execute("SELECT id FROM documents WHERE external_id = 'headline'").fetchone()[0]
        after = archive.store.groups_of([*ids.values(), headline])
    assert before[ids["copy"]] == before[ids["original"]]
    assert after[headline] == after[ids["original"]] == after[ids["copy"]] != after[ids["other-outlet"]]


def test_a_count_taken_without_listing_the_matches_is_the_listings_length(home: Path, tmp_path: Path) -> None:
    """Without a filter, or with one the word index holds exactly, `matched` is counted from the word index and the
    map of shared groups; `matched_ids` is listed only when read. Both agree with near copies, meaning-only matches,
    negated words, no collapsing, and filters on a copy's date or outlet."""
    from archive.store import Filters
    from index import SearchSettings

    first, second = _seeds()
    records: list[dict[str, object]] = [
        {"id": "original", "source": "Outlet A", "date": "2024-01-03", "text": first},
        {"id": "other-outlet", "source": "Outlet B", "date": "2024-01-03", "text": second},
    ]
    for n, (name, text) in enumerate(_variants(first).items()):
        records.append({"id": name, "source": f"Wire {n}", "date": "2024-01-03", "text": text})
    records += [{"id": f"d{i}", "text": f"Harbour bridge works, part {i}, close a lane."} for i in range(30)]
    records.append({"id": "exact-copy", "source": "Outlet C", "date": "2024-02-10", "text": first})
    _ingest(home, tmp_path, records)
    low = SearchSettings(match_floor=-1.0)
    filters = [
        None,
        Filters(date_from="2024-02-01"),  # the original, through its exact copy's day
        Filters(date_to="2024-01-31", undated="include"),
        Filters(undated="only"),
        Filters(outlets=(" outlet c ",)),
        Filters(outlets=("Outlet A", "Wire 1")),
        Filters(outlets=("outlet a",), date_from="2024-02-01"),  # no one copy has both: a superset in words
    ]
    with _open(home) as archive:
        for query in ("Kerman explosions", "Kerman -Soleimani", "harbour bridge", "Kerman OR bridge", "zzzzqqq"):
            for mode, collapse, settings, where in itertools.product(
                ("lexical", "hybrid", "semantic"), (True, False), (None, low), filters
            ):
                found = archive.search(query, where, mode=mode, collapse=collapse, settings=settings)
                case = (query, mode, collapse, settings, where)
                assert found.matched == len(found.matched_ids), case
                assert len(set(found.matched_ids)) == len(found.matched_ids), case
        copies = archive.search("Kerman explosions", mode="lexical")
        assert copies.matched == 2 and archive.search("Kerman explosions", mode="lexical", collapse=False).matched == 6
        assert len(copies.matched_ids) == 2
        unread = archive.search("harbour bridge", mode="lexical")
    with pytest.raises(StoreError, match="was closed before listing the matches"):
        unread.matched_ids  # noqa: B018 - read after the archive closed: a clear error, not sqlite's
    assert len(copies.matched_ids) == 2, "once read, the ids stay"


def test_the_lags_and_groups_are_read_from_thin_indexes(home: Path, tmp_path: Path) -> None:
    """`archive stats` and the second process of an ingest count what lags, and a search collapses its matches by
    group, from thin indexes of ids (schema 13), not from each article's row (its text inline) and each
    signature's (about 1 KB): those reads grew with the archive."""
    from index import timex

    _ingest(
        home,
        tmp_path,
        [{"id": f"a{i}", "text": f"Story {i} on the harbour bridge.", "date": "2024-01-0{i}"} for i in range(1, 4)],
    )
    with _open(home) as archive:
        store = archive.store
        ran: list[str] = []
        store.db.set_trace_callback(ran.append)
        try:
            assert store.unsigned_count() == 0 and store.unsigned_count(after=2) == 0
            assert store.unscanned_count(timex.VERSION) == 0 and store.unscanned_count(timex.VERSION, after=2) == 0
            ids = [1, 2, 3]
            assert set(store.groups_of(ids)) == set(ids)  # a search collapses its matches by group
        finally:
            store.db.set_trace_callback(None)
        groups = [sql for sql in ran if "SELECT doc_id, grp" in sql]
        assert len(groups) == 1
        plan = " / ".join(row[-1] for row in store.db.execute("EXPLAIN QUERY PLAN " + groups[0]))
        assert "COVERING INDEX near_dupes_ids" in plan, plan
        counts = [sql for sql in ran if sql.lstrip().upper().startswith("SELECT COUNT")]
        assert len(counts) == 4
        for sql in counts:
            plan = " / ".join(row[-1] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql))
            assert "COVERING INDEX documents_ids" in plan or "COVERING INDEX documents_duplicate" in plan, plan
            assert "INTEGER PRIMARY KEY (rowid>?)" not in plan and "SCAN d " not in plan, plan
            if "near_dupes" in sql:
                assert "COVERING INDEX near_dupes_ids" in plan, plan
