"""Search: the query and its filters (kept in the URL), then the results with highlighted passages."""

from __future__ import annotations

import datetime as dt
import html
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from archive import ArchiveError
from archive.export import write
from archive.models import Stats
from index import Filters
from index.search import SearchResponse, SearchResult
from index.settings import TUNED_RRF_K, SearchSettings
from ui.app import export, params, render
from ui.app.nav import go
from ui.app.resources import Shared
from ui.app.views import collections, timeline
from ui.reasons import match_reason

PAGE_SIZE = 10
PICKERS = "Dates from the pickers"
LAST_30 = "Last 30 days of the archive"
LAST_365 = "Last 365 days of the archive"
UNDATED_LABELS = {
    None: "Undated: kept, unless a date range is set",
    "include": "Undated: always kept",
    "exclude": "Undated: left out",
    "only": "Undated only",
    "inferred": "Undated: kept in a date range by the day their text suggests",
}
EXAMPLE = "How many people died in the Kerman blasts?"


@dataclass(frozen=True)
class Choices:
    """What the form offers: the archive's outlets, its tags with their counts, its collections' names."""

    outlets: list[str]
    tags: list[tuple[str, int]]
    collections: list[str]


def page(res: Shared) -> None:
    stats, outlets = res.overview()
    if stats.documents == 0:
        empty_archive()
        return
    parsed = params.from_params(st.query_params.get_all)
    for problem in parsed.problems:
        st.html(render.warning_html(problem))  # it quotes the URL's own text: shown as text, never as Markdown
    request = parsed.request
    with res.lock:
        choices = Choices(outlets, res.archive.tag_counts(), [c.name for c in res.archive.collections()])
    chosen = _form(request, stats, choices)
    if chosen is not None and chosen != request:
        request = chosen  # searched in this run; the URL follows without another run
        st.query_params.from_dict(params.to_params(chosen))
    if not request.query.strip():
        st.info(f"Ask a question in your own words or type some names, e.g. “{EXAMPLE}”")
        return
    _results(res, request, bool(choices.tags))


def empty_archive() -> None:
    st.title("Your archive is empty")
    st.write("Add articles (HTML, text, PDF, JSON/CSV records or web archives) to start searching.")
    if st.button("Add articles", type="primary"):
        go("ingest")


def _signature(request: params.SearchRequest) -> str:
    return str(abs(hash(tuple(sorted((k, str(v)) for k, v in params.to_params(request).items())))))


ANYWHERE = ""  # the collection filter's "anywhere" (a None value draws the box empty: "Choose an option")
SYNCED = "search-synced"  # the URL parameters the form's widgets were last set from
RESYNC = "search-resync"  # set: the next run sets every widget from the URL


def _sync_widgets(request: params.SearchRequest) -> None:
    """Set the form from the URL when the URL changed under it (a shared link, paging, back, the chart).

    The first time in a session only empty widgets are set: a query typed and submitted while the
    page was still loading arrives before this runs, and must not be replaced by the URL's empty one.
    """
    wanted = params.to_params(request)
    synced = st.session_state.get(SYNCED)
    force = st.session_state.pop(RESYNC, False)
    if "f-query" not in st.session_state:  # back from another view: Streamlit forgot the unshown widgets
        force = True
    if synced == wanted and not force:
        return
    values = {
        "f-query": request.query,
        "f-mode": request.mode,
        "f-share": float(request.share),
        "f-fusion": request.fusion,
        "f-quick": PICKERS,
        "f-from": request.date_from,
        "f-to": request.date_to,
        "f-outlets": list(request.outlets),
        "f-undated": request.undated,
        "f-tags": list(request.tags),
        "f-collection": request.collection or ANYWHERE,
        "f-mfrom": request.mentions_from,
        "f-mto": request.mentions_to,
    }
    for key, value in values.items():
        if force or synced is not None or key not in st.session_state:
            st.session_state[key] = value
    st.session_state[SYNCED] = wanted


