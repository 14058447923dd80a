"""The app's entry: page routing from the URL, and the one place that turns errors into messages.

Views (the `view` query parameter): search (default), article (with `id`), stories, story (with `story`),
collections, ingest, archive.
"""

from __future__ import annotations

import os

import streamlit as st

from archive import ArchiveError
from archive.home import HOME_ENV, MODEL_ENV
from ui.app import render
from ui.app.nav import go
from ui.app.resources import Opener, Shared, default_opener, shared
from ui.crashlog import write_crash_log

VIEWS = {
    "search": "Search",
    "stories": "Stories",
    "collections": "Collections",
    "ingest": "Ingest",
    "archive": "Archive",
}


def main(opener: Opener | None = None, key: str | None = None) -> None:
    """Draw the app. `opener` opens the archive (tests inject one with a fake model); `key` names it."""
    st.set_page_config(page_title="semantic-archive", page_icon="🗞️", layout="wide")
    st.html(render.STYLE)
    try:
        resources = shared(key or _env_key(), opener or default_opener())
        _route(resources)
    except ArchiveError as exc:
        st.error(str(exc))
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a native panic too: a message and the log, never a traceback
        if type(exc).__module__.startswith("streamlit"):
            raise  # Streamlit's own control flow (rerun, stop)
        log = write_crash_log(exc)
        st.error(f"Unexpected error ({type(exc).__name__}: {exc}). Details are in {log}; please report it.")


def _env_key() -> str:
    return f"{os.environ.get(HOME_ENV, '')}|{os.environ.get(MODEL_ENV, '')}"


def _route(resources: Shared) -> None:
    from ui.app.views import article, collections, ingest, overview, search, stories

    view = st.query_params.get("view", "search")
    with st.sidebar:
        st.markdown("### semantic-archive")
        names = list(VIEWS)
        current = view if view in VIEWS else ("stories" if view == "story" else None)
        index = names.index(current) if current else None
        chosen = st.radio("Page", names, index=index, format_func=VIEWS.get, key=f"nav-{view}")
        st.caption(f"Archive: `{resources.archive.home}`")
        for notice in resources.archive.notices:
            st.html(render.warning_html(notice))
    if chosen is not None and chosen != current:
        go(chosen)
    if view == "article":
        article.page(resources)
    elif view == "stories":
        stories.page(resources)
    elif view == "story":
        stories.story_page(resources)
    elif view == "collections":
        collections.page(resources)
    elif view == "ingest":
        ingest.page(resources)
    elif view == "archive":
        overview.page(resources)
    else:
        search.page(resources)
