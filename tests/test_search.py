"""Hybrid search over a small archive, with the deterministic hash embedder (no model needed)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import index.compressed
import index.vectors
from archive import Chunker, InvalidInputError, WordTokenizer, ingest
from index import Archive, Filters, HashEmbedder, SearchResponse
from index.query import stem

TOPICS = ["budget", "election", "football", "weather", "markets", "schools", "hospital", "housing", "transit", "music"]
OUTLETS = ["Daily One", "Two Times", "Third Post", "Fourth Wire"]


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    return path


def distractors(n: int, seed: int = 1) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        words = " ".join(rng.choice(TOPICS) for _ in range(8))
        year, month, day = rng.randint(2010, 2020), rng.randint(1, 12), rng.randint(1, 28)
        out.append(
            {
                "id": f"d{i}",
                "title": f"News about {topic} {i}",
                "source": rng.choice(OUTLETS),
                "date": f"{year}-{month:02}-{day:02}",
                "text": f"The {topic} story number {i}. Officials discussed {words}. More {topic} later.",
            }
        )
    return out


RELEVANT = [
    {
        "id": "q1",
        "title": "Volcano erupts",
        "source": "Daily One",
        "date": "2015-03-02",
        "text": "A volcano erupted near the village, sending ash over farms. Volcano ash closed the airport.",
    },
    {
        "id": "q2",
        "title": "Ash cloud grounds flights",
        "source": "Two Times",
        "date": "2015-03-05",
        "text": "The volcano ash cloud grounded flights across the region for a second day.",
    },
    {
        "id": "q3",
        "title": "Farmers count volcano losses",
        "source": "Third Post",
        "date": "2015-03-09",
        "text": "Farmers near the volcano counted losses after ash buried their fields.",
    },
]


def open_fake(home: Path, **kwargs: object) -> Archive:
    """An archive with the hash embedder and a word tokenizer: no model is loaded."""
    return Archive(home, embedder=HashEmbedder(dim=128), chunker=Chunker(WordTokenizer(254)), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def archive(home: Path):  # type: ignore[no-untyped-def]
    with open_fake(home) as a:
        yield a


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "in" / "news.jsonl", distractors(1000) + RELEVANT)


@pytest.mark.parametrize(
    ("kind", "exact_max"), [("flat", 50_000), ("hnsw", 50_000), ("hnsw", 10), ("ivfpq", 50_000), ("ivfpq", 10)]
)
def test_a_date_filter_never_drops_a_semantic_match(
    home: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, kind: str, exact_max: int
) -> None:
    monkeypatch.setattr(index.vectors, "HNSW_THRESHOLD", 200 if kind == "hnsw" else 100_000)
    monkeypatch.setattr(index.compressed, "COMPRESS_THRESHOLD", 200 if kind == "ivfpq" else 10**7)
    monkeypatch.setattr(index.vectors, "EXACT_MAX_SURVIVORS", exact_max)  # 10: the index searches among survivors
    monkeypatch.setattr(index.vectors, "BITMAP_FROM", 20 if exact_max == 10 else 20_000)  # ... given as a bitmap
    with open_fake(home) as archive:
        archive.ingest([str(corpus)])
        assert archive.vectors is not None
        assert archive.vectors.kind == kind
        filters = Filters(date_from="2015-03-01", date_to="2015-03-31")
        response = archive.search("volcano ash", filters, mode="semantic", limit=10)
        ids = {r.external_id for r in response.results}
        assert {"q1", "q2", "q3"} <= ids
        assert all(r.date and "2015-03-01" <= r.date <= "2015-03-31" for r in response.results)
        in_range = sum(1 for d in distractors(1000) if "2015-03-01" <= str(d["date"]) <= "2015-03-31") + 3
        assert response.filtered_articles == in_range


def test_outlet_filter_applies_inside_both_legs(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    for mode in ("lexical", "semantic", "hybrid"):
        response = archive.search("volcano ash", Filters(outlets=("two times",)), mode=mode, limit=20)
        assert response.results and {r.outlet for r in response.results} == {"Two Times"}
        assert response.results[0].external_id == "q2"


def test_hybrid_keeps_ranks_and_scores_of_both_legs(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    top = archive.search("volcano ash airport", limit=3).results[0]
    assert top.external_id == "q1"
    assert top.lexical_rank == 1 and top.semantic_rank is not None
    assert top.lexical_score and top.semantic_score
    assert top.text[top.passage.start : top.passage.end] == top.passage.text


def test_sentences_are_marked_by_meaning_once(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    marked = archive.search("volcano ash airport", limit=3)
    plain = archive.search("volcano ash airport", limit=3, semantic_highlights=False)

    def semantic(response: SearchResponse) -> int:
        return sum(h.kind == "semantic" for r in response.results for h in r.highlights)

    assert semantic(marked) and not semantic(plain)
    assert archive.with_semantic_highlights(plain) == marked
    assert archive.with_semantic_highlights(marked) == marked  # asked again: the same marks, not twice as many


def test_quoted_phrase_and_rare_name_are_not_buried(archive: Archive, tmp_path: Path) -> None:
    records = distractors(300) + [
        {
            "id": "rare",
            "title": "A short note",
            "source": "Daily One",
            "date": "2019-01-01",
            "text": "Spokesman Kianush Jahanpur commented briefly on the budget election football weather.",
        },
    ]
    archive.ingest([str(write_jsonl(tmp_path / "in" / "n.jsonl", records))])
    assert archive.search("Kianush Jahanpur", limit=5).results[0].external_id == "rare"
    phrase = archive.search('"commented briefly" budget election', limit=5).results
    assert phrase[0].external_id == "rare"


def test_negated_words_exclude_articles_in_every_leg(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    ids = {r.external_id for r in archive.search("volcano ash -airport", limit=20).results}
    assert "q1" not in ids and {"q2", "q3"} <= ids


def test_exact_duplicates_show_once_and_a_copys_outlet_finds_them(archive: Archive, tmp_path: Path) -> None:
    wire = "Storm floods the coastal town. Residents fled to higher ground as the river rose."
    records = [
        {"id": "orig", "title": "Storm floods town", "source": "Wire Service", "date": "2020-05-01", "text": wire},
        {"id": "copy", "title": "Town flooded", "source": "Local Paper", "date": "2020-05-02", "text": wire},
    ] + distractors(50)
    archive.ingest([str(write_jsonl(tmp_path / "in" / "n.jsonl", records))])
    results = archive.search("storm floods coastal town", limit=10).results
    top = results[0]
    assert top.external_id == "orig" and top.also_in == ("Local Paper",)
    assert sum(r.external_id in ("orig", "copy") for r in results) == 1
    local = archive.search("storm floods", Filters(outlets=("Local Paper",)), limit=5).results
    assert [r.external_id for r in local] == ["copy"]


def test_undated_articles_follow_the_policy(archive: Archive, tmp_path: Path) -> None:
    records = [
        {"id": "dated", "text": "Harbour crane collapse.", "date": "2021-06-01"},
        {"id": "undated", "text": "Harbour crane collapse again."},
    ]
    archive.ingest([str(write_jsonl(tmp_path / "in" / "n.jsonl", records))])

    def ids(**kw: object) -> set[str | None]:
        return {r.external_id for r in archive.search("harbour crane", Filters(**kw), limit=5).results}  # type: ignore[arg-type]

    assert ids() == {"dated", "undated"}
    assert ids(date_from="2021-01-01") == {"dated"}
    assert ids(date_from="2021-01-01", undated="include") == {"dated", "undated"}
    assert ids(undated="only") == {"undated"}
    assert ids(undated="exclude") == {"dated"}


def test_bad_filters_are_clear_errors() -> None:
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        Filters(date_from="yesterday")
    with pytest.raises(InvalidInputError, match="empty"):
        Filters(date_from="2020-01-02", date_to="2020-01-01")


def test_derived_indexes_catch_up_on_open(home: Path, corpus: Path) -> None:
    with open_fake(home) as archive:
        archive.ingest([str(corpus)])
    # a writer that stored chunks but died before updating the lexical index
    extra = write_jsonl(corpus.parent / "late.jsonl", [{"id": "late", "text": "Meteor seen over the lake."}])
    with open_fake(home, catch_up=False) as archive:
        ingest(archive.store, [str(extra)], archive.chunker())
        assert archive.lexical.lag(archive.store) > 0
    with open_fake(home) as archive:
        assert archive.lexical.lag(archive.store) == 0
        response = archive.search("meteor lake", limit=3)
        assert response.results[0].external_id == "late"
        assert response.results[0].semantic_rank is None  # not embedded yet: found by words
        assert response.vector_coverage < 1.0


def test_search_during_phase_two_says_how_much_is_embedded(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)], embed=False)
    response = archive.search("volcano ash", limit=3)
    assert response.vector_coverage == 0.0 and response.results[0].external_id == "q1"
    archive.embed()
    assert archive.search("volcano ash", limit=3).vector_coverage == 1.0


def test_removed_documents_leave_both_indexes(archive: Archive, corpus: Path) -> None:
    from archive import remove_documents

    archive.ingest([str(corpus)])
    q1 = archive.store.find("q1")
    remove_documents(archive.store, [q1.id], archive.chunker())
    archive.catch_up()
    for mode in ("lexical", "semantic"):
        assert "q1" not in {r.external_id for r in archive.search("volcano ash airport", mode=mode, limit=20).results}


def test_another_model_is_a_clear_error_naming_reindex(home: Path, corpus: Path) -> None:
    with open_fake(home) as archive:
        archive.ingest([str(corpus)])
    with pytest.raises(InvalidInputError, match="archive reindex --embeddings"):
        Archive(home, model="some-other-model", chunker=Chunker(WordTokenizer(254)))


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("small")
    with open_fake(root / "home") as archive:
        archive.ingest([str(write_jsonl(root / "in" / "n.jsonl", distractors(60) + RELEVANT))])
        yield archive


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
    | st.sampled_from(['"volcano ash', "title:(", "a OR", "AND", "-", "outlet:", '"', "((", "ash*", "x:y"])
)
def test_any_query_string_searches_without_error(small_archive: Archive, query: str) -> None:
    response = small_archive.search(query, limit=5)
    for result in response.results:
        for h in result.highlights:
            assert 0 <= h.start < h.end <= len(result.text)
            if h.kind == "lexical":
                assert stem(result.text[h.start : h.end]) in small_archive.searcher.parse(query).stems


def test_reindex_rebuilds_from_the_store_without_re_embedding(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    before = archive.search("volcano ash", limit=5)
    embedded = archive.coverage().embedded
    seq = archive.store.db.execute("SELECT MAX(seq) FROM embeddings").fetchone()[0]
    archive.reindex()
    assert archive.coverage().embedded == embedded
    assert archive.store.db.execute("SELECT MAX(seq) FROM embeddings").fetchone()[0] == seq  # nothing re-embedded
    after = archive.search("volcano ash", limit=5)
    assert [r.id for r in after.results] == [r.id for r in before.results]


def test_a_cached_filter_sees_new_articles_from_this_and_other_connections(home: Path, tmp_path: Path) -> None:
    filters = Filters(date_from="2015-03-01", date_to="2015-03-31")
    with open_fake(home) as reader, open_fake(home) as writer:
        writer.ingest([str(write_jsonl(tmp_path / "a" / "a.jsonl", RELEVANT[:1]))])
        assert {r.external_id for r in reader.search("volcano", filters, mode="semantic").results} == {"q1"}
        writer.ingest([str(write_jsonl(tmp_path / "b" / "b.jsonl", RELEVANT[1:2]))])  # another connection
        assert {r.external_id for r in reader.search("volcano", filters, mode="semantic").results} == {"q1", "q2"}
        reader.ingest([str(write_jsonl(tmp_path / "c" / "c.jsonl", RELEVANT[2:]))])  # this connection
        found = reader.search("volcano", filters, mode="semantic")
        assert {r.external_id for r in found.results} == {"q1", "q2", "q3"} and found.filtered_articles == 3


def test_an_archive_embedded_before_titles_re_embeds_its_first_chunks_once(home: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from archive import read_manifest, write_manifest

    with open_fake(home) as archive:
        archive.ingest([str(write_jsonl(tmp_path / "in" / "news.jsonl", RELEVANT))])
    manifest = read_manifest(home)
    assert manifest.embedding is not None and manifest.embedding.text == "title+first-chunk"
    write_manifest(home, manifest.with_embedding(replace(manifest.embedding, text=None)))  # as an older archive
    with open_fake(home) as archive:
        assert archive.embed() == len(RELEVANT)  # one first chunk per article, embedded again with its title
        assert (read_manifest(home).embedding or manifest.embedding).text == "title+first-chunk"
        assert archive.embed() == 0
        assert archive.vectors is not None and archive.vectors.size == archive.coverage().chunks
        assert archive.search("volcano", mode="semantic").results


def test_the_match_count_is_the_same_for_every_page_and_limit(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    with_budget = sum("budget" in str(d["text"]) or "budget" in str(d["title"]) for d in distractors(1000))
    for mode in ("lexical", "hybrid"):
        counts = {
            archive.search("budget", mode=mode, limit=limit, offset=offset).matched
            for limit, offset in ((10, 0), (100, 0), (10, 150), (5, 400))
        }
        assert len(counts) == 1, (mode, counts)
    assert archive.search("budget", mode="lexical", limit=10).matched == with_budget > 100


def test_gibberish_matches_nothing_and_says_so(archive: Archive, corpus: Path) -> None:
    archive.ingest([str(corpus)])
    response = archive.search("zzzzqqq", mode="hybrid", limit=10)
    assert response.matched == 0 and not response.words_matched
    assert response.results, "the nearest by meaning are still shown"
    assert all(r.lexical_rank is None for r in response.results)
    assert response.notice and "no article contains these words" in response.notice
    assert archive.search("volcano", mode="hybrid").words_matched


def test_a_meaning_only_hit_counts_above_the_floor_only(archive: Archive, corpus: Path) -> None:
    from index import SearchSettings

    archive.ingest([str(corpus)])
    everything = archive.search("zzzzqqq", mode="semantic", settings=SearchSettings(match_floor=-1.0))
    nothing = archive.search("zzzzqqq", mode="semantic", settings=SearchSettings(match_floor=1.01))
    assert everything.matched > 0 and nothing.matched == 0


def test_the_match_count_over_the_listing_cap_is_still_exact(archive: Archive, corpus: Path, monkeypatch) -> None:
    import index.search

    archive.ingest([str(corpus)])
    listed = archive.search("story", mode="lexical").matched
    monkeypatch.setattr(index.search, "MATCH_IDS_CAP", 50)
    assert archive.search("story", mode="lexical", limit=10).matched == listed > 50
    assert archive.search("story", mode="lexical", limit=10, offset=200).matched == listed


def test_the_printed_passage_holds_the_highlighted_sentence_whole_and_cuts_between_words() -> None:
    from index.highlight import Highlight
    from ui.search_output import PASSAGE_CHARS, _window

    text = "alpha " * 150 + "At least 20 were killed and 20 others injured, officials said. " + "omega " * 150
    s = text.index("At least")
    e = text.index("said.") + len("said.")
    for focus in (Highlight(s, e, "semantic"), None):
        a, b = _window(text, 0, len(text), focus)
        assert (a == 0 or text[a - 1].isspace()) and (b == len(text) or text[b].isspace()), (a, b)
        assert b - a <= PASSAGE_CHARS + 20
        if focus is not None:
            assert a <= s and e <= b
    long = "x" * 10 + " " + "The sentence " * 60 + "ends."
    a, b = _window(long, 0, len(long), Highlight(11, len(long), "semantic"))
    assert a <= 11 and b == len(long), "a sentence longer than the window is shown whole"


def test_the_answer_sentence_weighs_query_words_and_a_count_for_how_many() -> None:
    import numpy as np

    from index.answer import answer_scores, asks_for_a_number, has_a_count, query_stems

    sentences = [
        "The blasts reportedly happened near the gravesite in Kerman, January 3, 2024.",
        "Kerman’s emergency chief told state television that at least 20 were killed and 20 others injured.",
        "The ceremony marked the anniversary of the general's death.",
    ]
    question = "How many people died in the Kerman blasts?"
    cosines = np.array([0.62, 0.55, 0.40])  # the plain nearest sentence is the scene, not the answer
    assert int(np.argmax(cosines)) == 0
    scores = answer_scores(cosines, sentences, query_stems(question), asks_for_a_number(question))
    assert int(np.argmax(scores)) == 1
    assert asks_for_a_number(question) and not asks_for_a_number("Who claimed the Kerman blasts?")
    assert has_a_count("Dozens were hurt") and not has_a_count("On January 3, 2024 at 3:15 pm, see www.x.com")
    plain = answer_scores(cosines, sentences, frozenset(), False)
    assert int(np.argmax(plain)) == 0, "with no words to share and no number asked, closeness decides"


def test_a_backup_taken_while_reading_restores_words_and_meaning(
    archive: Archive, corpus: Path, tmp_path: Path
) -> None:
    archive.ingest([str(corpus)])
    before = archive.search("volcano ash", mode="semantic", limit=5)
    with archive.store.snapshot():  # a reader in the middle of a read, as the app may be
        archive.backup(tmp_path / "copy")
    with open_fake(tmp_path / "copy") as restored:
        restored.reindex()
        after = restored.search("volcano ash", mode="semantic", limit=5)
        assert [r.external_id for r in after.results] == [r.external_id for r in before.results]
        assert restored.coverage().embedded == archive.coverage().embedded > 0
    with pytest.raises(InvalidInputError):
        archive.backup(archive.home)


def test_every_match_is_exported_over_the_listing_cap_too(archive: Archive, corpus: Path, monkeypatch) -> None:
    import index.search

    archive.ingest([str(corpus)])
    monkeypatch.setattr(index.search, "MATCH_IDS_CAP", 50)
    response = archive.search("story", mode="lexical", limit=10)
    rows = list(archive.search_rows("story", mode="lexical", batch=64))
    assert response.matched > 50 and len(rows) == response.matched
    assert len({r["id"] for r in rows}) == len(rows)
    assert [r["id"] for r in rows[:10]] == [r.id for r in response.results]


def test_warming_in_the_background_returns_at_once_and_leaves_the_query_vector_ready(
    home: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    with open_fake(home) as archive:
        archive.ingest([str(corpus)])
        release, calls = threading.Event(), []
        embedder = archive.query_embedder
        slow = embedder.embed_query

        def held(text: str):  # type: ignore[no-untyped-def]
            release.wait(10)
            calls.append(text)
            return slow(text)

        monkeypatch.setattr(embedder, "embed_query", held)
        started = time.monotonic()
        archive.warm(background=True)
        assert time.monotonic() - started < 1 and calls == []  # the page is drawn while the model warms
        release.set()
        for _ in range(100):
            if calls:
                break
            time.sleep(0.05)
        assert calls == ["warm up"]
        assert archive.search("volcano ash", limit=3).results  # the search after it runs as ever


def test_coverage_is_counted_again_when_another_connection_or_this_one_writes(home: Path, tmp_path: Path) -> None:
    with open_fake(home) as writer:
        writer.ingest([str(write_jsonl(tmp_path / "a.jsonl", distractors(20)))], embed=False)
        with open_fake(home, catch_up=False) as reader:
            assert reader.coverage() == reader.coverage()  # the second answer from the cache
            assert reader.coverage().embedded == 0 and reader.coverage().chunks > 0
            writer.embed()
            assert reader.coverage().complete  # the writer's commit moved the reader's data_version
            writer.ingest([str(write_jsonl(tmp_path / "b.jsonl", distractors(5, seed=2)))], embed=False)
            assert writer.coverage().chunks == reader.coverage().chunks > reader.coverage().embedded
