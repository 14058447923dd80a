"""Collections: the user's named sets of articles, with notes; add from results or an article; export."""

from __future__ import annotations

import io
from collections.abc import Sequence

import streamlit as st

from archive import ArchiveError
from archive.export import write
from archive.models import CollectionEntry
from ui.app import render
from ui.app.nav import go
from ui.app.resources import Shared

NEW = "➕ A new collection…"
EXPORTS = {
    "csv": ("CSV", "text/csv"),
    "ris": ("RIS (Zotero, EndNote)", "application/x-research-info-systems"),
    "jsonl": ("JSON Lines", "application/jsonl"),
}


@st.fragment
def add_panel(res: Shared, choices: Sequence[tuple[int, str]], query: str, key: str) -> None:
    """A panel that adds the chosen articles (id, label) to a collection, new or old, with a note.

    A fragment, not a form: each tick reruns this panel alone and is kept by the server as it is made. In a
    form the ticks waited in the browser until Add, and under load one of two was lost there (1 article added
    where both boxes showed ticked; its cause in the browser not found)."""
    with res.lock:
        names = [c.name for c in res.archive.collections()]
    with st.container(border=True):
        st.markdown("**Add to a collection**" + (": tick the results to add" if len(choices) > 1 else ""))
        picked = _ticked(choices, key) if len(choices) > 1 else [choices[0][0]]
        left, right = st.columns(2)
        target = left.selectbox("Collection", [*names, NEW], key=f"target-{key}")
        fresh = right.text_input("New collection's name", key=f"fresh-{key}", placeholder="e.g. Kerman blasts")
        note = st.text_input("Note (optional)", key=f"note-{key}", placeholder="why these articles")
        if not st.button("Add", key=f"add-{key}"):
            return
    name = " ".join(fresh.split()) if target == NEW else str(target)
    if not name or not picked:
        st.warning("Choose the articles and a collection (or name a new one) first.")
        return
    known = {n.casefold(): n for n in names}  # a "new" name that is taken means that collection (names ignore case)
    name = known.get(name.casefold(), name)
    try:
        with res.lock:
            if name not in names:
                res.archive.create_collection(name)
            added = res.archive.add_to_collection(name, [int(i) for i in picked], note.strip() or None, query or None)
    except ArchiveError as exc:
        st.error(str(exc))
        return
    st.success(f"{added} article{'s' if added != 1 else ''} in “{name}”")


def _ticked(choices: Sequence[tuple[int, str]], key: str) -> list[int]:
    """One checkbox per result, in two columns."""
    columns = st.columns(2)
    return [
        doc_id
        for i, (doc_id, label) in enumerate(choices)
        if columns[i % 2].checkbox(render.plain(label), key=f"pick-{key}-{doc_id}")
    ]


def page(res: Shared) -> None:
    st.title("Collections")
    with res.lock:
        found = res.archive.collections()
    if not found:
        st.info("No collections yet. Add articles to one from the search results or an article's page.")
        return
    names = [c.name for c in found]
    wanted = st.query_params.get("name", names[0])
    chosen = st.selectbox(
        "Collection",
        names,
        index=names.index(wanted) if wanted in names else 0,
        format_func=lambda n: f"{n} ({next(c.articles for c in found if c.name == n):,} articles)",
        key="collection-chosen",
    )
    if chosen is None:
        return
    with res.lock:
        collection = res.archive.collection(chosen)
        rows = {fmt: _export(res, chosen, fmt) for fmt in EXPORTS}
    st.dataframe(
        [
            {
                "date": e.date or "undated",
                "outlet": e.outlet or "",
                "title": e.title or "(untitled)",
                "note": e.note or "",
                "found by": e.query or "",
                "id": e.id if e.id is not None else "gone",
            }
            for e in collection.entries
        ],
        hide_index=True,
    )
    columns = st.columns(len(EXPORTS) + 1)
    for column, (fmt, (label, mime)) in zip(columns, EXPORTS.items()):
        column.download_button(
            f"Export {label}", rows[fmt], f"{chosen}.{fmt}", mime, on_click="ignore", key=f"export-{fmt}"
        )
    opened = [e for e in collection.entries if e.id is not None]
    if opened:
        left, _ = st.columns([2, 3])
        target = left.selectbox(
            "Open an article",
            [e.id for e in opened],
            format_func=lambda i: _title(opened, i),  # options are shown as text, not Markdown
        )
        if left.button("Open") and target is not None:
            go("article", id=str(target))
    if columns[-1].button("Delete this collection", help="Its articles stay in the archive."):
        with res.lock:
            res.archive.delete_collection(chosen)
        st.rerun()


def _export(res: Shared, name: str, fmt: str) -> str:
    out = io.StringIO()
    write(res.archive.collection_rows(name), fmt, out)
    return out.getvalue()


def _title(entries: Sequence[CollectionEntry], doc_id: int | None) -> str:
    for e in entries:
        if e.id == doc_id:
            return f"{e.date or 'undated'} · {e.title or '(untitled)'}"
    return str(doc_id)


def annotations_form(res: Shared, doc_id: int) -> None:
    """The article's tags and note, to change and save."""
    with res.lock:
        mine = res.archive.annotations(doc_id)
        known = [t for t, _ in res.archive.tag_counts()]
    options = sorted(set(known) | set(mine.tags), key=str.lower)
    with st.form(f"annotate-{doc_id}", border=True):
        st.markdown("**Your tags and note**")
        left, right = st.columns(2)
        kept = left.multiselect("Tags", options, default=list(mine.tags), key=f"tags-{doc_id}")
        extra = right.text_input("New tags (comma-separated)", key=f"newtags-{doc_id}")
        note = st.text_area("Note", value=mine.note or "", key=f"note-{doc_id}", height=80)
        if not st.form_submit_button("Save tags and note"):
            return
    wanted = list(dict.fromkeys([*kept, *(t.strip() for t in extra.split(",") if t.strip())]))
    dropped = [t for t in mine.tags if t not in wanted]
    try:
        with res.lock:
            if dropped:
                res.archive.untag([doc_id], dropped)
            if wanted:
                res.archive.tag([doc_id], wanted)
            res.archive.set_note(doc_id, note)
    except ArchiveError as exc:
        st.error(str(exc))
        return
    st.success("Saved: " + (", ".join(wanted) if wanted else "no tags") + ("; with a note" if note.strip() else ""))
