"""Article: the full text with both kinds of highlight (the first in view), its copies, related coverage."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlparse

import streamlit as st

from archive import ArchiveError
from archive.models import Document, StoredMention
from index.highlight import Highlight
from index.related import RelatedResult
from index.settings import DEFAULT_WINDOW_DAYS, RelatedSettings
from ui.app import params, render
from ui.app.nav import go
from ui.app.resources import Shared
from ui.app.views import collections, stories, timeline

# In a function of its own: the page keeps one script scope, and a second article's `const hit` at the top
# level was a SyntaxError ("Identifier 'hit' has already been declared"), so only the first article scrolled.
SCROLL_TO_FIRST = (
    "<script>(() => { const find = () => window.parent.document.getElementById('"
    + render.FIRST_HIT
    + "') || document.getElementById('"
    + render.FIRST_HIT
    + "'); let tries = 0; const scroll = () => { const hit = find(); "
    "if (hit) { hit.scrollIntoView({block: 'center'}); } else if (tries++ < 20) { setTimeout(scroll, 100); } }; "
    "scroll(); })();</script>"
)


def scroll_script(doc_id: int) -> str:
    """The scroll, marked with the article's id: an element with the same text as the last article's would
    be kept by the page, and its script not run again."""
    return SCROLL_TO_FIRST.replace("<script>", f"<script>/* article {doc_id} */", 1)


WINDOWS = {7: "7 days", DEFAULT_WINDOW_DAYS: f"{DEFAULT_WINDOW_DAYS} days", 30: "30 days", 90: "90 days", 0: "any time"}


def page(res: Shared) -> None:
    """One article. The URL carries the search it was opened from (q, dates, outlets, ...), so Back to
    search, the browser's Back button and a related article all keep it."""
    doc_id = st.query_params.get("id", "")
    search = params.from_params(st.query_params.get_all).request
    query = search.query
    if st.button("← Back to search"):
        go("search", **params.to_params(search))
    if not doc_id.strip():
        st.info("No article is chosen here. Search, then open an article from the results.")
        return
    try:
        with res.lock:
            doc = res.archive.get(doc_id)
            highlights = res.archive.highlights(doc.text, query) if query else ()
            copies = res.archive.copies(doc.id)
            mentioned = res.archive.mentions(doc.id)
    except ArchiveError as exc:
        st.error(str(exc))
        return
    asked = [m for m in mentioned if _in_range(m.day_from, m.day_to, search)]
    highlights = tuple(
        sorted((*highlights, *(Highlight(m.start, m.end, "date") for m in asked)), key=lambda h: h.start)
    )
    st.html(header_html(doc, copies) + mentions_html(mentioned))
    stories.story_link(res, doc.id)
    if query or asked:
        st.html(render.legend(bool(asked)))
    st.html(render.article_html(doc.text, highlights))
    if highlights:
        st.html(scroll_script(doc.id), unsafe_allow_javascript=True)
    left, right = st.columns(2)
    with left:
        collections.annotations_form(res, doc.id)
    with right:
        collections.add_panel(res, [(doc.id, doc.title or "(untitled)")], query, key=f"article-{doc.id}")
    _related(res, doc, search)


def header_html(doc: Document, copies: list[tuple[int, str | None]]) -> str:
    """Title, outlet, date, link or path, and copies; every value escaped, only http(s) links clickable."""
    meta = " · ".join(html.escape(x) for x in (doc.outlet or "unknown outlet", doc.date or "undated"))
    out = f"<h2>{html.escape(doc.title or '(untitled)')}</h2><div>{meta}</div><div>{_link(doc.url or doc.path)}</div>"
    if doc.canonical_url:
        out += f"<div>The page calls itself {_link(doc.canonical_url)}</div>"
    if doc.captured:
        out += f"<div>Captured {html.escape(doc.captured)}</div>"
    if doc.date_warning:
        out += f"<div><i>{html.escape(doc.date_warning)}</i></div>"
    if copies:
        names = ", ".join(html.escape(f"{o or 'unknown outlet'} (#{i})") for i, o in copies)
        out += f"<div>Copies of this article: {names}</div>"
    return out


