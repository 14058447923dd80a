"""Dates mentioned in a text ("January 3, 2020", "3 Jan", "on Wednesday", "last month", "two days ago",
"in 2019"), each resolved against the article's publication date to a TimeML value.

Values follow TimeML's TIMEX3: `2024-01-03` (a day), `2024-W01` (an ISO week), `2024-01` (a month),
`2024-Q1` (a quarter), `2024-SU` (a season), `2024` (a year), `202` (a decade), `20` (a century), and
`PRESENT_REF` / `PAST_REF` / `FUTURE_REF` where no date can be fixed ("now", "recently", "soon").
Durations ("three weeks") and clock times ("5 p.m.") are not date mentions.

Written as rules over one scan of the text: `dateutil` parses whole dates well but does not find them in
running text, and `dateparser.search` finds many false dates in news (numbers, "may", "second") and
resolves weekdays and relative forms against the wrong reference (benchmarks/timex.py measures both).
Without a publication date, only what names its own year resolves; the rest is kept with an X value
(`XXXX-03-22`), as TimeML does.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

VERSION = 2  # bump when the rules change: the mentions index scans every article again

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
NUMBERS |= {"a": 1, "an": 1, "several": 3, "a few": 3, "few": 3, "thirty": 30, "forty": 40, "fifty": 50}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
CENTURY_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "twenty-first": 21,
}  # fmt: skip

GRANULARITIES = ("day", "week", "month", "quarter", "season", "year", "decade", "century", "reference")


@dataclass(frozen=True)
class DateMention:
    """A date expression at [start, end) of a text, its TimeML value and how precise it is."""

    start: int
    end: int
    text: str
    value: str
    granularity: str  # one of GRANULARITIES

    @property
    def days(self) -> tuple[str, str] | None:
        """The first and last day it covers (ISO), or None when it fixes no date."""
        return day_range(self.value)


# The patterns. Each begins with its anchor (a digit, a month or weekday name, a word like "last" or
# "today"), never with an optional part or a `\b`: Python's `re` then skips straight to the positions where
# an anchor can start, which makes the scan fifty times faster than a case-blind pattern led by `\b`. What may
# stand before an anchor ("early", "the end of", "the", the count of "two days ago") is read backwards from
# the anchor afterwards (`BACKS`). Names of months and weekdays count only capitalised ("May", not "may").
def _both(words: str) -> str:
    """Each word as written and capitalised, as one alternation: `last|Last|next|Next`."""
    return "|".join(f"{w}|{w[0].upper()}{w[1:]}" for w in words.split())


_MONTH_NAMES = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?"
)
_MONTH = "(?P<{0}>" + _MONTH_NAMES + ")"
_DAY = r"(?P<{0}>\d\d?)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>1[6-9]\d\d|20\d\d)"
_WEEKDAY = r"(?P<{0}>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_UNIT = r"(?P<unit>days?|weeks?|months?|years?|decades?)"
_REL = rf"(?P<rel>{_both('last next this past coming previous following')})"
_SEASON = rf"(?P<season>{_both('spring summer autumn fall winter')})"
_ORDINAL = rf"(?P<ord>{_both('first second third fourth')}|1st|2nd|3rd|4th)"
_PART = r"(?:night|morning|afternoon|evening)"  # a part of a day: "Wednesday night" is that day
_SPELLED_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SPELLED_ONES = "one two three four five six seven eight nine".split()
_END = r"(?![\w:/])"  # not the start of a longer number, a time (5:30) or a path
_S = r"[ \t]+"  # the space between the words of one expression (not a line break)

# (kind, pattern, what may stand before it: a key of BACKS; "!" in front: it must)
PATTERNS: list[tuple[str, str, str]] = [
    ("iso", rf"{_YEAR.format('y')}-(?P<m>[01]\d)-(?P<d>[0-3]\d){_END}", ""),
    ("numeric", rf"(?P<m>\d\d?)/(?P<d>\d\d?)/(?P<y>(?:19|20)?\d\d){_END}", ""),
    ("day_month_year", rf"{_DAY.format('d')}{_S}(?:of{_S})?{_MONTH.format('mon')},?{_S}{_YEAR.format('y')}{_END}", ""),
    ("day_month", rf"{_DAY.format('d')}{_S}(?:of{_S})?{_MONTH.format('mon')}(?!\w)", ""),
    ("decade", r"(?P<cent>1[6-9]|20)(?P<dec>\d)0s\b", "the"),
    ("year", rf"{_YEAR.format('y')}{_END}(?!-[01]\d-)", "mod"),
    ("decade_short", r"['’](?P<short>\d)0s\b", "the"),
    ("month_day_year", rf"{_MONTH.format('mon')}{_S}{_DAY.format('d')},?{_S}{_YEAR.format('y')}{_END}", "mod"),
    ("month_year", rf"{_MONTH.format('mon')},?{_S}(?:of{_S})?{_YEAR.format('y')}{_END}", "mod"),
    ("month_rel_year", rf"{_MONTH.format('mon')}{_S}(?:of{_S})?(?P<rel>last|next|this){_S}year\b", "mod"),
    ("month_day", rf"{_MONTH.format('mon')}{_S}{_DAY.format('d')}(?![\w:/]|,?\s+\d)", ""),
    ("month", rf"{_MONTH.format('mon')}(?![\w.]*\s*\d)", "mod"),
    (
        "weekday_date",
        rf"{_WEEKDAY.format('wd')},?{_S}{_MONTH.format('mon')}{_S}{_DAY.format('d')}(?:,?{_S}{_YEAR.format('y')})?{_END}",
        "",
    ),
    (
        "weekday",
        rf"{_WEEKDAY.format('wd')}(?!s\b)(?!\s+{_PART}s\b)(?:{_S}{_PART})?\b",  # "Friday night", not "Friday nights"
        "",
    ),
    ("rel_weekday", rf"{_REL}{_S}{_WEEKDAY.format('wd')}\b", "the"),
    ("rel_month", rf"(?P<rel>{_both('last next this past coming')}){_S}{_MONTH.format('mon')}(?!\.?\s*\d)", "mod"),
    ("rel_season", rf"(?P<rel>{_both('last next this past coming')}){_S}{_SEASON}\b", "mod"),
    ("rel_unit", rf"{_REL}{_S}(?P<fiscal>fiscal{_S})?(?P<unit>week|month|year|quarter|decade|century)\b", "mod"),
    ("rel_weekend", rf"{_REL}{_S}weekend\b", ""),
    ("season_year", rf"{_SEASON}{_S}(?:of{_S})?{_YEAR.format('y')}{_END}", "mod"),
    ("season", rf"(?P<season>{_both('spring summer autumn winter')})\b(?!\s+(?:of|\d))", "mod"),
    ("quarter", rf"quarter(?:{_S}(?:of{_S})?{_YEAR.format('y')})?{_END}", "!ordinal"),
    ("century", r"century\b", "!century"),
    ("latest_quarter", r"quarter\b(?!\s+of\b)(?!s\b)", "!quarter"),
    ("fiscal", rf"(?:fiscal|Fiscal|FY)\s*(?:year{_S})?{_YEAR.format('y')}{_END}", ""),
    ("ago", r"(?P<dir>ago|earlier|before|later|hence)\b(?!\s+than)", "!count"),
    ("weekend", r"weekend\b", "!the"),
    ("end_of", rf"end{_S}of{_S}(?:the|this){_S}(?P<unit>year|month)\b", "the"),
    # Financial reports: "the year-earlier quarter", "year-ago results" (the latest quarter's, a year before),
    # "by year-end", "for the (full) year" (not "the year ended June 30": a duration), "the latest period".
    ("year_ago", rf"year-(?:earlier|ago)\b(?:{_S}(?:{_ORDINAL}{_S})?(?:quarter|period)\b)?(?!-)", "the_cmp"),
    ("year_end", rf"year(?:-end|{_S}end|['’]s{_S}end)\b", ""),
    (
        "the_year",
        rf"year(?P<y2k>{_S}two{_S}thousand)?\b(?!-)(?!\s+(?:ended|ending|earlier|ago|before|after|later|\d))",
        "!the_year",
    ),
    ("the_week", r"week\b(?!-)(?!\s+(?:ended|ending|earlier|ago|before|after|later|of)\b)", "!the"),
    ("latest_period", r"period\b", "!latest"),
    (
        "spelled_year",
        rf"[Nn]ineteen[ -](?P<tens>{'|'.join(_SPELLED_TENS)})(?:[ -](?P<ones>{'|'.join(_SPELLED_ONES)}))?\b",
        "",
    ),
    ("thanksgiving", rf"Thanksgiving(?:{_S}Day)?\b", "rel"),
    ("deictic", rf"(?P<word>{_both('today yesterday tomorrow')})\b", ""),
    ("ref", rf"(?P<ref>{_both('now currently nowadays presently current recently formerly lately')})\b", ""),
    ("future", r"(?P<ref>future)\b", "!future"),
]
BACKS = {
    "mod": re.compile(r"(?:\b(?:early|earlier|late|later|mid)[\s-]+|\bthe\s+(?:end|beginning|start|middle)\s+of\s+)$", re.I),
    "the": re.compile(r"\bthe\s+$", re.I),
    "quarter": re.compile(
        r"\bthe\s+(?:(?P<which>latest|current|past|last|most\s+recent|recent|previous)\s+)?(?:fiscal\s+)?$", re.I
    ),
    "count": re.compile(
        r"\b(?P<n>\d{1,3}|a\s+few|an?|several|few|" + "|".join(w for w in NUMBERS if " " not in w and len(w) > 2) + r")"
        r"[ \t]+(?P<unit>days?|weeks?|months?|years?|decades?)[ \t]+$",
        re.I,
    ),
    "ordinal": re.compile(r"\b(?:the\s+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+$", re.I),
    "future": re.compile(r"\b(?:the\s+(?:near\s+)?|in\s+)$", re.I),
    "the_cmp": re.compile(r"\bthe\s+(?:comparable\s+)?$", re.I),
    "the_year": re.compile(r"\bthe\s+(?:full\s+)?$", re.I),
    "latest": re.compile(r"\bthe\s+(?:latest|most\s+recent)\s+$", re.I),
    "rel": re.compile(r"\b(?P<rel>last|next|this)\s+$", re.I),
    "century": re.compile(
        r"\b(?:the\s+)?(?:(?P<cn>\d{1,2})(?:st|nd|rd|th)|(?P<cw>" + "|".join(CENTURY_WORDS) + r"))[\s-]+$", re.I
    ),
}  # fmt: skip
_CASED = {
    "month_day",
    "day_month",
    "month_year",
    "month",
    "rel_month",
    "month_day_year",
    "day_month_year",
    "month_rel_year",
}


def _scoped(kind: str, body: str) -> str:
    """A pattern's groups renamed `kind__name`: one scanner holds every pattern, and names must be unique."""
    return re.sub(r"\(\?P<(\w+)>", lambda g: f"(?P<{kind}__{g[1]}>", body)


