"""Reliability: bad entries fail alone, every read is bounded, damage is repaired or said, nothing stored is lost.

Each case of the adversarial run (issue 17) with its input made here, on the fly.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tantivy
from click.testing import CliRunner

from archive import Chunker, IngestOptions, ReadOptions, Store, WordTokenizer, ingest
from archive.errors import IndexDamagedError, StoreError
from archive.models import MAX_REASON_CHARS, Failure
from index import Archive, HashEmbedder
from tests.builders import html_page, warc_bytes, warc_record
from tests.conftest import ROOT
from ui.cli import cli

COMMON = "Officials said the storm reached the coast on Monday and the river rose."
TOWNS = [
    "Ashford",
    "Bexley",
    "Crayford",
    "Dartford",
    "Erith",
    "Foots Cray",
    "Greenhithe",
    "Hextable",
    "Istead",
    "Joyden",
]


WORDS = (
    "harbour bridge school budget council rail flood fire court strike vote hospital market farm factory "
    "museum election police airport festival drought tunnel stadium library ferry quarry pension tram"
).split()


def _records(count: int, start: int = 0) -> str:
    """Distinct articles (no two near-duplicates); every tenth shares a town with three others."""
    lines = []
    for i in range(start, start + count):
        town = TOWNS[i % len(TOWNS)]
        words = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] + f"{(i * 31 + k) % 97}" for k in range(14))
        text = f"In {town} the storm reached the coast. {words}. The mayor of {town} spoke."
        lines.append(json.dumps({"id": f"r{i}", "title": f"Storm {i}", "text": text, "source": f"Outlet {i % 3}"}))
    return "\n".join(lines) + "\n"


def _cli(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def _open(home: Path, **kwargs: object) -> Archive:
    kwargs.setdefault("embedder", HashEmbedder(dim=64))
    return Archive(home, chunker=Chunker(WordTokenizer(254)), **kwargs)  # type: ignore[arg-type]


def _report(home: Path, *paths: Path | str, **options: object):  # type: ignore[no-untyped-def]
    with Store(home) as store:
        return ingest(store, [str(p) for p in paths], Chunker(WordTokenizer(40)), IngestOptions(**options))  # type: ignore[arg-type]


def _reasons(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {Path(f.path.split(" (record")[0]).name: f.reason for f in report.failed}


# High: related coverage after a removal


def test_related_after_a_remove_does_not_panic(home: Path, files) -> None:  # type: ignore[no-untyped-def]
    root = files({"storms.jsonl": _records(30)})
    assert _cli(home, "ingest", str(root), "--no-embed").exit_code == 0
    assert _cli(home, "remove", "5").exit_code == 0
    result = _cli(home, "related", "3", "--json", "--any-time")
    assert result.exit_code == 0, result.output
    ids = [r["id"] for r in json.loads(result.stdout)["results"]]
    assert ids and 3 not in ids and 5 not in ids


def _panic() -> BaseException:
    """A real tantivy panic: the more-like-this idf over a term in more documents than are alive."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("n", indexed=True)
    builder.add_text_field("all")
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(15_000_000, 1)
    for n in range(3):
        writer.add_document(tantivy.Document(n=n, all="same words here"))
    writer.commit()
    writer.delete_documents_by_term("n", 0)
    writer.commit()
    index.reload()
    query = tantivy.Query.more_like_this_document_fields_query(
        schema, {"all": ["same words"]}, min_doc_frequency=1, min_term_frequency=1
    )
    try:
        index.searcher().search(query, 10)
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException
        return exc
    pytest.skip("this tantivy no longer panics here")


