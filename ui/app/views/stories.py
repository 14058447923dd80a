"""Stories: the archive organised into events (a list filtered by days, outlets and words; sorted by size or
outlets), and one story laid out: a timeline with a row per outlet, the first report and copies marked, the
coverage by outlet, the outlets that did not cover it, a link to every article.

The URL holds what is shown: `view=stories` with `from`, `to`, `outlet` (repeated), `words`, `sort`, `min`;
`view=story` with `story`. Back and a shared link show the same page.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Callable

import streamlit as st

from archive import ArchiveError
from archive.export import write
from index.story_view import Story, StorySummary
from ui.app import render
from ui.app.nav import go
from ui.app.resources import Shared
from ui.app.views.collections import EXPORTS
from ui.app.views.timeline import DAY_MS

SORTS = {"size": "Most articles", "outlets": "Most outlets", "date": "Newest"}
PAGE = 30


def page(res: Shared) -> None:
    st.title("Stories")
    query = st.query_params
    first, last = _date(query.get("from")), _date(query.get("to"))
    outlets = query.get_all("outlet")
    words = query.get("words", "")
    sort = query.get("sort", "size") if query.get("sort") in SORTS else "size"
    least = _int(query.get("min"), 1)
    for name in ("from", "to"):
        if query.get(name) and _date(query.get(name)) is None:
            st.warning(f"The link's {name} date {query.get(name)!r} is not a day (YYYY-MM-DD): it is left out.")
    with res.lock:
        known_outlets = res.archive.outlets()
    with st.form("stories-filters"):
        cols = st.columns([1, 1, 2, 2])
        picked_from = cols[0].date_input("From", value=first, format="YYYY-MM-DD")
        picked_to = cols[1].date_input("To", value=last, format="YYYY-MM-DD")
        picked_outlets = cols[2].multiselect(
            "Covered by", known_outlets, default=[o for o in outlets if o in known_outlets]
        )
        picked_words = cols[3].text_input("About (words)", value=words)
        cols = st.columns([2, 1, 3])
        picked_sort = cols[0].radio(
            "Order", list(SORTS), index=list(SORTS).index(sort), format_func=SORTS.get, horizontal=True
        )
        picked_min = cols[1].number_input("At least outlets", min_value=1, max_value=1000, value=least)
        if st.form_submit_button("Show stories"):
            params: dict[str, str | list[str]] = {"sort": picked_sort, "min": str(int(picked_min))}
            if isinstance(picked_from, dt.date):
                params["from"] = picked_from.isoformat()
            if isinstance(picked_to, dt.date):
                params["to"] = picked_to.isoformat()
            if picked_outlets:
                params["outlet"] = list(picked_outlets)
            if picked_words.strip():
                params["words"] = picked_words.strip()
            go("stories", **params)
    try:
        with res.lock:
            found = res.archive.stories(
                first.isoformat() if first else None,
                last.isoformat() if last else None,
                outlets,
                least,
                words or None,
                None if words and not query.get("sort") else sort,
                PAGE,
            )
        lag = found.unplaced
    except ArchiveError as exc:
        st.error(render.plain(str(exc)))
        return
    if lag:
        st.info(f"{lag:,} embedded articles are not in a story yet; they are placed after the next ingest or embed.")
    if not found.stories:
        st.caption("No stories match.")
        return
    shown = f"; the first {len(found.stories)}" if found.total > len(found.stories) else ""
    st.caption(f"{found.total:,} stories{shown}")
    for s in found.stories:
        if st.button(render.plain(_label(s)), key=f"story-{s.id}"):
            go("story", story=str(s.id))


def _label(s: StorySummary) -> str:
    days = "undated" if s.first is None else (s.first if s.last in (None, s.first) else f"{s.first} to {s.last}")
    return f"{s.label} · {days} · {s.size} article{'s' * (s.size != 1)}, {len(s.outlets)} outlet{'s' * (len(s.outlets) != 1)}"


def story_page(res: Shared) -> None:
    if st.button("← All stories"):
        go("stories")
    number = st.query_params.get("story", "")
    try:
        with res.lock:
            story = res.archive.story(number)
    except ArchiveError as exc:
        st.error(render.plain(str(exc)))
        return
    s = story.summary
    st.title(s.label)
    st.caption(render.plain(_label(s).removeprefix(f"{s.label} · ")))
    if story.event_date:
        st.caption(f"Event date: {story.event_date} (the day its articles name most near its start)")
    if story.by_content:
        st.caption("Some of its articles are undated: they were placed in this story by their content alone.")
    _timeline(story)
    st.subheader("Coverage by outlet")
    st.dataframe(
        [
            {
                "outlet": c.outlet,
                "articles": c.articles,
                "first": c.first,
                "last": c.last,
                "set apart by": ", ".join(c.terms),
            }
            for c in story.coverage
        ],
        hide_index=True,
    )
    if story.silent:
        names = ", ".join(f"{o} ({n})" for o, n in story.silent)
        st.html(f"<div class='sa-meta'>Not covered by (their articles in those days): {html.escape(names)}</div>")
    _exports(res, s)
    st.subheader("Articles")
    for a in s.articles:
        marks = []
        if a.id == story.first_report:
            marks.append("first report")
        if a.copy_of is not None:
            marks.append(f"copy of #{a.copy_of}")
        extra = f" · {', '.join(marks)}" if marks else ""
        label = f"{a.date or 'undated'} · {a.outlet or 'unknown outlet'} · {a.title or '(untitled)'}{extra}"
        if st.button(render.plain(label), key=f"story-article-{a.id}"):
            go("article", id=str(a.id))


def _exports(res: Shared, summary: StorySummary) -> None:
    """The story's articles as CSV, RIS or JSON Lines, each found by the story; built when clicked."""

    def rows_as(fmt: str) -> Callable[[], str]:
        def build() -> str:
            out = io.StringIO()
            with res.lock:
                write(res.archive.story_rows([summary]), fmt, out)
            return out.getvalue()

        return build

    columns = st.columns(len(EXPORTS) + 1)
    columns[0].markdown("Export the story:")
    for column, (fmt, (label, mime)) in zip(columns[1:], EXPORTS.items()):
        column.download_button(
            label, rows_as(fmt), f"story-{summary.id}.{fmt}", mime, on_click="ignore", key=f"story-export-{fmt}"
        )


