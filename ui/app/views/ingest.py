"""Ingest: upload files or name a folder; a progress bar per phase; the failures and why, at the end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import streamlit as st

from archive import ArchiveError, IngestOptions, IngestReport, Progress
from ui.app.resources import Shared

UPLOADS = "uploads"
UPLOADER = "ingest-uploader"  # a counter in the key: a new uploader (empty) after each ingest
LAST_REPORT = "ingest-last-report"


def page(res: Shared) -> None:
    st.title("Add articles")
    st.write(
        "HTML pages, text and Markdown, PDF, web archives (WARC), and JSON, JSON Lines or CSV files of records "
        "(gzip-compressed too). Files already in the archive are skipped; changed ones are replaced."
    )
    generation = st.session_state.setdefault(UPLOADER, 0)
    uploads = st.file_uploader("Upload files", accept_multiple_files=True, key=f"uploads-{generation}")
    folder = st.text_input("…or a folder or file on this computer", placeholder="~/news/2024")
    source = st.text_input(
        "Outlet, for articles that name none and have no web address (optional)",
        placeholder="e.g. The Kerman Herald",
        help="Without it such articles are of an unknown outlet; the name is also kept as their source.",
    )
    embed = st.checkbox("Embed for meaning search now (slow on a laptop; `archive embed` can do it later)", value=True)
    if st.button("Ingest", type="primary"):
        paths, names = _paths(res, uploads or [], folder.strip())
        if paths:
            report = _run(res, paths, embed, IngestOptions(source=source.strip() or None))
            if report is not None:
                # the files were read: a fresh uploader, so the next click does not ingest them again
                st.session_state[LAST_REPORT] = (report, names)
                st.session_state[UPLOADER] = generation + 1
                st.rerun()
    if LAST_REPORT in st.session_state:
        report, names = st.session_state[LAST_REPORT]
        show_report(report, names)


def _paths(res: Shared, uploads: list[Any], folder: str) -> tuple[list[str], dict[str, str]]:
    """The paths to ingest, and the name each saved upload had on the user's machine."""
    paths: list[str] = []
    names: dict[str, str] = {}
    if folder:
        path = Path(folder).expanduser()
        if not path.exists():
            st.error(f"{path} does not exist")
            return [], {}
        paths.append(str(path))
    if uploads:
        saved = save_uploads(res.archive.home, uploads)
        for upload, target in zip(uploads, saved):
            names[str(target.resolve())] = Path(upload.name).name or target.name
        paths.extend(str(p) for p in saved)
    if not paths:
        st.warning("Choose files to upload or type a folder path first.")
    return paths, names


def shown_name(path: str, names: dict[str, str]) -> str:
    """A failure's file as the user knows it: an upload by its own name, not the archive's copy."""
    file, _, record = path.partition(" (record ")
    name = names.get(file)
    if name is None:
        return path
    return f"{name} (uploaded)" + (f" (record {record}" if record else "")


def save_uploads(home: Path, uploads: list[Any]) -> list[Path]:
    """Uploaded files, kept under the archive's home (the archive refers to its files by path).

    Each is ingested by its own path, not as a folder: a folder walk skips hidden names and unknown
    types silently, and an upload must never vanish without a reason.
    """
    folder = home / UPLOADS / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for number, upload in enumerate(uploads):
        name = Path(upload.name).name or f"upload-{number}"
        target = folder / name
        if target.exists():
            target = folder / f"{number}-{name}"
        target.write_bytes(upload.getvalue())
        saved.append(target)
    return saved


def _run(res: Shared, paths: list[str], embed: bool, options: IngestOptions) -> IngestReport | None:
    reading = st.progress(0.0, text="Phase 1: reading, chunking and indexing words…")
    steps = st.progress(0.0, text="Phase 2: waiting for phase 1")

    def on_progress(p: Progress) -> None:
        share = p.bytes_done / p.bytes_total if p.bytes_total else 0.0
        text = f"Phase 1: {p.files_done:,} of {p.files_total:,} files · {p.documents:,} articles"
        reading.progress(min(1.0, share), text=text)

    def on_step(name: str, done: int, total: int) -> None:
        steps.progress(min(1.0, done / total) if total else 1.0, text=f"{name}: {done:,} of {total:,}")

    try:
        writer = res.writer()
        try:
            report = writer.ingest(paths, options, embed=embed, progress=on_progress, step=on_step)
        finally:
            writer.close()
    except ArchiveError as exc:
        st.error(str(exc))
        return None
    with res.lock:
        res.archive.refresh()  # the reader sees the new articles, and the Archive page the indexes' new lag
    reading.progress(1.0, text="Phase 1: done")
    steps.progress(1.0, text="Phase 2: done" if embed else "Phase 2: deferred (run `archive embed`)")
    return report


def show_report(report: IngestReport, names: dict[str, str] | None = None) -> None:
    names = names or {}
    counts = (
        f"{report.added:,} added · {report.replaced:,} replaced · {report.unchanged:,} unchanged · "
        f"{report.duplicates:,} exact duplicates · {len(report.failed):,} failed"
    )
    (st.success if not report.failed else st.warning)(counts)
    if report.skipped_records:
        said = "; ".join(f"{n:,} {reason}" for reason, n in report.skipped_records)
        st.caption(f"Passed over in web archives: {said}")
    if report.skipped_names:
        left = ", ".join(Path(p).name for p in report.skipped_names[:20])
        st.caption(f"Left out of the folder (not articles): {left}. Name a file on its own to read it anyway.")
    if report.failed:
        st.subheader("Not ingested")
        rows = [{"file": shown_name(f.path, names), "reason": f.reason} for f in report.failed]
        st.dataframe(rows, hide_index=True)
    if report.warnings:
        st.subheader("Kept, with a note")
        rows = [{"file": shown_name(f.path, names), "note": f.reason} for f in report.warnings]
        st.dataframe(rows, hide_index=True)
