"""Queries embedded without torch: the model's traced OpenVINO graph and its `tokenizers` tokenizer.

Importing torch, transformers and sentence-transformers takes 10-20 s on a laptop, most of a one-shot
`archive search`. A query needs none of them once the model has been traced to OpenVINO
(index/openvino_engine.py) and that graph, fed by the model folder's own `tokenizer.json`, has been
checked against torch fp32 (cosine >= MIN_AGREEMENT on probe texts, long ones included). The process
that loads torch runs that check once and writes its result beside the traced graph (`MARK`), with
what it depends on: the model's weights (their sha256, and the size and time of the file it was
computed from), OpenVINO's version and the CPU's flags. A later process whose every part matches uses
the graph directly; any difference, or any failure to read or compile, means torch is loaded as before.
OpenVINO keeps the compiled graph too (`COMPILED`), which halves the compile of a one-shot search.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import DEFAULT_BATCH, Embedder, cpu_flags, cpu_has_bf16

MARK = "query-engine.json"
COMPILED = "compiled"  # OpenVINO's own cache of the compiled graph (about 90 MB), beside the traced one


def environment(model_dir: Path, weights: str | None, xml: Path) -> dict[str, Any]:
    """What a check's result depends on, as stored beside the traced graph."""
    import openvino as ov

    stat = (model_dir / "model.safetensors").stat()
    return {
        "model_dir": str(model_dir.resolve()),
        "weights": weights,
        "weights_file": [stat.st_size, stat.st_mtime_ns],
        "openvino": ov.__version__,
        "cpu": _cpu_flags(),
        "graph": xml.name,
        "graph_size": [xml.stat().st_size, xml.with_suffix(".bin").stat().st_size],
    }


class LightEncoder:
    """Texts to vectors through a traced graph compiled by OpenVINO, tokenised by `tokenizers`: one text (a query)
    in fp32, the graph that was checked; several (a page's sentences to highlight, a seed's chunks) in bf16 where
    the CPU has it, as the bulk engine embedded the archive's own chunks (2.6x faster: a page's highlights 353-365
    against 134-145 ms on the 37,554 archive; lowest cosine to fp32 0.99998)."""

    def __init__(self, model_dir: Path, xml: Path, keys: Sequence[str], max_seq_length: int) -> None:
        without_telemetry()
        import openvino as ov
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tok.enable_truncation(max_length=max_seq_length)
        pad = self._tok.padding or {}
        self._tok.enable_padding(pad_id=int(pad.get("pad_id", 0)), pad_token=str(pad.get("pad_token", "[PAD]")))
        self._keys = list(keys)
        core = ov.Core()
        core.set_property({"CACHE_DIR": str(xml.parent / COMPILED)})  # compiled once, then read: 0.45 -> 0.2 s
        config = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
        self._compiled = core.compile_model(str(xml), "CPU", config)
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()
        self._core, self._xml = core, xml
        self._batches: Any = None  # the request for several texts: compiled at the first batch

    def lengths(self, texts: Sequence[str]) -> list[int]:
        """Each text's own length in tokens (not its padded length, which is the longest's: what batches sort by)."""
        return [sum(e.attention_mask) for e in self._tok.encode_batch(list(texts))]

    def __call__(self, texts: list[str]) -> np.ndarray:
        encodings = self._tok.encode_batch(list(texts))
        columns = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        inputs = [np.asarray(columns[key], dtype=np.int64) for key in self._keys]
        with self._lock:
            request = self._request if len(texts) == 1 else self._batch_request()
            result = request.infer(inputs)
            return np.array(result[0], dtype=np.float32)

    @property
    def batch_precision(self) -> str:
        """What several texts are embedded in: "bf16" or "fp32" (the bf16 graph is compiled if not yet)."""
        with self._lock:
            return "bf16" if self._batch_request() is not self._request else "fp32"

    def _batch_request(self) -> Any:
        """The bf16 request where the CPU computes in bf16, else the fp32 one (under the lock)."""
        if self._batches is None:
            self._batches = self._request
            if cpu_has_bf16():
                import openvino as ov

                try:
                    config = {"INFERENCE_PRECISION_HINT": "bf16", "PERFORMANCE_HINT": "LATENCY"}
                    compiled = self._core.compile_model(str(self._xml), "CPU", config)
                    if compiled.get_property("INFERENCE_PRECISION_HINT") == ov.Type.bf16:
                        self._batches = compiled.create_infer_request()
                except Exception:  # noqa: BLE001 - fp32 serves batches too
                    pass
        return self._batches