def _form(request: params.SearchRequest, stats: Stats, choices: Choices) -> params.SearchRequest | None:
    _sync_widgets(request)
    low, high = _bounds(stats, request)
    with st.form("search", border=False):
        # What a reader needs first: the question, the dates, the outlets; the engine's knobs wait under Advanced.
        query = st.text_input("Search", placeholder=EXAMPLE, key="f-query")
        quick_col, from_col, to_col, outlet_col = st.columns([2, 1.4, 1.4, 3])
        quick_options = [PICKERS, LAST_30, LAST_365] + [str(y) for y in _years(stats)]
        quick = quick_col.selectbox("Quick date range", quick_options, key="f-quick")
        date_from = from_col.date_input("From", min_value=low, max_value=high, key="f-from")
        date_to = to_col.date_input("To", min_value=low, max_value=high, key="f-to")
        options = sorted(set(choices.outlets) | set(request.outlets), key=str.lower)
        chosen_outlets = outlet_col.multiselect("Outlets", options, placeholder="All outlets", key="f-outlets")
        chosen_tags, collection = _workbench_filters(request, choices)
        with st.expander("Advanced: how to match, undated articles", expanded=_advanced(request)):
            left, right = st.columns(2)
            mode = left.radio(
                "Match by", list(params.MODES), format_func=params.MODES.get, horizontal=True, key="f-mode"
            )
            undated_options: list[str | None] = list(UNDATED_LABELS)
            undated = left.selectbox(
                "Undated articles", undated_options, format_func=lambda k: UNDATED_LABELS[k], key="f-undated"
            )
            said_from_col, said_to_col = left.columns(2)
            said_from = said_from_col.date_input(
                "Text mentions a date from",
                key="f-mfrom",
                help="Articles whose text mentions a day in this range, whatever day they were published.",
            )
            said_to = said_to_col.date_input("…to", value=None, key="f-mto")
            share = right.slider(
                "Hybrid balance: share of words (the rest is meaning)", 0.0, 1.0, step=0.05, key="f-share"
            )
            fusion = right.radio(
                "Fuse words and meaning by",
                list(params.FUSIONS),
                format_func=params.FUSIONS.get,
                horizontal=True,
                key="f-fusion",
                help="Weighted scores (the default) use the balance above; reciprocal ranks use only each "
                f"article's rank in the two lists (k = {TUNED_RRF_K:g}) and ignore the balance.",
            )
        submitted = st.form_submit_button("Search", type="primary")
    if not submitted:
        return None
    start, end = _quick_range(quick, stats, _as_date(date_from), _as_date(date_to))
    if start and end and start > end:
        start, end = end, start
    chosen = params.SearchRequest(
        str(query).strip(),
        str(mode),
        float(share),
        start,
        end,
        tuple(chosen_outlets),
        undated,
        1,
        str(fusion),
        tuple(chosen_tags),
        collection,
        *sorted_range(_as_date(said_from), _as_date(said_to)),
    )
    if quick != PICKERS:  # run again so that the pickers show the range and the quick choice resets
        st.session_state[RESYNC] = True
        st.query_params.from_dict(params.to_params(chosen))
        st.rerun()
    st.session_state[SYNCED] = params.to_params(chosen)
    return chosen


def _workbench_filters(request: params.SearchRequest, choices: Choices) -> tuple[list[str], str | None]:
    """The user's tags (any of them) and collections, as filters; shown once the archive has some."""
    counts = dict(choices.tags)
    tags = sorted(set(counts) | set(request.tags), key=str.lower)
    names = sorted(set(choices.collections) | ({request.collection} if request.collection else set()), key=str.lower)
    if not tags and not names:
        return [], None
    tag_col, collection_col = st.columns([3, 2])
    chosen = tag_col.multiselect(
        "Your tags (any of them)",
        tags,
        format_func=lambda t: f"{t} ({counts.get(t, 0):,})",
        placeholder="Any or no tags",
        key="f-tags",
    )
    collection = collection_col.selectbox(
        "In your collection",
        [ANYWHERE, *names],
        format_func=lambda n: n or "Anywhere in the archive",
        key="f-collection",
    )
    return [str(t) for t in chosen], collection or None


def _advanced(request: params.SearchRequest) -> bool:
    """Open the Advanced part when the URL sets something in it (a shared link shows what it changed)."""
    default = params.SearchRequest()
    return (
        request.mode,
        request.share,
        request.fusion,
        request.undated,
        request.mentions_from,
        request.mentions_to,
    ) != (
        default.mode,
        default.share,
        default.fusion,
        default.undated,
        None,
        None,
    )


