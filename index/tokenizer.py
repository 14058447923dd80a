"""The embedding model's own tokenizer, as the chunker's token counter.

Uses the model folder's `tokenizer.json` through the `tokenizers` library (Rust, batched over both
cores), so chunks are measured exactly as the model will see them, without loading the weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archive.chunking import TokenSpans
from archive.errors import InvalidInputError
from index.model_files import default_model_dir, max_seq_length


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

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def token_spans(self, texts: Sequence[str]) -> list[TokenSpans]:
        encodings = self._tok.encode_batch(list(texts), add_special_tokens=False)
        return [e.offsets for e in encodings]

    def count(self, text: str) -> int:
        """Tokens the model sees for `text`, special tokens included."""
        return len(self._tok.encode(text, add_special_tokens=True).ids)
