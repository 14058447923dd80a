"""Everything that ranks: embedder, lexical and vector indexes, fusion, filters, highlights, search.

from index import Archive
with Archive.open("~/news-archive") as archive:
    response = archive.search("How many people died in the Kerman blasts?")
"""

from archive.store.filters import Filters
from index.archive import Archive, Health
from index.embedder import Embedder, HashEmbedder, SentenceTransformerEmbedder
from index.highlight import Highlight
from index.model_files import DEFAULT_MODEL_NAME, default_model_dir, verify_default_model
from index.related import RelatedResult, RelatedSettings
from index.search import Passage, SearchResponse, SearchResult, SearchSettings
from index.tokenizer import ModelTokenizer

__all__ = [
    "DEFAULT_MODEL_NAME",
    "Archive",
    "Embedder",
    "Filters",
    "HashEmbedder",
    "Health",
    "Highlight",
    "ModelTokenizer",
    "Passage",
    "RelatedResult",
    "RelatedSettings",
    "SearchResponse",
    "SearchResult",
    "SearchSettings",
    "SentenceTransformerEmbedder",
    "default_model_dir",
    "verify_default_model",
]
