"""Embedders: text to unit-length float32 vectors.

A pluggable embedder implements one method, `_embed_batch`; the base class sorts texts by length
(tokens for the real model, so a batch pads little), batches them and normalises.
`SentenceTransformerEmbedder` runs the real model offline (on OpenVINO or torch, index/openvino_engine.py);
`HashEmbedder` is the deterministic stand-in the fast tests use.
"""

from __future__ import annotations

import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from archive.errors import InvalidInputError
from index.model_files import (
    DEFAULT_MODEL_NAME,
    DEFAULT_MODEL_SHA256,
    default_model_dir,
    verify_default_model,
    weights_sha256,
)

if TYPE_CHECKING:
    from index.openvino_engine import OpenVinoEncoder

DEFAULT_BATCH = 32
MIN_AGREEMENT = 0.999
_PROBE = [
    "Explosions near the cemetery in Kerman killed dozens during a memorial ceremony.",
    "The central bank raised interest rates by a quarter of a percentage point on Wednesday.",
    "Rescuers pulled survivors from the rubble after the magnitude 7.8 earthquake struck at dawn.",
    "A short one.",
    " ".join(["The committee heard testimony from officials about the budget and the schools."] * 12),
]
_QUERY_PROBE = _PROBE[:4]  # short texts, as queries are (a query engine is checked at the first query)


class Embedder(ABC):
    """Turns texts into unit vectors; `name` identifies the model in the manifest, `weights` its weights' sha256."""

    name: str
    dim: int
    batch_size: int = DEFAULT_BATCH
    weights: str | None = None  # None: nothing to check (a test embedder)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in the order given."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        lengths = self._lengths(texts)
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_query(self, query: str) -> np.ndarray:
        return np.asarray(self.embed([query])[0], dtype=np.float32)

    def for_workers(self) -> Callable[[str], Embedder]:
        """A picklable recipe that builds this embedder again in another process (a Ray worker,
        index/ray_embed.py) on the device named ("cpu", "cuda"); a small stand-in like HashEmbedder
        travels as it is."""
        return partial(_same, self)

    def _lengths(self, texts: Sequence[str]) -> list[int]:
        """What texts are sorted by before batching (so a batch pads little): characters here."""
        return [len(text) for text in texts]

    @abstractmethod
    def _embed_batch(self, texts: list[str]) -> np.ndarray: ...


