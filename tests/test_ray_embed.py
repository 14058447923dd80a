"""Phase 2 on a real (local) Ray instance: the vectors come back into the store as local embedding makes
them, a worker that fails stops the run with what was stored kept, and `archive embed --ray local` leaves
no Ray process behind."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from archive import Chunker, ComputeError, InvalidInputError, WordTokenizer
from index import Archive, Embedder, HashEmbedder
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # a Ray instance takes seconds to start: run by `make test` and CI

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'semantic-archive[ray]')")


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """One local Ray instance for the tests that share it (the archive uses a connection it finds)."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=256 * 1024 * 1024, configure_logging=False)  # fmt: skip
    yield
    ray.shutdown()


def corpus(folder: Path, count: int = 40) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "id": f"a{i}",
            "title": f"Report {i} on the harbour",
            "text": " ".join(f"Sentence {j} of article {i} about the harbour, the ships and tides." for j in range(12)),
            "source": ["Reuters", "AP"][i % 2],
            "date": f"2024-01-{1 + i % 28:02d}",
        }
        for i in range(count)
    ]
    path = folder / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def open_archive(home: Path, embedder: Embedder) -> Archive:
    return Archive(home, embedder=embedder, chunker=Chunker(WordTokenizer(max_tokens=40), overlap_tokens=5))


def stored_vectors(archive: Archive) -> dict[int, np.ndarray]:
    rows = archive.store.vector_rows(0, archive.store.vectors_top(), 10**6)
    return {int(r[1]): np.frombuffer(r[2], dtype=np.float32) for r in rows}


def test_ray_embeds_what_is_missing_as_local_embedding_would(tmp_path: Path, cluster: None) -> None:
    source = corpus(tmp_path / "in")
    with open_archive(tmp_path / "local", HashEmbedder()) as local:
        local.ingest([str(source)], embed=False)
        local.embed()
        expected = stored_vectors(local)
    with open_archive(tmp_path / "ray", HashEmbedder()) as archive:
        archive.ingest([str(source)], embed=False)
        firsts = archive.embed(first_only=True)  # here; the rest on Ray
        steps: list[tuple[str, int, int]] = []
        rest = archive.embed(
            ray="local", ray_actors=1, step=lambda name, done, total: steps.append((name, done, total))
        )
        assert firsts == 40 and firsts + rest == archive.coverage().chunks == len(expected)
        assert ("embedding", rest, rest) in steps
        got = stored_vectors(archive)
        assert got.keys() == expected.keys()
        assert all(np.array_equal(got[k], expected[k]) for k in expected)
        assert archive.health().vector_lag == 0
        assert archive.search("ships and tides", limit=3).results
        assert archive.embed(ray="local") == 0  # nothing left: no cluster needed


class FailingWorkers(HashEmbedder):
    def for_workers(self) -> Callable[[str], Embedder]:
        return refuse


def refuse(device: str) -> Embedder:
    raise InvalidInputError("a worker's openvino fp32 embeds the probe texts at cosine 0.81234 from this machine's")


def test_a_worker_that_fails_its_check_stops_the_run_and_what_was_stored_stays(tmp_path: Path, cluster: None) -> None:
    with open_archive(tmp_path / "home", FailingWorkers()) as archive:
        archive.ingest([str(corpus(tmp_path / "in", 10))], embed=False)
        archive.embed(first_only=True)
        with pytest.raises(ComputeError, match=r"cosine 0\.81234.*The 0 vectors stored before it stay"):
            archive.embed(ray="local")
        assert archive.coverage().embedded == 10


def ray_processes() -> set[str]:
    """The Ray instance's own processes now running, by pid and command."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return {line.strip() for line in out.splitlines() if "raylet" in line or "gcs_server" in line}


def test_archive_embed_on_a_local_ray_instance_with_the_real_model(tmp_path: Path) -> None:
    before = ray_processes()  # the other tests' instance may still run
    home, source = tmp_path / "home", corpus(tmp_path / "in", 6)
    env_cli = [sys.executable, "-c", "from ui.cli import main; main()", "--home", str(home)]
    subprocess.run([*env_cli, "ingest", str(source), "--no-embed"], check=True, capture_output=True, cwd=ROOT)
    done = subprocess.run(
        [*env_cli, "embed", "--ray", "local", "--progress", "lines"], capture_output=True, text=True, cwd=ROOT,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "embedded" in done.stdout and "Traceback" not in done.stderr
    assert not [line for line in done.stderr.splitlines() if "WARNING" in line or " E " in line], done.stderr
    assert ray_processes() <= before, "the local Ray instance was left running"
    from index.embedder import MIN_AGREEMENT, SentenceTransformerEmbedder

    with Archive(home) as archive:
        got = stored_vectors(archive)
        texts = {
            chunk_id: text
            for chunk_id, text in archive.store.db.execute(
                "SELECT c.id, CASE WHEN c.ordinal = 0 THEN d.title || char(10) ELSE '' END"
                " || substr(d.text, c.start + 1, c.end - c.start) FROM chunks c JOIN documents d ON d.id = c.doc_id"
            ).fetchall()
        }
    assert got.keys() == texts.keys()
    ids = sorted(got)
    local = SentenceTransformerEmbedder().embed([texts[i] for i in ids])
    cosines = np.sum(local * np.stack([got[i] for i in ids]), axis=1)
    assert float(cosines.min()) >= MIN_AGREEMENT


STOPPED_RUN = """
import sys, time
from archive import Chunker, WordTokenizer
from index import Archive, HashEmbedder

class Slow(HashEmbedder):
    def _embed_batch(self, texts):
        time.sleep(0.05)
        return super()._embed_batch(texts)

with Archive(sys.argv[1], embedder=Slow(), chunker=Chunker(WordTokenizer(max_tokens=40), overlap_tokens=5)) as a:
    a.ingest([sys.argv[2]], embed=False)
    print(a.coverage().chunks, flush=True)
    try:
        a.embed(ray="local", ray_actors=1)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""


def test_a_run_stopped_with_sigterm_keeps_its_vectors_and_stops_its_ray_instance(tmp_path: Path) -> None:
    import signal
    import time

    before = ray_processes()
    home, source = tmp_path / "home", corpus(tmp_path / "in", 400)
    child = subprocess.Popen(
        [sys.executable, "-c", STOPPED_RUN, str(home), str(source)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        total = int(child.stdout.readline())
        deadline = time.monotonic() + 300
        stored = 0
        while stored < 1024 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.5)
            with Archive(home, embedder=HashEmbedder(), catch_up=False) as reader:
                stored = reader.coverage().embedded
        assert 0 < stored < total, (stored, total)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130 and "interrupted" in out, err
    assert ray_processes() <= before, "the stopped run left its Ray instance running"
    with open_archive(home, HashEmbedder()) as archive:
        kept = archive.coverage().embedded
        assert stored <= kept < total
        archive.embed()  # the rest, here
        assert archive.coverage().complete
