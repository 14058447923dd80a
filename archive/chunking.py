"""Sentence-aware chunks with overlap that never exceed the embedding model's token limit.

The token limit is injected (a `Tokenizer`), so this module knows nothing of the model: the CLI
passes the model's own tokenizer, tests pass `WordTokenizer`. Every chunk is a [start, end) span
of the stored text, so `text[start:end]` is exactly the chunk.

How: split into sentences; ask the tokenizer how many tokens each sentence has; split a sentence
longer than the limit at word boundaries (from that sentence's token spans); pack sentences greedily
up to the limit; start the next chunk with the last sentences of the previous one, up to `overlap`
tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from archive.models import Chunk
from archive.sentences import sentence_spans

CHUNKER_VERSION = 1
DEFAULT_OVERLAP_TOKENS = 48

TokenSpans = Sequence[tuple[int, int]]


Spans = Sequence[tuple[int, int]]


class Tokenizer(Protocol):
    """What the chunker needs of a tokenizer.

    `max_tokens` is how many tokens a chunk may hold, the model's special tokens already taken
    off. `token_spans` returns, for each text, the [start, end) character spans of its tokens.
    `span_counts` returns, for each text, how many of its tokens start inside each of the given
    spans (the sentences, which begin and end where the tokenizer splits words anyway).
    """

    @property
    def max_tokens(self) -> int: ...

    def token_spans(self, texts: Sequence[str]) -> list[TokenSpans]: ...

    def span_counts(self, texts: Sequence[str], spans: Sequence[Spans]) -> list[list[int]]: ...


def counted_in(tokens: TokenSpans, spans: Spans) -> list[int]:
    """How many of `tokens` start inside each of `spans` (in order)."""
    starts = [s for s, _ in tokens]
    return [bisect_left(starts, end) - bisect_left(starts, start) for start, end in spans]


def counted_each(tokens: Sequence[TokenSpans], spans: Sequence[Spans]) -> list[list[int]]:
    """`counted_in` text by text: `span_counts` for a tokenizer that counts from its `token_spans`."""
    return [counted_in(each, s) for each, s in zip(tokens, spans)]


class WordTokenizer:
    """A dependency-free tokenizer: words and single punctuation marks (BERT's pre-tokenisation)."""

    _TOKEN = re.compile(r"\w+|[^\w\s]")

    def __init__(self, max_tokens: int = 254) -> None:
        self._max_tokens = max_tokens

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def token_spans(self, texts: Sequence[str]) -> list[TokenSpans]:
        return [[m.span() for m in self._TOKEN.finditer(t)] for t in texts]

    def span_counts(self, texts: Sequence[str], spans: Sequence[Spans]) -> list[list[int]]:
        return counted_each(self.token_spans(texts), spans)


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int


class Chunker:
    """Turns stored texts into chunks no longer than the tokenizer's `max_tokens`."""

    def __init__(self, tokenizer: Tokenizer, overlap_tokens: int = DEFAULT_OVERLAP_TOKENS) -> None:
        if tokenizer.max_tokens < 8:
            raise ValueError("a chunk must be allowed at least 8 tokens")
        self.tokenizer = tokenizer
        self.max_tokens = tokenizer.max_tokens
        self.overlap_tokens = min(overlap_tokens, self.max_tokens // 2)

    @property
    def settings(self) -> dict[str, int]:
        """What the manifest records, so a change of chunking is noticed."""
        return {"version": CHUNKER_VERSION, "max_tokens": self.max_tokens, "overlap_tokens": self.overlap_tokens}

    def chunk(self, text: str) -> list[Chunk]:
        """The chunks of one text."""
        return self.chunk_many([text])[0]

    def chunk_many(self, texts: Sequence[str]) -> list[list[Chunk]]:
        """The chunks of many texts (one batched count of their sentences' tokens)."""
        sentences = [sentence_spans(text) for text in texts]
        counts = self.tokenizer.span_counts(texts, sentences)
        return [self._chunk_one(*each) for each in zip(texts, sentences, counts)]

    def _chunk_one(self, text: str, sentences: Spans, counts: Sequence[int]) -> list[Chunk]:
        units: list[_Unit] = []
        for (start, end), n in zip(sentences, counts):
            if n <= self.max_tokens:
                units.append(_Unit(start, end, n))
            else:
                tokens = [(a + start, b + start) for a, b in self.tokenizer.token_spans([text[start:end]])[0]]
                units.extend(self._split_long(text, tokens, start, end))
        return self._pack(units)

    def _split_long(self, text: str, tokens: TokenSpans, start: int, end: int) -> list[_Unit]:
        """Split a too-long sentence into pieces of at most `max_tokens`, at word boundaries."""
        pieces = []
        a = 0
        while a < len(tokens):
            b = len(tokens) if len(tokens) - a <= self.max_tokens else self._cut(text, tokens, a)
            piece_start = start if a == 0 else tokens[a][0]
            piece_end = end if b == len(tokens) else tokens[b - 1][1]
            pieces.append(_Unit(piece_start, piece_end, b - a))
            a = b
        return pieces

    def _cut(self, text: str, tokens: TokenSpans, a: int) -> int:
        """The best index in (a, a + max_tokens] to end a piece: a space, else not inside a word."""
        last = a + self.max_tokens
        floor = a + self.max_tokens // 2
        for b in range(last, floor, -1):
            if tokens[b - 1][1] < tokens[b][0]:
                return b
        for b in range(last, floor, -1):
            if not (text[tokens[b - 1][1] - 1].isalnum() and text[tokens[b][0]].isalnum()):
                return b
        return last

    def _pack(self, units: list[_Unit]) -> list[Chunk]:
        chunks: list[Chunk] = []
        i = 0
        while i < len(units):
            j, total = i, 0
            while j < len(units) and total + units[j].tokens <= self.max_tokens:
                total += units[j].tokens
                j += 1
            chunks.append(Chunk(units[i].start, units[j - 1].end))
            if j >= len(units):
                break
            i = self._overlap_start(units, i, j)
        return chunks

    def _overlap_start(self, units: list[_Unit], i: int, j: int) -> int:
        k, carried = j, 0
        while k - 1 > i and carried + units[k - 1].tokens <= self.overlap_tokens:
            carried += units[k - 1].tokens
            k -= 1
        return k
