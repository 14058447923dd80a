"""Unit tests of the pieces search is made of: fusion's arithmetic and the vector index's bookkeeping."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from archive import Chunker, WordTokenizer
from index import Archive, HashEmbedder
from index.fusion import ranked, rrf, weighted
from index.vectors import VectorIndex


def test_rrf_sums_reciprocal_ranks_and_ignores_scores() -> None:
    fused = rrf({"a": ["x", "y"], "b": ["y", "z"]}, k=1)
    assert fused == pytest.approx({"x": 1 / 2, "y": 1 / 3 + 1 / 2, "z": 1 / 3})
    assert ranked(fused) == ["y", "x", "z"]
    leaning = rrf({"a": ["x"], "b": ["z"]}, k=1, weights={"a": 2.0})
    assert leaning["x"] == pytest.approx(2 * leaning["z"])


def test_weighted_divides_bm25_by_its_best_and_fills_missing_cosines_with_the_lowest() -> None:
    fused = weighted({"x": 10.0, "y": 5.0}, {"y": 0.8, "z": 0.4}, lexical_share=0.5)
    assert fused["x"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.4)  # no cosine: the leg's lowest
    assert fused["y"] == pytest.approx(0.5 * 0.5 + 0.5 * 0.8)
    assert fused["z"] == pytest.approx(0.0 + 0.5 * 0.4)  # no BM25: 0
    assert weighted({}, {}, 0.3) == {} and ranked({}) == []


def test_ranked_keeps_first_seen_order_on_ties() -> None:
    assert ranked({"b": 1.0, "a": 1.0, "c": 2.0}) == ["c", "b", "a"]


def _filled(home: Path, texts: list[str]) -> Archive:
    archive = Archive(home, embedder=HashEmbedder(dim=32), chunker=Chunker(WordTokenizer(254)))
    folder = home.parent / "in"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.jsonl").write_text(
        "\n".join(f'{{"id": "d{i}", "text": "{t}", "source": "Wire"}}' for i, t in enumerate(texts)), encoding="utf-8"
    )
    archive.ingest([str(folder)])
    return archive


def test_the_vector_index_follows_the_store_saves_and_loads(home: Path) -> None:
    texts = [f"story {i} about harbour {i} and bridge {i * 7}" for i in range(12)]
    with _filled(home, texts) as archive:
        vectors = archive.vectors
        assert vectors is not None and vectors.size == archive.coverage().chunks and vectors.lag(archive.store) == 0
        query = archive.embedder.embed_query("harbour 3 bridge 21")
        best = vectors.search(query, 3)
        assert best and archive.store.doc_of([best[0].chunk_id])[best[0].chunk_id] == archive.get("d3").id
        allowed = np.array([best[-1].chunk_id], dtype=np.int64)
        assert [h.chunk_id for h in vectors.search(query, 3, allowed)] == [best[-1].chunk_id]  # the filter holds
        archive.remove([archive.get("d3").id])
        assert vectors.size == len(texts) - 1 and all(h.chunk_id != best[0].chunk_id for h in vectors.search(query, 12))
        again = VectorIndex(home, vectors.dim, vectors.model)  # read back from its files
        assert again.size == vectors.size and again.kind == "flat"
        assert again.rebuild(archive.store, save=False) == vectors.size


@pytest.mark.parametrize("hnsw_from", [10, 10**6])
def test_an_index_read_in_place_from_its_file_is_copied_before_it_grows(
    home: Path, monkeypatch: pytest.MonkeyPatch, hnsw_from: int
) -> None:
    """A search process maps the saved index instead of reading it into memory; one that must then add vectors
    (a reader catching up, the writer after an ingest) copies it first: faiss aborts the process on a mapped
    index that grows."""
    import faiss

    import index.vectors

    monkeypatch.setattr(index.vectors, "HNSW_THRESHOLD", hnsw_from)
    buffered: list[object] = []  # copies through a buffer: only when the mapped file was replaced since
    serialize = faiss.serialize_index
    monkeypatch.setattr(faiss, "serialize_index", lambda index: buffered.append(index) or serialize(index))
    texts = [f"story {i} about harbour {i} and bridge {i * 7}" for i in range(40)]
    with _filled(home, texts) as archive:
        vectors = archive.vectors
        assert vectors is not None and vectors.kind == ("hnsw" if hnsw_from == 10 else "flat")
        query = archive.embedder.embed_query("harbour 3 bridge 21")
        reader = VectorIndex(home, vectors.dim, vectors.model)
        assert [h.chunk_id for h in reader.search(query, 5)] == [h.chunk_id for h in vectors.search(query, 5)]
        assert reader.in_place and reader.size == len(texts)
    with Archive(home, embedder=HashEmbedder(dim=32), chunker=Chunker(WordTokenizer(254))) as archive:
        writer = archive.vectors  # opened anew: read in place, then an ingest adds to it
        assert writer is not None and writer.in_place and writer.size == len(texts)
        archive.ingest([_one_more_story(home)])
        assert writer.size == len(texts) + 1 and not writer.in_place and not buffered  # its file, read whole
        reader.catch_up(archive.store, wait=False)  # in memory, nothing written
        assert reader.size == len(texts) + 1 and not reader.in_place
        assert len(buffered) == 1  # the writer replaced the file the reader had mapped: its own copy is taken
        hits = reader.search(archive.embedder.embed_query("a brand new harbour story"), 1)
        assert hits and archive.store.doc_of([hits[0].chunk_id])[hits[0].chunk_id] == archive.get("new").id
        again = VectorIndex(home, writer.dim, writer.model)  # the writer saved it whole
        assert again.size == len(texts) + 1 and again.in_place


def test_an_index_that_cannot_be_mapped_is_read_whole(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where faiss cannot map a file, the index is read into memory as before, not taken for damaged (which
    would rebuild it from the store at every open)."""
    import faiss

    texts = [f"story {i} about harbour {i} and bridge {i * 7}" for i in range(12)]
    with _filled(home, texts) as archive:
        assert archive.vectors is not None
        dim, model = archive.vectors.dim, archive.vectors.model
        state = (home / "vectors" / "state.json").read_text()
    plain = faiss.read_index

    def unmappable(path: str, flags: int = 0) -> object:
        if flags:
            raise RuntimeError("Error: 'mmap' not supported here")
        return plain(path)

    monkeypatch.setattr(faiss, "read_index", unmappable)
    reader = VectorIndex(home, dim, model)
    assert reader.size == len(texts) and not reader.in_place and reader.emb_seq > 0  # loaded, not emptied
    assert (home / "vectors" / "state.json").read_text() == state


