"""Search and phase 2 with the real all-MiniLM-L6-v2 (installed offline, so these run in CI too)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.query import stem
from tests.conftest import ROOT, shared_path
from ui.cli import cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("seeded") / "home"
    seeds = shared_path("seeds")
    result = CliRunner().invoke(cli, ["--home", str(home), "ingest", str(seeds)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return home


def search_json(home: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["--home", str(home), "search", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_the_kerman_question_finds_both_articles_with_the_answer_highlighted(seeded: Path) -> None:
    response = search_json(seeded, "How many people died in the Kerman blasts?")
    assert response["vector_coverage"] == 1.0
    results = response["results"]
    assert isinstance(results, list)
    top_two = {Path(r["path"]).name for r in results[:2]}
    assert top_two == {"000_b64f4d9f410771da.txt", "004_5fc7c7c3a8596469.txt"}
    for r in results[:2]:
        assert r["lexical_rank"] and r["semantic_rank"] and r["date"] == "2024-01-03"
        kinds = {h["kind"] for h in r["highlights"]}
        assert kinds == {"lexical", "semantic"}
        text = CliRunner().invoke(cli, ["--home", str(seeded), "show", str(r["id"]), "--json"]).output
        body = json.loads(text)["text"]
        assert body[r["passage"]["start"] : r["passage"]["end"]] == r["passage"]["text"]
        for h in r["highlights"]:
            if h["kind"] == "lexical":
                assert stem(body[h["start"] : h["end"]]) in {"kerman", "blast", "peopl", "die", "mani"}
        if Path(r["path"]).name.startswith("000_"):  # the answer, not "The blasts reportedly happened near..."
            said = [body[h["start"] : h["end"]] for h in r["highlights"] if h["kind"] == "semantic"]
            assert any("at least 20 were killed" in s for s in said), said
    assert response["semantic_highlights"] is True
    words_only = search_json(seeded, "How many people died in the Kerman blasts?", "--no-semantic-highlights")
    assert words_only["semantic_highlights"] is False
    assert {h["kind"] for r in words_only["results"] for h in r["highlights"]} == {"lexical"}  # type: ignore[union-attr]


def test_words_that_differ_from_the_question_still_find_the_passage(seeded: Path) -> None:
    response = search_json(seeded, "casualties at the memorial for the general", "--mode", "semantic")
    assert response["results"] and "seeds" in str(response["results"][0]["path"])  # type: ignore[index]


def test_batch_file_runs_each_line(seeded: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text('Kerman blasts\n{"id": "q2", "query": "Red Crescent", "from": "2024-01-01", "to": "2024-01-31"}\n')
    result = CliRunner().invoke(cli, ["--home", str(seeded), "search", "--batch", str(batch)], catch_exceptions=False)
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["1", "q2"]
    assert lines[1]["filtered_articles"] == 2 and lines[1]["results"]
    kinds = {h["kind"] for line in lines for r in line["results"] for h in r["highlights"]}
    assert kinds == {"lexical"} and not any(x["semantic_highlights"] for x in lines)  # no model call a line
    asked = CliRunner().invoke(cli, ["--home", str(seeded), "search", "--batch", str(batch), "--semantic-highlights"])
    lines = [json.loads(x) for x in asked.stdout.splitlines()]
    assert all(x["semantic_highlights"] for x in lines)
    assert "semantic" in {h["kind"] for line in lines for r in line["results"] for h in r["highlights"]}


def test_plain_output_shows_title_outlet_date_and_passage(seeded: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(seeded), "search", "Kerman blasts", "--limit", "1"])
    assert result.exit_code == 0
    assert "unknown outlet · 2024-01-03" in result.output and "contains: " in result.output


def test_embedding_resumes_after_kill_9(tmp_path: Path) -> None:
    home = tmp_path / "home"
    articles = shared_path("data", "basil", "articles")
    base = [sys.executable, "-c", "from ui.cli import main; main()", "--home", str(home)]
    subprocess.run([*base, "ingest", str(articles), "--no-embed"], check=True, capture_output=True, cwd=ROOT)
    db = home / "archive.sqlite3"

    def embedded() -> int:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    proc = subprocess.Popen([*base, "embed"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 300
    while embedded() < 300 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None, "embedding finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = embedded()
    done = subprocess.run([*base, "embed"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as con:
        chunks = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        assert embedded() == chunks and partial < chunks
    assert f"embedded {chunks - partial:,} chunks" in done.stdout
