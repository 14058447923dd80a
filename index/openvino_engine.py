"""Embedding on OpenVINO: the loaded sentence-transformers pipeline (transformer, pooling,
normalisation) traced from torch and compiled for the CPU: bf16 for bulk embedding where the CPU has
it, fp32 for queries. Imported only when needed (it imports torch).

Why: on the 2-core AVX512-BF16 machine the benchmarks run on, bulk embedding is about 1.4x faster than
torch's bf16 autocast and a query embeds in about 3 ms instead of 9 (benchmarks/RESULTS.md). The caller
only uses an encoder after checking its vectors against torch fp32 (`SentenceTransformerEmbedder`);
any failure to import, trace or compile means "not available" and torch is used instead.

Tracing takes about a second, so with a `cache_dir` the traced model is kept there (OpenVINO's IR:
an .xml and a .bin, named by a fingerprint of the model and OpenVINO's version) and read back next time.
(OpenVINO could keep its compiled form too, saving 0.1 s per start for another 87 MB on disk: not done.)
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from index.light_engine import without_telemetry

_EXAMPLE = ["An example sentence to trace the model with.", "Another one."]


class OpenVinoEncoder:
    """Texts to vectors with a compiled OpenVINO copy of a SentenceTransformer model (thread-safe)."""

    def __init__(self, model: Any, bf16: bool, cache_dir: Path | None = None) -> None:
        without_telemetry()
        import openvino as ov

        self._model = model
        example = model.preprocess(_EXAMPLE)
        self._keys = [k for k, v in example.items() if isinstance(v, torch.Tensor)]
        self.keys = tuple(self._keys)  # the graph's inputs, in order
        core = ov.Core()
        self.xml: Path | None = cache_dir / f"{_fingerprint(model)}.xml" if cache_dir is not None else None
        converted = _traced(core, model, example, self._keys, self.xml)
        config = {"INFERENCE_PRECISION_HINT": "bf16" if bf16 else "f32", "PERFORMANCE_HINT": "LATENCY"}
        self._compiled = core.compile_model(converted, "CPU", config)
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()
        self.precision = "bf16" if self._compiled.get_property("INFERENCE_PRECISION_HINT") == ov.Type.bf16 else "fp32"

    def __call__(self, texts: list[str]) -> np.ndarray:
        features = self._model.preprocess(texts)
        inputs = [features[k].numpy() for k in self._keys]
        with self._lock:
            result = self._request.infer(inputs)
            return np.array(result[0], dtype=np.float32)


def load(model: Any, bf16: bool, cache_dir: Path | None = None) -> OpenVinoEncoder | None:
    """An OpenVINO encoder for `model`, or None when OpenVINO is missing or cannot run this model."""
    try:
        return OpenVinoEncoder(model, bf16, cache_dir)
    except Exception:  # noqa: BLE001 - import, tracing and compiling fail in many ways; torch remains
        return None


def _traced(core: Any, model: Any, example: dict[str, Any], keys: list[str], xml: Path | None) -> Any:
    """The model as an OpenVINO graph: read from `xml` when traced before, else traced (and kept there)."""
    if xml is None:
        return _trace(model, example, keys)
    if xml.exists():
        try:
            return core.read_model(str(xml))
        except Exception:  # noqa: BLE001 - a damaged cache is traced again
            pass
    traced = _trace(model, example, keys)
    _keep(traced, xml)
    return traced


def _trace(model: Any, example: dict[str, Any], keys: list[str]) -> Any:
    import openvino as ov

    extras = {k: v for k, v in example.items() if k not in keys}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        return ov.convert_model(_Pipeline(model, keys, extras), example_input=tuple(example[k] for k in keys))


def _keep(traced: Any, xml: Path) -> None:
    """Write the IR under temporary names, then move the .bin and last the .xml into place (a reader
    never sees an .xml without its weights); a cache that cannot be written is no error."""
    import openvino as ov

    tmp = xml.with_name(f".{xml.stem}.{os.getpid()}.{threading.get_ident()}.xml")
    try:
        xml.parent.mkdir(parents=True, exist_ok=True)
        ov.save_model(traced, str(tmp), compress_to_fp16=False)
        os.replace(tmp.with_suffix(".bin"), xml.with_suffix(".bin"))
        os.replace(tmp, xml)
    except OSError:
        for leftover in (tmp, tmp.with_suffix(".bin")):
            leftover.unlink(missing_ok=True)


def _fingerprint(model: Any) -> str:
    """Names a traced model: OpenVINO's version, the pipeline's structure and a sum of every weight."""
    import openvino as ov

    digest = hashlib.sha256(f"{ov.__version__}\n{model!r}\n{model.max_seq_length}".encode())
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            digest.update(f"{name}{tuple(tensor.shape)}{float(tensor.double().sum()):.17g}".encode())
    return digest.hexdigest()[:24]


class _Pipeline(torch.nn.Module):
    """The SentenceTransformer forward pass with positional tensor inputs, as tracing needs."""

    def __init__(self, model: Any, keys: list[str], extras: dict[str, Any]) -> None:
        super().__init__()
        self.model = model
        self.keys = keys
        self.extras = extras

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        features = {**dict(zip(self.keys, tensors)), **self.extras}
        embedding: torch.Tensor = self.model(features)["sentence_embedding"]
        return embedding
