"""Ingest: upload files or name a folder; a progress bar per phase; the failures and why, at the end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import streamlit as st

from archive import ArchiveError, IngestReport, Progress
from ui.app.resources import Shared

UPLOADS = "uploads"


def page(res: Shared) -> None:
    st.title("Add articles")
    st.write(
        "HTML pages, text and Markdown, PDF, web archives (WARC), and JSON, JSON Lines or CSV files of records "
        "(gzip-compressed too). Files already in the archive are skipped; changed ones are replaced."
    )
    uploads = st.file_uploader("Upload files", accept_multiple_files=True)
    folder = st.text_input("…or a folder or file on this computer", placeholder="~/news/2024")
    embed = st.checkbox("Embed for meaning search now (slow on a laptop; `archive embed` can do it later)", value=True)
    if not st.button("Ingest", type="primary"):
        return
    paths = _paths(res, uploads or [], folder.strip())
    if not paths:
        return
    report = _run(res, paths, embed)
    if report is not None:
        show_report(report)


def _paths(res: Shared, uploads: list[Any], folder: str) -> list[str]:
    paths: list[str] = []
    if folder:
        path = Path(folder).expanduser()
        if not path.exists():
            st.error(f"{path} does not exist")
            return []
        paths.append(str(path))
    if uploads:
        paths.extend(str(p) for p in save_uploads(res.archive.home, uploads))
    if not paths:
        st.warning("Choose files to upload or type a folder path first.")
    return paths


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


def _run(res: Shared, paths: list[str], embed: bool) -> IngestReport | None:
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
            report = writer.ingest(paths, embed=embed, progress=on_progress, step=on_step)
        finally:
            writer.close()
    except ArchiveError as exc:
        st.error(str(exc))
        return None
    reading.progress(1.0, text="Phase 1: done")
    steps.progress(1.0, text="Phase 2: done" if embed else "Phase 2: deferred (run `archive embed`)")
    return report


def show_report(report: IngestReport) -> None:
    counts = (
        f"{report.added:,} added · {report.replaced:,} replaced · {report.unchanged:,} unchanged · "
        f"{report.duplicates:,} exact duplicates · {len(report.failed):,} failed"
    )
    (st.success if not report.failed else st.warning)(counts)
    if report.failed:
        st.subheader("Not ingested")
        st.dataframe([{"file": f.path, "reason": f.reason} for f in report.failed], hide_index=True)
    if report.warnings:
        st.subheader("Kept, with a note")
        st.dataframe([{"file": f.path, "note": f.reason} for f in report.warnings], hide_index=True)