def _same(embedder: Embedder, device: str = "cpu") -> Embedder:
    return embedder


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

    Bulk embedding (`embed`) runs on the fastest engine whose probe vectors stay within cosine
    MIN_AGREEMENT of torch fp32: with `precision` "auto", OpenVINO (bf16 where the CPU has AVX512-BF16
    or AMX, else fp32), then torch bf16 autocast, then torch fp32 itself. "fp32" is torch fp32 (the
    reference); "bf16" takes the first bf16 engine that loads, unchecked. Queries run in fp32: on
    OpenVINO when it agrees with torch (3x faster for one short text), else in torch; with precision
    "fp32", in torch. `cache_dir` keeps OpenVINO's traced model between processes. On a `device` other than
    the CPU (a Ray worker's GPU) bulk embedding is torch fp32 there.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        precision: str = "auto",
        batch_size: int = DEFAULT_BATCH,
        cache_dir: Path | None = None,
        device: str = "cpu",
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        if precision not in ("auto", "fp32", "bf16"):
            raise InvalidInputError(f"precision must be auto, fp32 or bf16, not {precision!r}")
        path, self.name = _resolve(model)
        self._path = path
        self.weights = model_weights(path)
        self._device = device
        self._model = _load(path, device)
        self.dim = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size
        self.max_seq_length = int(self._model.max_seq_length)
        self._requested = precision
        self._cache_dir = cache_dir
        self._engine: Engine | None = None
        self._query_engine: Engine | None = None
        self._references: dict[tuple[str, ...], np.ndarray] = {}  # torch fp32 vectors of probe texts
        self.light_agreement: float | None = None  # what the check for queries without torch found, when it ran
        self.worker_agreement: float | None = None  # a Ray worker's check against the reference (WorkerModel)

    @property
    def engine(self) -> str:
        """The engine bulk embedding uses, e.g. "openvino bf16", choosing it if not yet chosen."""
        return self._chosen().name

    @property
    def precision(self) -> str:
        """The precision bulk embedding uses ("bf16" or "fp32")."""
        return self.engine.split()[-1]

    def agreement(self, encode: Callable[[list[str]], np.ndarray], probe: Sequence[str] = _PROBE) -> float:
        """The lowest cosine between `encode`'s vectors of the probe texts and torch fp32's."""
        reference = self._reference(tuple(probe))
        vectors = np.asarray(encode(list(probe)), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return float(np.min(np.sum(reference * vectors, axis=1)))

    @property
    def query_engine(self) -> str:
        """The engine queries use: "openvino fp32" when it agrees with torch fp32, else "torch fp32"."""
        return self._chosen_for_queries().name

    def embed_query(self, query: str) -> np.ndarray:
        vector = self._chosen_for_queries().encode([query])[0]
        return np.asarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float32)

    def _chosen_for_queries(self) -> Engine:
        if self._query_engine is None:
            self._query_engine = self._torch_fp32()
            if self._requested != "fp32":
                encoder = self._openvino(bf16=False)
                if encoder is not None and self.agreement(encoder, _QUERY_PROBE) >= MIN_AGREEMENT:
                    self._query_engine = Engine("openvino fp32", encoder)
                    self._certify_light(encoder)
        return self._query_engine

    def _certify_light(self, encoder: OpenVinoEncoder) -> None:
        """Check once, and record beside the traced graph, that later processes may embed queries on it
        without torch (index/light_engine.py); `light_agreement` keeps what the check found."""
        if self._cache_dir is None or encoder.xml is None or not isinstance(self._path, Path):
            return
        from index import light_engine

        if light_engine.recorded(self._cache_dir, self._path, self.weights) is not None:
            return  # checked by an earlier process
        self.light_agreement = light_engine.certify(
            self._cache_dir, self._path, self.weights, encoder.xml, encoder.keys, self.max_seq_length, self.dim,
            self.agreement, MIN_AGREEMENT,
        )  # fmt: skip

    def for_workers(self) -> Callable[[str], Embedder]:
        """The model by name (each worker loads its own copy, the default one hash-checked) with this
        process's torch fp32 vectors of the probe texts: a worker embeds only on an engine within
        MIN_AGREEMENT of them, so a worker with other weights or a drifting engine stops the run."""
        model = DEFAULT_MODEL_NAME if self.name == DEFAULT_MODEL_NAME else str(self._path)
        return WorkerModel(model, self._requested, self.weights, self._reference(tuple(_PROBE)))

    def _reference(self, probe: tuple[str, ...]) -> np.ndarray:
        if probe not in self._references:
            self._references[probe] = self._encode(list(probe), bf16=False)
        return self._references[probe]

    def _lengths(self, texts: Sequence[str]) -> list[int]:
        encoded = self._model.tokenizer(list(texts), truncation=True, max_length=self.max_seq_length)
        return [len(ids) for ids in encoded["input_ids"]]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return self._chosen().encode(texts)

    def _chosen(self) -> Engine:
        if self._engine is None:
            self._engine = self._choose()
        return self._engine

    def _torch_fp32(self) -> Engine:
        return Engine("torch fp32", lambda texts: self._encode(texts, bf16=False))

    def _openvino(self, bf16: bool) -> OpenVinoEncoder | None:
        from index import openvino_engine

        return openvino_engine.load(self._model, bf16, self._cache_dir)

    def _choose(self) -> Engine:
        fp32 = self._torch_fp32()
        if self._device != "cpu":
            return Engine(f"torch fp32 {self._device}", fp32.encode)
        if self._requested == "fp32":
            return fp32
        bf16 = self._requested == "bf16" or cpu_has_bf16()
        for engine in self._candidates(bf16):
            if self._requested == "bf16" or self.agreement(engine.encode) >= MIN_AGREEMENT:
                return engine
        return fp32

    def _candidates(self, bf16: bool) -> Iterator[Engine]:
        encoder = self._openvino(bf16)
        if encoder is not None:
            yield Engine(f"openvino {encoder.precision}", encoder)
        if bf16:
            yield Engine("torch bf16", lambda texts: self._encode(texts, bf16=True))

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


@dataclass(frozen=True)
class WorkerModel:
    """How a worker builds the archive's model (`SentenceTransformerEmbedder.for_workers`); calling it
    loads the model on the worker's GPU where it has one and checks it against the reference vectors."""

    model: str
    precision: str
    weights: str | None
    reference: np.ndarray = field(repr=False)

    def __call__(self, device: str = "cpu") -> SentenceTransformerEmbedder:
        embedder = SentenceTransformerEmbedder(self.model, self.precision, device=device)
        if self.weights and embedder.weights != self.weights:
            raise InvalidInputError(
                f"a worker's copy of the model {self.model} has other weights ({embedder.weights}) than the "
                f"archive's ({self.weights}); install the same model on every worker"
            )
        embedder._references[tuple(_PROBE)] = self.reference
        engine = embedder._chosen()
        agreement = embedder.agreement(engine.encode)
        if agreement < MIN_AGREEMENT:
            raise InvalidInputError(
                f"a worker's {engine.name} embeds the probe texts at cosine {agreement:.5f} from this "
                f"machine's torch fp32 (at least {MIN_AGREEMENT} is needed); its vectors would not match"
            )
        embedder.worker_agreement = agreement
        return embedder


@dataclass(frozen=True)
class Engine:
    """A named way to turn a batch of texts into vectors."""

    name: str
    encode: Callable[[list[str]], np.ndarray]


def _resolve(model: str | Path | None) -> tuple[Path | str, str]:
    if model is None or str(model) == DEFAULT_MODEL_NAME:
        folder = default_model_dir()
        verify_default_model(folder)
        return folder, DEFAULT_MODEL_NAME
    path = Path(model).expanduser()
    return (path, path.name) if path.exists() else (str(model), str(model))


def model_weights(path: Path | str) -> str | None:
    """The sha256 of a model's weights: the installed default was checked against its published hash; any
    other folder is hashed, one named all-MiniLM-L6-v2 too (a name proves nothing about the weights)."""
    folder = Path(path)
    if folder == default_model_dir():
        return DEFAULT_MODEL_SHA256
    return weights_sha256(folder) if folder.is_dir() else None


def _load(path: Path | str, device: str = "cpu"):  # type: ignore[no-untyped-def]
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        return SentenceTransformer(str(path), device=device)
    except Exception as exc:  # noqa: BLE001 - many loaders, many error types
        raise InvalidInputError(
            f"cannot load the embedding model {path}: {exc}. Name a local folder, or leave --model out "
            "for the default all-MiniLM-L6-v2"
        ) from exc


def cpu_flags() -> set[str]:
    """The CPU's feature flags ("avx512_bf16", ...) as Linux lists them; empty where it does not."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def cpu_has_bf16() -> bool:
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})