def _timeline(story: Story) -> None:
    """A dot per dated article: its day across, its outlet down; the first report and the copies marked."""
    import altair as alt
    import pandas as pd

    dated = [a for a in story.summary.articles if a.date]
    if not dated:
        return
    kinds = [
        "first report" if a.id == story.first_report else ("copy" if a.copy_of is not None else "report") for a in dated
    ]
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime([a.date for a in dated]),
            "outlet": [a.outlet or "unknown" for a in dated],
            "title": [a.title or "(untitled)" for a in dated],
            "kind": kinds,
        }
    )
    days = pd.to_datetime([min(a.date or "" for a in dated), max(a.date or "" for a in dated)])
    domain = [(days[0] - pd.Timedelta(days=1)).isoformat(), (days[1] + pd.Timedelta(days=1)).isoformat()]
    axis = alt.Axis(format="%d %b %Y", labelOverlap=True, tickCount={"interval": "day", "step": 1}, tickMinStep=DAY_MS)
    chart = (
        alt.Chart(frame, height=max(120, 26 * frame["outlet"].nunique()))
        .mark_point(size=130, filled=True, opacity=0.75)
        .encode(
            x=alt.X("date:T", title=None, axis=axis, scale=alt.Scale(domain=domain)),
            y=alt.Y("outlet:N", title=None, sort=[c.outlet for c in story.coverage]),
            shape=alt.Shape(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=["first report", "report", "copy"], range=["diamond", "circle", "triangle"]),
            ),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=["first report", "report", "copy"], range=["#d62728", "#1f77b4", "#999999"]),
            ),
            tooltip=["title:N", "outlet:N", alt.Tooltip("date:T", format="%Y-%m-%d"), "kind:N"],
        )
    )
    st.altair_chart(chart, width="stretch")


def story_link(res: Shared, doc_id: int) -> None:
    """On an article's page: the story it belongs to, as a link."""
    with res.lock:
        found = res.archive.story_of([doc_id]).get(doc_id)
    if found is None:
        return
    if st.button(render.plain(f"Story: {_label(found)}"), key=f"article-story-{doc_id}"):
        go("story", story=str(found.id))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value)) if value else default
    except ValueError:
        return default
