"""What every reader shares: the options it is given, byte counting, text decoding."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from archive.errors import ReadError
from archive.models import RawDoc, Skipped

MAX_DOCUMENT_CHARS = 5_000_000
# One line of a .jsonl or .csv file, or one web page in a WARC, is read up to this many characters
# (bytes for a page): room for a document at the limit above and its other fields and escapes.
MAX_RECORD_CHARS = 2 * MAX_DOCUMENT_CHARS
_HTML_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


@dataclass(frozen=True)
class ReadOptions:
    """How to read: `fields` maps a target (text, title, ...) to a record's field name."""

    fields: Mapping[str, str] = field(default_factory=dict)
    max_document_chars: int = MAX_DOCUMENT_CHARS
    max_record_chars: int = MAX_RECORD_CHARS


Item = RawDoc | ReadError | Skipped


class Reader(Protocol):
    def __call__(self, stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]: ...


class CountingStream(io.RawIOBase):
    """A read-only file wrapper that counts the bytes read (for progress) and stops past `limit`.

    The limit holds whatever the file's size said: a /proc file reads as 0 bytes, and a file can grow.
    """

    def __init__(self, raw: BinaryIO, limit: int | None = None, path: str = "") -> None:
        self._raw = raw
        self.count = 0
        self.limit = limit
        self.path = path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        if self.limit is not None and self.count > self.limit:
            raise ReadError(
                f"file is over {self.limit / 2**20:.0f} MB; files of this type over that are not read", self.path
            )
        return int(n or 0)

    def close(self) -> None:
        self._raw.close()
        super().close()


def decode_text(data: bytes, path: str) -> str:
    """Bytes of a text file as str; a clear ReadError for binary, non-UTF-8 or empty files."""
    if not data.strip():
        raise ReadError("empty file", path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise ReadError("binary file, not text", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8, e.g. iconv -f cp1252 -t utf-8",
            path,
        ) from None


def bounded_lines(text: io.TextIOBase, limit: int, path: str) -> Iterator[tuple[int, str | ReadError]]:
    """Numbered lines of at most `limit` characters; a longer one is skipped (read in pieces) as a ReadError."""
    number = 0
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) <= limit or line.endswith("\n"):
            yield number, line
            continue
        while True:  # the rest of the over-long line, dropped piece by piece
            rest = text.readline(limit)
            if not rest or rest.endswith("\n"):
                break
        yield (
            number,
            ReadError(
                f"line {number} is over {limit / 1e6:g} million characters; a record is read up to that",
                path,
                str(number),
            ),
        )


def html_language(data: bytes) -> str | None:
    m = _HTML_LANG.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def check_size(text: str, path: str, options: ReadOptions, record: str | None = None) -> None:
    if len(text) > options.max_document_chars:
        raise ReadError(
            f"document text is {len(text) / 1e6:.1f} million characters; the limit is "
            f"{options.max_document_chars / 1e6:.0f} million",
            path,
            record,
        )
