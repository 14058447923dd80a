"""Charts over time: matching articles per month (drag to narrow the dates), related coverage by outlet."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import streamlit as st

from index.related import RelatedResult

if TYPE_CHECKING:  # altair and pandas take about a second to import: only where a chart is drawn
    import altair as alt

SPAN = "span"
DAY_MS = 86_400_000  # ticks at least a day apart (a day's dots had six "06 Feb 2023" labels, one per hours)
MONTH_MS = 28 * DAY_MS


def matches_chart(months: Sequence[tuple[str, int]], key: str) -> tuple[dt.date, dt.date] | None:
    """Bars of matches per month; returns the months the user dragged across, if any."""
    import altair as alt

    if len(months) < 2:
        return None
    chart = monthly_bars(months, height=140, title="matches").add_params(
        alt.selection_interval(encodings=["x"], name=SPAN)
    )
    st.caption("Matches over time: drag across the bars to narrow the date range.")
    event = st.altair_chart(chart, on_select="rerun", key=key, width="stretch")
    return selected_span(event)


def monthly_bars(months: Sequence[tuple[str, int]], height: int, title: str) -> alt.Chart:
    """A bar per month (YYYY-MM, count)."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame({"month": pd.to_datetime([m + "-01" for m, _ in months]), "articles": [c for _, c in months]})
    chart: alt.Chart = (
        alt.Chart(frame, height=height)
        .mark_bar()
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelOverlap=True, tickMinStep=MONTH_MS)),
            y=alt.Y("articles:Q", title=title),
            tooltip=[alt.Tooltip("month:T", format="%B %Y"), "articles:Q"],
        )
    )
    return chart


def selected_span(event: Any) -> tuple[dt.date, dt.date] | None:
    """The whole months an interval selection covers: its values are epoch milliseconds or ISO strings."""
    try:
        values = next(iter(event["selection"][SPAN].values()))
        start, end = (_to_date(v) for v in values[:2])
    except (KeyError, TypeError, StopIteration, ValueError, AttributeError):
        return None
    start, end = min(start, end), max(start, end)
    last_day = calendar.monthrange(end.year, end.month)[1]
    return start.replace(day=1), end.replace(day=last_day)


def _to_date(value: Any) -> dt.date:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.timezone.utc).date()
    return dt.date.fromisoformat(str(value)[:10])


def related_chart(results: Sequence[RelatedResult], seed_date: str | None = None) -> None:
    """Each related article as a dot: its date across, its outlet down; a rule at the seed's own date."""
    import altair as alt
    import pandas as pd

    dated = [r for r in results if r.date]
    if not dated:
        return
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime([r.date for r in dated]),
            "outlet": [r.outlet or "unknown" for r in dated],
            "title": [r.title or "(untitled)" for r in dated],
            "score": [r.score for r in dated],
        }
    )
    dots = (
        alt.Chart(frame, height=max(120, 22 * frame["outlet"].nunique()))
        .mark_circle(size=90)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b %Y", labelOverlap=True, tickMinStep=DAY_MS)),
            y=alt.Y("outlet:N", title=None, sort="-x"),
            color=alt.Color("score:Q", legend=None, scale=alt.Scale(scheme="blues")),
            tooltip=["title:N", "outlet:N", alt.Tooltip("date:T", format="%Y-%m-%d"), "score:Q"],
        )
    )
    chart: alt.Chart | alt.LayerChart = dots
    if seed_date:
        seed = pd.DataFrame({"date": pd.to_datetime([seed_date]), "label": ["this article"]})
        rule = alt.Chart(seed).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(x="date:T", tooltip=["label:N"])
        chart = alt.LayerChart(layer=[dots, rule])
    st.altair_chart(chart, width="stretch")
