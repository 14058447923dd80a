"""Article: the full text with both kinds of highlight (the first in view), its copies, related coverage."""

from __future__ import annotations

import html
from collections import defaultdict
from urllib.parse import urlparse

import streamlit as st

from archive import ArchiveError
from archive.models import Document
from index.related import RelatedResult
from index.settings import DEFAULT_WINDOW_DAYS, RelatedSettings
from ui.app import render
from ui.app.nav import go
from ui.app.resources import Shared
from ui.app.views import timeline

SCROLL_TO_FIRST = (
    "<script>const hit = window.parent.document.getElementById('"
    + render.FIRST_HIT
    + "') || document.getElementById('"
    + render.FIRST_HIT
    + "'); if (hit) { hit.scrollIntoView({block: 'center'}); }</script>"
)
WINDOWS = {7: "7 days", DEFAULT_WINDOW_DAYS: f"{DEFAULT_WINDOW_DAYS} days", 30: "30 days", 90: "90 days", 0: "any time"}


def page(res: Shared) -> None:
    doc_id = st.query_params.get("id", "")
    query = st.query_params.get("q", "")
    if st.button("← Back to search"):
        go("search", **st.session_state.get("last_search", {"q": query} if query else {}))
    try:
        with res.lock:
            doc = res.archive.get(doc_id)
            highlights = res.archive.highlights(doc.text, query) if query else ()
            copies = res.archive.copies(doc.id)
    except ArchiveError as exc:
        st.error(str(exc))
        return
    st.html(header_html(doc, copies))
    if query:
        st.html(render.LEGEND)
    st.html(render.article_html(doc.text, highlights))
    if highlights:
        st.html(SCROLL_TO_FIRST, unsafe_allow_javascript=True)
    _related(res, doc)


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


def _link(address: str) -> str:
    if urlparse(address).scheme in ("http", "https"):
        return f'<a href="{html.escape(address, quote=True)}" target="_blank">{html.escape(address)}</a>'
    return html.escape(address)


def _related(res: Shared, doc: Document) -> None:
    st.subheader("Related coverage")
    left, _ = st.columns([1, 3])
    keys = list(WINDOWS)
    window = left.selectbox(
        "Within", keys, index=keys.index(DEFAULT_WINDOW_DAYS), format_func=lambda k: WINDOWS[k], key=f"window-{doc.id}"
    )
    try:
        with res.lock:
            results = res.archive.related(doc.id, settings=RelatedSettings(window_days=window or None))
    except ArchiveError as exc:
        st.error(render.plain(str(exc)))
        return
    if not results:
        st.caption("No related coverage found in this window.")
        return
    timeline.related_chart(results)
    by_outlet: dict[str, list[RelatedResult]] = defaultdict(list)
    for r in results:
        by_outlet[r.outlet or "unknown outlet"].append(r)
    for outlet, items in sorted(by_outlet.items(), key=lambda kv: -max(r.score for r in kv[1])):
        st.html(f"<b>{html.escape(outlet)}</b>")
        for r in sorted(items, key=lambda r: r.date or ""):
            days = "" if r.days_from_seed is None else f" ({r.days_from_seed:+d} days)"
            label = f"{r.date or 'undated'}{days} · {r.title or '(untitled)'}"
            if st.button(render.plain(label), key=f"related-{doc.id}-{r.id}"):
                go("article", id=str(r.id))
