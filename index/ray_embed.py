"""Phase 2 on a Ray cluster: the same chunks embedded by model actors elsewhere, the vectors stored here.

The archive stays one folder on this machine; only the compute moves. This process reads the chunks
without a vector from the store, a window at a time, and hands each window to Ray Data: `map_batches`
over a pool of actors, each holding one copy of the model (on a GPU where the cluster has them). The
vectors stream back through `iter_batches` and are stored batch by batch, each in one transaction, so
a run that is stopped loses at most the batches in flight and the next run embeds only what is missing.

Every actor builds the model from the embedder's recipe (`Embedder.for_workers`): the real model is
loaded from the worker's own installation, its weights must be the archive's, and its engine must embed
the probe texts within cosine 0.999 of this machine's torch fp32 (index/embedder.py), or the run stops.

A window is one Ray Data run, so each window starts its actors again (about as long as loading the
model); windows of RAY_WINDOW chunks keep that small beside the embedding itself.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from archive.errors import ArchiveError, ComputeError, InvalidInputError
from archive.store import Store
from index.embed import embedding_text
from index.embedder import Embedder

RAY_WINDOW = 50_000  # chunks per Ray Data run
RAY_BATCH = 512  # chunks per actor call (and per stored transaction)
LOCAL_OBJECT_STORE = 512 * 1024 * 1024  # a local instance's object store: a window's texts and vectors fit
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RayPlan:
    """How many actors, and what each one holds."""

    actors: int
    cpus_per_actor: float
    gpus_per_actor: float


class _EmbedActor:
    """One copy of the model in a Ray actor: a batch of {"id", "text"} in, {"id", "vector"} out."""

    def __init__(self, recipe: Callable[[str], Embedder]) -> None:
        import ray

        device = "cuda" if ray.get_gpu_ids() else "cpu"
        self.embedder = recipe(device)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.embedder.embed([str(text) for text in batch["text"]])
        return {"id": batch["id"], "vector": vectors}


def embed_on_ray(
    store: Store,
    embedder: Embedder,
    address: str,
    progress: Progress | None = None,
    first_only: bool = False,
    actors: int | None = None,
    window: int = RAY_WINDOW,
) -> int:
    """Embed every chunk without a vector on the Ray cluster at `address` ("local": a new instance on this
    machine, stopped afterwards; a process already connected to Ray uses that connection); only articles'
    first chunks with `first_only`. Returns how many."""
    total = store.first_chunks_to_embed() if first_only else store.chunk_count() - store.embedded_count()
    if total == 0:
        return 0
    ray, started = _connect(address)
    done = 0
    previous = _interrupt_on_sigterm()
    try:
        plan = _plan(ray, actors)
        recipe = embedder.for_workers()
        if progress:
            progress(0, total)
        for firsts in (True,) if first_only else (True, False):
            for rows in _windows(store, window, firsts):
                for ids, vectors in _run_window(ray, plan, recipe, rows):
                    with store.transaction():
                        store.save_vectors(embedder.name, ids, vectors)
                    done += len(ids)
                    if progress:
                        progress(done, total)
        return done
    except (ArchiveError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - Ray wraps a worker's failure in many types
        raise ComputeError(
            f"embedding on Ray ({address}) stopped: {_reason(exc)}. The {done:,} vectors stored before it stay; "
            "run `archive embed` again to embed the rest"
        ) from exc
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if started and address == "local":
            ray.shutdown()


def _interrupt_on_sigterm() -> Any:
    """While Ray runs, a SIGTERM is an interrupt: the local instance is stopped and what was stored stays (Ray's
    own handler would abort the process with a stack dump). Returns the handler to put back (None off the main
    thread, where no handler can be set)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _reason(exc: BaseException) -> str:
    """What a worker said: the library's error inside Ray's wrappers where there is one (an actor that failed
    to start carries it only as traceback text), else the first line of Ray's message."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ArchiveError):
            return str(seen)
        found = _LIBRARY_ERROR.findall(str(seen))
        if found:
            return str(found[-1]).strip()
        seen = seen.__cause__
    text = _ANSI.sub("", str(exc)).strip()
    return (text.splitlines() or [type(exc).__name__])[0]


_LIBRARY_ERROR = re.compile(r"archive\.errors\.\w+: (.+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _connect(address: str) -> tuple[Any, bool]:
    """Ray, connected (a process that called `ray.init` itself keeps its connection), and whether this call
    started it."""
    try:
        import ray
    except ImportError as exc:
        raise InvalidInputError("embedding on Ray needs the ray package: pip install 'semantic-archive[ray]'") from exc
    _quiet(ray)
    if ray.is_initialized():
        return ray, False
    check_address(address)
    try:
        if address == "local":
            ray.init(
                address="local",
                num_cpus=os.cpu_count() or 1,
                include_dashboard=False,
                log_to_driver=False,
                object_store_memory=LOCAL_OBJECT_STORE,
                configure_logging=False,
            )
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
        raise ComputeError(f"cannot reach a Ray cluster at {address!r}: {exc}") from exc
    return ray, True


def check_address(address: str, timeout: float = 5.0) -> None:
    """A host:port (or ray://host:port) that does not answer fails here, in seconds: Ray itself retries
    for minutes, logging each attempt."""
    if address in ("local", "auto"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise InvalidInputError(
            f"--ray {address!r} is not an address: give host:port, ray://host:port, auto (a cluster this machine "
            "belongs to) or local"
        )
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ComputeError(f"no Ray cluster answers at {address} ({exc.strerror or exc}); is it running?") from exc


def _quiet(ray: Any) -> None:
    """Ray Data reports each run on stderr and draws its own bars; the CLI draws one bar for the whole phase."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    for name in ("ray", "ray.data", "ray._private.authentication.authentication_token_setup"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _plan(ray: Any, actors: int | None) -> RayPlan:
    """One actor per GPU where the cluster has GPUs; else one actor per two CPUs (torch and OpenVINO use
    two threads well, and this process needs a little CPU to store the vectors)."""
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    cpus = float(resources.get("CPU", 1))
    if actors is not None and actors < 1:
        raise InvalidInputError(f"--ray-actors must be at least 1, not {actors}")
    if gpus:
        count = actors or gpus
        return RayPlan(count, 1.0, min(1.0, gpus / count))
    count = actors or max(1, int(cpus // 2))
    return RayPlan(count, max(1.0, cpus // count), 0.0)


def _windows(store: Store, window: int, firsts: bool) -> Iterator[list[tuple[int, str]]]:
    last_id = 0
    while True:
        rows = store.chunks_to_embed(last_id, window, firsts)
        if not rows:
            return
        last_id = rows[-1][0]
        yield [(chunk_id, embedding_text(ordinal, title, text)) for chunk_id, ordinal, title, text in rows]


def _run_window(
    ray: Any, plan: RayPlan, recipe: Callable[[str], Embedder], rows: list[tuple[int, str]]
) -> Iterator[tuple[list[int], np.ndarray]]:
    import pyarrow as pa

    table = pa.table({"id": [r[0] for r in rows], "text": [r[1] for r in rows]})
    options: dict[str, Any] = {
        "fn_constructor_args": (recipe,),
        "batch_size": RAY_BATCH,
        "batch_format": "numpy",
        "compute": ray.data.ActorPoolStrategy(size=plan.actors),
        "num_cpus": plan.cpus_per_actor,
        "num_gpus": plan.gpus_per_actor,
    }
    # One block per batch: blocks are what Ray hands to actors (several actors share a window) and what comes
    # back as each finishes, so progress and what a stop keeps go batch by batch, not window by window.
    dataset = ray.data.from_arrow([table.slice(start, RAY_BATCH) for start in range(0, len(rows), RAY_BATCH)])
    try:
        # An actor that fails stops the run (the next run embeds what is still missing) rather than being
        # started again; Ray otherwise warns at every actor that a restart could lose its arguments.
        # Passing it is deprecated in Ray 2.5x and goes in 2.64, where the plain call below is made.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = dataset.map_batches(_EmbedActor, max_restarts=0, **options)
    except TypeError:
        dataset = dataset.map_batches(_EmbedActor, **options)
    for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
        ids = [int(i) for i in batch["id"]]
        if ids:
            yield ids, np.ascontiguousarray(batch["vector"], dtype=np.float32)