def mentions_html(mentioned: Sequence[StoredMention], shown: int = 12) -> str:
    """The dates the text mentions (each value once, in text order), or nothing."""
    named = dict.fromkeys(f"{m.text} ({m.value})" for m in mentioned if m.day_from)
    if not named:
        return ""
    more = f" and {len(named) - shown} more" if len(named) > shown else ""
    return f'<div class="sa-meta">Dates it mentions: {html.escape("; ".join(list(named)[:shown]))}{more}</div>'


def _in_range(first: str | None, last: str | None, search: params.SearchRequest) -> bool:
    """Whether a mention's days meet the search's mentioned-date range (none set: no)."""
    if first is None or last is None or not (search.mentions_from or search.mentions_to):
        return False
    low = search.mentions_from.isoformat() if search.mentions_from else "0000-01-01"
    high = search.mentions_to.isoformat() if search.mentions_to else "9999-12-31"
    return first <= high and last >= low


def _link(address: str) -> str:
    if urlparse(address).scheme in ("http", "https"):
        return f'<a href="{html.escape(address, quote=True)}" target="_blank">{html.escape(address)}</a>'
    return html.escape(address)


def _related(res: Shared, doc: Document, search: params.SearchRequest) -> None:
    st.subheader("Related coverage")
    left, middle, _ = st.columns([1, 1, 2])
    keys = list(WINDOWS)
    window = left.selectbox(
        "Within", keys, index=keys.index(DEFAULT_WINDOW_DAYS), format_func=lambda k: WINDOWS[k], key=f"window-{doc.id}"
    )
    order = middle.radio("Order", list(ORDERS), format_func=ORDERS.get, horizontal=True, key=f"order-{doc.id}")
    try:
        with res.lock:
            results = res.archive.related(doc.id, settings=RelatedSettings(window_days=window or None))
    except ArchiveError as exc:
        st.error(render.plain(str(exc)))
        return
    if not results:
        st.caption("No related coverage found in this window.")
        return
    timeline.related_chart(results, doc.date)
    if order == "date":
        _by_date(doc, results, search)
        return
    by_outlet: dict[str, list[RelatedResult]] = defaultdict(list)
    for r in results:
        by_outlet[r.outlet or "unknown outlet"].append(r)
    for outlet, items in sorted(by_outlet.items(), key=lambda kv: -max(r.score for r in kv[1])):
        st.html(f"<b>{html.escape(outlet)}</b>")
        for r in sorted(items, key=lambda r: -r.score):
            _related_button(doc, r, search, with_outlet=False)


ORDERS = {"closest": "Closest first, by outlet", "date": "By date"}


def related_label(r: RelatedResult, with_outlet: bool) -> str:
    """ "2024-01-04 (+1 day) · The Guardian · Title · 82 % alike"."""
    days = (
        "" if r.days_from_seed is None else f" ({r.days_from_seed:+d} day{'' if abs(r.days_from_seed) == 1 else 's'})"
    )
    parts = [f"{r.date or 'undated'}{days}"] + ([r.outlet or "unknown outlet"] if with_outlet else [])
    return " · ".join([*parts, r.title or "(untitled)", f"{max(0.0, r.score):.0%} alike"])


def _related_button(doc: Document, r: RelatedResult, search: params.SearchRequest, with_outlet: bool) -> None:
    if st.button(render.plain(related_label(r, with_outlet)), key=f"related-{doc.id}-{r.id}"):
        go("article", id=str(r.id), **params.to_params(search))


def _by_date(doc: Document, results: list[RelatedResult], search: params.SearchRequest) -> None:
    """Every related article by date, with this article's own day marked among them."""
    dated = sorted((r for r in results if r.date), key=lambda r: (r.date or "", -r.score))
    marked = doc.date is None
    for r in dated:
        if not marked and (r.date or "") > (doc.date or ""):
            st.html(f"<div class='sa-seed'>▶ {html.escape(doc.date or '')} · this article</div>")
            marked = True
        _related_button(doc, r, search, with_outlet=True)
    if not marked:
        st.html(f"<div class='sa-seed'>▶ {html.escape(doc.date or '')} · this article</div>")
    for r in (r for r in results if not r.date):
        _related_button(doc, r, search, with_outlet=True)
