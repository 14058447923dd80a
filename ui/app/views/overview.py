"""Archive: what it holds (documents, outlets, dates by month), failed files, index health, the model."""

from __future__ import annotations

import streamlit as st

from ui.app.resources import Shared
from ui.app.views import timeline
from ui.app.views.search import empty_archive


def page(res: Shared) -> None:
    stats, _ = res.overview()
    if stats.documents == 0:
        empty_archive()
        return
    with res.lock:
        res.archive.refresh()  # what an ingest (here or in another process) has committed since
        health = res.archive.health()
        outlet_counts = res.archive.outlet_counts()
        months = res.archive.months()
        failures = res.archive.failures()
        model = res.archive.model_name
    st.title("Archive")
    cols = st.columns(4)
    cols[0].metric("Documents", f"{stats.documents:,}", help=f"{stats.duplicates:,} of them exact duplicates")
    cols[1].metric("Outlets", f"{stats.outlets:,}")
    cols[2].metric("Undated", f"{stats.undated:,}")
    cols[3].metric("Failed files", f"{stats.failed_files:,}")
    st.write(f"Dates from **{stats.date_min or '—'}** to **{stats.date_max or '—'}**")
    if months:
        st.altair_chart(timeline.monthly_bars(months, height=180, title="articles"), width="stretch")
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
    st.subheader("Outlets")
    st.dataframe(
        [{"outlet": o or "(unknown outlet)", "articles": n} for o, n in outlet_counts],
        hide_index=True,
        column_config={"articles": st.column_config.NumberColumn(format="%d")},
    )
    if failures:
        st.subheader("Failed files")
        st.dataframe([{"file": f.path, "reason": f.reason} for f in failures], hide_index=True)
        if st.button(
            "Clear this list", help="Once dealt with. A file that still fails is listed again by its next ingest."
        ):
            with res.lock:
                res.archive.clear_failures()
            st.rerun()