def test_a_tantivy_panic_becomes_an_archive_error_and_a_message(home: Path, files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    panic = _panic()
    assert not isinstance(panic, Exception), "a panic passes `except Exception`"
    root = files({"storms.jsonl": _records(5)})
    assert _cli(home, "ingest", str(root), "--no-embed").exit_code == 0

    def panicking(*args: object, **kwargs: object) -> None:
        raise panic

    monkeypatch.setattr("index.lexical._hits", panicking)
    with _open(home) as archive, pytest.raises(IndexDamagedError, match="archive reindex"):
        archive.search("storm", mode="lexical")
    monkeypatch.setattr("index.search.Searcher.search", panicking)  # past the library's edge: the CLI's own net
    result = _cli(home, "search", "storm", "--mode", "lexical")
    assert result.exit_code == 1 and "unexpected error" in result.output and "Traceback" not in result.output


# Medium: one bad entry fails alone


def test_loops_fifos_devices_and_undecodable_names_fail_alone(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "good.txt").write_text("date 2024-01-02\nA good article about the harbour.\n", encoding="utf-8")
    os.symlink("b.txt", folder / "a.txt")
    os.symlink("a.txt", folder / "b.txt")
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    with open(os.fsencode(folder) + b"/bad\xff.txt", "wb") as f:
        f.write(b"Some text.")
    cmd = [sys.executable, "-c", "from ui.cli import main; main()", "--home", str(tmp_path / "h")]
    for _ in range(2):  # and the rerun too
        done = subprocess.run(
            [*cmd, "ingest", str(folder), "--no-embed", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        reasons = {Path(f["path"]).name: f["reason"] for f in report["failed"]}
        assert "loops" in reasons["a.txt"] and "loops" in reasons["b.txt"]
        assert "named pipe" in reasons["pipe.txt"] and "device" in reasons["zero.txt"]
        assert "not valid UTF-8" in reasons["bad\ufffd.txt"]
    assert report["unchanged"] == 1


def test_an_unlistable_folder_gets_an_entry(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "in" / "locked").mkdir(parents=True)
    (tmp_path / "in" / "ok.txt").write_text("An article about the harbour.\n", encoding="utf-8")
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = _report(tmp_path / "h", tmp_path / "in")
    assert report.added == 1 and "cannot list this folder (Permission denied)" in _reasons(report)["locked"]


def test_the_whole_file_cap_holds_when_the_size_reads_zero(tmp_path: Path) -> None:
    target = Path("/proc/self/smaps")
    if not target.exists() or target.stat().st_size != 0:
        pytest.skip("needs Linux's /proc, whose files read as 0 bytes")
    link = tmp_path / "in" / "smaps.txt"
    link.parent.mkdir()
    link.symlink_to(target)
    report = _report(tmp_path / "h", link, max_whole_file_bytes=1024)
    assert report.added == 0 and "is over" in report.failed[0].reason


# Medium: every read bounded


def test_an_over_long_jsonl_line_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "in" / "big.jsonl.gz"
    path.parent.mkdir()
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(_records(2))
        out.write('{"text": "' + "a" * 60_000_000 + '"}\n')  # 60 MB on one line, 60 kB compressed
        out.write(_records(3).splitlines()[2] + "\n")
    tracemalloc.start()
    report = _report(tmp_path / "h", path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.added == 3
    assert "line 3 is over 10 million characters" in report.failed[0].reason
    assert peak < 200 * 2**20  # the line is never held whole (60 M characters would be 60-240 MB)


def test_a_nul_filled_csv_is_refused_at_the_line_limit(tmp_path: Path) -> None:
    path = tmp_path / "in" / "nul.csv"
    path.parent.mkdir()
    with open(path, "wb") as f:
        f.truncate(30 * 2**20)  # 30 MB of NUL bytes, no newline
    report = _report(tmp_path / "h", path)
    assert report.added == 0 and "over 10 million characters" in report.failed[0].reason


def test_a_gzip_encoded_warc_body_is_decoded_only_up_to_the_limit(tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html><body><p>" + b"x" * 20_000_000 + b"</p></body></html>")
    page = html_page("Harbour reopens", "The harbour reopened on Monday after the storm. Boats sailed out.")
    path = tmp_path / "in" / "bomb.warc"
    path.parent.mkdir()
    path.write_bytes(
        warc_record("https://a.example/bomb", bomb, "gzip") + warc_record("https://a.example/ok", page.encode())
    )
    report = _report(tmp_path / "h", path, read=ReadOptions(max_record_chars=1_000_000))
    assert report.added == 1
    assert "the page is over 1 MB (decoded)" in report.failed[0].reason


def test_a_zero_filled_warc_fails_fast_with_a_short_reason(tmp_path: Path) -> None:
    path = tmp_path / "in" / "zero.warc"
    path.parent.mkdir()
    with open(path, "wb") as f:
        f.truncate(64 * 2**20)
    report = _report(tmp_path / "h", path)
    assert report.failed[0].reason.startswith("not a web archive")
    assert len(report.failed[0].reason) <= MAX_REASON_CHARS


def test_reasons_are_capped_where_they_are_kept(home: Path) -> None:
    assert len(Failure("x", "y" * 100_000).reason) == MAX_REASON_CHARS
    from archive.store import writes

    with Store(home) as store:
        with store.transaction() as db:
            writes.record_failure(db, "x", None, "z" * 100_000)
        assert len(store.failures()[0].reason) == MAX_REASON_CHARS


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_a_damaged_warc_keeps_what_came_before_and_says_where(tmp_path: Path, gz: bool, damage: str) -> None:
    pages = [
        (f"https://a.example/{i}", html_page(f"Flood story {i}", f"Rivers rose in town {i}. " * 20)) for i in range(6)
    ]
    data = warc_bytes(pages, gzip=gz)
    middle = len(data) // 2
    data = data[:middle] if damage == "truncated" else data[:middle] + b"\x00garbage" * 50 + data[middle + 400 :]
    path = tmp_path / "in" / ("d.warc.gz" if gz else "d.warc")
    path.parent.mkdir()
    path.write_bytes(data)
    report = _report(tmp_path / "h", path)
    assert 1 <= report.added < 6
    reason = report.failed[-1].reason
    assert "damaged near byte" in reason and f"the {report.added} page(s) before it were kept" in reason
    assert "AttributeError" not in reason


# Medium: two writers


def test_near_duplicates_taken_by_another_writer_meanwhile_are_not_signed_twice(home: Path, files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import near_dupes

    with _open(home) as archive:
        archive.ingest([str(files({"a.jsonl": _records(12)}))], embed=False)
    with Store(home) as store:
        store.db.execute("DELETE FROM near_dupes")
        store.db.execute("DELETE FROM lsh")
    real = near_dupes.signatures
    other = Store(home)
    calls = []

    def signatures(text: str):  # type: ignore[no-untyped-def]
        if not calls:
            calls.append(1)
            near_dupes.sync(other)  # a second ingest signs everything while this one hashes outside the lock
        return real(text)

    monkeypatch.setattr(near_dupes, "signatures", signatures)
    with Store(home) as store:
        near_dupes.sync(store)
        assert store.db.execute("SELECT COUNT(*) FROM near_dupes").fetchone()[0] == 12
    other.close()


def test_two_ingests_at_once_both_finish(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for n in range(4):
        (root / f"part{n}.jsonl").write_text(_records(150, start=150 * n), encoding="utf-8")
    cmd = [sys.executable, "-c", "from ui.cli import main; main()", "--home", str(tmp_path / "h"), "ingest", str(root)]
    runs = [
        subprocess.Popen([*cmd, "--no-embed"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outcomes = [(p.communicate(timeout=300)[1].decode(), p.returncode) for p in runs]
    assert all(code == 0 for _, code in outcomes), outcomes
    with Store(tmp_path / "h") as store:
        assert store.stats().documents == 600
        assert store.db.execute("SELECT COUNT(*) FROM near_dupes").fetchone()[0] == 600


# Medium: damaged derived indexes and manifest


@pytest.fixture
def embedded(home: Path, files) -> Path:  # type: ignore[no-untyped-def]
    with _open(home) as archive:
        archive.ingest([str(files({"a.jsonl": _records(20)}))])
    return home


def test_a_garbled_tantivy_meta_is_rebuilt_on_open_and_said(embedded: Path) -> None:
    with _open(embedded) as archive:
        before = archive.search("storm coast", mode="lexical").matched
    (embedded / "lexical" / "articles" / "meta.json").write_text("garbage{", encoding="utf-8")
    with _open(embedded) as archive:
        assert any("could not be opened" in n for n in archive.notices)
        assert archive.search("storm coast", mode="lexical").matched == before


def test_a_damaged_segment_is_rebuilt_and_reindex_works(embedded: Path) -> None:
    for segment in (embedded / "lexical" / "chunks").glob("*.idx"):
        segment.write_bytes(os.urandom(100))
    with _open(embedded, catch_up=False) as archive:
        archive.reindex()
        assert archive.notices
        assert archive.search("storm coast", mode="lexical").matched == 20


def test_a_deleted_lexical_state_does_not_index_every_article_twice(embedded: Path) -> None:
    with _open(embedded) as archive:
        before = [(r.id, r.lexical_score) for r in archive.search("mayor", mode="lexical", limit=20).results]
    (embedded / "lexical" / "state.json").unlink()
    with _open(embedded) as archive:
        assert any("state.json was missing" in n for n in archive.notices)
        after = [(r.id, r.lexical_score) for r in archive.search("mayor", mode="lexical", limit=20).results]
    assert after == before


@pytest.mark.parametrize("damage", ["deleted", "garbled", "dim"])
def test_a_damaged_manifest_keeps_the_meaning_leg_and_is_repaired(embedded: Path, damage: str) -> None:
    manifest = embedded / "manifest.json"
    if damage == "deleted":
        manifest.unlink()
    elif damage == "garbled":
        manifest.write_text("{not json", encoding="utf-8")
    else:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["embedding"]["dim"] = "abc"
        manifest.write_text(json.dumps(data), encoding="utf-8")
    with _open(embedded) as archive:
        assert any("record of the vectors was made again" in n for n in archive.notices)
        response = archive.search("storm coast")
        assert any(r.semantic_rank is not None for r in response.results)
    assert json.loads(manifest.read_text(encoding="utf-8"))["embedding"]["dim"] == 64
    result = _cli(embedded, "stats")
    assert result.exit_code == 0


class _Weighted(HashEmbedder):
    def __init__(self, weights: str) -> None:
        super().__init__(dim=64, name="all-MiniLM-L6-v2")
        self.weights = weights


def test_a_model_with_other_weights_under_the_same_name_is_refused(home: Path, files) -> None:  # type: ignore[no-untyped-def]
    with _open(home, embedder=_Weighted("a" * 64)) as archive:
        archive.ingest([str(files({"a.jsonl": _records(5)}))])
    assert json.loads((home / "manifest.json").read_text(encoding="utf-8"))["embedding"]["weights"] == "a" * 64
    with _open(home, embedder=_Weighted("b" * 64)) as archive, pytest.raises(Exception, match="other weights"):
        archive.search("storm")
    with _open(home, embedder=_Weighted("b" * 64)) as archive:
        archive.reindex(embeddings=True)  # the way to switch
        assert archive.search("storm").results


def test_the_weights_hash_sees_a_changed_byte_whatever_the_folder_is_called(tmp_path: Path) -> None:
    from index.embedder import model_weights
    from index.model_files import DEFAULT_MODEL_SHA256, default_model_dir

    folder = tmp_path / "all-MiniLM-L6-v2"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"\x00" * 1000)
    before = model_weights(folder)
    (folder / "model.safetensors").write_bytes(b"\x00" * 999 + b"\x01")
    assert before and model_weights(folder) not in (before, DEFAULT_MODEL_SHA256)
    assert model_weights(default_model_dir()) == DEFAULT_MODEL_SHA256


# Medium: --batch lines


def test_batch_lines_are_checked_one_by_one(home: Path, files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert _cli(home, "ingest", str(files({"a.jsonl": _records(5)})), "--no-embed").exit_code == 0
    batch = tmp_path / "q.txt"
    lines = [
        '{"query": "x", "limit": 1000000000}',
        '{"query": "storm", "mode": "fast"}',
        '{"query": "storm", "from": 2024}',
        '{"query": "storm", "colour": "red"}',
        "{broken",
        '{"query": ' + "[" * 100_000,
        '{"query": "storm", "mode": "lexical", "limit": 2, "id": "ok"}',
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _cli(home, "search", "--batch", str(batch), "--mode", "lexical")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines) and result.exit_code == 1
    assert all("error" in o for o in out[:-1]) and "limit" in out[0]["error"]
    assert out[-1]["id"] == "ok" and len(out[-1]["results"]) == 2
    assert "6 of the 7 lines" in result.stderr


# Low: full disk, read-only home


def _namespace(script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` as root of a new user and mount namespace (tmpfs and read-only bind mounts, no privileges)."""
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces are not available here ({probe.stderr.decode().strip()})")
    env = {**os.environ, "ARCHIVE": f"{Path(sys.executable).parent / 'archive'}"}
    return subprocess.run(
        ["unshare", "-rm", "sh", "-ec", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def test_a_full_disk_says_so_and_loses_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "first.jsonl").write_text(_records(30), encoding="utf-8")
    (tmp_path / "more").mkdir()
    for n in range(6):
        (tmp_path / "more" / f"m{n}.jsonl").write_text(_records(300, start=1000 + 300 * n), encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = _namespace(
        f"""
        mount -t tmpfs -o size=24m none {disk}
        $ARCHIVE --home {disk}/h ingest {tmp_path}/in --no-embed
        avail=$(df --output=avail -k {disk} | tail -1)
        dd if=/dev/zero of={disk}/filler bs=1k count=$((avail - 300)) 2>/dev/null || true
        $ARCHIVE --home {disk}/h ingest {tmp_path}/more --no-embed > {tmp_path}/full.out 2> {tmp_path}/full.err || echo "rc=$?" >> {tmp_path}/full.err
        $ARCHIVE --home {disk}/h search storm --mode lexical --json > {tmp_path}/search.json
        $ARCHIVE --home {disk}/h stats --json > {tmp_path}/stats-full.json
        rm {disk}/filler
        $ARCHIVE --home {disk}/h ingest {tmp_path}/more --no-embed
        $ARCHIVE --home {disk}/h stats --json > {tmp_path}/stats.json
        """
    )
    assert done.returncode == 0, done.stderr
    err = (tmp_path / "full.err").read_text()
    assert "full" in err and "cannot rollback" not in err and "rc=1" in err
    assert json.loads((tmp_path / "stats-full.json").read_text())["documents"] >= 30
    assert json.loads((tmp_path / "search.json").read_text())["matched"] >= 1
    assert json.loads((tmp_path / "stats.json").read_text())["documents"] == 30 + 6 * 300


def test_a_full_disk_where_the_store_cannot_even_be_opened_still_reads(embedded: Path, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    done = _namespace(
        f"""
        mount -t tmpfs -o size=8m none {disk}
        mkdir {disk}/h && cp -r {embedded}/archive.sqlite3 {embedded}/lexical {embedded}/manifest.json {disk}/h/
        dd if=/dev/zero of={disk}/filler bs=1k 2>/dev/null || true
        $ARCHIVE --home {disk}/h search storm --mode lexical
        $ARCHIVE --home {disk}/h remove 1 || echo "remove rc=$?"
        """
    )
    assert done.returncode == 0, done.stderr
    assert "of 20 matching articles" in done.stdout and "remove rc=1" in done.stdout
    assert "on a full disk" in done.stderr


def test_a_read_only_home_reads_and_says_why_it_cannot_write(embedded: Path, files) -> None:  # type: ignore[no-untyped-def]
    more = files({"b.jsonl": _records(2, start=500)})
    done = _namespace(
        f"""
        mount --bind -o ro {embedded} {embedded}
        $ARCHIVE --home {embedded} stats
        $ARCHIVE --home {embedded} search storm --mode lexical
        $ARCHIVE --home {embedded} list --limit 1
        $ARCHIVE --home {embedded} ingest {more} --no-embed || echo "ingest rc=$?"
        """
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"documents +20 ", done.stdout) and "of 20 matching articles" in done.stdout
    assert "is not writable, so nothing can be added" in done.stderr and "ingest rc=1" in done.stdout


def test_a_rollback_after_sqlite_gave_up_reports_the_real_error(home: Path) -> None:
    with Store(home) as store, pytest.raises(sqlite3.OperationalError, match="disk is full"), store.transaction() as db:
        db.execute("ROLLBACK")  # what SQLite does itself on SQLITE_FULL
        raise sqlite3.OperationalError("database or disk is full")


def test_a_malformed_store_names_the_backup(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "archive.sqlite3").write_bytes(b"this is not a database" * 100)
    result = _cli(home, "stats")
    assert result.exit_code == 1 and "restore it from a backup" in result.output


# Low: the error log, the app's warning box


def test_the_error_log_is_a_new_private_file_and_follows_no_planted_link(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui.crashlog import write_crash_log

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    victim = tmp_path / "victim"
    victim.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "cache" / "semantic-archive" / "errors"
    folder.mkdir(parents=True)
    (folder / "semantic-archive-error.log").symlink_to(victim)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        log = write_crash_log(exc)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert log.parent == folder and "boom" in log.read_text(encoding="utf-8")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_url_parameters_in_the_warning_box_are_text(tmp_path: Path) -> None:
    from tests.test_app import _app, _open

    home = tmp_path / "h"
    with _open(str(home)) as archive:
        archive.ingest([str(_write(tmp_path / "in", _records(3)))])
    at = _app(home, q="storm", mode="[phish](https://evil.example/login) ![x](https://evil.example/x.png)")
    (warning,) = [h.value for h in at.html if 'class="sa-warning"' in h.value]
    assert "[phish](https://evil.example/login)" in warning  # the text itself, escaped HTML, no Markdown
    assert "<a" not in warning and "<img" not in warning and not at.warning


def _write(folder: Path, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.jsonl").write_text(content, encoding="utf-8")
    return folder


# Low: silent skips and odd records


def test_files_with_no_records_each_get_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.csv").write_bytes(b"")
    (folder / "header.csv").write_text("title,text\n", encoding="utf-8")
    (folder / "blank.jsonl").write_text("\n\n  \n", encoding="utf-8")
    (folder / "empty-list.json").write_text("[]", encoding="utf-8")
    result = _cli(tmp_path / "h", "ingest", str(folder), "--no-embed")
    assert result.exit_code == 3
    for name in ("empty.csv", "header.csv", "blank.jsonl", "empty-list.json"):
        assert name in result.output
    assert result.output.count("no records in the file") == 4


def test_text_that_is_no_text_and_deep_nesting_fail_their_line_only(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "obj", "text": {"a": 1}}),
        json.dumps({"id": "num", "text": 42}),
        json.dumps({"id": "yes", "text": True}),
        '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"id": "fine", "text": "A real article about the harbour."}),
    ]
    report = _report(tmp_path / "h", _write(tmp_path / "in", "\n".join(lines) + "\n"))
    assert report.added == 1
    reasons = " | ".join(f.reason for f in report.failed)
    assert "holds an object" in reasons and "holds a number" in reasons and "holds true or false" in reasons
    assert "nested too deeply" in reasons
    with Store(tmp_path / "h") as store:
        assert [d.external_id for d in store.list_documents()] == ["fine"]


def test_uploads_with_a_leading_dot_or_an_unknown_type_are_reported(tmp_path: Path) -> None:
    from ui.app.views.ingest import save_uploads

    class Upload:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self.data = name, data

        def getvalue(self) -> bytes:
            return self.data

    home = tmp_path / "h"
    saved = save_uploads(
        home, [Upload(".hidden.txt", b"A hidden note about the harbour."), Upload("notes.docx", b"PK")]
    )
    report = _report(home, *saved)
    assert report.added == 1 and "unsupported file type" in _reasons(report)["notes.docx"]


# Low: messages


def test_filter_dates_are_real_days_with_their_reason(home: Path) -> None:
    assert _cli(home, "list", "--from", "0001-01-01").exit_code == 0
    result = _cli(home, "list", "--from", "2024-02-30")
    assert result.exit_code == 2 and "not a real day" in result.output


def test_the_bounds_are_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for bound in ("10 million characters", "500 characters", "1 to 1000", "100,000 results"):
        assert bound in readme, bound
    assert StoreError and IndexDamagedError  # the error tree the README names


def test_an_embed_or_reingest_with_nothing_to_do_loads_no_model(embedded: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def no_model(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the model was loaded with nothing to embed")

    monkeypatch.setattr("index.archive.SentenceTransformerEmbedder", no_model)
    with Archive(embedded, chunker=Chunker(WordTokenizer(254))) as archive:
        assert archive.embed() == 0
        report = archive.ingest([str(embedded.parent / "in")])
        assert report.added == 0 and report.unchanged == 20


def test_two_captures_of_one_url_in_a_warc_are_both_kept(tmp_path: Path) -> None:
    first = html_page("Flood one", "Rivers rose in the valley town overnight. Schools closed. " * 5)
    second = html_page("Flood two", "The river fell back by noon and shops opened again. " * 5)
    path = tmp_path / "in" / "two.warc"
    path.parent.mkdir()
    url = "https://x.example/live"
    path.write_bytes(warc_record(url, first.encode()) + warc_record(url, second.encode()))
    report = _report(tmp_path / "h", path)
    assert report.added == 2 and not report.failed
    assert _report(tmp_path / "h", path).unchanged == 2  # and a rerun adds nothing


def test_a_reader_repeating_an_identity_fails_that_record_alone(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from archive.ingestion import READERS
    from archive.models import RawDoc

    def twice(stream, path, options):  # type: ignore[no-untyped-def]
        for text in ("A first article about the harbour.", "A second article about the bridge."):
            yield RawDoc(text=text, record="same", fingerprint=text)

    monkeypatch.setitem(READERS, ".txt", twice)
    path = tmp_path / "in" / "a.txt"
    path.parent.mkdir()
    path.write_text("x", encoding="utf-8")
    report = _report(tmp_path / "h", path)
    assert report.added == 1 and "same identity" in report.failed[0].reason
    from archive import Store

    with Store(tmp_path / "h") as store:
        (only,) = store.list_documents()
        assert store.get(only.id).text == "A first article about the harbour.", "the first record's own text"
