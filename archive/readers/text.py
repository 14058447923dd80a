"""Plain text and Markdown: one document per file.

A leading `date YYYY-MM-DD` marker (the user's own form) becomes the published date and is removed
from the text. A Markdown front matter block gives title and date. The title is the first line when
it reads as a headline; a photo credit, a byline or a long paragraph is not a title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from archive.models import RawDoc
from archive.readers.base import Item, ReadOptions, check_size, decode_text, file_hash
from archive.titles import headline

_DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d{1,2}-\d{1,2})\b[ \t]*", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_FRONT_FIELD = re.compile(r"^(\w+)\s*:\s*(.*?)\s*$", re.MULTILINE)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,2}\s+(.+?)\s*#*\s*$")
_ANY_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def read_txt(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    data = stream.read()
    text = decode_text(data, path)
    date, text = split_date_marker(text)
    check_size(text, path, options)
    yield RawDoc(text=text, title=headline(text), date=date, fingerprint=file_hash(data))


def read_markdown(stream: BinaryIO, path: str, options: ReadOptions) -> Iterator[Item]:
    data = stream.read()
    text = decode_text(data, path)
    front: dict[str, str] = {}
    if m := _FRONT_MATTER.match(text):
        front = {k.lower(): v.strip("\"'") for k, v in _FRONT_FIELD.findall(m.group(1))}
        text = text[m.end() :]
    date, text = split_date_marker(text)
    check_size(text, path, options)
    first = next((line for line in text.splitlines() if line.strip()), "")
    heading = _MD_HEADING.match(first)
    title = front.get("title") or (heading.group(1) if heading else headline(text))
    yield RawDoc(
        text=_ANY_HEADING.sub(r"\1", text),  # a heading's words are stored, not its `#` marks
        title=title,
        date=front.get("date") or date,
        url=front.get("url"),
        outlet=front.get("source") or front.get("outlet"),
        fingerprint=file_hash(data),
    )


def split_date_marker(text: str) -> tuple[str | None, str]:
    """(the marker's date or None, the text without the marker)."""
    m = _DATE_MARKER.match(text)
    return (m.group(1), text[m.end() :]) if m else (None, text)