def certify(
    cache_dir: Path,
    model_dir: Path,
    weights: str | None,
    xml: Path,
    keys: Sequence[str],
    max_seq_length: int,
    dim: int,
    agreement: Callable[[Callable[[list[str]], np.ndarray]], float],
    minimum: float,
) -> float | None:
    """Check the graph fed by `tokenizers` against torch (`agreement`) and, when it agrees, record it so
    later processes embed queries without torch. The lowest cosine found, or None when it could not run."""
    try:
        encoder = LightEncoder(model_dir, xml, keys, max_seq_length)
        lowest = agreement(encoder)
        if lowest >= minimum:
            record = {
                **environment(model_dir, weights, xml),
                "keys": list(keys),
                "max_seq_length": max_seq_length,
                "dim": dim,
                "agreement": lowest,
            }
            _write(cache_dir / MARK, record)
        return lowest
    except Exception:  # noqa: BLE001 - a check that cannot run leaves queries on torch, as before
        return None


def recorded(cache_dir: Path, model_dir: Path, weights: str | None) -> dict[str, Any] | None:
    """The recorded check, when it holds for this model, OpenVINO and CPU (nothing is compiled)."""
    try:
        record: dict[str, Any] = json.loads((cache_dir / MARK).read_text(encoding="utf-8"))
        xml = cache_dir / str(record["graph"])
        if environment(model_dir, weights, xml) != {k: record.get(k) for k in _ENVIRONMENT_KEYS}:
            return None
        return record
    except Exception:  # noqa: BLE001 - no mark, a damaged one, another model or version: torch, as before
        return None


def load(cache_dir: Path, model_dir: Path, weights: str | None) -> tuple[LightEncoder, dict[str, Any]] | None:
    """The checked encoder for this model, OpenVINO and CPU, or None (then queries load torch)."""
    record = recorded(cache_dir, model_dir, weights)
    if record is None:
        return None
    try:
        encoder = LightEncoder(
            model_dir, cache_dir / str(record["graph"]), record["keys"], int(record["max_seq_length"])
        )
        return encoder, record
    except Exception:  # noqa: BLE001 - a graph that no longer reads or compiles: torch, as before
        return None


_ENVIRONMENT_KEYS = ("model_dir", "weights", "weights_file", "openvino", "cpu", "graph", "graph_size")


class LightEmbedder(Embedder):
    """An embedder for queries and highlights on a checked graph, with no torch in the process."""

    def __init__(self, encoder: LightEncoder, name: str, dim: int, weights: str | None) -> None:
        self._encoder = encoder
        self.name, self.dim, self.weights = name, dim, weights
        self.batch_size = DEFAULT_BATCH
        self.engine = self.query_engine = "openvino fp32 (checked; no torch; batches bf16 where the CPU has it)"

    def _lengths(self, texts: Sequence[str]) -> list[int]:
        return self._encoder.lengths(texts)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return self._encoder(texts)


def _cpu_flags() -> str:
    return hashlib.sha256(" ".join(sorted(cpu_flags())).encode()).hexdigest()[:16]


def without_telemetry() -> None:
    """OpenVINO's model converter reports usage to Google Analytics by default unless its telemetry
    package cannot be imported, when it uses its own silent stub. An offline archive sends nothing:
    the package is made unimportable in this process before OpenVINO is first imported."""
    sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]


def _write(path: Path, record: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
