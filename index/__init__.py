"""Everything that ranks: embedder, derived indexes, fusion, filters, highlights, search, related coverage.

from index import Archive
with Archive.open("~/news-archive") as archive:
    response = archive.search("How many people died in the Kerman blasts?")

The names below are imported when first used (PEP 562), so `from index import SearchSettings` does
not load numpy, tantivy or faiss; type checkers see the imports under TYPE_CHECKING.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.lazy import lazy_exports

if TYPE_CHECKING:
    from archive.store.filters import Filters
    from index.archive import Archive, Health
    from index.derived import DerivedIndex, IndexLag
    from index.embedder import Embedder, HashEmbedder, SentenceTransformerEmbedder
    from index.highlight import Highlight
    from index.model_files import DEFAULT_MODEL_NAME, default_model_dir, verify_default_model
    from index.related import RelatedResult
    from index.search import Passage, SearchResponse, SearchResult
    from index.settings import RelatedSettings, SearchSettings
    from index.tokenizer import ModelTokenizer

_WHERE = {
    "DEFAULT_MODEL_NAME": "index.model_files",
    "Archive": "index.archive",
    "DerivedIndex": "index.derived",
    "Embedder": "index.embedder",
    "Filters": "archive.store.filters",
    "HashEmbedder": "index.embedder",
    "Health": "index.archive",
    "Highlight": "index.highlight",
    "IndexLag": "index.derived",
    "ModelTokenizer": "index.tokenizer",
    "Passage": "index.search",
    "RelatedResult": "index.related",
    "RelatedSettings": "index.settings",
    "SearchResponse": "index.search",
    "SearchResult": "index.search",
    "SearchSettings": "index.settings",
    "SentenceTransformerEmbedder": "index.embedder",
    "default_model_dir": "index.model_files",
    "verify_default_model": "index.model_files",
}
__all__ = [
    "Archive",
    "DEFAULT_MODEL_NAME",
    "DerivedIndex",
    "Embedder",
    "Filters",
    "HashEmbedder",
    "Health",
    "Highlight",
    "IndexLag",
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


__getattr__, __dir__ = lazy_exports("index", _WHERE, __all__)
