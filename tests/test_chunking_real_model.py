"""Chunks measured by the real model's tokenizer (installed offline, so this runs everywhere)."""

import gzip
import itertools
import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import Chunker
from archive.chunking import Spans, TokenSpans, counted_each, counted_in
from archive.normalize import normalize_text
from archive.sentences import sentence_spans
from index.tokenizer import ModelTokenizer
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def tokenizer() -> ModelTokenizer:
    return ModelTokenizer()


def test_limit_is_the_models_256_word_pieces(tokenizer: ModelTokenizer) -> None:
    assert tokenizer.max_tokens == 254  # 256 minus [CLS] and [SEP]


def test_seed_chunks_fit_the_model(tokenizer: ModelTokenizer) -> None:
    chunker = Chunker(tokenizer)
    for path in sorted(shared_path("seeds").glob("*.txt")):
        text = normalize_text(path.read_text(encoding="utf-8"))
        chunks = chunker.chunk(text)
        assert chunks
        assert all(tokenizer.count(text[c.start : c.end]) <= 256 for c in chunks)


def test_real_articles_chunks_fit_the_model(tokenizer: ModelTokenizer) -> None:
    path = shared_path("data", "article-bias-prediction", "articles-part1of2.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [normalize_text(json.loads(line)["content_original"]) for line in itertools.islice(f, 300)]
    chunker = Chunker(tokenizer)
    worst = 0
    for text, chunks in zip(texts, chunker.chunk_many(texts)):
        for c in chunks:
            worst = max(worst, tokenizer.count(text[c.start : c.end]))
    assert 200 < worst <= 256


def test_a_long_unbroken_sentence_still_fits(tokenizer: ModelTokenizer) -> None:
    text = " ".join(["pic.twitter.com/KbgkrewSf8 unbelievably-long-hyphenated-compound"] * 120)
    chunks = Chunker(tokenizer).chunk(text)
    assert len(chunks) > 1
    assert all(tokenizer.count(text[c.start : c.end]) <= 256 for c in chunks)


class _Spelled:
    """The model's tokenizer with every sentence counted from a tokenisation of the whole text (no pieces)."""

    def __init__(self, tokenizer: ModelTokenizer) -> None:
        self.tokenizer = tokenizer
        self.max_tokens = tokenizer.max_tokens

    def token_spans(self, texts: Sequence[str]) -> list[TokenSpans]:
        return self.tokenizer.token_spans(texts)

    def span_counts(self, texts: Sequence[str], spans: Sequence[Spans]) -> list[list[int]]:
        return counted_each(self.token_spans(texts), spans)


def _real_texts(n: int) -> list[str]:
    path = shared_path("data", "article-bias-prediction", "articles-part2of2.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [normalize_text(json.loads(line)["content_original"]) for line in itertools.islice(f, n)]


def test_counting_pieces_gives_the_chunks_tokenising_gives(tokenizer: ModelTokenizer) -> None:
    texts = _real_texts(400) + [
        normalize_text(p.read_text(encoding="utf-8")) for p in shared_path("seeds").glob("*.txt")
    ]
    assert Chunker(tokenizer).chunk_many(texts) == Chunker(_Spelled(tokenizer)).chunk_many(texts)


ODD = st.sampled_from(
    [
        "Kerman",
        "blasts.The",
        "café",
        "naïve",
        "東京都",
        "x\u00a0y",
        "a\u3000b",
        "\u200b",
        "e\u0301",
        "a\x1cb",
        "\x1f",
        "U.S.",
        "—",
        "“quoted”",
        "it's",
        "#hashtag",
        "@user",
        "https://t.co/abc",
        "9/11",
        "z" * 120,
        "\n",
        " ",
        "\t",
        "\u2028",
        "Ünïcödé",
        "🙂",
        "don’t",
        "(yes)",
        "[1]",
        "…",
        "?!",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ODD, max_size=120).map("".join), st.lists(ODD, max_size=60).map(" ".join))
def test_counts_match_tokenising_whatever_the_characters(tokenizer: ModelTokenizer, glued: str, spaced: str) -> None:
    for text in (glued, spaced, normalize_text(spaced)):
        spans = sentence_spans(text)
        expected = counted_in(tokenizer.token_spans([text])[0], spans)
        assert tokenizer.span_counts([text], [spans]) == [expected]


def test_counts_stay_right_when_the_kept_pieces_start_again(
    tokenizer: ModelTokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.tokenizer.PIECES_KEPT", 50)
    texts = _real_texts(20)
    spans = [sentence_spans(t) for t in texts]
    fresh = ModelTokenizer()
    got = [fresh.span_counts([t], [s])[0] for t, s in zip(texts, spans)]
    assert got == counted_each(tokenizer.token_spans(texts), spans)
