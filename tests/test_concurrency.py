"""The app (a reader) and `archive ingest` (a writer) at the same time: no errors, no torn reads."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Chunker, WordTokenizer
from index import Archive, HashEmbedder
from tests.conftest import ROOT
from tests.test_crash import make_corpus


@pytest.mark.slow  # real processes for many seconds: run by `make test` and CI, left out by -m 'not slow'
def test_searching_while_another_process_ingests(tmp_path: Path) -> None:
    root, home = tmp_path / "corpus", tmp_path / "home"
    make_corpus(root)
    cmd = [
        sys.executable,
        "-c",
        "from ui.cli import main; main()",
        "--home",
        str(home),
        "ingest",
        str(root),
        "--no-embed",
    ]
    writer = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    while not (home / "archive.sqlite3").exists():
        time.sleep(0.05)
    searches = 0
    seen_growth = set()
    with Archive(home, embedder=HashEmbedder(), chunker=Chunker(WordTokenizer(254))) as reader:
        while writer.poll() is None or searches < 5:
            response = reader.search("article reports event body text", limit=5)
            for r in response.results:
                assert r.text[r.passage.start : r.passage.end] == r.passage.text
                assert reader.get(r.id).text == r.text
            seen_growth.add(response.filtered_articles)
            searches += 1
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert searches >= 5 and len(seen_growth) >= 2  # the reader saw the archive grow


OPEN_AT = """
import sys, time
from pathlib import Path
from archive.store import Store
start, homes = float(sys.argv[1]), sys.argv[2:]
for n, home in enumerate(homes):
    time.sleep(max(0.0, start + 0.4 * n - time.time()))
    Store(Path(home)).close()
"""


def test_processes_opening_a_new_archive_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    """Turning a new store to WAL takes a lock SQLite does not wait for: seen as 'database is locked' when two
    ingests started on a new archive at once (38 of 300 opens failed, three processes at a time)."""
    homes = [str(tmp_path / f"h{n}") for n in range(8)]
    start = time.time() + 3.0  # after every process has imported the store
    runs = [
        subprocess.Popen([sys.executable, "-c", OPEN_AT, str(start), *homes], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [(p.communicate(timeout=120)[1].decode(), p.returncode) for p in runs]
    assert all(code == 0 for _, code in errors), errors
