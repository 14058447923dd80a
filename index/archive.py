"""An archive as one object: the store, its derived indexes, the model, and search.

from index import Archive
with Archive.open("~/news-archive") as archive:
    hit = archive.search("How many people died in the Kerman blasts?").results[0]
    print(hit.title, hit.outlet, hit.date, archive.get(hit.id).text[hit.passage.start : hit.passage.end])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from archive import (
    Chunker,
    Document,
    IndexDamagedError,
    IngestOptions,
    IngestReport,
    InvalidInputError,
    Progress,
    StoreError,
)
from archive import ingest as ingest_files
from archive.home import default_home
from archive.maintenance import MANIFEST_FILE, manifest_problem, read_manifest, write_manifest
from archive.store import Store, batches, marks, sqlite_errors
from index import near_dupes
from index.embed import EMBEDDING_TEXT, Coverage, coverage, drop_embeddings, drop_first_chunks, embed_pending
from index.embedder import Embedder, SentenceTransformerEmbedder
from index.highlight import Highlight, lexical_spans, semantic_spans
from index.lexical import LexicalIndex
from index.model_files import DEFAULT_MODEL_NAME, default_model_dir
from index.query import Filters
from index.related import RelatedFinder, RelatedResult, RelatedSettings, Seed, stored_seed
from index.search import Searcher, SearchResponse, SearchSettings
from index.tokenizer import ModelTokenizer
from index.vectors import VectorIndex

HOME_ENV = "ARCHIVE_HOME"
StepProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Health:
    """How far the derived indexes are behind the store, and which model made the vectors."""

    documents: int
    chunks: int
    embedded_chunks: int
    lexical_lag: int
    near_duplicate_lag: int
    vector_lag: int
    model: str | None
    vector_index: str | None


class Archive:
    """Open with `Archive.open(home)`; close it (or use `with`)."""

    def __init__(
        self,
        home: Path,
        model: str | None = None,
        embedder: Embedder | None = None,
        settings: SearchSettings | None = None,
        catch_up: bool = True,
        check_model: bool = True,
        chunker: Chunker | None = None,
    ) -> None:
        self.home = Path(home).expanduser()
        self._chunker = chunker
        self.notices: list[str] = []  # what was found wrong and repaired while opening, for the user
        self.store = Store(self.home)
        self._embedder = embedder
        self._weights_checked = False
        self._model = embedder.name if embedder else model
        if check_model:
            self._check_model()
        self.lexical = LexicalIndex(self.home, read_only=self.store.read_only)
        if self.store.read_only:
            self._note(f"the archive folder {self.home} {self.store.why_read_only}: it is opened read-only")
        if self.lexical.repaired:
            self._note(f"the word index is being built again from the store: {self.lexical.repaired}")
        self.vectors = self._open_vectors()
        if catch_up:
            self.catch_up(wait=False)
        self.searcher = Searcher(
            self.store, self.lexical, self.vectors, self._query_vector, lambda: self.coverage().fraction, settings
        )

    @classmethod
    def open(cls, home: str | Path | None = None, **kwargs: Any) -> Archive:
        """Open (or create) the archive at `home`, else $ARCHIVE_HOME, else the user data folder."""
        chosen = home or os.environ.get(HOME_ENV) or default_home()
        return cls(Path(chosen), **kwargs)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()
        self.lexical.close()

    # the model

    @property
    def model_name(self) -> str:
        stored = (read_manifest(self.home).get("embedding") or {}).get("model")
        return self._model or stored or DEFAULT_MODEL_NAME

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(self.model_name, cache_dir=self.home / "cache" / "openvino")
        if not self._weights_checked:
            self._check_weights(self._embedder)
            self._weights_checked = True
        return self._embedder

    def _check_weights(self, embedder: Embedder) -> None:
        """Refuse a model whose weights differ from those that made this archive's vectors (a name proves nothing)."""
        made_by = (self._embedding_record() or {}).get("weights")
        if made_by and embedder.weights and made_by != embedder.weights:
            raise InvalidInputError(
                f"the model {embedder.name} has other weights (sha256 {embedder.weights[:12]}…) than the one that "
                f"made this archive's vectors ({str(made_by)[:12]}…), so its vectors would not compare with them; "
                "use the archive's own model, or embed everything again with: "
                f"archive reindex --embeddings --model {self.model_name}"
            )

    def chunker(self) -> Chunker:
        """Chunks measured by the model's own tokenizer (or the chunker given when opening)."""
        if self._chunker is not None:
            return self._chunker
        name = self.model_name
        folder = default_model_dir() if name == DEFAULT_MODEL_NAME else Path(name).expanduser()
        if not (folder / "tokenizer.json").exists():
            raise InvalidInputError(f"the model {name} has no tokenizer.json to measure chunks with")
        self._chunker = Chunker(ModelTokenizer(folder))
        return self._chunker

    def _check_model(self) -> None:
        stored = (read_manifest(self.home).get("embedding") or {}).get("model")
        if stored and self._model and Path(self._model).name != stored and self._model != stored:
            raise InvalidInputError(
                f"this archive's vectors were made by {stored}, not {self._model}; leave --model out (or give "
                f"--model {stored}), or embed everything again with: archive reindex --embeddings --model {self._model}"
            )

    def _open_vectors(self) -> VectorIndex | None:
        emb = self._embedding_record()
        return VectorIndex(self.home, int(emb["dim"]), str(emb["model"])) if emb else None

    def _embedding_record(self) -> dict[str, Any] | None:
        """The manifest's record of the vectors, checked against the store's and rebuilt from it when wrong.

        A deleted, garbled or hand-edited manifest must not silently drop the meaning leg: the store keeps
        each vector with its model's name, so the record can be made again.
        """
        manifest = read_manifest(self.home)
        emb = manifest.get("embedding")
        stored = self.store.embedding_sample()
        if stored is None:
            return emb if _valid_record(emb) else None
        model, dim = stored
        if _valid_record(emb) and emb["model"] == model and emb["dim"] == dim:
            return dict(emb)
        kept = emb if isinstance(emb, dict) and emb.get("model") == model else {}
        record = _embedding_record(model, dim, kept.get("text", EMBEDDING_TEXT), kept.get("weights"))
        problem = manifest_problem(self.home) or "had a wrong record of the vectors"
        try:
            write_manifest(self.home, embedding=record)
        except StoreError:
            problem += " (and it could not be saved: the archive folder is not writable)"
        self._note(
            f"{self.home / MANIFEST_FILE} {problem}: its record of the vectors was made again from the store "
            f"({model}, {dim} dimensions)"
        )
        return record

    def _note(self, notice: str) -> None:
        if notice not in self.notices:
            self.notices.append(notice)

    @lru_cache(maxsize=256)  # noqa: B019 - one archive object per process; queries repeat
    def _query_vector(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)

    # keeping the derived indexes up to date

    def catch_up(self, progress: StepProgress | None = None, wait: bool = True) -> None:
        """Bring the lexical and vector indexes up to the store.

        With `wait` False (a reader opening the archive), a lexical index another process is writing is
        only reloaded, and the vector index catches up in memory: the writer keeps the files.
        """
        if wait:
            self.store.require_writable()
        try:
            self.lexical.sync(self.store.db, _step(progress, "lexical index"), wait_s=60.0 if wait else 0.0)
        except (StoreError, IndexDamagedError) as exc:
            if wait:
                raise
            self.lexical.reload()  # a reader searches what is indexed (another process writes, or the disk is full)
            if isinstance(exc, StoreError) and "being written by another process" not in str(exc):
                self._note(f"the word index could not catch up ({exc}); words added since are not found yet")
        if wait:
            near_dupes.sync(self.store.db, _step(progress, "near-duplicates"))
        if self.vectors is not None:
            self.vectors.sync(self.store.db, _step(progress, "vector index"), save=wait)

    def refresh(self) -> None:
        """Cheaply pick up what a writer in another process has committed (called before each search)."""
        self.lexical.reload()
        if self.vectors is None and _valid_record(read_manifest(self.home).get("embedding")):
            self.vectors = self._open_vectors()
            self.searcher.vectors = self.vectors
        if self.vectors is not None and self.vectors.lag(self.store.db):
            self.vectors.sync(self.store.db, save=False)

    def coverage(self) -> Coverage:
        return coverage(self.store.db)

    def health(self) -> Health:
        c = self.coverage()
        return Health(
            documents=self.store.stats().documents,
            chunks=c.chunks,
            embedded_chunks=c.embedded,
            lexical_lag=self.lexical.lag(self.store.db),
            near_duplicate_lag=near_dupes.lag(self.store.db),
            vector_lag=self.vectors.lag(self.store.db) if self.vectors else c.embedded,
            model=(read_manifest(self.home).get("embedding") or {}).get("model"),
            vector_index=self.vectors.kind if self.vectors else None,
        )

    # writing

    def ingest(
        self,
        paths: Sequence[str],
        options: IngestOptions | None = None,
        embed: bool = True,
        progress: Callable[[Progress], None] | None = None,
        step: StepProgress | None = None,
    ) -> IngestReport:
        """Phase 1 (store + lexical index), then phase 2 (embeddings) unless `embed` is False."""
        self.store.require_writable()
        chunker = self.chunker()
        write_manifest(self.home, chunker=chunker.settings)
        report = ingest_files(self.store, paths, chunker, options, progress)
        with sqlite_errors(self.store.path):
            self.lexical.sync(self.store.db, _step(step, "lexical index"))
            near_dupes.sync(self.store.db, _step(step, "near-duplicates"))
        if embed:
            self.embed(step)
        return report

    def embed(self, step: StepProgress | None = None) -> int:
        """Phase 2: embed every chunk without a vector, then update the vector index."""
        self.store.require_writable()
        with sqlite_errors(self.store.path):
            return self._embed(step)

    def _embed(self, step: StepProgress | None) -> int:
        near_dupes.sync(self.store.db, _step(step, "near-duplicates"))
        embedder = self.embedder
        if self.vectors is None:
            write_manifest(self.home, embedding=_embedding_manifest(embedder))
            self.vectors = VectorIndex(self.home, embedder.dim, embedder.name)
            self.searcher.vectors = self.vectors
        elif (read_manifest(self.home).get("embedding") or {}).get("text") != EMBEDDING_TEXT:
            with self.store.transaction() as db:
                drop_first_chunks(db)
            write_manifest(self.home, embedding=_embedding_manifest(embedder))
        if embedder.weights and not (read_manifest(self.home).get("embedding") or {}).get("weights"):
            write_manifest(self.home, embedding=_embedding_manifest(embedder))  # made before weights were kept
        done = embed_pending(self.store, embedder, _step(step, "embedding"))
        self.vectors.sync(self.store.db, _step(step, "vector index"))
        return done

    def reindex(self, embeddings: bool = False, step: StepProgress | None = None) -> None:
        """Rebuild the derived indexes from the store; with `embeddings`, embed every chunk again."""
        self.store.require_writable()
        with sqlite_errors(self.store.path):
            self._reindex(embeddings, step)

    def _reindex(self, embeddings: bool, step: StepProgress | None) -> None:
        self.lexical.rebuild(self.store.db, _step(step, "lexical index"))
        with self.store.transaction() as db:
            near_dupes.clear(db)
        near_dupes.sync(self.store.db, _step(step, "near-duplicates"))
        if embeddings:
            with self.store.transaction() as db:
                drop_embeddings(db)
            write_manifest(self.home, embedding=None)
            self.vectors = None
            self.searcher.vectors = None
            self._query_vector.cache_clear()
            self._embed(step)
        elif self.vectors is not None:
            self.vectors.rebuild(self.store.db, _step(step, "vector index"))

    # reading

    def get(self, doc_id: int | str) -> Document:
        return self.store.find(str(doc_id))

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        mode: str = "hybrid",
        limit: int = 10,
        offset: int = 0,
        semantic_highlights: bool = True,
        settings: SearchSettings | None = None,
        collapse: bool = True,
    ) -> SearchResponse:
        """Search; with `semantic_highlights`, mark the sentence(s) of each passage nearest the query."""
        self.refresh()
        parsed = self.searcher.parse(query)
        with self.store.snapshot():
            response = self.searcher.search(parsed, filters, mode, limit, offset, settings, collapse)
        return self.with_semantic_highlights(response) if semantic_highlights else response

    def with_semantic_highlights(self, response: SearchResponse) -> SearchResponse:
        """The response with each passage's sentence(s) nearest the query's meaning marked (a model call)."""
        if response.mode == "lexical" or not response.results or self.vectors is None or not response.semantic_query:
            return response
        vector = self._query_vector(response.semantic_query)
        spans = semantic_spans(
            self.embedder, vector, [(r.text, r.passage.start, r.passage.end) for r in response.results]
        )
        results = tuple(replace(r, highlights=r.highlights + tuple(s)) for r, s in zip(response.results, spans))
        return replace(response, results=results)

    def months(self, doc_ids: Sequence[int] | None = None) -> list[tuple[str, int]]:
        """Articles per month (YYYY-MM), oldest first, of these ids (None: the whole archive); undated left out."""
        db = self.store.db
        if doc_ids is None:
            sql = "SELECT substr(published, 1, 7), count(*) FROM documents WHERE published IS NOT NULL GROUP BY 1"
            return sorted((m, int(c)) for m, c in db.execute(sql))
        counts: dict[str, int] = {}
        for part in batches(doc_ids):
            rows = db.execute(
                "SELECT substr(published, 1, 7), count(*) FROM documents WHERE published IS NOT NULL"
                f" AND id IN ({marks(len(part))}) GROUP BY 1",
                part,
            )
            for month, count in rows:
                counts[month] = counts.get(month, 0) + count
        return sorted(counts.items())

    def highlights(self, text: str, query: str) -> tuple[Highlight, ...]:
        """The query's words everywhere in an article's text, and its sentence(s) nearest the query's meaning."""
        parsed = self.searcher.parse(query)
        spans = lexical_spans(text, parsed.stems)
        if self.vectors is not None and parsed.semantic_text and text:
            vector = self._query_vector(parsed.semantic_text)
            spans += semantic_spans(self.embedder, vector, [(text, 0, len(text))])[0]
        return tuple(sorted(spans, key=lambda h: (h.start, h.end)))

    def related(
        self,
        doc_id: int | str | None = None,
        text: str | None = None,
        settings: RelatedSettings | None = None,
        outlets: Sequence[str] = (),
        limit: int = 20,
        date: str | None = None,
    ) -> list[RelatedResult]:
        """Other articles on the same event as a stored article (`doc_id`) or as `text` (dated `date`, if given)."""
        settings = settings or RelatedSettings()
        self.refresh()
        with self.store.snapshot() as db:
            if doc_id is not None:
                seed = stored_seed(db, self.get(doc_id), settings.seed_chunks)
            elif text is not None and text.strip():
                seed = self._text_seed(text, date, settings.seed_chunks)
            else:
                raise InvalidInputError("give an article id, or some text to find related coverage for")
            finder = RelatedFinder(db, self.lexical, self.vectors, self.searcher.allowed)
            return finder.find(seed, settings, tuple(outlets), limit)

    def _text_seed(self, text: str, date: str | None, seed_chunks: int) -> Seed:
        spans = self.chunker().chunk(text)[:seed_chunks] if self.vectors is not None else []
        vectors = self.embedder.embed([text[c.start : c.end] for c in spans]) if spans else np.zeros((0, 1))
        copies = frozenset(near_dupes.copies_of_text(self.store.db, text))
        return Seed(text, np.asarray(vectors, dtype=np.float32), date, excluded=copies)


def _embedding_manifest(embedder: Embedder) -> dict[str, object]:
    return _embedding_record(embedder.name, embedder.dim, EMBEDDING_TEXT, embedder.weights)


def _embedding_record(model: str, dim: int, text: object, weights: object) -> dict[str, Any]:
    record = {"model": model, "dim": dim, "normalized": True, "text": text, "weights": weights}
    return {k: v for k, v in record.items() if v is not None}


def _valid_record(emb: object) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(emb, dict)
        and isinstance(emb.get("model"), str)
        and isinstance(emb.get("dim"), int)
        and 0 < emb["dim"] <= 65_536
    )


def _step(progress: StepProgress | None, name: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)
