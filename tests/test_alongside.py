"""Phase 1 on both cores: a second process catches the derived indexes up while an ingest stores (index/alongside.py)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from archive import Chunker, WordTokenizer
from archive import ingest as store_only
from index import Archive, HashEmbedder, alongside, timex
from index.lexical import STATE_FILE

KERMAN = "Two explosions in Kerman killed dozens on Wednesday, January 3, 2024, near the grave of Qassem Soleimani."


def _corpus(path: Path, first: int, n: int) -> Path:
    rows = [
        {"id": f"a{i}", "title": f"Report {i}", "source": "Reuters" if i % 2 else "AP", "date": "2024-01-05",
         "text": f"{KERMAN} Report number {i} on what officials said about the dead and wounded in city {i}."}
        for i in range(first, first + n)
    ]  # fmt: skip
    rows.append({"id": f"copy{first}", "title": "Wire copy", "source": "Al Jazeera", "date": "2024-01-05",
                 "text": rows[0]["text"] + " Follow us for more."})  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def _open(home: Path) -> Archive:
    return Archive(home, embedder=HashEmbedder(dim=64), chunker=Chunker(WordTokenizer(254)))


def _lags(archive: Archive) -> dict[str, int]:
    archive.lexical.reload()
    return {i.name: i.lag(archive.store) for i in (archive.lexical, archive.near_duplicates, archive.date_mentions)}


def _second_processes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pid of the second process each ingest starts from its first article on (filled as they start)."""
    started: list[int] = []
    real = alongside.Alongside.seen

    def seen(self: alongside.Alongside, documents: int) -> None:
        real(self, documents)
        if self._process is not None and self._process.pid not in started:
            started.append(self._process.pid)

    monkeypatch.setattr(alongside, "ALONGSIDE_AFTER", 1)
    monkeypatch.setattr(alongside.Alongside, "seen", seen)
    return started


def _saved_lag(home: Path, archive: Archive) -> int:
    """How far the word index lags by what its state file says (without reloading this process's index)."""
    seq = json.loads((home / "lexical" / STATE_FILE).read_text())["seq"]
    return archive.store.log_count_since(seq)


def _whole(archive: Archive) -> None:
    """Every article in the word index once, its copy grouped with it, its dates read."""
    stats = archive.store.stats()
    assert archive.lexical.live_documents() == stats.documents - stats.duplicates
    assert int(archive.lexical.chunk_index.searcher().num_docs) == stats.chunks
    assert [r.external_id for r in archive.search("Kerman explosions", limit=50, mode="lexical").results]
    first = archive.get("a0")
    assert first is not None and len(archive.copies(first.id)) >= 1
    assert archive.mentions(first.id)[0].value == "2024-01-03"


