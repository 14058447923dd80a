"""Web archives (.warc, .warc.gz) via warcio: one document per HTML response, URL and capture date kept.

Every read is bounded and damage is reported, never silent: a file that does not begin like a WARC
(or a gzip member) is refused at once; a page is read up to `max_record_chars` bytes (a gzip-encoded
body is decoded up to that too); a record without a valid Content-Length (a damaged header, which
would make warcio read the rest of the file as its body), one cut short, or a reader error ends the
file with a failure that says where, and the records before it are kept.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO

from archive.errors import ReadError
from archive.models import Skipped
from archive.readers.base import Item, ReadOptions
from archive.readers.html import extract_page

_STARTS = (b"WARC/", b"\x1f\x8b")  # an uncompressed record, or a gzip member
_DRAIN = 1 << 16


def read_warc(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    _check_start(stream, path)
    records = ArchiveIterator(stream)
    kept, offset = 0, 0  # offset: where the record being read begins (warcio knows it only after reading it)
    keys: set[str] = set()
    try:
        for record in records:
            if not _valid_length(record):
                raise _damaged(path, offset, kept, "a record header without a valid Content-Length")
            passed_over = _passed_over(record)
            item = _page(record, path, options, keys) if passed_over is None else _skipped(record, passed_over)
            if _cut_short(record):
                raise _damaged(path, offset, kept, "a record cut short (the file ends inside it)")
            offset = records.get_record_offset() + records.get_record_length()
            if item is not None:
                kept += not isinstance(item, (ReadError, Skipped))
                yield item
        if _left_over(path, offset):
            raise _damaged(path, offset, kept, "the file ends inside a record header")
    except ArchiveLoadFailed as exc:
        if kept == 0 and offset == 0:
            raise ReadError(f"not a readable web archive ({exc})", path) from None
        raise _damaged(path, offset, kept, str(exc)) from None
    except (AttributeError, EOFError, zlib.error):  # warcio meeting a cut or broken gzip member
        raise _damaged(path, offset, kept, "the file ends or breaks inside a record") from None
    except (ValueError, OSError) as exc:
        raise _damaged(path, offset, kept, f"{type(exc).__name__}: {exc}") from None


def _check_start(stream: BinaryIO, path: str) -> None:
    peek = getattr(stream, "peek", None)
    head = peek(8)[:8] if peek is not None else b""
    if head and not head.startswith(_STARTS):
        raise ReadError("not a web archive: it does not begin with a WARC/ record header (nor gzip)", path)


def _valid_length(record: Any) -> bool:
    value = record.rec_headers.get_header("Content-Length")
    return value is not None and value.strip().isdigit()


def _page(record: Any, path: str, options: ReadOptions, keys: set[str]) -> Item:
    url = record.rec_headers.get_header("WARC-Target-URI")
    stamp = record.rec_headers.get_header("WARC-Date") or ""
    captured = stamp[:10] or None
    key = _capture_key(url, stamp, keys)
    limit = options.max_record_chars
    data = _read_up_to(record.content_stream(), limit + 1)
    if len(data) > limit:
        return ReadError(f"the page is over {limit / 1e6:g} MB (decoded); a page is read up to that", path, key)
    if not record.http_headers.get_header("Content-Type") and not _looks_like_html(data):
        return Skipped("responses without a Content-Type that are not HTML", url)
    try:
        doc = extract_page(data, path, options, url=url, record=key)
    except ReadError as exc:
        return ReadError(exc.reason, path, key)
    # the capture's address is kept; the page's own canonical/og:url (a home page, at times) goes beside it
    return replace(doc, url=url or doc.url, canonical_url=doc.url if url else None, captured=captured)


def _capture_key(url: str, stamp: str, keys: set[str]) -> str:
    """A capture's identity in the file: its URL, and for a later capture of the same URL its date too.

    Every capture is kept: two captures of one page are two versions of it (the first keeps the bare
    URL, so an archive ingested before stays the same).
    """
    key = url
    if key in keys:
        key = f"{url} @{stamp}" if stamp else url
    number = 2
    while key in keys:
        key, number = f"{url} @{stamp} #{number}", number + 1
    keys.add(key)
    return key


def _read_up_to(stream: Any, limit: int) -> bytes:
    """At most `limit` bytes (warcio's readers return one block per read)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        block = stream.read(min(_DRAIN, limit - size))
        if not block:
            break
        parts.append(block)
        size += len(block)
    return b"".join(parts)


def _cut_short(record: Any) -> bool:
    """Read the record's remaining raw bytes; True when the file ended before its Content-Length."""
    raw = record.raw_stream
    while raw.read(_DRAIN):
        pass
    return int(getattr(raw, "limit", 0) or 0) > 0


def _left_over(path: str, offset: int) -> bool:
    """Bytes other than blank lines after the last whole record: warcio stops quietly at a cut header."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return bool(f.read(_DRAIN).strip())
    except OSError:
        return False


def _damaged(path: str, offset: int, kept: int, what: str) -> ReadError:
    shown = "".join(c if c.isprintable() else "?" for c in what[:120])
    return ReadError(
        f"the web archive is damaged near byte {offset:,} ({shown}); the {kept:,} page(s) before it were kept, "
        "what follows could not be read",
        path,
    )


def _passed_over(record: Any) -> str | None:
    """Why a record holds no page to read (None: it is an HTML page; its body is read).

    Request, metadata and warcinfo records are the crawl's bookkeeping and pass unnamed; a revisit,
    a response that is not a 200 or not HTML, and one without a Content-Type whose body does not
    begin like HTML are counted in the ingest summary with these reasons.
    """
    if record.rec_type == "revisit":
        return "revisit records (a repeat of an earlier capture, no page of their own)"
    if record.rec_type != "response":
        return ""
    headers = getattr(record, "http_headers", None)
    if headers is None:
        return "responses without HTTP headers"
    status = headers.get_statuscode() or "?"
    if status != "200":
        return f"HTTP {status} responses"
    ctype = (headers.get_header("Content-Type") or "").lower()
    if not ctype:
        return None  # _page reads it if its body begins like HTML
    return None if "html" in ctype else "responses that are not HTML (images, scripts, styles, ...)"


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--", b"<meta", b"<title"))


def _skipped(record: Any, reason: str) -> Skipped | None:
    if not reason:
        return None
    return Skipped(reason, record.rec_headers.get_header("WARC-Target-URI"))