# Two stages. Quick passes find the anchors (digits; capitalised month and weekday names; the other words a
# date can start with, in the lower-cased text), each a plain alternation Python's `re` scans for fast; then,
# at each anchor, the patterns that can start with it are tried in their listed order with `match`.
_PATTERN = {name: re.compile(_scoped(name, body)) for name, body, _ in PATTERNS}
_ORDER = {name: i for i, (name, _, _) in enumerate(PATTERNS)}
_DIGIT_LED = ["iso", "numeric", "day_month_year", "day_month", "decade", "year"]
_MONTH_LED = ["month_day_year", "month_year", "month_rel_year", "month_day", "month"]
_WEEKDAY_LED = ["weekday_date", "weekday"]
_WORD_LED: dict[str, list[str]] = {}
for _words, _kinds in [
    (
        "last next this past coming previous following",
        ["rel_weekday", "rel_month", "rel_season", "rel_unit", "rel_weekend"],
    ),
    ("spring summer autumn fall winter", ["season_year", "season"]),
    ("quarter", ["quarter", "latest_quarter"]),
    ("century", ["century"]),
    ("fiscal", ["fiscal"]),
    ("ago earlier before later hence", ["ago"]),
    ("weekend", ["weekend"]),
    ("end", ["end_of"]),
    ("year", ["year_ago", "year_end", "the_year"]),
    ("week", ["the_week"]),
    ("period", ["latest_period"]),
    ("nineteen", ["spelled_year"]),
    ("thanksgiving", ["thanksgiving"]),
    ("today yesterday tomorrow", ["deictic"]),
    ("now currently nowadays presently current recently formerly lately", ["ref"]),
    ("future", ["future"]),
]:
    for _word in _words.split():
        _WORD_LED[_word] = _kinds
