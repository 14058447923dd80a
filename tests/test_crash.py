"""A kill -9 in the middle of an ingest, then the same command again: every article exactly once."""

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

from archive import Store

N_RECORDS = 4000
N_FILES = 150


def make_corpus(root: Path) -> None:
    root.mkdir()
    with open(root / "records.jsonl", "w", encoding="utf-8") as f:
        for i in range(N_RECORDS):
            text = f"Article {i} reports on event {i}. " + "It has several sentences of body text. " * 20
            f.write(json.dumps({"id": f"r{i}", "title": f"Record {i}", "text": text, "date": "2020-01-02"}) + "\n")
    for i in range(N_FILES):
        (root / f"file{i:03}.txt").write_text(f"File title {i}\n\nThe body of file {i}. It is short.", encoding="utf-8")


def ingest_cmd(home: Path, root: Path) -> list[str]:
    code = "from ui.cli import main; main()"
    return [sys.executable, "-c", code, "--home", str(home), "ingest", str(root), "--json", "--no-embed"]


def stored(home: Path) -> int:
    try:
        with sqlite3.connect(home / "archive.sqlite3", timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow  # real processes for many seconds: run by `make test` and CI, left out by -m 'not slow'
def test_kill_9_then_rerun_stores_every_article_once(tmp_path: Path) -> None:
    root, home = tmp_path / "corpus", tmp_path / "home"
    make_corpus(root)
    proc = subprocess.Popen(
        ingest_cmd(home, root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 120
    while stored(home) < 300 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be killed; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = stored(home)
    assert 0 < partial < N_RECORDS + N_FILES

    rerun = subprocess.run(
        ingest_cmd(home, root), capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parent.parent
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["unchanged"] + report["added"] == N_RECORDS + N_FILES
    assert report["unchanged"] >= partial - 1 and report["failed"] == []

    with Store(home) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stats = store.stats()
        assert stats.documents == N_RECORDS + N_FILES
        origins = store.db.execute("SELECT COUNT(DISTINCT origin), COUNT(DISTINCT external_id) FROM documents")
        assert origins.fetchone() == (N_RECORDS + N_FILES, N_RECORDS)
        orphans = store.db.execute("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)")
        assert orphans.fetchone()[0] == 0
        unchunked = store.db.execute(
            "SELECT COUNT(*) FROM documents d WHERE duplicate_of IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM chunks c WHERE c.doc_id = d.id)"
        )
        assert unchunked.fetchone()[0] == 0