def sorted_range(low: dt.date | None, high: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    return (high, low) if low and high and low > high else (low, high)


def _as_date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _bounds(stats: Stats, request: params.SearchRequest) -> tuple[dt.date, dt.date]:
    dates = [dt.date.fromisoformat(d) for d in (stats.date_min, stats.date_max) if d]
    dates += [d for d in (request.date_from, request.date_to) if d]
    if not dates:
        today = dt.date.today()
        return today.replace(year=today.year - 30), today
    return min(dates), max(dates)


def _years(stats: Stats) -> list[int]:
    if not stats.date_min or not stats.date_max:
        return []
    return list(range(int(stats.date_max[:4]), int(stats.date_min[:4]) - 1, -1))


def _quick_range(
    quick: str, stats: Stats, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    if quick == PICKERS or not stats.date_max:
        return date_from, date_to
    last = dt.date.fromisoformat(stats.date_max)
    if quick == LAST_30:
        return last - dt.timedelta(days=29), last
    if quick == LAST_365:
        return last - dt.timedelta(days=364), last
    year = int(quick)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _results(res: Shared, request: params.SearchRequest, tagged: bool) -> None:
    """The page of results; `tagged`: the archive has tags, so the matches' tags are worth counting."""
    filters = _filters(request)
    offset = (request.page - 1) * PAGE_SIZE
    settings = SearchSettings(fusion=request.fusion, lexical_share=request.share)
    try:
        with res.lock:
            response = res.archive.search(
                request.query,
                filters,
                request.mode,
                PAGE_SIZE,
                offset,
                semantic_highlights=False,
                settings=settings,
                literal=request.literal,
            )
            months = res.archive.months(response.matched_ids)
            facets = res.archive.tag_counts(response.matched_ids) if tagged else []
            marked = res.archive.marks_for(request.query, [r.id for r in response.results])
    except ArchiveError as exc:  # e.g. a link to a collection since deleted
        st.error(str(exc))
        return
    if response.notice:
        st.info(response.notice[0].upper() + response.notice[1:])
    if response.dates_read is not None:
        phrase = response.dates_read.phrase
        if st.button(f"Search ‘{render.plain(phrase)}’ as words, not as dates", key="literal"):
            go("search", **params.to_params(replace(request, literal=True, page=1)))
    _summary(response, offset)
    _facets(facets, response, request)
    if response.results:
        st.html(render.legend(bool(request.mentions_from or request.mentions_to)))
    span = timeline.matches_chart(months, key=f"timeline-{_signature(request)}")
    if span is not None:
        go("search", **params.to_params(replace(request, date_from=span[0], date_to=span[1], page=1)))
    # Results are drawn with their word highlights first; the meaning highlights (a model call) follow.
    slots = [
        _result(res, result, rank, request, marked.get(result.id))
        for rank, result in enumerate(response.results, start=offset + 1)
    ]
    _pager(response, request)
    _exports(res, response, request, offset)
    if response.results:
        choices = [(r.id, f"{rank}. {r.title or '(untitled)'}") for rank, r in enumerate(response.results, offset + 1)]
        collections.add_panel(res, choices, request.query, key="results")
    with res.lock:
        response = res.archive.with_semantic_highlights(response)
    for slot, (rank, result) in zip(slots, enumerate(response.results, start=offset + 1)):
        slot.html(result_html(result, rank))


def _summary(response: SearchResponse, offset: int) -> None:
    shown = f"{offset + 1}–{offset + len(response.results)}" if response.results else "none"
    if offset + len(response.results) > response.matched:
        shown += "; after the matches, the nearest by meaning"
    st.markdown(
        f"**{response.matched:,}** matching articles (showing {shown}) · the filters left "
        f"**{response.filtered_articles:,}** articles"
    )
    if response.mode != "lexical" and response.vector_coverage < 1.0:
        st.caption(
            f"Meaning search covers {response.vector_coverage:.0%} of the archive's passages so far; "
            "embedding is under way (`archive embed`)."
        )


def _filters(request: params.SearchRequest) -> Filters:
    return Filters(
        request.date_from.isoformat() if request.date_from else None,
        request.date_to.isoformat() if request.date_to else None,
        request.outlets,
        request.undated,
        request.collection,
        request.tags,
        mentions_from=request.mentions_from.isoformat() if request.mentions_from else None,
        mentions_to=request.mentions_to.isoformat() if request.mentions_to else None,
    )


FACETS = 8  # tag buttons above the results


def _facets(counts: list[tuple[str, int]], response: SearchResponse, request: params.SearchRequest) -> None:
    """The tags the matches carry, most first; one click keeps only the matches with that tag."""
    shown = [(t, n) for t, n in counts if (t.lower(),) != tuple(x.lower() for x in request.tags)][:FACETS]
    if not shown:
        return
    among = (
        "the matches" if response.matched <= len(response.matched_ids) else f"the first {len(response.matched_ids):,}"
    )
    st.caption(f"Your tags among {among}: click one to keep only its articles")
    columns = st.columns(min(len(shown), 4))
    for i, (tag, count) in enumerate(shown):
        if columns[i % len(columns)].button(f"🏷 {tag} ({count:,})", key=f"facet-{tag}"):
            go("search", **params.to_params(replace(request, tags=(tag,), page=1)))


MARKS = {1: "Relevant", 0: "Not relevant"}


def _result(res: Shared, result: SearchResult, rank: int, request: params.SearchRequest, mark: int | None) -> Any:
    with st.container(border=True):
        slot = st.empty()
        slot.html(result_html(result, rank))
        open_col, *mark_cols, _ = st.columns([1.2, 1, 1.2, 2.6])
        if open_col.button("Open article", key=f"open-{result.id}-{rank}"):
            go("article", id=str(result.id), **params.to_params(request))
        for column, (grade, label) in zip(mark_cols, MARKS.items()):
            held = mark is not None and (mark > 0) == (grade > 0)
            if column.button(
                f"✓ {label}" if held else label,
                key=f"mark-{grade}-{result.id}-{rank}",
                disabled=held,
                help=f"Judge this article for “{request.query}”: `archive eval` scores the settings on your marks",
            ):
                with res.lock:
                    res.archive.mark(request.query, result.id, grade)
                st.rerun()
    return slot


def result_html(result: SearchResult, rank: int) -> str:
    """Title, outlet, date, copies, the highlighted passage and why it matched; all text escaped."""
    meta = " · ".join(html.escape(x) for x in (result.outlet or "unknown outlet", result.date or "undated"))
    if result.also_in:
        meta += " · also in: " + html.escape(", ".join(result.also_in))
    passage = render.passage_html(result.text, result.passage.start, result.passage.end, result.highlights)
    said = ""
    if result.mentions:
        named = dict.fromkeys(f"{m.text} ({m.value})" for m in result.mentions)
        said = f'<div class="sa-meta">Mentions: {html.escape("; ".join(list(named)[:6]))}</div>'
    return (
        f'<div class="sa-title"><b>{rank}. {html.escape(result.title or "(untitled)")}</b></div>'
        f'<div class="sa-meta">{meta}</div>{said}{passage}<div class="sa-why">{html.escape(why(result))}</div>'
    )


def why(result: SearchResult) -> str:
    return match_reason(result).capitalize()


def _pager(response: SearchResponse, request: params.SearchRequest) -> None:
    pages = max(1, math.ceil(response.matched / PAGE_SIZE))
    if pages == 1:
        return
    back, label, forward = st.columns([1, 2, 1])
    if back.button("← Previous", disabled=request.page <= 1):
        go("search", **params.to_params(replace(request, page=request.page - 1)))
    label.markdown(f"Page {request.page} of {pages}")
    if forward.button("Next →", disabled=request.page >= pages):
        go("search", **params.to_params(replace(request, page=request.page + 1)))


def _exports(res: Shared, response: SearchResponse, request: params.SearchRequest, offset: int) -> None:
    if not response.results:
        return
    _export_all(res, response, request)
    csv_col, json_col, _ = st.columns([1, 1, 3])
    csv_col.download_button(
        "Export page (CSV)", export.to_csv(response, offset + 1), "search-results.csv", "text/csv", on_click="ignore"
    )
    json_col.download_button(
        "Export page (JSON)",
        export.to_json(response, offset + 1),
        "search-results.json",
        "application/json",
        on_click="ignore",
    )


def _export_all(res: Shared, response: SearchResponse, request: params.SearchRequest) -> None:
    """Every match (as many as the count says), written only when a button is clicked."""
    if not response.matched:
        return
    settings = SearchSettings(fusion=request.fusion, lexical_share=request.share)

    def rows_as(fmt: str) -> Callable[[], str]:
        def build() -> str:
            out = io.StringIO()
            with res.lock:
                rows = res.archive.search_rows(
                    request.query, _filters(request), request.mode, settings, literal=request.literal
                )
                write(rows, fmt, out)
            return out.getvalue()

        return build

    columns = st.columns(len(collections.EXPORTS) + 1)
    columns[0].markdown(f"Export all **{response.matched:,}** matches:")
    for column, (fmt, (label, mime)) in zip(columns[1:], collections.EXPORTS.items()):
        column.download_button(
            label, rows_as(fmt), f"search-all.{fmt}", mime, on_click="ignore", key=f"export-all-{fmt}"
        )
