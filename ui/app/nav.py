"""Moving between the app's views: the URL's parameters say which view and what it shows."""

from __future__ import annotations

import streamlit as st


def go(view: str, **params: str | list[str]) -> None:
    """Show another view: replace the URL's parameters at once and run the script again.

    One change of the URL is one entry in the browser's history, so Back returns to the view before
    (clearing and then setting the parameters one by one had left entries such as `?view=article`
    without an id behind it).
    """
    st.query_params.from_dict({**({"view": view} if view != "search" else {}), **params})
    st.rerun()
