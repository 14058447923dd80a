"""Titles for documents that arrive without one: a headline line, else the first real sentence.

A photo credit ("© Stringer/Anadolu/Getty Images"), a byline or a long paragraph is never a title.
"""

from __future__ import annotations

import re

from archive.sentences import sentence_spans

MAX_TITLE_CHARS = 200
MAX_TITLE_WORDS = 30
MAX_FALLBACK_TITLE = 120
_CREDIT = re.compile(
    r"©|\(c\)|^\s*(copyright|photo|photograph|image|picture|credit|file photo|source|video)\b"
    r"|getty images|shutterstock|\bvia reuters\b|/(afp|reuters|ap|epa|getty|anadolu|xinhua)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\s*by\s+[A-Z]", re.IGNORECASE)


def is_credit(line: str) -> bool:
    """True for a photo credit or a byline."""
    return bool(_CREDIT.search(line) or _BYLINE.match(line))


def headline(text: str) -> str | None:
    """The first line of `text` when it reads as a headline, else None."""
    lines = text.strip().split("\n", 1)
    if len(lines) < 2 or not lines[1].strip():
        return None
    line = lines[0].strip().lstrip("#").strip()
    words = line.split()
    if not 2 <= len(words) <= MAX_TITLE_WORDS or len(line) > MAX_TITLE_CHARS:
        return None
    if is_credit(line) or "://" in line or not any(c.isalpha() for c in line):
        return None
    return line


def fallback_title(text: str) -> str | None:
    """The first sentence that is not a credit, cut at a word near MAX_FALLBACK_TITLE characters."""
    head = text[: MAX_FALLBACK_TITLE * 8]
    for start, end in sentence_spans(head):
        sentence = " ".join(head[start:end].split())
        if is_credit(sentence) or sum(c.isalpha() for c in sentence) < 3:
            continue
        if len(sentence) <= MAX_FALLBACK_TITLE:
            return sentence
        return sentence[:MAX_FALLBACK_TITLE].rsplit(" ", 1)[0] + "…"
    return None
