"""The embedding model's own tokenizer, as the chunker's token counter.

Uses the model folder's `tokenizer.json` through the `tokenizers` library (Rust, batched over both
cores), so chunks are measured exactly as the model will see them, without loading the weights.

Counting a sentence's tokens does not tokenise it. A BERT tokenizer (BertNormalizer, BertPreTokenizer,
WordPiece: MiniLM's) cuts at every whitespace character first, and nothing it does afterwards crosses one,
so a sentence has as many tokens as its whitespace-separated pieces have together; each distinct piece is
tokenised once and its count kept (PIECES_KEPT at most). Sentences begin and end at whitespace or next to
punctuation, where the tokenizer cuts too. Once the counts are warm that counts 5,800-character news articles
in about a quarter of the time their tokenisation took, with the same counts (chunking as a whole: 2.44 -> 1.00
ms an article, benchmarks/RESULTS.md); another kind of tokenizer is counted from its token spans.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from archive.chunking import Spans, TokenSpans, counted_each
from archive.errors import InvalidInputError
from index.model_files import default_model_dir, max_seq_length

PIECES_KEPT = 1_000_000  # distinct pieces whose count is kept (about 100 MB); past it the counts start again
# Whitespace to Python's str.split that is not whitespace to the tokenizer (information separators, which it
# drops as control characters): a text with one is split by WHITESPACE, the tokenizer's own set.
_NOT_ITS_SPACE = re.compile("[\x1c-\x1f]")
WHITESPACE = re.compile("[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_ADDITIVE = {"normalizer": "BertNormalizer", "pre_tokenizer": "BertPreTokenizer", "model": "WordPiece"}


class ModelTokenizer:
    """Token spans from a model's tokenizer; `max_tokens` leaves room for its special tokens."""

    def __init__(self, model_dir: Path | None = None) -> None:
        from tokenizers import Tokenizer

        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        path = folder / "tokenizer.json"
        try:
            self._tok = Tokenizer.from_file(str(path))
        except Exception as exc:  # noqa: BLE001 - the tokenizers library raises plain Exceptions
            raise InvalidInputError(f"cannot load the model's tokenizer from {path}: {exc}") from exc
        self._tok.no_truncation()
        self._tok.no_padding()
        specials = self._tok.num_special_tokens_to_add(is_pair=False)
        self._max_tokens = max_seq_length(folder) - specials
        self._pieces: dict[str, int] | None = {} if _counts_add_up(self._tok.to_str()) else None

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def token_spans(self, texts: Sequence[str]) -> list[TokenSpans]:
        encodings = self._tok.encode_batch(list(texts), add_special_tokens=False)
        return [e.offsets for e in encodings]

    def span_counts(self, texts: Sequence[str], spans: Sequence[Spans]) -> list[list[int]]:
        known = self._pieces
        if known is None:
            return counted_each(self.token_spans(texts), spans)
        split = [[_pieces(text[a:b]) for a, b in each] for text, each in zip(texts, spans)]
        count = known.__getitem__
        counts: list[list[int]] = []
        unknown: list[tuple[int, int]] = []  # (text, sentence) holding a piece never counted
        for t, sentences in enumerate(split):
            row = []
            for s, pieces in enumerate(sentences):
                try:
                    row.append(sum(map(count, pieces)))
                except KeyError:
                    row.append(-1)
                    unknown.append((t, s))
            counts.append(row)
        if unknown:
            self._learn(known, {p for t, s in unknown for p in split[t][s]})
            for t, s in unknown:
                counts[t][s] = sum(map(count, split[t][s]))
        return counts

    def _learn(self, known: dict[str, int], pieces: set[str]) -> None:
        """Count the pieces not counted yet (and, past PIECES_KEPT, forget the others first)."""
        new = pieces.difference(known)
        if len(known) + len(new) > PIECES_KEPT:
            known.clear()
            new = pieces
        listed = list(new)
        known.update(zip(listed, (len(e.ids) for e in self._tok.encode_batch(listed, add_special_tokens=False))))

    def count(self, text: str) -> int:
        """Tokens the model sees for `text`, special tokens included."""
        return len(self._tok.encode(text, add_special_tokens=True).ids)


def _pieces(text: str) -> list[str]:
    return WHITESPACE.split(text) if _NOT_ITS_SPACE.search(text) else text.split()


def _counts_add_up(config: str) -> bool:
    """Whether a sentence's tokens are its whitespace pieces' tokens (the module docstring)."""
    parts = json.loads(config)
    return all(isinstance(parts.get(k), dict) and parts[k].get("type") == v for k, v in _ADDITIVE.items())
