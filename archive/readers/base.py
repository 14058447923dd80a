"""What every reader shares: the options it is given, byte counting, text decoding."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from archive.errors import ReadError
from archive.models import RawDoc

MAX_DOCUMENT_CHARS = 5_000_000
_HTML_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


@dataclass(frozen=True)
class ReadOptions:
    """How to read: `fields` maps a target (text, title, ...) to a record's field name."""

    fields: Mapping[str, str] = field(default_factory=dict)
    max_document_chars: int = MAX_DOCUMENT_CHARS


Item = RawDoc | ReadError


class Reader(Protocol):
    def __call__(self, stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]: ...


class CountingStream(io.RawIOBase):
    """A read-only file wrapper that counts the bytes read (for progress)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
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
