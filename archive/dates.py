"""Published dates: parse what archives hold, refuse what cannot be true.

Accepted: ISO dates and date-times, US `M/D/YY` and `M/D/YYYY`, written forms such as
"January 3, 2024" or "3 Jan 2024" (python-dateutil), and Unix timestamps. A date that is missing
its day, impossible, before EARLIEST or after today is never guessed: the document is stored
undated and the warning says why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as dateutil_parser

EARLIEST = dt.date(1800, 1, 1)

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ]|\s)")
_US = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*$")
_DEFAULT_A = dt.datetime(2001, 1, 1)
_DEFAULT_B = dt.datetime(2002, 2, 2)


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date (ISO string) or None, with a warning when a value was given but refused."""

    date: str | None
    warning: str | None = None


def parse_date(value: object, today: dt.date | None = None) -> ParsedDate:
    """Parse a published date from a record, a page or a file marker."""
    today = today or dt.date.today()
    if value is None or (isinstance(value, str) and not value.strip()):
        return ParsedDate(None)
    try:
        day = _parse(value)
    except (ValueError, OverflowError) as exc:
        return ParsedDate(None, f"unreadable date {value!r} ({exc}); stored as undated")
    if day is None:
        return ParsedDate(None, f"incomplete date {value!r} (no day); stored as undated")
    if day < EARLIEST or day > today:
        return ParsedDate(None, f"impossible date {value!r}; stored as undated")
    return ParsedDate(day.isoformat())


def _parse(value: object) -> dt.date | None:
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    if m := _ISO.match(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := _US.match(text):
        year = int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year < 69 else 1900
        return dt.date(year, int(m[1]), int(m[2]))
    return _parse_written(text)


def _parse_written(text: str) -> dt.date | None:
    """A written date via dateutil; None when the text names no day (two defaults disagree)."""
    a = dateutil_parser.parse(text, default=_DEFAULT_A)
    b = dateutil_parser.parse(text, default=_DEFAULT_B)
    if a.day != b.day or a.month != b.month or a.year != b.year:
        return None
    return a.date()
