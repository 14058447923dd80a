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

VERSION = 1  # bump when the rules change: the mentions index scans every article again

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


# the pieces the patterns are made of (case-insensitive unless said)
_MONTH = (
    r"(?P<{0}>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>1[6-9]\d\d|20\d\d)"
_WEEKDAY = r"(?P<{0}>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MOD = r"(?:(?:early|earlier|late|later|mid|the\s+(?:end|beginning|start|middle)\s+of)[\s-]+)?"
_NUM = r"(?P<n>\d{1,3}|a\s+few|an?|several|few|" + "|".join(w for w in NUMBERS if " " not in w and len(w) > 2) + r")"
_UNIT = r"(?P<unit>days?|weeks?|months?|years?|decades?)"
_REL = r"(?P<rel>last|next|this|past|coming|previous|following)"
_END = r"(?![\w:/])"  # not the start of a longer number, a time (5:30) or a path

PATTERNS: list[tuple[str, str]] = [
    ("iso", rf"\b{_YEAR.format('y')}-(?P<m>[01]\d)-(?P<d>[0-3]\d){_END}"),
    ("numeric", r"\b(?P<m>[01]?\d)/(?P<d>[0-3]?\d)/(?P<y>(?:19|20)?\d\d)" + _END),
    ("month_day_year", rf"\b{_MOD}{_MONTH.format('mon')}\s+{_DAY.format('d')},?\s+{_YEAR.format('y')}{_END}"),
    ("day_month_year", rf"\b{_DAY.format('d')}\s+(?:of\s+)?{_MONTH.format('mon')},?\s+{_YEAR.format('y')}{_END}"),
    ("month_year", rf"\b{_MOD}{_MONTH.format('mon')},?\s+(?:of\s+)?{_YEAR.format('y')}{_END}"),
    (
        "weekday_date",
        rf"\b{_WEEKDAY.format('wd')},?\s+{_MONTH.format('mon')}\s+{_DAY.format('d')}(?:,?\s+{_YEAR.format('y')})?{_END}",
    ),
    ("month_rel_year", rf"\b{_MOD}{_MONTH.format('mon')}\s+(?:of\s+)?(?P<rel>last|next|this)\s+year\b"),
    ("month_day", rf"\b{_MONTH.format('mon')}\s+{_DAY.format('d')}(?![\w:/]|,?\s+\d)"),
    ("day_month", rf"\b{_DAY.format('d')}\s+(?:of\s+)?{_MONTH.format('mon')}(?!\w)"),
    ("ago", rf"\b{_NUM}\s+{_UNIT}\s+(?P<dir>ago|earlier|before|later|from\s+now|hence)\b(?!\s+than)"),
    ("rel_weekday", rf"\b{_REL}\s+{_WEEKDAY.format('wd')}\b"),
    ("rel_month", rf"\b{_MOD}(?P<rel>last|next|this|past|coming)\s+{_MONTH.format('mon')}(?!\.?\s*\d)"),
    ("rel_season", rf"\b{_MOD}(?P<rel>last|next|this|past|coming)\s+(?P<season>spring|summer|autumn|fall|winter)\b"),
    (
        "season_year",
        rf"\b{_MOD}(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?{_YEAR.format('y')}{_END}",
    ),
    (
        "quarter",
        rf"\b(?:the\s+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter(?:\s+(?:of\s+)?{_YEAR.format('y')})?{_END}",
    ),
    (
        "latest_quarter",
        r"\b(?:the\s+)?(?P<which>latest|current|past|last|most\s+recent|recent|previous)?\s*(?:fiscal\s+)?quarter\b(?!\s+of\b)(?!s\b)",
    ),
    (
        "rel_unit",
        rf"\b{_MOD}(?:the\s+)?{_REL}\s+(?P<fiscal>fiscal\s+)?(?P<unit>week|month|year|quarter|decade|century)\b",
    ),
    ("fiscal", rf"\b(?:fiscal|FY)\s*(?:year\s+)?{_YEAR.format('y')}{_END}"),
    ("decade", r"\b(?:the\s+)?(?:(?P<cent>1[6-9]|20)(?P<dec>\d)0s|'(?P<short>\d)0s)\b"),
    (
        "century",
        r"\b(?:the\s+)?(?:(?P<cn>\d{1,2})(?:st|nd|rd|th)|(?P<cw>" + "|".join(CENTURY_WORDS) + r"))[\s-]+century\b",
    ),
    ("weekend", r"\b(?P<rel>the|this|last|next|past|coming)\s+weekend\b"),
    ("end_of", r"\b(?:the\s+)?(?:end|beginning|start|middle)\s+of\s+(?:the|this)\s+(?P<unit>year|month)\b"),
    ("season", r"\b(?:the\s+)?(?:(?:early|late|mid)[\s-]+)?(?P<season>spring|summer|autumn|winter)\b(?!\s+(?:of|\d))"),
    ("nineties", r"\bthe\s+(?P<word>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b"),
    ("weekday", rf"\b{_WEEKDAY.format('wd')}\b(?!\s+(?:night|morning|afternoon|evening)s?\b)(?!s\b)"),
    ("deictic", r"\b(?P<word>today|yesterday|tomorrow|the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow)\b"),
    (
        "ref",
        r"\b(?P<ref>now|currently|nowadays|presently|at\s+present|these\s+days|the\s+present|current"
        r"|recently|formerly|lately|the\s+future|the\s+near\s+future|in\s+future)\b",
    ),
    ("year", rf"\b{_MOD}{_YEAR.format('y')}{_END}(?!-[01]\d-)"),
    ("month", rf"\b{_MOD}{_MONTH.format('mon')}(?![\w.]*\s*\d)"),
]
_CASED = {
    "month_day", "day_month", "month_year", "month", "weekday", "rel_month", "month_day_year", "day_month_year",
    "weekday_date", "month_rel_year",
}  # fmt: skip


def _scoped(kind: str, body: str) -> str:
    """A pattern's groups renamed `kind__name`: one scanner holds every pattern, and names must be unique."""
    return re.sub(r"\(\?P<(\w+)>", lambda g: f"(?P<{kind}__{g[1]}>", body)


SCANNER = re.compile("|".join(f"(?P<_{name}>{_scoped(name, body)})" for name, body in PATTERNS), re.IGNORECASE)
_FUTURE = re.compile(
    r"\b(will|'ll|shall|going to|plans?|planned|planning|scheduled|expected|is to|are to|would|set to|due to"
    r"|as soon as|as early as|until|resume|next)\b",
    re.I,
)


def find(text: str, published: str | dt.date | None) -> list[DateMention]:
    """Every date mentioned in `text`, in order, resolved against the publication day `published`."""
    anchor = _as_date(published)
    found: list[DateMention] = []
    for match in SCANNER.finditer(text):
        kind = next(k[1:] for k, v in match.groupdict().items() if k.startswith("_") and v is not None)
        mention = _resolve(kind, match, text, anchor)
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


def _resolve(kind: str, m: re.Match[str], text: str, anchor: dt.date | None) -> DateMention | None:
    body = m.group(f"_{kind}")
    start = m.start(f"_{kind}")
    groups = _Groups(m, kind)
    if kind in _CASED and not _cased(groups):
        return None
    resolved = RESOLVERS[kind](groups, text, start, anchor)
    if resolved is None:
        return None
    value, granularity = resolved
    stripped = body.rstrip(" ,")
    return DateMention(start, start + len(stripped), stripped, value, granularity)


class _Groups:
    """A match's named groups, `None` when absent, read without the pattern-name prefixes."""

    def __init__(self, match: re.Match[str], kind: str) -> None:
        self.match, self.kind = match, kind

    def __getitem__(self, name: str) -> str | None:
        try:
            return self.match.group(f"{self.kind}__{name}")
        except IndexError:
            return None


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
    rel = (g["rel"] or "").lower()
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
    if anchor is None or not text[at : at + 4].lower().startswith(("the ", "the\n")):
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


_REFS = {
    "now": "PRESENT_REF", "currently": "PRESENT_REF", "nowadays": "PRESENT_REF", "presently": "PRESENT_REF",
    "at present": "PRESENT_REF", "these days": "PRESENT_REF", "the present": "PRESENT_REF", "current": "PRESENT_REF",
    "recently": "PAST_REF", "recent": "PAST_REF", "the past": "PAST_REF", "formerly": "PAST_REF",
    "previously": "PAST_REF", "lately": "PAST_REF", "the future": "FUTURE_REF", "soon": "FUTURE_REF",
    "in future": "FUTURE_REF", "the near future": "FUTURE_REF",
}  # fmt: skip


def _ref(g: _Groups, text: str, at: int, anchor: dt.date | None) -> tuple[str, str] | None:
    return _REFS[" ".join((g["ref"] or "").lower().split())], "reference"


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
    if word in ("May", "March") and not _month_context(text, at):
        return None  # "May" the verb and name, "March" the walk: only with a date's words around them
    if len(word) <= 4 and word.lower() not in ("may", "june", "july"):
        return None  # "Jan" alone is a name more often than a month
    return (f"{_nearest_year(anchor, month):04d}-{month:02d}", "month") if anchor else (f"XXXX-{month:02d}", "month")


def _month_context(text: str, at: int) -> bool:
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