def test_a_second_process_catches_every_index_up_and_stops_when_told(home: Path, tmp_path: Path) -> None:
    with _open(home) as archive:
        store_only(archive.store, [str(_corpus(tmp_path / "k.jsonl", 0, 30))], archive.chunker())
        assert all(_lags(archive).values()), "stored only: every derived index lags"
        second = alongside.Alongside(home, after=1, least=1)
        second.seen(0)
        assert second._process is None, "not before `after` articles"
        second.seen(3)
        process = second._process
        assert process is not None
        deadline = time.monotonic() + 60
        while any(_lags(archive).values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        second.stop()
        assert process.poll() == 0, "it stopped, cleanly"
        assert not any(_lags(archive).values())
        _whole(archive)


def test_what_the_second_process_indexed_is_not_indexed_again(home: Path, tmp_path: Path) -> None:
    with _open(home) as archive:
        archive.ingest([str(_corpus(tmp_path / "one.jsonl", 0, 20))], embed=False)
        store_only(archive.store, [str(_corpus(tmp_path / "two.jsonl", 20, 20))], archive.chunker())
        second = alongside.Alongside(home, after=0, least=1)
        second.seen(0)
        deadline = time.monotonic() + 60
        while _saved_lag(home, archive) and time.monotonic() < deadline:  # this process's own index not told
            time.sleep(0.1)
        second.stop()
        assert _saved_lag(home, archive) == 0
        before = archive.store.log_top()
        steps: list[tuple[str, int, int]] = []
        archive.ingest([str(_corpus(tmp_path / "three.jsonl", 40, 20))], embed=False, step=lambda *s: steps.append(s))
        applied = {total for name, _, total in steps if name == "lexical"}
        assert applied == {archive.store.log_count_since(before)}, "this process went on from where the other stopped"
        _whole(archive)


def test_an_index_that_died_before_saving_how_far_it_got_is_not_doubled(home: Path, tmp_path: Path) -> None:
    with _open(home) as archive:
        archive.ingest([str(_corpus(tmp_path / "k.jsonl", 0, 20))], embed=False)
    state = home / "lexical" / STATE_FILE
    state.write_text(json.dumps({**json.loads(state.read_text()), "seq": 0}))  # committed, state not yet written
    with _open(home) as archive:  # opening catches up: everything again, deleting what was there first
        _whole(archive)


def test_an_ingest_past_the_threshold_indexes_in_a_second_process(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _second_processes(monkeypatch)  # stopped by the end of the ingest
    with _open(home) as archive:
        archive.ingest([str(_corpus(tmp_path / "k.jsonl", 0, 30))], embed=False)
        assert started, "the second process was started"
        with pytest.raises(ProcessLookupError):
            os.kill(started[0], 0)  # and is gone: stopped and reaped by the ingest
        assert not any(_lags(archive).values())
        _whole(archive)


def test_an_interrupted_ingest_stops_the_second_process_at_once_and_loses_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _second_processes(monkeypatch)

    def interrupt(progress: object) -> None:
        if started:
            raise KeyboardInterrupt

    corpus = str(_corpus(tmp_path / "k.jsonl", 0, 30))
    with _open(home) as archive, pytest.raises(KeyboardInterrupt):
        archive.ingest([corpus], embed=False, progress=interrupt)
    assert started
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)  # killed and reaped before the interrupt went on
    with _open(home) as archive:  # opening catches the indexes up; the ingest run again finishes the file
        archive.ingest([corpus], embed=False)
        _whole(archive)


def test_a_resuming_catch_up_starts_past_what_it_found_done(home: Path, tmp_path: Path) -> None:
    from index.mentions import DateMentions
    from index.near_dupes import NearDuplicates

    with _open(home) as archive:
        store_only(archive.store, [str(_corpus(tmp_path / "one.jsonl", 0, 20))], archive.chunker())
        both = (NearDuplicates(resume=True), DateMentions(resume=True))
        for index in both:
            assert index.catch_up(archive.store) == 21
            assert index.after > 0 and index.lag(archive.store) == 0
        store_only(archive.store, [str(_corpus(tmp_path / "two.jsonl", 100, 5))], archive.chunker())
        for index in both:
            assert index.lag(archive.store) == 6, "only what came after"
            assert index.catch_up(archive.store) == 6
        assert archive.near_duplicates.lag(archive.store) == archive.date_mentions.lag(archive.store) == 0


def test_when_the_ingest_dies_the_second_process_stops_without_finishing_for_nobody(home: Path, tmp_path: Path) -> None:
    with _open(home) as archive:
        store_only(archive.store, [str(_corpus(tmp_path / "k.jsonl", 0, 30))], archive.chunker())
        second = alongside.Alongside(home, after=0, least=10**9)  # it would only do the final near-duplicates
        second.seen(0)
        process = second._process
        assert process is not None and process.stdin is not None
        process.stdin.close()  # what the ingest's death does: its stdin ends, without the word
        assert process.wait(timeout=60) == 0
        assert process.stdout is not None and process.stdout.read() == b"released\n"
        process.stdout.close()
        assert archive.near_duplicates.lag(archive.store) == 31, "nothing done for a dead ingest"
        second = alongside.Alongside(home, after=0, least=10**9)
        second.seen(0)
        second.stop()  # released: it finishes the near-duplicates before it ends
        assert archive.near_duplicates.lag(archive.store) == 0


def test_waiting_for_the_second_process_shows_how_far_it_got(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.archive import _lag_shown

    steps: list[tuple[str, int, int]] = []
    monkeypatch.setattr(alongside, "POLL_S", 0.05)
    with _open(home) as archive:
        store_only(archive.store, [str(_corpus(tmp_path / "k.jsonl", 0, 30))], archive.chunker())
        second = alongside.Alongside(home, after=0, least=10**9)  # only the final near-duplicates
        second.seen(0)
        second.stop(waiting=_lag_shown(archive.store, archive.near_duplicates, lambda *s: steps.append(s)))
        assert steps and steps[0] == ("near-duplicates", 0, 31), "it starts from what lagged"
        assert all(total == 31 for _, _, total in steps)
        assert archive.near_duplicates.lag(archive.store) == 0


def test_the_ingest_scans_the_newest_dates_while_the_second_process_is_behind(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alongside, "SHARE_WINDOW", 20)
    monkeypatch.setattr(alongside, "SHARE_STEP", 8)
    with _open(home) as archive:
        second = alongside.Alongside(home, after=0, least=10**9)  # it does nothing until released
        assert second.share(archive.store) == 0, "no second process: the ingest's own catch-up does it all"
        store_only(archive.store, [str(_corpus(tmp_path / "k.jsonl", 0, 30))], archive.chunker())
        second.seen(0)
        try:
            assert second.share(archive.store) == 8, "none of the newest signed: the newest 8 are scanned here"
            newest = archive.store.newest_id()
            assert archive.store.unscanned_count(timex.VERSION, newest - 8) == 0
            assert archive.date_mentions.lag(archive.store) == 31 - 8
            archive.near_duplicates.catch_up(archive.store)
            assert second.share(archive.store) == 0, "not behind: the dates are left to the second process"
        finally:
            second.stop()


def test_an_ingest_widens_its_page_cache_while_it_runs_and_gives_it_back(home: Path, tmp_path: Path) -> None:
    from archive.store.core import BULK_CACHE_KIB

    with _open(home) as archive:
        default = archive.store.db.execute("PRAGMA cache_size").fetchone()[0]
        assert default != -BULK_CACHE_KIB
        during: list[int] = []

        def seen(_: object) -> None:
            during.append(archive.store.db.execute("PRAGMA cache_size").fetchone()[0])

        archive.ingest([str(_corpus(tmp_path / "k.jsonl", 0, 3))], embed=False, progress=seen)
        assert during and set(during) == {-BULK_CACHE_KIB}
        assert archive.store.db.execute("PRAGMA cache_size").fetchone()[0] == default  # the app keeps no 64 MB
