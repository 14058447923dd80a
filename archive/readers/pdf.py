"""PDF files (their text layer) via pypdf, the maintained pure-Python PDF reader."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import BinaryIO

from archive.errors import ReadError
from archive.models import RawDoc
from archive.readers.base import Item, ReadOptions, check_size, file_hash

logging.getLogger("pypdf").setLevel(logging.ERROR)


def read_pdf(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    data = stream.read()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ReadError("the PDF is encrypted; save an unlocked copy first", path)
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
        meta = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ReadError(f"not a readable PDF ({exc})", path) from None
    if not text:
        raise ReadError("the PDF has no text layer (a scan?); run OCR first, e.g. ocrmypdf in.pdf out.pdf", path)
    check_size(text, path, options)
    title = str(meta.title).strip() if meta and meta.title else None
    author = str(meta.author).strip() if meta and meta.author else None
    yield RawDoc(text=text, title=title, authors=(author,) if author else (), fingerprint=file_hash(data))
