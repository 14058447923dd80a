"""Web archives (.warc, .warc.gz) via warcio: one document per HTML response, URL and capture date kept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from archive.errors import ReadError
from archive.readers.base import Item, ReadOptions
from archive.readers.html import extract_page


def read_warc(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or not _is_html_ok(record):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            captured = (record.rec_headers.get_header("WARC-Date") or "")[:10] or None
            data = record.content_stream().read()
            try:
                doc = extract_page(data, path, options, url=url, record=url)
            except ReadError as exc:
                yield ReadError(exc.reason, path, url)
                continue
            yield replace(doc, url=doc.url or url, captured=captured)
    except ArchiveLoadFailed as exc:
        raise ReadError(f"not a readable web archive ({exc})", path) from None


def _is_html_ok(record: object) -> bool:
    headers = getattr(record, "http_headers", None)
    if headers is None:
        return False
    ctype = (headers.get_header("Content-Type") or "").lower()
    return "html" in ctype and headers.get_statuscode() == "200"
