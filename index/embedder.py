"""Embedders: text to unit-length float32 vectors.

A pluggable embedder implements one method, `_embed_batch`; the base class sorts texts by length
(so a batch pads little), batches them and normalises. `SentenceTransformerEmbedder` runs the real
model offline; `HashEmbedder` is the deterministic stand-in the fast tests use.
"""

from __future__ import annotations

import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from archive.errors import InvalidInputError
from index.model_files import DEFAULT_MODEL_NAME, default_model_dir, verify_default_model

DEFAULT_BATCH = 32
BF16_MIN_COSINE = 0.999
_PROBE = [
    "Explosions near the cemetery in Kerman killed dozens during a memorial ceremony.",
    "The central bank raised interest rates by a quarter of a percentage point on Wednesday.",
    "Rescuers pulled survivors from the rubble after the magnitude 7.8 earthquake struck at dawn.",
    "A short one.",
    " ".join(["The committee heard testimony from officials about the budget and the schools."] * 12),
]


class Embedder(ABC):
    """Turns texts into unit vectors; `name` identifies the model in the manifest."""

    name: str
    dim: int
    batch_size: int = DEFAULT_BATCH

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in the order given."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_query(self, query: str) -> np.ndarray:
        return np.asarray(self.embed([query])[0], dtype=np.float32)

    @abstractmethod
    def _embed_batch(self, texts: list[str]) -> np.ndarray: ...


class HashEmbedder(Embedder):
    """Deterministic bag-of-words vectors (hashed word counts): texts sharing words are close."""

    _WORD = re.compile(r"\w+")

    def __init__(self, dim: int = 64, name: str = "hash-test-embedder") -> None:
        self.dim = dim
        self.name = name

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in self._WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        out[np.all(out == 0, axis=1), 0] = 1.0
        return out


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model, loaded offline (the default model is hash-checked).

    `precision` "auto" uses bf16 autocast for bulk embedding when the CPU has AVX512-BF16 (or AMX)
    and the probe vectors stay within cosine BF16_MIN_COSINE of fp32; queries always run in fp32.
    """

    def __init__(self, model: str | Path | None = None, precision: str = "auto", batch_size: int = DEFAULT_BATCH):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        if precision not in ("auto", "fp32", "bf16"):
            raise InvalidInputError(f"precision must be auto, fp32 or bf16, not {precision!r}")
        path, self.name = _resolve(model)
        self._model = _load(path)
        self.dim = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size
        self.max_seq_length = int(self._model.max_seq_length)
        self._requested = precision
        self._bf16: bool | None = None if precision == "auto" else precision == "bf16"

    @property
    def precision(self) -> str:
        """The precision bulk embedding uses ("bf16" or "fp32"), deciding it if not yet decided."""
        if self._bf16 is None:
            self._bf16 = _cpu_has_bf16() and self.bf16_agreement() >= BF16_MIN_COSINE
        return "bf16" if self._bf16 else "fp32"

    def bf16_agreement(self) -> float:
        """The lowest cosine between bf16-autocast and fp32 vectors of the probe texts."""
        fp32 = self._encode(_PROBE, bf16=False)
        bf16 = self._encode(_PROBE, bf16=True)
        return float(np.min(np.sum(fp32 * bf16, axis=1)))

    def embed_query(self, query: str) -> np.ndarray:
        return np.asarray(self._encode([query], bf16=False)[0], dtype=np.float32)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, bf16=self.precision == "bf16")

    def _encode(self, texts: list[str], bf16: bool) -> np.ndarray:
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            vectors = self._model.encode(
                texts,
                batch_size=len(texts),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


def _resolve(model: str | Path | None) -> tuple[Path | str, str]:
    if model is None or str(model) == DEFAULT_MODEL_NAME:
        folder = default_model_dir()
        verify_default_model(folder)
        return folder, DEFAULT_MODEL_NAME
    path = Path(model).expanduser()
    return (path, path.name) if path.exists() else (str(model), str(model))


def _load(path: Path | str):  # type: ignore[no-untyped-def]
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        return SentenceTransformer(str(path), device="cpu")
    except Exception as exc:  # noqa: BLE001 - many loaders, many error types
        raise InvalidInputError(
            f"cannot load the embedding model {path}: {exc}. Name a local folder, or leave --model out "
            "for the default all-MiniLM-L6-v2"
        ) from exc


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
