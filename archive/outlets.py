"""Is a site name a plausible outlet name? Pages often put a copyright line or a postal address there.

A name is refused when it reads as a copyright notice, an address, a date or a sentence, not a name;
the caller then falls back to the page's host.
"""

from __future__ import annotations

import re

MAX_WORDS = 8
MAX_CHARS = 80
_COPYRIGHT = re.compile(r"^\s*(copyright|©|\(c\))|all rights reserved", re.IGNORECASE)
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(\w+\.?\s+){0,4}(street|st|avenue|ave|road|rd|boulevard|blvd|lane|drive|way|place)\b"
    r"|\bp\.?\s?o\.?\s?box\b|\b(suite|floor)\s+\d|,.*\b\d{5}(-\d{4})?\b",
    re.IGNORECASE,
)
_YEAR_ONLY = re.compile(r"^\W*(19|20)\d\d\W*$")
_LETTER = re.compile(r"[^\W\d_]")


def plausible_outlet(name: str | None) -> str | None:
    """`name` when it reads as an outlet's name, else None."""
    if not name:
        return None
    name = " ".join(name.split())
    if not (2 <= len(name) <= MAX_CHARS) or len(name.split()) > MAX_WORDS:
        return None
    if _COPYRIGHT.search(name) or _ADDRESS.search(name) or _YEAR_ONLY.match(name):
        return None
    letters = len(_LETTER.findall(name))
    return name if letters >= 2 and letters >= len(name.replace(" ", "")) / 2 else None
