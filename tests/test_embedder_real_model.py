"""Which engine embeds in bulk, and that its vectors are the model's (the real all-MiniLM-L6-v2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import openvino_engine
from index.embedder import MIN_AGREEMENT, SentenceTransformerEmbedder, cpu_has_bf16

pytestmark = pytest.mark.slow

TEXTS = [
    "Twin explosions near the tomb of Qassem Soleimani in Kerman killed at least 84 people.",
    "Officials said the death toll from the blasts in the southeastern city had risen overnight.",
    "The central bank left interest rates unchanged and signalled cuts later in the year.",
    "Short.",
    " ".join(["Rescuers searched the rubble for survivors after the earthquake struck before dawn."] * 20),
]


def test_the_automatic_engine_agrees_with_torch_fp32_on_real_text() -> None:
    auto = SentenceTransformerEmbedder()
    reference = SentenceTransformerEmbedder(precision="fp32")
    assert reference.engine == "torch fp32"
    assert auto.engine in {"openvino bf16", "openvino fp32", "torch bf16", "torch fp32"}
    cosines = np.sum(auto.embed(TEXTS) * reference.embed(TEXTS), axis=1)
    assert float(cosines.min()) >= MIN_AGREEMENT


def test_openvino_runs_the_model_without_sending_telemetry() -> None:
    embedder = SentenceTransformerEmbedder()
    encoder = openvino_engine.load(embedder._model, bf16=cpu_has_bf16())
    assert encoder is not None
    assert embedder.agreement(encoder) >= MIN_AGREEMENT
    import openvino.tools.ovc.convert_impl as converter

    assert converter.tm.__name__.endswith("telemetry_stub")


def test_without_openvino_the_torch_engines_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openvino_engine, "load", lambda *args: None)
    embedder = SentenceTransformerEmbedder()
    assert embedder.engine == ("torch bf16" if cpu_has_bf16() else "torch fp32")
    assert embedder.query_engine == "torch fp32"
    assert embedder.embed(TEXTS).shape == (len(TEXTS), embedder.dim)


def test_an_engine_that_disagrees_with_fp32_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SentenceTransformerEmbedder, "agreement", lambda self, encode, probe=(): 0.98)
    embedder = SentenceTransformerEmbedder()
    assert embedder.engine == "torch fp32"
    assert embedder.query_engine == "torch fp32"


def test_queries_embed_in_fp32_as_torch_does() -> None:
    fast, reference = SentenceTransformerEmbedder(), SentenceTransformerEmbedder(precision="fp32")
    assert fast.query_engine == "openvino fp32"
    assert reference.query_engine == "torch fp32"
    for text in TEXTS:
        assert float(fast.embed_query(text) @ reference.embed_query(text)) >= 0.99999


def test_the_traced_model_is_kept_and_read_back(tmp_path: Path) -> None:
    first = SentenceTransformerEmbedder(cache_dir=tmp_path)
    vectors = first.embed(TEXTS)
    kept = list(tmp_path.glob("*.xml"))
    assert len(kept) == 1 and kept[0].with_suffix(".bin").stat().st_size > 10_000_000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left
    second = SentenceTransformerEmbedder(cache_dir=tmp_path)
    np.testing.assert_allclose(second.embed(TEXTS), vectors, atol=1e-6)
    kept[0].write_text("damaged", encoding="utf-8")
    third = SentenceTransformerEmbedder(cache_dir=tmp_path)
    assert third.engine.startswith("openvino")  # traced again
    np.testing.assert_allclose(third.embed(TEXTS), vectors, atol=1e-6)


def test_a_checked_graph_embeds_queries_without_torch_as_torch_does(tmp_path: Path) -> None:
    from index import light_engine
    from index.model_files import default_model_dir

    first = SentenceTransformerEmbedder(cache_dir=tmp_path)
    assert light_engine.load(tmp_path, default_model_dir(), first.weights) is None  # nothing checked yet
    first.embed_query("the first query runs the check")
    assert first.light_agreement is not None and first.light_agreement >= MIN_AGREEMENT
    loaded = light_engine.load(tmp_path, default_model_dir(), first.weights)
    assert loaded is not None
    light = light_engine.LightEmbedder(loaded[0], first.name, int(loaded[1]["dim"]), first.weights)
    assert loaded[0].lengths(["one", "one two three four"]) == [3, 6]  # its own, so batches sort by length
    assert loaded[0].batch_precision == ("bf16" if cpu_has_bf16() else "fp32")  # a page's sentences, fast
    reference = SentenceTransformerEmbedder(precision="fp32")
    cosines = np.sum(light.embed(TEXTS) * reference.embed(TEXTS), axis=1)  # the long one is truncated alike
    assert float(cosines.min()) >= MIN_AGREEMENT
    for text in TEXTS[:2]:
        assert float(light.embed_query(text) @ reference.embed_query(text)) >= MIN_AGREEMENT
    assert light_engine.load(tmp_path, default_model_dir(), "other weights") is None
    mark = tmp_path / light_engine.MARK
    mark.write_text(mark.read_text(encoding="utf-8").replace('"openvino": "', '"openvino": "0.'), encoding="utf-8")
    assert light_engine.load(tmp_path, default_model_dir(), first.weights) is None  # another OpenVINO: torch again
    mark.write_text("{damaged", encoding="utf-8")
    assert light_engine.load(tmp_path, default_model_dir(), first.weights) is None


def test_a_one_shot_search_after_the_check_loads_no_torch(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from index import Archive

    records = tmp_path / "news.jsonl"
    records.write_text(
        "\n".join(json.dumps({"id": str(i), "title": f"Report {i}", "text": text}) for i, text in enumerate(TEXTS)),
        encoding="utf-8",
    )
    home = tmp_path / "home"
    told: list[str] = []
    with Archive.open(home, on_notice=told.append) as archive:
        archive.ingest([str(records)])
        before = [r.id for r in archive.search("how many died in the Kerman blasts", limit=3).results]
        assert any("checked the model's OpenVINO graph" in n for n in told)  # said once, as it happens
        assert not any("OpenVINO" in n for n in archive.notices)  # and not kept among what was found wrong
    script = (
        "import sys, json\nfrom index import Archive\n"
        f"a = Archive.open({str(home)!r})\nr = a.search('how many died in the Kerman blasts', limit=3)\n"
        "print(json.dumps([[x.id for x in r.results], a.query_embedder.engine,"
        " [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    ids, engine, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert ids == before
    assert "no torch" in engine
    assert loaded == []


def test_a_worker_builds_the_same_model_and_checks_it_against_this_machines_vectors() -> None:
    here = SentenceTransformerEmbedder()
    recipe = here.for_workers()
    worker = recipe("cpu")
    assert worker.worker_agreement is not None and worker.worker_agreement >= MIN_AGREEMENT
    assert float(np.sum(worker.embed(TEXTS) * here.embed(TEXTS), axis=1).min()) >= MIN_AGREEMENT


def test_a_worker_whose_model_differs_refuses_to_embed() -> None:
    import dataclasses

    from archive.errors import InvalidInputError
    from index.embedder import WorkerModel

    recipe = SentenceTransformerEmbedder().for_workers()
    assert isinstance(recipe, WorkerModel)
    with pytest.raises(InvalidInputError, match="other weights"):
        dataclasses.replace(recipe, weights="0" * 64)("cpu")
    with pytest.raises(InvalidInputError, match="cosine"):
        dataclasses.replace(recipe, reference=recipe.reference[::-1].copy())("cpu")
