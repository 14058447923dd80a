"""The derived indexes (lexical, near-duplicates, dates mentioned) caught up in a second process while a long
ingest stores, so that phase 1 keeps both cores busy: the ingest's own process cleans, chunks and writes the
store, the second indexes what is stored. Started once the ingest has stored `after` articles. When the store is
written, `release()` tells it so: it answers once the word index is free (at once, or when the word index's
catch-up in hand ends), and the two finish the tail side by side, the ingest the word index and then the dates
(the second's date catch-up in hand, at most STEP articles, is scanned twice and stored the same), the second
process the near-duplicates; `stop()` waits for it. What it has not reached, the ingest's own catch-up applies.
Nothing is lost if it dies: each index records how far it got with what it saved (index/derived.py).

A plain `python -c` child. Its stdin ends when the ingest releases it (after the word "release") and when the
ingest dies however it dies (without it): then it stops after the catch-up in hand instead of finishing the
near-duplicates for nobody. multiprocessing's spawn would run the parent's `__main__` again in the child.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from archive.store import Store
from index.derived import DerivedIndex

ALONGSIDE_AFTER = 500  # articles an ingest stores before the second process starts (a date or near-duplicate batch)
STOP_WAIT_S = 900.0  # the second process finishes the catch-up in hand; past this it is killed (nothing is lost)
IDLE_S = 0.5
POLL_S = 2.0  # how often `stop()` says how far the second process got
# The ingest scans the dates of its newest SHARE_STEP articles itself while SHARE_BEHIND of the newest SHARE_WINDOW
# originals are not signed yet: the second process alone did about 20 % more than the ingest and ended a 37,554-article
# phase 1 alone for its last 14-18 s (benchmarks/RESULTS.md).
SHARE_WINDOW = 1_000
SHARE_BEHIND = 0.9
SHARE_STEP = 256
STEP = 2_000  # articles a near-duplicate or date catch-up here does at most, so that it stops soon when told


class Alongside:
    """The second process of one ingest (the module docstring)."""

    def __init__(self, home: Path, after: int | None = None, least: int | None = None) -> None:
        """`least`: the lag at which the second process catches an index up (default: one of its batches)."""
        self.home, self.after, self.least = home, ALONGSIDE_AFTER if after is None else after, least
        self._process: subprocess.Popen[bytes] | None = None

    def seen(self, documents: int) -> None:
        """The ingest has stored this many articles so far."""
        if self._process is None and documents >= self.after:
            path = os.pathsep.join([p for p in sys.path if p] + [os.environ.get("PYTHONPATH", "")])
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from index.alongside import catch_up_until_told; catch_up_until_told()"]
                + [str(self.home)]
                + ([] if self.least is None else [str(self.least)]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path},
            )

    def share(self, store: Store) -> int:
        """The ingest's share of the second process's work, called between its batches: when the second process
        is behind (most of the newest SHARE_WINDOW originals have no near-duplicate signature yet), the dates of the
        newest SHARE_STEP articles are scanned here, which leaves it that much less to do. How many were scanned."""
        if self._process is None:
            return 0
        newest = store.newest_id()
        if store.unsigned_count(max(0, newest - SHARE_WINDOW)) < SHARE_WINDOW * SHARE_BEHIND:
            return 0
        from index import mentions

        return mentions.sync(store, after=max(0, newest - SHARE_STEP), most=SHARE_STEP)

    def release(self) -> None:
        """Tell the second process the store is written, and wait until it has left the word index (it goes on
        with the near-duplicates alone)."""
        process = self._process
        if process is None or process.stdin is None or process.stdin.closed:
            return
        with contextlib.suppress(OSError):  # it died: the end of its output says so below
            process.stdin.write(b"release\n")
            process.stdin.flush()
        with contextlib.suppress(OSError):
            process.stdin.close()
        if process.stdout is not None and not _line_within(process.stdout, STOP_WAIT_S):
            self.kill()  # its word, or the end of its output if it died, did not come: nothing is lost

    def kill(self) -> None:
        """Stop the second process at once (an ingest that failed or was interrupted): nothing it saved is lost,
        and what it had in hand still lags."""
        if self._process is None:
            return
        process, self._process = self._process, None
        process.kill()
        process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    def stop(self, waiting: Callable[[], None] | None = None) -> None:
        """Release the second process and wait for it to finish, calling `waiting` every POLL_S meanwhile (to
        show how far it got)."""
        self.release()
        if self._process is None:
            return
        process, self._process = self._process, None
        deadline = time.monotonic() + STOP_WAIT_S
        try:
            while True:
                try:
                    process.wait(timeout=POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() > deadline:
                        process.kill()
                        process.wait(timeout=10)
                        break
                    if waiting is not None:
                        waiting()
        finally:
            if process.stdout is not None:
                process.stdout.close()


def _line_within(stream: IO[bytes], seconds: float) -> bool:
    """Whether a line (or the end of the stream) came within `seconds`."""
    came = threading.Event()

    def read() -> None:
        stream.readline()
        came.set()

    threading.Thread(target=read, daemon=True).start()
    return came.wait(seconds)


def worth_it(index: DerivedIndex) -> int:
    """How far an index must lag before the second process catches it up (one of its batches: fewer commits)."""
    from index import lexical, mentions, near_dupes

    batches = {"lexical": lexical.SYNC_BATCH, "near-duplicates": near_dupes.BATCH, "date-mentions": mentions.BATCH}
    return batches.get(index.name, 1)


def catch_up_until_told() -> None:
    """The second process: catch up the derived indexes of the archive named by argv[1] until stdin ends
    (argv[2], if given, is `least`)."""
    from index.lexical import LexicalIndex
    from index.mentions import DateMentions
    from index.near_dupes import NearDuplicates

    stop, released = threading.Event(), threading.Event()
    words = threading.Lock()  # held while the word index is being caught up here

    def watch() -> None:
        if sys.stdin.buffer.readline().strip() == b"release":
            released.set()
        stop.set()
        with words:  # at once, unless the word index is in hand: then as soon as that catch-up ends
            sys.stdout.write("released\n")  # the word index and the dates are the ingest's now
            sys.stdout.flush()

    home = Path(sys.argv[1])
    least = int(sys.argv[2]) if len(sys.argv) > 2 else None
    try:
        with Store(home) as store, store.bulk_writes():
            lexical = LexicalIndex(home)
            near, dates = NearDuplicates(resume=True, most=STEP), DateMentions(resume=True, most=STEP)
            threading.Thread(target=watch, daemon=True).start()
            while not stop.is_set():
                busy = False
                for index in (lexical, near, dates):
                    if stop.is_set() or index.lag(store) < (least or worth_it(index)):
                        continue
                    with words if index is lexical else contextlib.nullcontext():
                        if not stop.is_set():  # never the word index once released
                            index.catch_up(store)
                            busy = True
                if not busy:
                    stop.wait(IDLE_S)
            if released.is_set():  # not when the ingest died: then nobody waits for them
                near.most = None
                near.catch_up(store)  # and the ingest, once it has the word index caught up, the dates
    except Exception:  # noqa: BLE001 - best effort: the ingest's own catch-up applies whatever is left
        return
