"""Moving between the app's views: the URL's parameters say which view and what it shows."""

from __future__ import annotations

import streamlit as st


def go(view: str, **params: str | list[str]) -> None:
    """Show another view: replace the URL's parameters and run the script again."""
    st.query_params.clear()
    if view != "search":
        st.query_params["view"] = view
    st.query_params.update(params)
    st.rerun()
