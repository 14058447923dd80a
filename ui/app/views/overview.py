"""Archive: what it holds (documents, outlets, dates by month), failed files, index health, the model."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui.app.resources import Shared
from ui.app.views.search import empty_archive


def page(res: Shared) -> None:
    with res.lock:
        stats = res.archive.store.stats()
        if stats.documents == 0:
            empty_archive()
            return
        health = res.archive.health()
        months = res.archive.months()
        failures = res.archive.store.failures()
        model = res.archive.model_name
    st.title("Archive")
    cols = st.columns(4)
    cols[0].metric("Documents", f"{stats.documents:,}", help=f"{stats.duplicates:,} of them exact duplicates")
    cols[1].metric("Outlets", f"{stats.outlets:,}")
    cols[2].metric("Undated", f"{stats.undated:,}")
    cols[3].metric("Failed files", f"{stats.failed_files:,}")
    st.write(f"Dates from **{stats.date_min or '—'}** to **{stats.date_max or '—'}**")
    if months:
        frame = pd.DataFrame(
            {"month": pd.to_datetime([m + "-01" for m, _ in months]), "articles": [c for _, c in months]}
        )
        chart = (
            alt.Chart(frame, height=180)
            .mark_bar()
            .encode(
                x=alt.X("month:T", title=None),
                y="articles:Q",
                tooltip=[alt.Tooltip("month:T", format="%B %Y"), "articles:Q"],
            )
        )
        st.altair_chart(chart, width="stretch")
    st.subheader("Index health")
    cols = st.columns(4)
    cols[0].metric("Chunks", f"{health.chunks:,}")
    cols[1].metric("Chunks without vectors", f"{health.chunks - health.embedded_chunks:,}")
    cols[2].metric("Word index behind the store", f"{health.lexical_lag:,}")
    cols[3].metric("Vector index behind the store", f"{health.vector_lag:,}")
    st.write(
        f"Model: `{health.model or model}` · vector index: {health.vector_index or 'none yet'} · "
        f"articles not yet checked for near-duplicates: {health.near_duplicate_lag:,}"
    )
    if health.chunks > health.embedded_chunks:
        st.info("Some passages have no vectors yet: meaning search skips them until `archive embed` has run.")
    if failures:
        st.subheader("Failed files")
        st.dataframe([{"file": f.path, "reason": f.reason} for f in failures], hide_index=True)
