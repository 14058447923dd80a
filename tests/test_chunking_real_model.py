"""Chunks measured by the real model's tokenizer (installed offline, so this runs everywhere)."""

import gzip
import itertools
import json

import pytest

from archive import Chunker
from archive.normalize import normalize_text
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
