"""Dates in the question: "Kerman blasts in January 2024", "floods since March", "strikes last week".

A date expression in a query becomes a publication-date filter, and leaves the words searched: `read`
returns the range, the phrase as written and the query without it; the search says what it read so one
click (or `--literal`) undoes it. A year alone stays a word ("2016 election coverage" names a topic); with
a preposition it is a date ("elections in 2016"). A month name counts when a preposition, a day or a year
goes with it ("since march", "March 2024"), so "may" and "march" stay words. Relative forms ("last week",
"in the past 30 days", "yesterday") are relative to today, and the notice says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from index.timex import MONTHS

NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "thirty": 30}  # fmt: skip

_MONTH = r"(?P<{0}>january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_PREP = r"(?P<prep>in|during|on|of|from|since|after|before|until|till|by|throughout)"


def _day_forms(n: str) -> str:
    """A written day, with the names of its groups suffixed by `n` (so two can sit in one pattern)."""
    return (
        rf"(?:{_MONTH.format('m' + n)}\s+{_DAY.format('d' + n)}(?:,?\s+{_YEAR.format('y' + n)})?"
        rf"|{_DAY.format('e' + n)}\s+(?:of\s+)?{_MONTH.format('n' + n)}(?:,?\s+{_YEAR.format('z' + n)})?"
        rf"|(?P<iso{n}>\d{{4}}-\d\d-\d\d))"
    )


def _period_forms(n: str) -> str:
    """A written day, month (with its year) or year."""
    return rf"(?:{_day_forms(n)}|{_MONTH.format('mm' + n)},?\s+(?:of\s+)?{_YEAR.format('my' + n)}|{_YEAR.format('yy' + n)})"


PATTERNS = [
    ("between", rf"\b(?P<prep>between|from)\s+(?:{_period_forms('1')}|{_MONTH.format('bm1')})\s+(?:and|to|until|till|-|–)\s+{_period_forms('2')}(?!\w)"),
    ("period", rf"\b(?:{_PREP}\s+)?{_day_forms('1')}(?!\w)"),
    ("period", rf"\b(?:{_PREP}\s+)?{_MONTH.format('mm1')},?\s+(?:of\s+)?{_YEAR.format('my1')}(?!\w)"),
    ("period", rf"\b{_PREP}\s+(?:the\s+year\s+)?{_YEAR.format('yy1')}(?![\w-])"),
    ("month", rf"\b(?:{_PREP}|(?P<rel>last|this|next))\s+{_MONTH.format('mm1')}(?!\w)"),
    ("within", r"\b(?:in|over|during|within)\s+the\s+(?:last|past)\s+(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty)?\s*(?P<unit>days?|weeks?|months?|years?)\b"),
    ("relative", rf"\b(?:{_PREP}\s+)?(?P<rel>last|this|past|previous|next)\s+(?P<unit>week|month|year)\b(?!['’]s)"),
    ("ago", r"\b(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b"),
    ("deictic", rf"\b(?:{_PREP}\s+)?(?P<word>today|yesterday)\b"),
]  # fmt: skip
COMPILED = [(kind, re.compile(body, re.I)) for kind, body in PATTERNS]


@dataclass(frozen=True)
class DatesRead:
    """A date expression read in a query: as written, where, the range it names, and the query without it."""

    phrase: str
    start: int
    end: int
    date_from: str | None
    date_to: str | None
    relative: bool  # resolved against today
    rest: str

    def notice(self, today: dt.date) -> str:
        span = f"{self.date_from or '…'}..{self.date_to or '…'}"
        relative = f" (relative to today, {today.isoformat()})" if self.relative else ""
        return f"read ‘{self.phrase}’ as {span}{relative}; to keep them as words, search literally (--literal)"


def read(query: str, today: dt.date) -> DatesRead | None:
    """The first date expression in `query` that names a range, or None (then the query is all words)."""
    best: tuple[int, int, DatesRead] | None = None
    for order, (kind, pattern) in enumerate(COMPILED):
        for match in pattern.finditer(query):
            found = _resolve(kind, match, today)
            if found is None:
                continue
            first, last, relative = found
            rest = " ".join((query[: match.start()] + " " + query[match.end() :]).split())
            if not rest.strip(" ,.?!"):
                continue  # the whole query is a date: it stays the words searched
            candidate = DatesRead(match.group().strip(), match.start(), match.end(), first, last, relative, rest)
            key = (match.start(), order)
            if best is None or key < best[:2]:
                best = (match.start(), order, candidate)
            break
    return None if best is None else best[2]


Range = tuple[dt.date, dt.date]


def _resolve(kind: str, m: re.Match[str], today: dt.date) -> tuple[str | None, str | None, bool] | None:
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    prep = (groups.get("prep") or "").lower()
    if kind == "between":
        two = _period(groups, "2", today)
        if "bm1" in groups and two is not None:  # "between March and May 2024": the second's year
            one: Range | None = _month_range(two[1].year, MONTHS[groups["bm1"].lower().rstrip(".")])
        else:
            one = _period(groups, "1", today)
        if one is None or two is None or one[0] > two[1]:
            return None
        return one[0].isoformat(), two[1].isoformat(), False
    if kind == "period":
        span = _period(groups, "1", today)
        relative = not {"yy1", "my1", "y1", "z1", "iso1"} & set(groups)
        return None if span is None else _with_prep(span, prep, today, relative)
    if kind == "month":
        month = MONTHS[groups["mm1"].lower().rstrip(".")]
        rel = (groups.get("rel") or "").lower()
        if not prep and not rel:
            return None
        year = today.year if month <= today.month else today.year - 1
        if rel == "next":
            year = today.year if month > today.month else today.year + 1
        elif rel == "last" and month == today.month:
            year -= 1
        return _with_prep(_month_range(year, month), prep, today, True)
    if kind == "within":
        count = _count(groups.get("n") or "1")
        unit = groups["unit"].lower().rstrip("s")
        return _shifted(today, unit, -count).isoformat(), today.isoformat(), True
    if kind == "relative":
        step = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1}[groups["rel"].lower()]
        return _with_prep(_unit_range(today, groups["unit"].lower(), step), prep, today, True)
    if kind == "ago":
        unit = groups["unit"].lower().rstrip("s")
        day = _shifted(today, unit, -_count(groups["n"]))
        span = (day, day) if unit == "day" else _unit_range(day, unit, 0)
        return _with_prep(span, "", today, True)
    if kind == "deictic":
        day = today - dt.timedelta(days=1 if groups["word"].lower() == "yesterday" else 0)
        return _with_prep((day, day), prep, today, True)
    return None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS.get(word.lower(), 1)


def _period(groups: dict[str, str], n: str, today: dt.date) -> Range | None:
    """The days of a written day, month or year (group names suffixed `n`)."""
    try:
        if f"iso{n}" in groups:
            day = dt.date.fromisoformat(groups[f"iso{n}"])
            return day, day
        for d, m, y in ((f"d{n}", f"m{n}", f"y{n}"), (f"e{n}", f"n{n}", f"z{n}")):  # Month Day, or Day Month
            if d in groups:
                month = MONTHS[groups[m].lower().rstrip(".")]
                year = int(groups[y]) if y in groups else (today.year if month <= today.month else today.year - 1)
                day = dt.date(year, month, int(groups[d]))
                return day, day
        if f"mm{n}" in groups:
            return _month_range(int(groups[f"my{n}"]), MONTHS[groups[f"mm{n}"].lower().rstrip(".")])
        if f"yy{n}" in groups:
            year = int(groups[f"yy{n}"])
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None
    return None


def _month_range(year: int, month: int) -> Range:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _unit_range(day: dt.date, unit: str, step: int) -> Range:
    if unit == "week":
        monday = day - dt.timedelta(days=day.weekday()) + dt.timedelta(weeks=step)
        return monday, monday + dt.timedelta(days=6)
    if unit == "month":
        index = day.year * 12 + day.month - 1 + step
        return _month_range(index // 12, index % 12 + 1)
    year = day.year + step
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _shifted(day: dt.date, unit: str, amount: int) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=amount)
    if unit == "week":
        return day + dt.timedelta(weeks=amount)
    if unit == "month":
        index = day.year * 12 + day.month - 1 + amount
        year, month = index // 12, index % 12 + 1
        return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    try:
        return day.replace(year=day.year + amount)
    except ValueError:  # 29 February
        return day.replace(year=day.year + amount, day=28)


def _with_prep(span: Range, prep: str, today: dt.date, relative: bool) -> tuple[str | None, str | None, bool]:
    """The range a preposition makes of a period: "since March" runs to today, "before 2020" ends before it."""
    first, last = span
    if prep in ("since", "from"):
        return first.isoformat(), max(today, last).isoformat(), True
    if prep == "after":
        return (last + dt.timedelta(days=1)).isoformat(), max(today, last + dt.timedelta(days=1)).isoformat(), True
    if prep == "before":
        return None, (first - dt.timedelta(days=1)).isoformat(), relative
    if prep in ("until", "till", "by"):
        return None, last.isoformat(), relative
    return first.isoformat(), last.isoformat(), relative
