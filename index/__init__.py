"""Everything that ranks. For now: the model's tokenizer that measures chunks."""

from index.model_files import DEFAULT_MODEL_NAME, default_model_dir, verify_default_model
from index.tokenizer import ModelTokenizer

__all__ = ["DEFAULT_MODEL_NAME", "ModelTokenizer", "default_model_dir", "verify_default_model"]