def test_a_vector_index_for_another_model_starts_empty(home: Path) -> None:
    with _filled(home, ["one harbour story", "another bridge story"]) as archive:
        assert archive.vectors is not None
        other = VectorIndex(home, archive.vectors.dim, "another-model")
        assert other.size == 0 and other.lag(archive.store) == archive.coverage().embedded


@pytest.mark.parametrize("spelling", ["reuters", "Reuters", " REUTERS "])
def test_one_outlet_rule_for_list_search_and_related(home: Path, tmp_path: Path, spelling: str) -> None:
    from click.testing import CliRunner

    from index import Filters
    from ui.cli import cli

    folder = tmp_path / "in"
    folder.mkdir()
    rows = [
        ("Reuters", "Storm floods the harbour town"),
        ("AP", "Storm floods the harbour city"),
        ("Reuters", "Bridge closed after the storm floods"),
    ]
    (folder / "a.jsonl").write_text(
        "\n".join(
            f'{{"id": "n{i}", "title": "{t}", "text": "{t}.", "source": "{o}"}}' for i, (o, t) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    with Archive(home, embedder=HashEmbedder(dim=32), chunker=Chunker(WordTokenizer(254))) as archive:
        archive.ingest([str(folder)])
        listed = archive.list(Filters(outlets=(spelling,)))
        found = archive.search("storm floods", Filters(outlets=(spelling,)))
        related = archive.related(archive.get("n0").id, outlets=[spelling])
    assert len(listed) == 2 and found.filtered_articles == 2
    assert {r.outlet for r in found.results} == {"Reuters"} and {r.outlet for r in related} <= {"Reuters"}
    result = CliRunner().invoke(cli, ["--home", str(home), "list", "--json", "--outlet", spelling])
    assert len(result.output.splitlines()) == 2


def test_a_fresh_word_index_holds_each_article_and_chunk_once(home: Path, tmp_path: Path, monkeypatch) -> None:
    """An article whose chunks' log entries straddle two sync batches was added to the word index twice."""
    import random

    import index.lexical
    from tests.test_search import open_fake

    monkeypatch.setattr(index.lexical, "SYNC_BATCH", 7)
    words = "harbour storm rescue boat wind coast flood pier crew tide rain wave alarm siren".split()

    def body(n: int) -> str:
        rng = random.Random(n)
        return " ".join(" ".join(rng.choice(words) for _ in range(12)) + "." for _ in range(80))

    records = [{"id": f"a{n}", "title": f"Storm {n}", "text": body(n)} for n in range(6)]
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    with open_fake(home) as archive:
        archive.ingest([str(corpus)], embed=False)
        chunks = archive.health().chunks
        assert chunks > 6 * 2, "each article has several chunks"
        archive.reindex(names=("lexical",))
        assert archive.lexical.live_documents() == 6
        assert int(archive.lexical.chunk_index.searcher().num_docs) == chunks
        assert archive.search("harbour", mode="lexical").matched == 6


def test_the_related_model_weighs_the_evidence_and_falls_back_to_the_share() -> None:
    from index.related import Evidence, combine
    from index.settings import RelatedSettings

    learned = RelatedSettings()
    assert learned.model is not None
    mate = combine(Evidence(dense=0.7, lexical=0.8, terms=0.5, density=0.2), learned)
    hub = combine(Evidence(dense=0.7, lexical=0.8, terms=0.5, density=0.5), learned)  # alike to everything
    stranger = combine(Evidence(dense=0.3, lexical=0.1, terms=0.05, density=0.2), learned)
    assert 0.0 < stranger < hub < mate < 1.0
    shared = RelatedSettings(model=None, lexical_share=0.25)
    assert combine(Evidence(0.8, 0.4, 0.9, 0.9), shared) == 0.75 * 0.8 + 0.25 * 0.4


def test_the_second_pass_lifts_the_candidate_the_first_ones_agree_with() -> None:
    """Two candidates the seed likes equally: the one alike to the candidates ranked first (another report of the
    event) goes ahead of the one alike to the seed alone (a look-alike event)."""
    from index.related import Evidence, combine, supported
    from index.settings import RelatedSettings

    settings = RelatedSettings()
    evidence = {
        1: Evidence(dense=0.8, lexical=0.9, terms=0.6, density=0.2),  # the two reports ranked first
        2: Evidence(dense=0.8, lexical=0.8, terms=0.6, density=0.2),
        3: Evidence(dense=0.6, lexical=0.5, terms=0.3, density=0.2),  # a third report
        4: Evidence(dense=0.6, lexical=0.5, terms=0.3, density=0.2),  # the look-alike
        5: Evidence(dense=0.6, lexical=0.5, terms=0.3, density=0.2),  # no vector: no support
    }
    event, other = np.eye(4, dtype=np.float32)[0], np.eye(4, dtype=np.float32)[1]
    firsts = {1: event, 2: event, 3: event, 4: other}
    assert combine(evidence[3], settings) == combine(evidence[4], settings)  # the first pass cannot tell them apart
    out = supported(evidence, firsts, settings)
    assert [out[d].support for d in (1, 2, 3, 4, 5)] == [1.0, 1.0, 1.0, 0.0, None]
    assert combine(out[3], settings) > combine(out[4], settings)
    assert combine(out[5], settings) == combine(evidence[5], settings)  # the first model's score, unchanged
    assert supported(evidence, firsts, RelatedSettings(model=None)) == evidence
    # 1 and 2 copies of one article: one does not vouch for the other; 3 and 4 (alike) rank next
    copies = supported(evidence, firsts | {3: other}, settings, groups={1: 1, 2: 1, 3: 3, 4: 4, 5: 5})
    assert [copies[d].support for d in (1, 2, 3, 4)] == [0.0, 0.0, 1.0, 1.0]  # without the groups: 1.0 for 1 and 2
    assert supported(evidence, {}, settings) == evidence


def _compressed(home: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> Archive:
    """An archive of `count` harbour stories, its vector index compressed (the threshold lowered to 300)."""
    import index.compressed

    monkeypatch.setattr(index.compressed, "COMPRESS_THRESHOLD", 300)
    return _filled(
        home, [f"story {i} about harbour {i % 37} bridge {i % 11} and tide {i * 7 % 53}" for i in range(count)]
    )


def _exact_scores(archive: Archive, query: np.ndarray) -> dict[int, float]:
    """Every stored vector's inner product with `query`, by chunk id (brute force)."""
    rows = archive.store.vector_rows(0, archive.store.vectors_top(), 10**6)
    return {r[1]: float(np.frombuffer(r[2], dtype=np.float32) @ query) for r in rows}


def _one_more_story(home: Path) -> str:
    """A folder holding one new article ("new"), to ingest."""
    folder = home.parent / "more"
    folder.mkdir()
    (folder / "b.jsonl").write_text('{"id": "new", "text": "a brand new harbour story", "source": "Wire"}')
    return str(folder)


def test_past_its_threshold_the_index_is_compressed_and_ranks_by_exact_scores(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _compressed(home, monkeypatch, 600) as archive:
        vectors = archive.vectors
        assert vectors is not None and vectors.kind == "ivfpq" and vectors.size == 600
        assert vectors.params["nlist"] >= 64 and vectors.params["rescore"] > 1
        assert json.loads((home / "vectors" / "state.json").read_text())["params"] == vectors.params
        from archive import read_manifest

        assert read_manifest(home).vector_index == {"kind": "ivfpq", **vectors.params}  # the choice, kept
        assert dict(archive.health().vector_params) == vectors.params
        query = archive.embedder.embed_query("harbour 5 bridge 3 tide 14")
        by_id = _exact_scores(archive, query)
        want = set(sorted(by_id, key=lambda c: -by_id[c])[:10])
        got = vectors.search(query, 10)
        assert len({h.chunk_id for h in got} & want) >= 9  # recall@10 against exact search
        assert all(h.score == pytest.approx(by_id[h.chunk_id], abs=1e-5) for h in got)  # rescored exactly
        archive.remove([archive.get("d5").id])
        assert vectors.size == 599
        again = VectorIndex(home, vectors.dim, vectors.model)  # read back: codes, ids and the exact file
        assert again.kind == "ivfpq" and again.size == 599
        assert [h.chunk_id for h in again.search(query, 5)] == [h.chunk_id for h in vectors.search(query, 5)]
        (exact_file,) = (home / "vectors").glob("exact-*.f32")
        size = exact_file.stat().st_size
        reader = VectorIndex(home, vectors.dim, vectors.model)
        reader.catch_up(archive.store, wait=False)
        archive.ingest([_one_more_story(home)])  # the writer appends its new vector to the file
        assert exact_file.stat().st_size == size + vectors.dim * 4
        reader.catch_up(archive.store, wait=False)  # a reader adds it in memory and writes nothing
        assert reader.size == 600 and exact_file.stat().st_size == size + vectors.dim * 4
        hits = reader.search(archive.embedder.embed_query("a brand new harbour story"), 1)
        assert hits and archive.store.doc_of([hits[0].chunk_id])[hits[0].chunk_id] == archive.get("new").id


def test_a_compressed_index_whose_file_another_writer_rebuilt_is_rebuilt_not_patched(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _compressed(home, monkeypatch, 400) as archive:
        vectors = archive.vectors
        assert vectors is not None and vectors.kind == "ivfpq"
        other = VectorIndex(home, vectors.dim, vectors.model)  # e.g. `archive reindex vectors` in another process
        other.rebuild(archive.store)  # a new exact file; the one `vectors` appends to is deleted
        archive.ingest([_one_more_story(home)])  # `vectors` catches up as the writer
        (exact_file,) = (home / "vectors").glob("exact-*.f32")
        assert exact_file.stat().st_size == 401 * vectors.dim * 4  # whole, not the new row after a hole of zeros
        query = archive.embedder.embed_query("harbour 5 bridge 3 tide 14")
        exact = _exact_scores(archive, query)
        hits = VectorIndex(home, vectors.dim, vectors.model).search(query, 5)
        assert hits and all(h.score == pytest.approx(exact[h.chunk_id], abs=1e-5) for h in hits)


def test_the_exact_rows_read_in_order_or_spread_are_the_rows_written(tmp_path: Path) -> None:
    """A compressed build reads the exact file without mapping it (its pages would count as the process's memory):
    every slice and the training sample hold the rows written, across the file and the rows held in memory."""
    from index.compressed import RawRows

    rows = np.arange(50 * 8, dtype=np.float32).reshape(50, 8)
    raw = RawRows(tmp_path, 8)
    raw.append(rows[:30])
    raw.append(rows[30:], persist=False)  # a reader's rows, in memory only
    assert raw.file_rows == 30 and raw.rows == 50
    for start, stop in ((0, 50), (0, 30), (10, 20), (25, 40), (30, 50), (45, 99), (50, 60)):
        assert np.array_equal(raw.slice(start, stop), rows[start : min(stop, 50)])
    picked = np.linspace(0, 49, num=7).astype(np.int64)
    assert np.array_equal(raw.spread(7), rows[picked])
    assert np.array_equal(raw.spread(80), rows)
    assert raw._map is None  # nothing was mapped


def test_an_exact_file_shorter_than_its_index_says_how_to_rebuild(tmp_path: Path) -> None:
    from archive.errors import IndexDamagedError
    from index.compressed import RawRows

    raw = RawRows(tmp_path, 8)
    raw.append(np.ones((10, 8), dtype=np.float32))
    with open(raw.path, "r+b") as f:
        f.truncate(5 * 8 * 4)  # another writer's rebuild, say
    with pytest.raises(IndexDamagedError, match="archive reindex vectors"):
        raw.slice(0, 10)
