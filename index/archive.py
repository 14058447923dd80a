"""The library's front door: an archive as one object (the store, its derived indexes, the model, search).

from index import Archive
with Archive.open("~/news-archive") as archive:
    hit = archive.search("How many people died in the Kerman blasts?").results[0]
    print(hit.title, hit.outlet, hit.date, archive.get(hit.id).text[hit.passage.start : hit.passage.end])

The CLI and the app call only this. The derived indexes (index/derived.py) are opened when first
needed, so `stats`, `list` and `show` touch the store alone.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from archive import (
    ArchiveError,
    Chunker,
    Document,
    DocumentSummary,
    Failure,
    IndexDamagedError,
    IngestOptions,
    IngestReport,
    InvalidInputError,
    Progress,
    Stats,
    StoreError,
    read_manifest,
    remove_documents,
    write_manifest,
)
from archive.home import HOME_ENV, default_home
from archive.manifest import MANIFEST_FILE
from archive.models import Annotations, Collection, CollectionEntry, CollectionSummary, SavedSearch, StoredMention
from archive.store import Filters, Store, sqlite_errors, writes
from index import mentions, near_dupes, query_dates, stories, story_view, timex
from index.alongside import Alongside
from index.derived import DerivedIndex, IndexLag
from index.embed import EMBEDDING_TEXT, Coverage, coverage, embed_pending
from index.embedder import Embedder, SentenceTransformerEmbedder, model_weights
from index.evaluation import EVAL_LIMIT, SettingScore, Variant, score, variants
from index.highlight import Highlight, lexical_spans, semantic_spans
from index.lexical import LexicalIndex
from index.model_files import DEFAULT_MODEL_NAME, default_model_dir
from index.model_record import check_name, check_weights, reconcile, record_of
from index.query_dates import DatesRead
from index.related import RelatedFinder, RelatedResult, Seed, stored_seed
from index.search import Searcher, SearchResponse
from index.settings import MODES, RelatedSettings, SearchSettings
from index.story_view import Story, StoryList, StorySummary
from index.tokenizer import ModelTokenizer
from index.vectors import VectorIndex

StepProgress = Callable[[str, int, int], None]
STORY_QUERY_HITS = 100  # `stories --query`: the stories holding one of this many best matches
STORY_CATCH_UP = 2_000  # unplaced articles a story listing places itself before answering


@dataclass(frozen=True)
class Health:
    """How far each derived index is behind the store, and which model made the vectors."""

    documents: int
    chunks: int
    embedded_chunks: int
    lexical_lag: int
    near_duplicate_lag: int
    vector_lag: int
    model: str | None
    vector_index: str | None  # flat, hnsw or ivfpq (index/vectors.py)
    indexes: tuple[IndexLag, ...] = ()
    vector_params: tuple[tuple[str, int], ...] = ()  # ivfpq: nlist, pq_m, nprobe, rescore

    @property
    def vector_description(self) -> dict[str, object] | None:
        """The vector index's kind and parameters (as in the manifest); None before anything is embedded."""
        return {"kind": self.vector_index, **dict(self.vector_params)} if self.vector_index else None


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
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.home = Path(home).expanduser()
        self._chunker = chunker
        self.notices: list[str] = []  # what was found wrong (and repaired), for the user
        self._on_notice = on_notice  # told each notice as it happens (the CLI prints it)
        self.store = Store(self.home)
        if self.store.read_only:
            self._note(f"the archive folder {self.home} {self.store.why_read_only}: it is opened read-only")
        self._embedder = embedder
        self._light: Embedder | None | bool = None  # the query embedder without torch; False: none here
        self._weights_checked = False
        self._light_noted = False
        self._coverage: tuple[tuple[int, int], Coverage] | None = None
        self._model_lock = threading.Lock()
        self._model = embedder.name if embedder else model
        reconciled = reconcile(self.home, self.store)
        self._record = reconciled.record
        if reconciled.notice:
            self._note(reconciled.notice)
        if check_model:
            check_name(self._record, self._model)
        self._lexical: LexicalIndex | None = None
        self._vectors: VectorIndex | None = None
        self.near_duplicates = near_dupes.NearDuplicates()
        self.date_mentions = mentions.DateMentions()
        self.story_index = stories.Stories()
        self._stories_cache: (
            tuple[tuple[object, ...], builtins.list[tuple[int, int, int, str | None, str | None]]] | None
        ) = None
        self.searcher = Searcher(
            self.store,
            lambda: self.lexical,
            lambda: self.vectors,
            self._query_vector,
            lambda: self.coverage().fraction,
            settings or tuned_settings(read_manifest(self.home).search),
        )
        if catch_up:
            self.catch_up(wait=False)

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
        if self._lexical is not None:
            self._lexical.close()

    def _note(self, notice: str) -> None:
        if notice not in self.notices:
            self.notices.append(notice)
            if self._on_notice is not None:
                self._on_notice(notice)

    # the derived indexes (index/derived.py)

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = LexicalIndex(self.home, read_only=self.store.read_only)
            if self._lexical.repaired:
                self._note(f"the word index is being built again from the store: {self._lexical.repaired}")
        return self._lexical

    @property
    def vectors(self) -> VectorIndex | None:
        """The vector index, once something has been embedded."""
        if self._vectors is None and self._record is not None:
            self._vectors = VectorIndex(self.home, self._record.dim, self._record.model)
        return self._vectors

    @property
    def indexes(self) -> list[DerivedIndex]:
        """Every derived index, in the order they catch up (vectors once something is embedded)."""
        found: list[DerivedIndex] = [self.lexical, self.near_duplicates, self.date_mentions]
        if self.vectors is not None:
            found.append(self.vectors)
        return [*found, self.story_index]  # last: stories read the vectors and the near-duplicate groups

    def catch_up(self, progress: StepProgress | None = None, wait: bool = True) -> None:
        """Bring every derived index up to the store.

        With `wait` False (a reader opening the archive), nothing waits for another process's writer and
        no files are written: an index that cannot catch up is reloaded, and the search says what it lacks.
        """
        if wait:
            self.store.require_writable()
        for index in self.indexes:
            try:
                index.catch_up(self.store, _step(progress, index.name), wait)
            except (StoreError, IndexDamagedError) as exc:
                if wait:
                    raise
                index.reload()
                if isinstance(exc, StoreError) and "being written by another process" not in str(exc):
                    self._note(f"the {index.name} index could not catch up ({exc}); what was added since is missing")
        if wait:
            self._record_vector_index()

    def _record_vector_index(self) -> None:
        """Keep the kind of vector index its size chose, and its parameters, in the manifest (writers only)."""
        if self.vectors is None or self.store.read_only:
            return
        described = self.vectors.description
        manifest = read_manifest(self.home)
        if manifest.vector_index != described:
            write_manifest(self.home, replace(manifest, vector_index=described))

    def refresh(self) -> None:
        """Cheaply pick up what a writer in another process has committed (called before each search)."""
        self.lexical.reload()
        if self._record is None:
            self._record = read_manifest(self.home).embedding
        vectors = self.vectors
        if vectors is not None and vectors.lag(self.store):
            vectors.catch_up(self.store, wait=False)

    def coverage(self) -> Coverage:
        """How many chunks have a vector. Counted again only when the store changed: each count reads an index
        entry of every chunk and vector, and every search reports it."""
        key = self.store.version()
        cached = self._coverage
        if cached is None or cached[0] != key:
            cached = self._coverage = (key, coverage(self.store))
        return cached[1]

    def health(self) -> Health:
        c = self.coverage()
        lags = {index.name: index.lag(self.store) for index in self.indexes}
        return Health(
            documents=self.store.document_count(),
            chunks=c.chunks,
            embedded_chunks=c.embedded,
            lexical_lag=lags["lexical"],
            near_duplicate_lag=lags["near-duplicates"],
            vector_lag=lags.get("vectors", c.embedded),
            model=self._record.model if self._record else None,
            vector_index=self.vectors.kind if self.vectors else None,
            vector_params=tuple(self.vectors.params.items()) if self.vectors else (),
            indexes=tuple(IndexLag(name, lag) for name, lag in lags.items()),
        )

    # the model

    @property
    def model_name(self) -> str:
        return self._model or (self._record.model if self._record else None) or DEFAULT_MODEL_NAME

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(self.model_name, cache_dir=self.home / "cache" / "openvino")
        if not self._weights_checked:
            check_weights(self._record, self._embedder, self.model_name)
            self._weights_checked = True
        return self._embedder

    @property
    def query_embedder(self) -> Embedder:
        """What embeds queries, highlighted sentences and a text's seed: the model's checked OpenVINO graph
        without torch where an earlier process recorded its check (index/light_engine.py), else `embedder`."""
        with self._model_lock:  # the app warms the model in a thread while a first search may ask for it
            if self._embedder is not None:
                return self.embedder
            if self._light is None:
                light = self._light_embedder()
                if light is not None:
                    check_weights(self._record, light, self.model_name)
                self._light = light or False
            return self._light if isinstance(self._light, Embedder) else self.embedder

    def _light_embedder(self) -> Embedder | None:
        from index import light_engine

        name = self.model_name
        folder = default_model_dir() if name == DEFAULT_MODEL_NAME else Path(name).expanduser()
        if not (folder / "tokenizer.json").is_file():
            return None
        weights = model_weights(folder)
        loaded = light_engine.load(self.home / "cache" / "openvino", folder, weights)
        if loaded is None:
            return None
        encoder, record = loaded
        return light_engine.LightEmbedder(encoder, name, int(record["dim"]), weights)

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

    def warm(self, background: bool = False) -> None:
        """Load the model and run it once (when there are vectors), so that a first search is quick; in
        `background`, in a thread of its own (it reads nothing from the store), and this returns at once."""
        if self.vectors is None:
            return
        if not background:
            self._query_vector("warm up")
            return
        threading.Thread(target=self._warm_quietly, name="warm-the-model", daemon=True).start()

    def _warm_quietly(self) -> None:
        with contextlib.suppress(ArchiveError):  # a model that cannot load says so at the first search
            self._query_vector("warm up")

    @lru_cache(maxsize=256)  # noqa: B019 - one archive object per process; queries repeat
    def _query_vector(self, text: str) -> np.ndarray:
        embedder = self.query_embedder
        vector = embedder.embed_query(text)
        checked = getattr(embedder, "light_agreement", None)
        if checked is not None and not self._light_noted and self._on_notice is not None:
            self._light_noted = True  # told as it happens (the CLI prints it), not kept: nothing is wrong
            self._on_notice(
                f"checked the model's OpenVINO graph against torch once (lowest cosine {checked:.5f}): "
                "later searches embed their query without loading torch"
            )
        return vector

    def _save_record(self, embedder: Embedder) -> None:
        self._record = record_of(embedder)
        write_manifest(self.home, read_manifest(self.home).with_embedding(self._record))

    # writing

    def ingest(
        self,
        paths: Sequence[str],
        options: IngestOptions | None = None,
        embed: bool = True,
        progress: Callable[[Progress], None] | None = None,
        step: StepProgress | None = None,
    ) -> IngestReport:
        """Phase 1 (store + lexical index + near-duplicates + dates mentioned, the indexes caught up beside a long
        ingest by a second process: index/alongside.py), then phase 2 (embeddings) unless `embed` is False."""
        self.store.require_writable()
        chunker = self.chunker()
        write_manifest(self.home, replace(read_manifest(self.home), chunker=chunker.settings))
        with self.store.bulk_writes():
            report = self._store_and_index(paths, chunker, options, progress, step)
        if embed:
            self.embed(step)
        return report

    def _store_and_index(
        self,
        paths: Sequence[str],
        chunker: Chunker,
        options: IngestOptions | None,
        progress: Callable[[Progress], None] | None,
        step: StepProgress | None,
    ) -> IngestReport:
        """Phase 1: the files into the store, the derived indexes caught up beside it by a second process and
        after it here."""
        from archive import ingest as ingest_files  # the readers and their libraries: only an ingest needs them

        alongside = Alongside(self.home)

        def reported(done: Progress) -> None:
            alongside.seen(done.documents)
            with sqlite_errors(self.store.path):
                alongside.share(self.store)
            if progress is not None:
                progress(done)

        try:
            report = ingest_files(self.store, paths, chunker, options, reported)
            alongside.release()  # the tail side by side: words and dates here, near-duplicates in the second process
            with sqlite_errors(self.store.path):
                self.lexical.catch_up(self.store, _step(step, self.lexical.name))
                self.date_mentions.catch_up(self.store, _step(step, self.date_mentions.name))
        except BaseException:
            alongside.kill()  # failed or interrupted: no waiting for the second process's catch-up in hand
            raise
        alongside.stop(waiting=_lag_shown(self.store, self.near_duplicates, step))
        with sqlite_errors(self.store.path):
            for index in (self.near_duplicates, self.date_mentions):
                index.catch_up(self.store, _step(step, index.name))
        return report

    def embed(
        self,
        step: StepProgress | None = None,
        first_only: bool = False,
        ray: str | None = None,
        ray_actors: int | None = None,
    ) -> int:
        """Phase 2: embed every chunk without a vector (only articles' first chunks with `first_only`), then
        update the vector index and place the articles in stories. With `ray` (an address, or "local" for an
        instance on this machine) the model runs in `ray_actors` actors on that Ray cluster (index/ray_embed.py)."""
        self.store.require_writable()
        with sqlite_errors(self.store.path):
            return self._embed(step, first_only, ray, ray_actors)

    def _embed(
        self, step: StepProgress | None, first_only: bool = False, ray: str | None = None, ray_actors: int | None = None
    ) -> int:
        self.near_duplicates.catch_up(self.store, _step(step, "near-duplicates"))
        vectors = self.vectors
        current = self._record is not None and self._record.text == EMBEDDING_TEXT
        if vectors is not None and current and self.coverage().complete:  # nothing to embed: no model loaded
            vectors.catch_up(self.store, _step(step, vectors.name))
            self._record_vector_index()
            self.story_index.catch_up(self.store, _step(step, self.story_index.name))
            return 0
        if ray is not None:
            from index.ray_embed import check_address

            check_address(ray)  # before the model loads: a wrong address fails in seconds
        embedder = self.embedder
        if self._record is None:
            self._save_record(embedder)
        elif self._record.text != EMBEDDING_TEXT:  # embedded before titles went with first chunks
            with self.store.transaction():
                self.store.drop_first_chunk_vectors()
            self._save_record(embedder)
        elif embedder.weights and not self._record.weights:  # made before the weights were kept
            self._save_record(embedder)
        if ray is None:
            done = embed_pending(self.store, embedder, _step(step, "embedding"), first_only=first_only)
        else:
            from index.ray_embed import embed_on_ray

            done = embed_on_ray(self.store, embedder, ray, _step(step, "embedding"), first_only, ray_actors)
        vectors = self.vectors
        assert vectors is not None  # the record exists now
        vectors.catch_up(self.store, _step(step, vectors.name))
        self._record_vector_index()
        self.story_index.catch_up(self.store, _step(step, self.story_index.name))
        return done

    def reindex(
        self, embeddings: bool = False, step: StepProgress | None = None, names: Sequence[str] = ()
    ) -> list[str]:
        """Rebuild the derived indexes (all, or those named) from the store; with `embeddings`, embed every
        chunk again first (e.g. with another model). Returns the names rebuilt."""
        self.store.require_writable()
        known = [index.name for index in self.indexes] + ([] if self.vectors else ["vectors"])
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise InvalidInputError(f"no derived index named {', '.join(unknown)}; the indexes are {', '.join(known)}")
        with sqlite_errors(self.store.path):
            if embeddings:
                self._forget_vectors()
            rebuilt = []
            for index in self.indexes:
                if not names or index.name in names:
                    index.rebuild(self.store, _step(step, index.name))
                    rebuilt.append(index.name)
            if embeddings:
                self._embed(step)
                rebuilt.append("vectors")
            self._record_vector_index()
        return rebuilt

    def _forget_vectors(self) -> None:
        with self.store.transaction():
            self.store.drop_vectors()
        write_manifest(self.home, read_manifest(self.home).with_embedding(None))
        self._record, self._vectors, self._weights_checked = None, None, False
        self._query_vector.cache_clear()

    # the user's collections (kept by article origin: they survive reindex and a re-ingest)

    def collections(self) -> builtins.list[CollectionSummary]:
        return self.store.collections()

    def create_collection(self, name: str) -> None:
        name = " ".join(name.split())
        if not name:
            raise InvalidInputError("a collection needs a name")
        self.store.require_writable()
        with self.store.transaction() as db:
            if not writes.create_collection(db, name):
                raise InvalidInputError(f"there is a collection named {name!r} already")

    def collection(self, name: str) -> Collection:
        found = self._collection_id(name)
        return Collection(self._collection_name(name), tuple(self.store.collection_entries(found)))

    def add_to_collection(
        self, name: str, doc_ids: Sequence[int], note: str | None = None, query: str | None = None
    ) -> int:
        """Add articles (an id that is not in the archive is an error before anything is added)."""
        found = self._collection_id(name)
        origins = self.store.origins_of_ids(builtins.list(doc_ids)) if doc_ids else {}
        missing = [i for i in doc_ids if i not in origins]
        if missing:
            raise InvalidInputError(f"no article with id {', '.join(map(str, missing))}; nothing was added")
        self.store.require_writable()
        with self.store.transaction() as db:
            for doc_id in doc_ids:
                writes.add_to_collection(db, found, origins[doc_id], note or None, query or None)
        return len(doc_ids)

    def remove_from_collection(self, name: str, doc_ids: Sequence[int]) -> int:
        found = self._collection_id(name)
        origins = self.store.origins_of_ids(builtins.list(doc_ids)) if doc_ids else {}
        self.store.require_writable()
        with self.store.transaction() as db:
            return sum(writes.remove_from_collection(db, found, o) for o in origins.values())

    def delete_collection(self, name: str) -> None:
        found = self._collection_id(name)
        self.store.require_writable()
        with self.store.transaction() as db:
            writes.delete_collection(db, found)

    def collection_rows(self, name: str) -> Iterator[dict[str, object]]:
        """A collection's articles as citation rows (archive/export.py), with each one's opening passage, tags,
        and its note in the collection with the article's own note after it (" | "). An unknown name fails here."""
        return self._entry_rows(self.collection(name).entries)

    def _entry_rows(self, entries: Sequence[CollectionEntry]) -> Iterator[dict[str, object]]:
        for entry in entries:
            passage = ""
            if entry.id is not None:
                text = self.store.get(entry.id).text
                start, end = self.store.chunk_span(None, self.store.original_of(entry.id))
                passage = text[start:end]
            notes = dict.fromkeys(n for n in (entry.note, self.store.note_of(entry.origin)) if n)
            tags = "; ".join(self.store.tags_of(entry.origin))
            yield {**asdict(entry), "passage": passage, "note": " | ".join(notes) or None, "tags": tags}

    # saved searches

    def save_search(self, name: str, query: str, filters: Filters | None = None, mode: str = "hybrid") -> None:
        name = " ".join(name.split())
        if not name or not query.strip():
            raise InvalidInputError("a saved search needs a name and a query")
        if mode not in MODES:
            raise InvalidInputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        fields = {k: v for k, v in asdict(filters or Filters()).items() if k != "arrived_after" and v not in (None, ())}
        self.store.require_writable()
        with self.store.transaction() as db:
            if not writes.save_search(db, name, query.strip(), fields, mode):
                raise InvalidInputError(f"there is a saved search named {name!r} already")

    def saved_searches(self) -> builtins.list[SavedSearch]:
        return self.store.saved_searches()

    def run_saved(self, name: str, new_since_last: bool = False, limit: int = 10) -> tuple[SavedSearch, SearchResponse]:
        """Run a saved search (with `new_since_last`, only what arrived since its last run) and note the run."""
        saved = self._saved(name)
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.filters.items()}
        filters = Filters(**fields)  # type: ignore[arg-type]
        if new_since_last and saved.last_run_at:
            filters = replace(filters, arrived_after=saved.last_run_at)
        started = writes.now()
        response = self.search(saved.query, filters, saved.mode, limit)
        self.store.require_writable()
        with self.store.transaction() as db:
            writes.mark_run(db, saved.name, started)
        return saved, response

    def delete_saved_search(self, name: str) -> None:
        saved = self._saved(name)
        self.store.require_writable()
        with self.store.transaction() as db:
            writes.delete_saved_search(db, saved.name)

    def _saved(self, name: str) -> SavedSearch:
        found = next((s for s in self.store.saved_searches() if s.name.lower() == name.strip().lower()), None)
        if found is None:
            known = ", ".join(s.name for s in self.store.saved_searches()) or "none yet"
            raise InvalidInputError(f"no saved search named {name!r} (saved: {known})")
        return found

    # relevance marks, and this archive's quality from them

    def mark(self, query: str, doc_id: int, relevance: int | bool) -> None:
        """Judge an article for a query: relevant (True or a grade from 1) or not (False or 0)."""
        query = " ".join(query.split())
        if not query:
            raise InvalidInputError("a mark needs the query it judges")
        grade = int(relevance)
        if grade < 0:
            raise InvalidInputError("a relevance is 0 (not relevant) or more")
        origin = self._origins([doc_id])[doc_id]
        self.store.require_writable()
        with self.store.transaction() as db:
            writes.mark(db, query, origin, grade)

    def marks_for(self, query: str, doc_ids: Sequence[int]) -> dict[int, int]:
        """How these articles are marked for this query (any case, spaces squeezed): id -> relevance."""
        marked = self.store.marks_of(" ".join(query.split()))
        if not marked or not doc_ids:
            return {}
        origins = self.store.origins_of_ids(builtins.list(doc_ids))
        return {i: marked[o] for i, o in origins.items() if o in marked}

    def evaluate(self) -> builtins.list[SettingScore]:
        """nDCG@10 and P@10 of the current settings and the alternatives, over the marked queries."""
        self.refresh()
        marks = self.store.marks()

        def ranked_origins(query: str, variant: Variant) -> builtins.list[str]:
            response = self.searcher.search(query, mode=variant.mode, limit=EVAL_LIMIT, settings=variant.settings)
            origins = self.store.origins_of_ids([r.id for r in response.results]) if response.results else {}
            return [origins[r.id] for r in response.results if r.id in origins]

        return score(marks, ranked_origins, variants(self.searcher.settings))

    def tune(self, reset: bool = False) -> tuple[SettingScore | None, builtins.list[SettingScore]]:
        """Set this archive's fusion to the hybrid setting that scores best on its marks (kept in the manifest;
        `reset` goes back to the defaults). The current setting stays unless another beats it."""
        self.store.require_writable()
        manifest = read_manifest(self.home)
        if reset:
            write_manifest(self.home, replace(manifest, search={}))
            self.searcher.settings = SearchSettings()
            return None, []
        scores = self.evaluate()
        hybrid = {v.name: v for v in variants(self.searcher.settings) if v.mode == "hybrid"}
        candidates = [s for s in scores if s.name in hybrid and s.queries]
        if not candidates:
            raise InvalidInputError('no marked queries with a relevant article yet: archive mark "QUERY" ID relevant')
        best = max(candidates, key=lambda s: (s.ndcg_at_10, s.name == "current"))
        chosen = hybrid[best.name].settings
        fields = {"fusion": chosen.fusion, "lexical_share": chosen.lexical_share, "rrf_k": chosen.rrf_k}
        write_manifest(self.home, replace(manifest, search={**fields, "tuned_on": best.queries}))
        self.searcher.settings = chosen
        return best, scores

    @property
    def search_settings(self) -> SearchSettings:
        return self.searcher.settings

    @property
    def tuned_on(self) -> int | None:
        """How many marked queries `archive tune` chose the fusion on (None: the defaults)."""
        value = read_manifest(self.home).search.get("tuned_on")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    # tags and notes (kept by article origin too)

    def tag(self, doc_ids: Sequence[int], tags: Sequence[str]) -> int:
        """Give these articles these tags; how many articles."""
        return self._annotate(doc_ids, lambda db, origin: writes.tag(db, origin, _clean_tags(tags)))

    def untag(self, doc_ids: Sequence[int], tags: Sequence[str]) -> int:
        return self._annotate(doc_ids, lambda db, origin: writes.untag(db, origin, _clean_tags(tags)))

    def set_note(self, doc_id: int, note: str | None) -> None:
        """The article's one note (None or blank text removes it)."""
        self._annotate([doc_id], lambda db, origin: writes.set_note(db, origin, note))

    def annotations(self, doc_id: int) -> Annotations:
        origin = self._origins([doc_id])[doc_id]
        return Annotations(self.store.tags_of(origin), self.store.note_of(origin))

    def tag_counts(self, doc_ids: Sequence[int] | None = None) -> builtins.list[tuple[str, int]]:
        """Each tag with how many articles carry it (of `doc_ids`, e.g. a search's matches: its facets)."""
        return self.store.tag_counts(doc_ids)

    def _annotate(self, doc_ids: Sequence[int], change: Callable[[Any, str], object]) -> int:
        origins = self._origins(doc_ids)
        self.store.require_writable()
        with self.store.transaction() as db:
            for origin in origins.values():
                change(db, origin)
        return len(origins)

    def _origins(self, doc_ids: Sequence[int]) -> dict[int, str]:
        origins = self.store.origins_of_ids(builtins.list(doc_ids)) if doc_ids else {}
        missing = [i for i in doc_ids if i not in origins]
        if missing:
            raise InvalidInputError(f"no article with id {', '.join(map(str, missing))}; nothing was changed")
        return origins

    def _collection_id(self, name: str) -> int:
        found = self.store.collection_id(name)
        if found is None:
            known = ", ".join(c.name for c in self.store.collections()) or "none yet"
            raise InvalidInputError(f"no collection named {name!r} (collections: {known})")
        return found

    def _check_scope(self, filters: Filters | None) -> None:
        """A filter naming a collection that does not exist is an error, not an empty answer; a filter on the
        dates mentioned waits for every article to be scanned (or, read-only, says what it lacks)."""
        if filters is not None and filters.collection:
            self._collection_id(filters.collection)
        if filters is not None and filters.mentions:
            lag = self.date_mentions.lag(self.store)
            if lag and not self.store.read_only:
                with sqlite_errors(self.store.path):
                    self.date_mentions.catch_up(self.store)
            elif lag:
                self._note(f"{lag:,} articles are not yet scanned for the dates they mention; they are left out")

    def _collection_name(self, name: str) -> str:
        return next((c.name for c in self.store.collections() if c.name.lower() == name.lower()), name)

    def backup(self, folder: str | Path) -> Path:
        """Copy what cannot be made again (the store: articles, chunks, embeddings, failures) and the manifest
        into `folder`; `archive --home FOLDER reindex` makes the word, near-duplicate and vector indexes
        again from it. Safe while the archive is in use."""
        target = Path(folder).expanduser()
        if target.resolve() == self.home.resolve():
            raise InvalidInputError("back up into another folder than the archive itself")
        copied = self.store.backup_to(target)
        if (self.home / MANIFEST_FILE).exists():
            write_manifest(target, read_manifest(self.home))
        return copied

    def remove(self, ids: Sequence[int] = (), source: str | None = None) -> int:
        """Remove articles by id, and every article of an outlet or ingest `source`; returns how many.

        A duplicate takes over a removed original's text; the derived indexes catch up.
        """
        self.store.require_writable()
        for doc_id in ids:
            self.store.get(doc_id)  # an unknown id is an error before anything is removed
        chosen = list(ids) + (self.store.ids_for_source(source) if source else [])
        with sqlite_errors(self.store.path):
            removed = remove_documents(self.store, chosen, self.chunker())
            self.catch_up()
        return removed

    # reading

    def get(self, doc_id: int | str) -> Document:
        return self.store.find(str(doc_id))

    def inferred_date(self, doc_id: int) -> tuple[str, str] | None:
        """For an undated article, the (day, evidence) its text suggests; never a publication date."""
        return self.store.inferred_date(doc_id)

    def mentions(self, doc_id: int) -> builtins.list[StoredMention]:
        """The dates an article's text mentions, in text order (scanned now when the index has not yet)."""
        kept = self.store.mentions_of(doc_id, timex.VERSION)
        if kept is not None:
            return kept
        doc = self.store.get(doc_id)
        return mentions.scan(doc.text, doc.date)

    def list(self, filters: Filters | None = None, limit: int | None = None) -> builtins.list[DocumentSummary]:
        """Articles by date (undated last), through the same filter as search."""
        self._check_scope(filters)
        return self.store.list_documents(filters, limit)

    def stats(self) -> Stats:
        return self.store.stats()

    def outlets(self) -> builtins.list[str]:
        return self.store.outlets()

    def failures(self) -> builtins.list[Failure]:
        return self.store.failures()

    def clear_failures(self, paths: Sequence[str] | None = None) -> int:
        """Forget the failures of these files (None: all), once dealt with; how many were forgotten.

        A file that still fails is reported again by its next ingest."""
        self.store.require_writable()
        with self.store.transaction() as db:
            return sum(writes.clear_failures(db, p) for p in ([None] if paths is None else paths))

    def outlet_counts(self) -> builtins.list[tuple[str | None, int]]:
        """(outlet, articles) for every outlet, most articles first; None: articles of no known outlet."""
        return self.store.outlet_counts()

    def copies(self, doc_id: int) -> builtins.list[tuple[int, str | None]]:
        """(id, outlet) of the article's exact and near copies, itself left out."""
        return [c for c in near_dupes.group_documents(self.store, doc_id) if c[0] != doc_id]

    def version(self) -> tuple[int, int]:
        """Changes whenever the store does (any process): a cache key."""
        return self.store.version()

    def months(self, doc_ids: Sequence[int] | None = None) -> builtins.list[tuple[str, int]]:
        """Articles per month (YYYY-MM), oldest first, of these ids (None: the whole archive); undated left out."""
        return self.store.months(doc_ids)

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
        literal: bool = False,
    ) -> SearchResponse:
        """Search; with `semantic_highlights`, mark the sentence(s) of each passage nearest the query.

        A date expression in the query ("in January 2024", "last week") becomes the date filter and leaves
        the words searched, said in the notice, unless `literal` or the filters already hold dates."""
        self._check_scope(filters)
        self.refresh()
        read, words, filters = self._read_dates(query, filters, literal)
        parsed = self.searcher.parse(words)
        with self.store.snapshot():
            response = self.searcher.search(parsed, filters, mode, limit, offset, settings, collapse)
            response = self._with_mentions(response, filters)
        if read is not None:
            said = read.notice(dt.date.today())
            notice = "; ".join(filter(None, [said, response.notice]))
            response = replace(response, query=query, notice=notice, dates_read=read)
        return self.with_semantic_highlights(response) if semantic_highlights else response

    def _read_dates(
        self, query: str, filters: Filters | None, literal: bool
    ) -> tuple[DatesRead | None, str, Filters | None]:
        """The query's date expression as a filter (index/query_dates.py): what was read, the words left, the
        filters with its range. In an archive where no article has a date, it stays words: as a filter it could
        only empty the results (a SciFact claim "... since 1979" lost its answers)."""
        if literal or (filters is not None and filters.dated_range):
            return None, query, filters
        read = query_dates.read(query, dt.date.today())
        if read is None or not self.store.any_dated():
            return None, query, filters
        return read, read.rest, replace(filters or Filters(), date_from=read.date_from, date_to=read.date_to)

    def _with_mentions(self, response: SearchResponse, filters: Filters | None) -> SearchResponse:
        """Each result with the dates it mentions: with a mentions filter, those in its range (marked "date" in
        the passage); without, those inside its passage."""
        if not response.results:
            return response
        asked = filters is not None and filters.mentions
        low, high = (filters.mentions_from, filters.mentions_to) if filters is not None and asked else (None, None)
        found = self.store.mentions_in([r.id for r in response.results], low, high)
        results = []
        for r in response.results:
            inside = [m for m in found.get(r.id, []) if r.passage.start <= m.start and m.end <= r.passage.end]
            kept = found.get(r.id, []) if asked else inside
            marks = tuple(Highlight(m.start, m.end, "date") for m in inside) if asked else ()
            results.append(replace(r, mentions=tuple(kept), highlights=r.highlights + marks))
        return replace(response, results=tuple(results))

    def search_rows(
        self,
        query: str,
        filters: Filters | None = None,
        mode: str = "hybrid",
        settings: SearchSettings | None = None,
        collapse: bool = True,
        batch: int = 1000,
        literal: bool = False,
    ) -> Iterator[dict[str, object]]:
        """Every match of a search (as many as its `matched`), best first, as citation rows for
        archive/export.py: read batch by batch, so an export of 50,000 holds one batch at a time.
        A bad filter or query fails here, before the first row is asked for."""
        self._check_scope(filters)
        self.refresh()
        _, words, filters = self._read_dates(query, filters, literal)
        parsed = self.searcher.parse(words)
        with self.store.snapshot():
            ids = self.searcher.all_match_ids(parsed, filters, mode, settings, collapse)
        return self._citation_rows(ids, batch, query=query)

    def related_rows(self, results: Sequence[RelatedResult], seed: str) -> Iterator[dict[str, object]]:
        """Related coverage as citation rows, each with its closest passage; `seed` names what it is related to."""
        passages = {r.id: r.passage_text for r in results}
        for row in self._citation_rows([r.id for r in results], query=f"related to {seed}"):
            yield {**row, "passage": passages.get(int(str(row["id"]))) or row["passage"]}  # words only: the opening

    def _citation_rows(self, ids: Sequence[int], batch: int = 1000, **extra: object) -> Iterator[dict[str, object]]:
        for start in range(0, len(ids), batch):
            for row in self.store.citation_rows(ids[start : start + batch]):
                yield {**row, **extra}

    def with_semantic_highlights(self, response: SearchResponse) -> SearchResponse:
        """The response with each passage's sentence(s) nearest the query's meaning marked (a model call); one
        already marked is returned as it is."""
        if response.mode == "lexical" or not response.results or self.vectors is None or not response.semantic_query:
            return response
        if any(h.kind == "semantic" for r in response.results for h in r.highlights):
            return response
        vector = self._query_vector(response.semantic_query)
        spans = semantic_spans(
            self.query_embedder,
            vector,
            [(r.text, r.passage.start, r.passage.end) for r in response.results],
            response.query,
        )
        results = tuple(replace(r, highlights=r.highlights + tuple(s)) for r, s in zip(response.results, spans))
        return replace(response, results=results)

    def highlights(self, text: str, query: str) -> tuple[Highlight, ...]:
        """The query's words everywhere in an article's text, and its sentence(s) nearest the query's meaning."""
        parsed = self.searcher.parse(query)
        spans = lexical_spans(text, parsed.stems)
        if self.vectors is not None and parsed.semantic_text and text:
            vector = self._query_vector(parsed.semantic_text)
            spans += semantic_spans(self.query_embedder, vector, [(text, 0, len(text))], query)[0]
        return tuple(sorted(spans, key=lambda h: (h.start, h.end)))

    def related(
        self,
        doc_id: int | str | None = None,
        text: str | None = None,
        settings: RelatedSettings | None = None,
        outlets: Sequence[str] = (),
        limit: int = 20,
        date: str | None = None,
        tags: Sequence[str] = (),
        collection: str | None = None,
    ) -> builtins.list[RelatedResult]:
        """Other articles on the same event as a stored article (`doc_id`) or as `text` (dated `date`, if given),
        from these outlets, with one of these tags, in this collection (each: any, when not given)."""
        settings = settings or RelatedSettings()
        scope = Filters(outlets=tuple(outlets), tags=tuple(tags), collection=collection)
        self._check_scope(scope)
        self.refresh()
        with self.store.snapshot():
            if doc_id is not None:
                seed = stored_seed(self.store, self.get(doc_id), settings.seed_chunks)
            elif text is not None and text.strip():
                seed = self._text_seed(text, date, settings.seed_chunks)
            else:
                raise InvalidInputError("give an article id, or some text to find related coverage for")
            finder = RelatedFinder(self.store, self.lexical, self.vectors, self.searcher.allowed)
            return finder.find(seed, settings, scope, limit)

    def _text_seed(self, text: str, date: str | None, seed_chunks: int) -> Seed:
        spans = self.chunker().chunk(text)[:seed_chunks] if self.vectors is not None else []
        vectors = self.query_embedder.embed([text[c.start : c.end] for c in spans]) if spans else np.zeros((0, 1))
        copies = frozenset(near_dupes.copies_of_text(self.store, text))
        return Seed(text, np.asarray(vectors, dtype=np.float32), date, excluded=copies)

    # stories (assigned by index/stories.py, laid out by index/story_view.py)

    def stories(
        self,
        date_from: str | None = None,
        date_to: str | None = None,
        outlets: Sequence[str] = (),
        min_outlets: int = 1,
        query: str | None = None,
        sort: str | None = None,
        limit: int = 20,
        tags: Sequence[str] = (),
        collection: str | None = None,
    ) -> StoryList:
        """The stories overlapping these days, with an article from one of `outlets`, covered by at least
        `min_outlets` outlets, holding one of the best STORY_QUERY_HITS matches of `query`; sorted by size,
        outlets, date (newest first) or relevance (the best match first: the default with a query; else size);
        with `tags` or a `collection`, only the stories holding an article with one of the tags or in it."""
        first, last = _day(date_from, "date_from"), _day(date_to, "date_to")
        scope = Filters(tags=tuple(_clean_tags(tags)), collection=collection)
        self._check_scope(scope)
        unplaced = self._place_stories()
        within: dict[int, int] | None = None
        if query is not None and query.strip():
            hits = self.search(query, mode="hybrid", limit=STORY_QUERY_HITS, semantic_highlights=False, literal=True)
            story_of = self.store.stories_of([r.id for r in hits.results])
            within = {}
            for rank, hit in enumerate(hits.results):
                if hit.id in story_of:
                    within.setdefault(story_of[hit.id], rank)
        sort = sort or ("relevance" if within is not None else "size")
        with self.store.snapshot():
            if scope.tags or scope.collection:
                held = set(self.store.stories_of(self.store.filtered_originals(scope)).values())
                within = {s: r for s, r in (within or dict.fromkeys(held, 0)).items() if s in held}
            rows = self._story_rows()
            listed = story_view.list_stories(self.store, first, last, outlets, min_outlets, within, sort, limit, rows)
        return replace(listed, unplaced=unplaced)

    def story_rows(self, stories: Sequence[StorySummary], batch: int = 1000) -> Iterator[dict[str, object]]:
        """The articles of these stories (as `stories` or `story` gave them) as citation rows, oldest first in each,
        each found by "story N: label"; read from the store `batch` articles at a time."""
        found_by = [(a.id, f"story {s.id}: {s.label}") for s in stories for a in s.articles]
        for start in range(0, len(found_by), batch):
            part = found_by[start : start + batch]
            rows = {int(str(r["id"])): r for r in self.store.citation_rows([d for d, _ in part])}
            for doc, query in part:
                if doc in rows:
                    yield {**rows[doc], "query": query}

    def _story_rows(self) -> builtins.list[tuple[int, int, int, str | None, str | None]]:
        """Every story's counts, kept while the stories do not change (the app lists them at each rerun)."""
        key = self.store.stories_fingerprint()
        if self._stories_cache is None or self._stories_cache[0] != key:
            self._stories_cache = (key, self.store.story_rows())
        return self._stories_cache[1]

    def _place_stories(self) -> int:
        """Embedded articles not yet in a story are placed first when they are few (a writer stopped between
        embedding and placing, or another process's ingest); many are left to `archive embed`, said once.
        Returns how many are still not placed."""
        lag = self.story_index.lag(self.store)
        if not lag:
            return 0
        if lag <= STORY_CATCH_UP and not self.store.read_only:
            with sqlite_errors(self.store.path):
                self.story_index.catch_up(self.store)
            return 0
        if not any("not in a story yet" in n for n in self.notices):
            self._note(f"{lag:,} embedded articles are not in a story yet; `archive embed` places them")
        return lag

    def story(self, story_id: int | str) -> Story:
        """One story laid out: its articles by time, first report, copies, coverage by outlet and silent outlets."""
        try:
            number = int(story_id)
        except ValueError:
            raise InvalidInputError(
                f"a story id is a number, not {story_id!r}; list them with: archive stories"
            ) from None
        self._place_stories()
        with self.store.snapshot():
            return story_view.show_story(self.store, number)

    def story_of(self, doc_ids: Sequence[int], place: bool = True) -> dict[int, StorySummary]:
        """The story of each of these articles that has one (its summary: label, days, size, outlets); `place`
        False reads what is placed, placing nothing (so `show` stays light)."""
        if place:
            self._place_stories()
        with self.store.snapshot():
            found = self.store.stories_of(list(doc_ids))
            summaries = story_view.summaries(self.store, sorted(set(found.values())))
        return {doc: summaries[story] for doc, story in found.items() if story in summaries}


