"""Readers: one per file format, each yielding RawDocs (or ReadErrors for bad records)."""

from __future__ import annotations

from archive.readers.base import CountingStream, Item, Reader, ReadOptions
from archive.readers.html import read_html
from archive.readers.pdf import read_pdf
from archive.readers.records import read_csv, read_json, read_jsonl
from archive.readers.text import read_markdown, read_txt
from archive.readers.warc import read_warc

READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".text": read_txt,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".jsonl.gz": read_jsonl,
    ".ndjson.gz": read_jsonl,
    ".csv": read_csv,
    ".pdf": read_pdf,
    ".warc": read_warc,
    ".warc.gz": read_warc,
}
# Formats read whole into memory: a file larger than this is refused with a clear reason.
WHOLE_FILE_FORMATS = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".json", ".pdf"})
MAX_WHOLE_FILE_BYTES = 64 * 1024 * 1024


def format_of(name: str) -> str | None:
    """The format key of a file name (`.jsonl.gz`, `.txt`, ...), or None if unsupported."""
    lower = name.lower()
    for suffix in sorted(READERS, key=len, reverse=True):
        if lower.endswith(suffix):
            return suffix
    return None


__all__ = [
    "READERS",
    "WHOLE_FILE_FORMATS",
    "MAX_WHOLE_FILE_BYTES",
    "CountingStream",
    "Item",
    "Reader",
    "ReadOptions",
    "format_of",
]
