"""A search as URL query parameters and back, so a search can be shared as a link.

Parameters: q (query), mode (hybrid|lexical|semantic), share (the words' share of the fused score),
from / to (YYYY-MM-DD), outlet (repeated), undated (include|exclude|only), page (1-based), fusion
(weighted|rrf: how hybrid mode fuses its two rankings), tag (repeated: any of them), collection (a name),
mfrom / mto (YYYY-MM-DD: the text mentions a date in that range), literal (1: a date in the query stays words).
Anything malformed falls back to its default with a problem the page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from index.settings import SearchSettings

MODES = {"hybrid": "Hybrid", "lexical": "Words", "semantic": "Meaning"}
UNDATED = ("include", "exclude", "only", "inferred")
FUSIONS = {"weighted": "Weighted scores", "rrf": "Reciprocal ranks (RRF)"}
DEFAULT_SHARE = SearchSettings().lexical_share


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    mode: str = "hybrid"
    share: float = DEFAULT_SHARE
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outlets: tuple[str, ...] = ()
    undated: str | None = None
    page: int = 1
    fusion: str = "weighted"
    tags: tuple[str, ...] = ()
    collection: str | None = None
    mentions_from: dt.date | None = None
    mentions_to: dt.date | None = None
    literal: bool = False


@dataclass(frozen=True)
class Parsed:
    request: SearchRequest
    problems: tuple[str, ...] = field(default=())


def from_params(get_all: Callable[[str], list[str]]) -> Parsed:
    """Read a request from query parameters (`get_all(key)` returns every value of a key)."""
    problems: list[str] = []

    def one(key: str) -> str | None:
        values = get_all(key)
        return values[-1] if values else None

    mode = one("mode") or "hybrid"
    if mode not in MODES:
        problems.append(f"unknown mode {mode!r}; using hybrid")
        mode = "hybrid"
    share = _number(one("share"), DEFAULT_SHARE, 0.0, 1.0, "share", problems)
    fusion = one("fusion") or "weighted"
    if fusion not in FUSIONS:
        problems.append(f"unknown fusion {fusion!r}; using weighted")
        fusion = "weighted"
    page = int(_number(one("page"), 1, 1, 10_000, "page", problems))
    undated = one("undated")
    if undated is not None and undated not in UNDATED:
        problems.append(f"undated must be one of {', '.join(UNDATED)}; ignoring {undated!r}")
        undated = None
    date_from = _date(one("from"), "from", problems)
    date_to = _date(one("to"), "to", problems)
    if date_from and date_to and date_from > date_to:
        problems.append(f"the date range is empty ({date_from} is after {date_to}); dates ignored")
        date_from = date_to = None
    outlets = tuple(dict.fromkeys(o for o in get_all("outlet") if o))
    tags = tuple(dict.fromkeys(t.strip() for t in get_all("tag") if t.strip()))
    collection = (one("collection") or "").strip() or None
    said_from, said_to = _date(one("mfrom"), "mfrom", problems), _date(one("mto"), "mto", problems)
    if said_from and said_to and said_from > said_to:
        problems.append(f"the mentioned-date range is empty ({said_from} is after {said_to}); ignored")
        said_from = said_to = None
    request = SearchRequest(
        one("q") or "",
        mode,
        share,
        date_from,
        date_to,
        outlets,
        undated,
        page,
        fusion,
        tags,
        collection,
        said_from,
        said_to,
        one("literal") == "1",
    )
    return Parsed(request, tuple(problems))


def to_params(request: SearchRequest) -> dict[str, str | list[str]]:
    """The query parameters for a request (defaults left out, so links stay short)."""
    out: dict[str, str | list[str]] = {}
    if request.query:
        out["q"] = request.query
    if request.mode != "hybrid":
        out["mode"] = request.mode
    if request.share != DEFAULT_SHARE:
        out["share"] = f"{request.share:g}"
    if request.date_from:
        out["from"] = request.date_from.isoformat()
    if request.date_to:
        out["to"] = request.date_to.isoformat()
    if request.outlets:
        out["outlet"] = list(request.outlets)
    if request.undated:
        out["undated"] = request.undated
    if request.page != 1:
        out["page"] = str(request.page)
    if request.fusion != "weighted":
        out["fusion"] = request.fusion
    if request.tags:
        out["tag"] = list(request.tags)
    if request.collection:
        out["collection"] = request.collection
    if request.mentions_from:
        out["mfrom"] = request.mentions_from.isoformat()
    if request.mentions_to:
        out["mto"] = request.mentions_to.isoformat()
    if request.literal:
        out["literal"] = "1"
    return out


def _number(value: str | None, default: float, low: float, high: float, name: str, problems: list[str]) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # also false for nan
        problems.append(f"{name} must be a number from {low:g} to {high:g}; ignoring {value!r}")
        return default
    return number


def _date(value: str | None, name: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name}={value!r} is not a date (YYYY-MM-DD); ignored")
        return None
