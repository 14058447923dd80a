"""The ingest progress bar (tqdm on a terminal; nothing when output is piped)."""

from __future__ import annotations

import sys
import time
from typing import Any

from archive.models import Progress


class ProgressBar:
    """Draws `Progress` reports as a bar over input bytes, with files/s and articles/s."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None
        self._start = time.monotonic()

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=p.bytes_total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                dynamic_ncols=True,
                leave=False,
            )
        elapsed = max(time.monotonic() - self._start, 1e-6)
        self._bar.n = p.bytes_done
        self._bar.set_postfix_str(
            f"files {p.files_done}/{p.files_total} ({p.files_done / elapsed:.1f}/s), "
            f"articles {p.documents:,} ({p.documents / elapsed:.0f}/s)",
            refresh=False,
        )
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class StepBar:
    """One bar per named step (lexical index, embedding, vector index), from (done, total) reports."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None
        self._name = ""

    def __call__(self, name: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None or name != self._name:
            from tqdm import tqdm

            self.close()
            self._name = name
            unit = "chunk"
            self._bar = tqdm(total=total, desc=name, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False)
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
