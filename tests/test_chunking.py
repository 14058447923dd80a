from hypothesis import given, settings
from hypothesis import strategies as st

from archive import Chunker, WordTokenizer
from archive.normalize import normalize_text
from archive.sentences import sentence_spans

WORDS = st.sampled_from(
    [
        "the",
        "blast",
        "Kerman",
        "reports.The",
        "U.S.",
        "Mr.",
        "killed",
        "20",
        "said.",
        '"Our',
        'teams,"',
        "?",
        "…",
        "pic.twitter.com/KbgkrewSf8",
        "theThe",
        "Ünïcödé",
        "\n",
        "\n\n",
        "supercalifragilistic" * 5,
    ]
)
TEXTS = st.lists(WORDS, max_size=400).map(" ".join)


def test_glued_sentences_are_split() -> None:
    text = "Iranian media reports.The blasts occurred near the grave.These figures are likely to rise."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Iranian media reports.",
        "The blasts occurred near the grave.",
        "These figures are likely to rise.",
    ]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Smith met J. K. Rowling at the U.S. Embassy on Jan. 3. Then he left."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Mr. Smith met J. K. Rowling at the U.S. Embassy on Jan. 3.",
        "Then he left.",
    ]


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(min_value=8, max_value=60), st.integers(min_value=0, max_value=30))
def test_chunks_are_exact_spans_within_the_limit_and_cover_the_text(raw: str, limit: int, overlap: int) -> None:
    text = normalize_text(raw)
    tokenizer = WordTokenizer(max_tokens=limit)
    chunks = Chunker(tokenizer, overlap_tokens=overlap).chunk(text)
    covered: set[int] = set()
    for chunk in chunks:
        piece = text[chunk.start : chunk.end]
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert piece == piece.strip()
        tokens = tokenizer.token_spans([piece])[0]
        assert len(tokens) <= limit
        covered.update(range(chunk.start, chunk.end))
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts))
    every_token = tokenizer.token_spans([text])[0]
    assert all(s in covered for s, _ in every_token)


def test_long_sentence_is_split_at_word_boundaries() -> None:
    text = " ".join(f"word{i}" for i in range(100))
    chunks = Chunker(WordTokenizer(max_tokens=30), overlap_tokens=0).chunk(text)
    assert len(chunks) == 4
    for chunk in chunks:
        piece = text[chunk.start : chunk.end]
        assert piece.startswith("word") and piece[-1].isdigit()


def test_overlap_repeats_the_last_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(20))
    chunks = Chunker(WordTokenizer(max_tokens=30), overlap_tokens=8).chunk(text)
    assert len(chunks) > 2
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end  # the next chunk starts inside the previous one