def _day(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InvalidInputError(f"{name} must be a day as YYYY-MM-DD, not {value!r}") from None


def _lag_shown(store: Store, index: DerivedIndex, step: StepProgress | None) -> Callable[[], None] | None:
    """Something to call while another process catches `index` up: it reports how far that got as a step."""
    report = _step(step, index.name)
    if report is None:
        return None
    first: list[int] = []

    def poll() -> None:
        lag = index.lag(store)
        first[:] = first or [max(lag, 1)]
        report(max(first[0] - lag, 0), first[0])

    return poll


def _step(progress: StepProgress | None, name: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)


def _clean_tags(tags: Sequence[str]) -> list[str]:
    cleaned = [" ".join(t.split()) for t in tags]
    if not all(cleaned):
        raise InvalidInputError("a tag needs some text")
    return builtins.list(dict.fromkeys(cleaned))


def tuned_settings(saved: dict[str, Any]) -> SearchSettings | None:
    """The fusion `archive tune` kept in the manifest (None: none kept, or not valid: the defaults)."""
    if not saved:
        return None
    try:
        return SearchSettings(
            fusion=str(saved.get("fusion", "weighted")),
            lexical_share=float(saved.get("lexical_share", SearchSettings().lexical_share)),
            rrf_k=float(saved.get("rrf_k", SearchSettings().rrf_k)),
        )
    except (InvalidInputError, TypeError, ValueError):
        return None
