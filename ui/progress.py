"""Progress for long commands: a tqdm bar on a terminal, plain or JSON lines without one.

`--progress auto` (the default) draws a bar when stderr is a terminal and otherwise prints a line at
most every `LINE_EVERY_S` seconds (and when a step ends), so a long ingest under cron, nohup or a
pipe still says how far it is; `json` prints one JSON object a line, `none` nothing.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from archive.models import Progress

STYLES = ("auto", "bar", "lines", "json", "none")
LINE_EVERY_S = 10.0
JSON_EVERY_S = 1.0


def resolve(style: str | None) -> str:
    """The style to draw in: `auto` is a bar on a terminal, lines elsewhere."""
    if style in (None, "auto"):
        return "bar" if sys.stderr.isatty() else "lines"
    return style


progress_option = click.option(
    "--progress",
    "progress_style",
    type=click.Choice(STYLES),
    default="auto",
    show_default=True,
    help="How to show progress: a bar on a terminal, else a line every 10 s; json: one object a line.",
)


class _Lines:
    """Throttled plain or JSON lines on stderr."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.every = JSON_EVERY_S if style == "json" else LINE_EVERY_S
        self._last = float("-inf")

    def emit(self, fields: dict[str, object], text: str, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last < self.every:
            return
        self._last = now
        line = json.dumps(fields) if self.style == "json" else text
        click.echo(line, err=True)


class ProgressBar:
    """Draws `Progress` reports over input bytes, with files/s and articles/s."""

    def __init__(self, style: str | None = None) -> None:
        self.style = resolve(style)
        self._bar: Any = None
        self._lines = _Lines(self.style)
        self._start = time.monotonic()
        self._last: Progress | None = None

    def __call__(self, p: Progress) -> None:
        self._last = p
        elapsed = max(time.monotonic() - self._start, 1e-6)
        if self.style in ("lines", "json"):
            self._line(p, elapsed)
        elif self.style == "bar":
            self._draw(p, elapsed)

    def _line(self, p: Progress, elapsed: float, final: bool = False) -> None:
        share = f" ({p.bytes_done / p.bytes_total:.0%})" if p.bytes_total else ""
        fields = {
            "phase": "read",
            "files_done": p.files_done,
            "files_total": p.files_total,
            "bytes_done": p.bytes_done,
            "bytes_total": p.bytes_total,
            "articles": p.documents,
            "seconds": round(elapsed, 1),
        }
        text = (
            f"reading: files {p.files_done:,}/{p.files_total:,}, {p.bytes_done / 2**20:,.1f} of "
            f"{p.bytes_total / 2**20:,.1f} MB{share}, {p.documents:,} articles, {elapsed:,.0f} s"
        )
        self._lines.emit(fields, text, final)

    def _draw(self, p: Progress, elapsed: float) -> None:
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
        elif self._last is not None and self.style in ("lines", "json"):
            self._line(self._last, max(time.monotonic() - self._start, 1e-6), final=True)
            self._last = None


# what each step counts (its name -> the unit); a step not named here counts chunks
STEP_UNITS = {"near-duplicates": "article", "date-mentions": "article"}


class StepBar:
    """One bar (or line series) per named step (lexical index, embedding, vector index)."""

    def __init__(self, style: str | None = None) -> None:
        self.style = resolve(style)
        self._bar: Any = None
        self._name = ""
        self._lines = _Lines(self.style)

    def __call__(self, name: str, done: int, total: int) -> None:
        if self.style in ("lines", "json"):
            if name != self._name:
                self._name, self._lines = name, _Lines(self.style)
            share = f" ({done / total:.0%})" if total else ""
            self._lines.emit(
                {"phase": name, "done": done, "total": total},
                f"{name}: {done:,} of {total:,} {STEP_UNITS.get(name, 'chunk')}s{share}",
                final=done >= total,
            )
            return
        if self.style != "bar":
            return
        if self._bar is None or name != self._name:
            from tqdm import tqdm

            self.close()
            self._name = name
            unit = STEP_UNITS.get(name, "chunk")
            self._bar = tqdm(total=total, desc=name, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False)
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