_WORD_LED["fy"] = ["fiscal"]
_DIGITS = re.compile(r"[0-9]+")
_NAMES = re.compile(_MONTH_NAMES + "|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
_SHORT_DECADE = re.compile(r"['’][0-9]0s\b")


def _first_letter_alternation(words: list[str]) -> str:
    """`words` as one alternation grouped by first letter (`l(?:ast|ater)|n(?:ext|ow)`): `re` tries a handful
    of branches where a flat list of forty would try them all."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):  # the longer first: "nowadays" before "now"
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items())


_KEYWORDS = re.compile(r"\b(?:" + _first_letter_alternation(list(_WORD_LED)) + r")\b")


def _anchors(text: str) -> list[tuple[int, list[str]]]:
    """Where a date can start, with the patterns to try there in order."""
    out: list[tuple[int, list[str]]] = []
    for hit in _DIGITS.finditer(text):
        size, after = hit.end() - hit.start(), text[hit.end() : hit.end() + 1]
        if size == 4:
            out.append((hit.start(), _DIGIT_LED))
        elif size <= 2 and after in ("/", " ", "s", "n", "r", "t", "\t"):
            out.append((hit.start(), _DIGIT_LED[1:4]))  # numeric, day_month_year, day_month
    for hit in _NAMES.finditer(text):
        out.append((hit.start(), _WEEKDAY_LED if hit.group().endswith("day") else _MONTH_LED))
    lower = text.lower()
    if len(lower) == len(text):  # the offsets hold (a few letters lower-case into two)
        out.extend((hit.start(), _WORD_LED[hit.group()]) for hit in _KEYWORDS.finditer(lower))
    out.extend((hit.start(), ["decade_short"]) for hit in _SHORT_DECADE.finditer(text))
    return out


_BEFORE = {name: before for name, _, before in PATTERNS}
_FUTURE = re.compile(
    r"\b(will|'ll|shall|going to|plans?|planned|planning|scheduled|expected|is to|are to|would|set to|due to"
    r"|as soon as|as early as|until|resume|next)\b",
    re.I,
)


def find(text: str, published: str | dt.date | None) -> list[DateMention]:
    """Every date mentioned in `text`, in order, resolved against the publication day `published`."""
    anchor = _as_date(published)
    candidates: list[tuple[int, int, str, re.Match[str]]] = []
    for at, kinds in _anchors(text):
        if at and text[at - 1].isalnum():
            continue  # inside a word or a number ("Omar", "12020")
        for kind in kinds:
            match = _PATTERN[kind].match(text, at)
            if match is not None and _may_start(kind, text, at):
                candidates.append((at, _ORDER[kind], kind, match))
                break
    candidates.sort(key=lambda c: (c[0], c[1]))
    found: list[DateMention] = []
    for start, _, kind, match in candidates:
        end_before = found[-1].end if found else 0
        if start < end_before:
            continue
        mention = _resolve(kind, match, text, anchor, end_before)
        if mention is not None:
            found.append(mention)
    return found


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _may_start(kind: str, text: str, at: int) -> bool:
    """Whether what a pattern needs before its anchor is there ("the" before "weekend", a count before "ago")."""
    before = _BEFORE[kind]
    return not before.startswith("!") or BACKS[before[1:]].search(text, max(0, at - 40), at) is not None


def _resolve(kind: str, m: re.Match[str], text: str, anchor: dt.date | None, floor: int) -> DateMention | None:
    start, end = m.start(), m.end()
    before = _BEFORE[kind]
    back = BACKS[before.lstrip("!")].search(text, max(floor, start - 40), start) if before else None
    if before.startswith("!") and back is None:
        return None
    groups = _Groups(m, kind, back)
    if kind in _CASED and not _cased(groups):
        return None
    if back is not None:
        start = back.start()
    resolved = RESOLVERS[kind](groups, text, start, anchor)
    if resolved is None:
        return None
    value, granularity = resolved
    body = text[start:end].rstrip(" ,")
    return DateMention(start, start + len(body), body, value, granularity)


class _Groups:
    """A match's named groups (and those of what was read before its anchor), `None` when absent."""

    def __init__(self, match: re.Match[str], kind: str, back: re.Match[str] | None) -> None:
        self.match, self.kind, self.back = match, kind, back

    def __getitem__(self, name: str) -> str | None:
        try:
            found = self.match.group(f"{self.kind}__{name}")
        except IndexError:
            found = None
        if found is None and self.back is not None:
            found = self.back.groupdict().get(name)
        return found


def _cased(groups: _Groups) -> bool:
    """Month and weekday names count only when capitalised ("May", not "may"; "March", not "march")."""
    return all(not word or word[0].isupper() for word in (groups["mon"], groups["wd"]))


Resolver = Callable[[_Groups, str, int, "dt.date | None"], "tuple[str, str] | None"]


def _month(word: str | None) -> int:
    return MONTHS[(word or "").lower().rstrip(".")]


def _day_value(year: int | None, month: int, day: int) -> tuple[str, str] | None:
    if year is None:
        return (f"XXXX-{month:02d}-{day:02d}", "day") if 1 <= day <= 31 else None
    try:
        return dt.date(year, month, day).isoformat(), "day"
    except ValueError:
        return None


def _nearest_year(anchor: dt.date | None, month: int, day: int = 15) -> int | None:
    """The year that puts (month, day) nearest the anchor (news looks back: a tie goes to the past)."""
    if anchor is None:
        return None
    best: tuple[int, int] | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            distance = (dt.date(year, month, min(day, 28)) - anchor).days
        except ValueError:
            continue
        key = (abs(distance) * 2 + (distance > 0), year)
        if best is None or key < best:
            best = key
    return None if best is None else best[1]


def _iso(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return _day_value(int(g["y"] or 0), int(g["m"] or 0), int(g["d"] or 0))


def _numeric(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    month, day, year = int(g["m"] or 0), int(g["d"] or 0), int(g["y"] or 0)
    if year < 100:
        year += 1900 if year >= 50 else 2000
    if not 1 <= month <= 12:
        return None
    return _day_value(year, month, day)


def _month_day_year(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return _day_value(int(g["y"] or 0), _month(g["mon"]), int(g["d"] or 0))


def _month_year(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return f"{int(g['y'] or 0):04d}-{_month(g['mon']):02d}", "month"


def _month_day(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    month, day = _month(g["mon"]), int(g["d"] or 0)
    if not 1 <= day <= 31:
        return None
    return _day_value(_nearest_year(anchor, month, day), month, day)


def _weekday_date(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return _month_day_year(g, text, at, anchor) if g["y"] else _month_day(g, text, at, anchor)


def _month_rel_year(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    if anchor is None:
        return None
    return f"{anchor.year + _STEP[(g['rel'] or '').lower()]:04d}-{_month(g['mon']):02d}", "month"


def _ago(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    word = " ".join((g["n"] or "").lower().split())
    count = int(word) if word.isdigit() else NUMBERS.get(word)
    unit = (g["unit"] or "").lower().rstrip("s")
    if count is None:
        return None
    sign = 1 if (g["dir"] or "").lower().split()[0] in ("later", "from", "hence") else -1
    if anchor is None:
        return None
    return _shift(anchor, unit, sign * count)


def _shift(anchor: dt.date, unit: str, amount: int) -> tuple[str, str] | None:
    if unit == "day":
        return (anchor + dt.timedelta(days=amount)).isoformat(), "day"
    if unit == "week":
        year, week, _ = (anchor + dt.timedelta(weeks=amount)).isocalendar()
        return f"{year}-W{week:02d}", "week"
    if unit == "month":
        index = anchor.year * 12 + anchor.month - 1 + amount
        return f"{index // 12:04d}-{index % 12 + 1:02d}", "month"
    if unit == "quarter":
        index = anchor.year * 4 + (anchor.month - 1) // 3 + amount
        return f"{index // 4:04d}-Q{index % 4 + 1}", "quarter"
    if unit == "year":
        return f"{anchor.year + amount:04d}", "year"
    if unit == "decade":
        return f"{(anchor.year // 10 + amount):03d}", "decade"
    if unit == "century":
        return f"{(anchor.year // 100 + amount):02d}", "century"
    return None


_STEP = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "following": 1, "this": 0}


def _weekday_near(anchor: dt.date, weekday: int, direction: int) -> dt.date:
    """The weekday before (-1, strictly), after (1, strictly) or nearest in the tense's direction (0)."""
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    if direction < 0:
        return anchor - dt.timedelta(days=back or 7)
    if direction > 0:
        return anchor + dt.timedelta(days=ahead or 7)
    return anchor - dt.timedelta(days=back)


def _rel_weekday(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    if anchor is None:
        return None
    step = _STEP[(g["rel"] or "").lower()]
    weekday = WEEKDAYS[(g["wd"] or "").lower()]
    if step == 0:
        return _weekday(g, text, at, anchor)
    return _weekday_near(anchor, weekday, step).isoformat(), "day"


def _weekday(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    weekday = WEEKDAYS[(g["wd"] or "").lower()]
    if anchor is None:
        return None
    future = _future_context(text, at)
    day = _weekday_near(anchor, weekday, 1 if future and weekday != anchor.weekday() else 0)
    return day.isoformat(), "day"


def _weekend(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    """The weekend just past ("the weekend", "last weekend"), unless the clause looks ahead or says next."""
    if anchor is None:
        return None
    rel = (g["rel"] or "the").lower()
    ahead = rel in ("next", "coming") or (rel in ("the", "this") and _future_context(text, at))
    if ahead:
        day = anchor + dt.timedelta(days=(5 - anchor.weekday()) % 7 or 7)
    elif anchor.weekday() >= 5 and rel != "last":
        day = anchor
    else:
        day = anchor - dt.timedelta(days=anchor.weekday() + 2)  # the Saturday before this week
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}-WE", "week"


def _end_of(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    if anchor is None:
        return None
    return _shift(anchor, (g["unit"] or "").lower(), 0)


def _season(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    """A season alone: this year's, or last year's when this year's has not begun (news looks back)."""
    if anchor is None:
        return None
    code = SEASONS[(g["season"] or "").lower()]
    starts = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
    year = anchor.year if anchor.month >= starts[code] or _future_context(text, at) else anchor.year - 1
    return f"{year:04d}-{code}", "season"


def _nineties(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    words = ["twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"]
    decade = words.index((g["word"] or "").lower()) + 2
    century = 19 if anchor is None or anchor.year < 2000 + decade * 10 else 20
    return f"{century:02d}{decade}", "decade"


def _future_context(text: str, at: int) -> bool:
    """Whether the clause before `at` speaks of what is to come ("will meet on Monday")."""
    before = text[max(0, at - 60) : at]
    clause = re.split(r"[.;!?]", before)[-1]
    return bool(_FUTURE.search(clause))


def _rel_month(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    month = _month(g["mon"])
    if anchor is None:
        return None
    step = _STEP[(g["rel"] or "").lower()]
    if step < 0:
        year = anchor.year if month < anchor.month else anchor.year - 1
    elif step > 0:
        year = anchor.year if month > anchor.month else anchor.year + 1
    else:
        year = anchor.year
    return f"{year:04d}-{month:02d}", "month"


def _rel_season(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    season = SEASONS[(g["season"] or "").lower()]
    if anchor is None:
        return None
    step = _STEP[(g["rel"] or "").lower()]
    return f"{anchor.year + step:04d}-{season}", "season"


def _season_year(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return f"{int(g['y'] or 0):04d}-{SEASONS[(g['season'] or '').lower()]}", "season"


def _quarter(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    number = ORDINALS[(g["ord"] or "").lower()]
    if g["y"]:
        return f"{int(g['y']):04d}-Q{number}", "quarter"
    if anchor is None:
        return f"XXXX-Q{number}", "quarter"
    current = (anchor.month - 1) // 3 + 1
    year = anchor.year if number <= current else anchor.year - 1  # the latest such quarter begun
    return f"{year:04d}-Q{number}", "quarter"


def _latest_quarter(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    """In news "the quarter" and "the latest quarter" are the last one completed; "the current quarter" is this one."""
    if anchor is None:
        return None
    which = " ".join((g["which"] or "").lower().split())
    return _shift(anchor, "quarter", 0 if which == "current" else -1)


def _rel_unit(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    if anchor is None:
        return None
    step = _STEP[(g["rel"] or "").lower()]
    unit = (g["unit"] or "").lower()
    if (g["rel"] or "").lower() == "past" and unit in ("week", "month", "year", "decade", "century"):
        return None  # "the past year" is a duration, "the past" alone a reference
    return _shift(anchor, unit, step)


def _fiscal(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return f"{int(g['y'] or 0):04d}", "year"


def _decade(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    if g["short"] is not None:
        century = (anchor.year // 100 - (1 if int(g["short"]) * 10 > anchor.year % 100 else 0)) if anchor else 19
        return f"{century:02d}{g['short']}", "decade"
    return f"{g['cent']}{g['dec']}", "decade"


def _century(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    number = int(g["cn"]) if g["cn"] else CENTURY_WORDS[(g["cw"] or "").lower()]
    return f"{number - 1:02d}", "century"


def _deictic(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    word = " ".join((g["word"] or "").lower().split())
    offset = {"today": 0, "yesterday": -1, "tomorrow": 1, "the day before yesterday": -2}.get(word, 2)
    if anchor is None:
        return ("PRESENT_REF", "reference") if word == "today" else None
    return (anchor + dt.timedelta(days=offset)).isoformat(), "day"


def _year_ago(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    """The year-earlier quarter, "year-ago results": a year before the latest quarter completed."""
    return None if anchor is None else _shift(anchor, "quarter", -5)


def _this_year(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    if g["y2k"]:
        return "2000", "year"
    return None if anchor is None else (f"{anchor.year:04d}", "year")


def _this_week(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return None if anchor is None else _shift(anchor, "week", 0)


def _spelled_year(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    """Years said in words, as transcribed speech writes them: "nineteen ninety-six" is 1996."""
    tens = _SPELLED_TENS.index((g["tens"] or "").lower()) + 2
    ones = _SPELLED_ONES.index(g["ones"].lower()) + 1 if g["ones"] else 0
    return f"19{tens}{ones}", "year"


def _thanksgiving(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    """The fourth Thursday of November: the last one, unless the clause looks ahead or says next."""
    if anchor is None:
        return None

    def day(year: int) -> dt.date:
        first = dt.date(year, 11, 1)
        return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)

    rel = (g["rel"] or "").lower()
    ahead = rel == "next" or (rel != "last" and _future_context(text, at))
    if ahead:
        when = day(anchor.year) if day(anchor.year) >= anchor else day(anchor.year + 1)
    elif rel == "this":
        when = day(anchor.year)
    else:
        when = day(anchor.year) if day(anchor.year) <= anchor else day(anchor.year - 1)
    return when.isoformat(), "day"


_REFS = {
    "now": "PRESENT_REF", "currently": "PRESENT_REF", "nowadays": "PRESENT_REF", "presently": "PRESENT_REF",
    "at present": "PRESENT_REF", "these days": "PRESENT_REF", "the present": "PRESENT_REF", "current": "PRESENT_REF",
    "recently": "PAST_REF", "recent": "PAST_REF", "the past": "PAST_REF", "formerly": "PAST_REF",
    "previously": "PAST_REF", "lately": "PAST_REF", "the future": "FUTURE_REF", "soon": "FUTURE_REF",
    "in future": "FUTURE_REF", "the near future": "FUTURE_REF",
}  # fmt: skip


def _ref(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return _REFS.get(" ".join((g["ref"] or "these days").lower().split()), "FUTURE_REF"), "reference"


_COUNTED = re.compile(
    r"^\s*(?:%|percent|per\s+cent|people|persons|men|women|children|troops|soldiers|workers|jobs|votes|"
    r"voters|tons|tonnes|feet|foot|metres|meters|miles|kilometres|km|acres|barrels|cases|deaths|units|"
    r"shares|points|dollars|euros|pounds|yen|[mb]illion|thousand|hundred|vehicles|cars|homes|houses|"
    r"students|members|delegates|seats|calories|degrees)\b",
    re.I,
)


def _year(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    year = int(g["y"] or 0)
    end = g.match.end()
    before = text[max(0, at - 2) : at]
    if re.search(r"[$£€#]\s?$|\d[.,]?$", before):
        return None  # part of a number or an amount ("$2000", "1,2000")
    if _COUNTED.match(text[end : end + 20]):
        return None  # a count ("2000 people")
    if text[end : end + 1] in ("-", "–") and text[end + 1 : end + 3].isdigit() and len(text[end + 1 :].split()[0]) == 2:
        return f"{year:04d}", "year"  # "2009-10": the first year; the second is left out
    if not 1600 <= year <= 2100:
        return None
    return f"{year:04d}", "year"


def _month_alone(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    word = (g["mon"] or "").rstrip(".")
    month = _month(word)
    if word in ("May", "March") and not _month_context(text, g.match.start()):
        return None  # "May" the verb and name, "March" the walk: only with a date's words around them
    if len(word) <= 4 and word.lower() not in ("may", "june", "july"):
        return None  # "Jan" alone is a name more often than a month
    return (f"{_nearest_year(anchor, month):04d}-{month:02d}", "month") if anchor else (f"XXXX-{month:02d}", "month")


def _month_context(text: str, at: int) -> bool:
    """Whether the words just before the month's name are a date's ("in", "since", "early")."""
    before = text[max(0, at - 12) : at].lower()
    return bool(re.search(r"\b(in|since|until|by|of|early|late|mid|last|next|this|during|before|after)[\s-]*$", before))


RESOLVERS: dict[str, Resolver] = {
    "iso": _iso,
    "numeric": _numeric,
    "month_day_year": _month_day_year,
    "day_month_year": _month_day_year,
    "month_year": _month_year,
    "month_day": _month_day,
    "weekday_date": _weekday_date,
    "month_rel_year": _month_rel_year,
    "day_month": _month_day,
    "ago": _ago,
    "rel_weekday": _rel_weekday,
    "rel_weekend": _weekend,
    "decade_short": _decade,
    "century_word": _century,
    "future": _ref,
    "rel_month": _rel_month,
    "rel_season": _rel_season,
    "season_year": _season_year,
    "quarter": _quarter,
    "rel_unit": _rel_unit,
    "latest_quarter": _latest_quarter,
    "fiscal": _fiscal,
    "decade": _decade,
    "century": _century,
    "weekday": _weekday,
    "weekend": _weekend,
    "end_of": _end_of,
    "year_ago": _year_ago,
    "year_end": _this_year,
    "the_year": _this_year,
    "the_week": _this_week,
    "latest_period": _latest_quarter,
    "spelled_year": _spelled_year,
    "thanksgiving": _thanksgiving,
    "season": _season,
    "nineties": _nineties,
    "deictic": _deictic,
    "ref": _ref,
    "year": _year,
    "month": _month_alone,
}


def day_range(value: str) -> tuple[str, str] | None:
    """The first and last ISO day a TimeML value covers (None: a reference, or an X in it)."""
    if "X" in value or value.endswith("_REF"):
        return None
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            return value, value
        if m := re.fullmatch(r"(\d{4})-W(\d\d)", value):
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
        if m := re.fullmatch(r"(\d{4})-(\d\d)", value):
            year, month = int(m[1]), int(m[2])
            return dt.date(year, month, 1).isoformat(), dt.date(
                year, month, calendar.monthrange(year, month)[1]
            ).isoformat()
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            year, first = int(m[1]), (int(m[2]) - 1) * 3 + 1
            last = dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
            return dt.date(year, first, 1).isoformat(), last.isoformat()
        if m := re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value):
            year = int(m[1])
            spans = {"SP": ((3, 20), (6, 20)), "SU": ((6, 21), (9, 22)), "FA": ((9, 23), (12, 20))}
            if m[2] == "WI":
                return dt.date(year, 12, 21).isoformat(), dt.date(year + 1, 3, 19).isoformat()
            (a, b), (c, d) = spans[m[2]]
            return dt.date(year, a, b).isoformat(), dt.date(year, c, d).isoformat()
        if re.fullmatch(r"\d{4}", value):
            return f"{value}-01-01", f"{value}-12-31"
        if re.fullmatch(r"\d{3}", value):
            return f"{value}0-01-01", f"{value}9-12-31"
        if re.fullmatch(r"\d{2}", value):
            return f"{value}00-01-01", f"{value}99-12-31"
    except ValueError:
        return None
    return None
