"""Plain-text forms of the library's results, for people at a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from archive import Document, DocumentSummary, Failure, IngestReport, Stats
from index.derived import IndexLag

MAX_LISTED = 20


def ingest_summary(report: IngestReport) -> str:
    lines = [
        f"{report.added:,} added, {report.unchanged:,} unchanged, {report.replaced:,} replaced, "
        f"{report.duplicates:,} exact duplicates; {len(report.failed):,} failed"
        + (f", {report.skipped_files:,} files of other types skipped" if report.skipped_files else "")
    ]
    if report.skipped_records:
        said = "; ".join(f"{n:,} {reason}" for reason, n in report.skipped_records)
        lines.append(f"Records passed over in web archives: {said}")
    if report.skipped_names:
        shown = ", ".join(Path(p).name for p in report.skipped_names[:MAX_LISTED])
        more = f" and {len(report.skipped_names) - MAX_LISTED:,} more" if len(report.skipped_names) > MAX_LISTED else ""
        lines.append(
            f"Left out of the folders (not articles, or --exclude): {shown}{more}; name a file to read it anyway"
        )
    lines += _listed("Failed", report.failed)
    lines += _listed("Warnings (kept, but look)", report.warnings)
    return "\n".join(lines)


def _listed(heading: str, items: Sequence[Failure]) -> list[str]:
    if not items:
        return []
    lines = [f"{heading}:"] + [f"  {f.path}: {f.reason}" for f in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(f"  … and {len(items) - MAX_LISTED:,} more (use --json for all)")
    return lines


def vector_index_text(kind: str | None, params: dict[str, int]) -> str:
    """ "flat (exact)", "hnsw", or the compressed kind with what it was built with."""
    if kind == "ivfpq" and params:
        return (
            f"ivfpq: {params.get('nlist', 0):,} lists, {params.get('pq_m', 0)}-byte codes, "
            f"{params.get('nprobe', 0)} lists searched, {params.get('rescore', 0)}x candidates rescored exactly"
        )
    return {"flat": "flat (exact)", "hnsw": "hnsw"}.get(kind or "", kind or "none yet")


def stats_text(stats: Stats, indexes: Sequence[IndexLag] = ()) -> str:
    span = f"{stats.date_min} to {stats.date_max}" if stats.date_min else "no dated documents"
    lines = [
        f"documents             {stats.documents:,} ({stats.duplicates:,} exact duplicates)",
        f"chunks                {stats.chunks:,}",
        f"outlets               {stats.outlets:,}",
        f"dates                 {span}; {stats.undated:,} undated",
        f"failed files          {stats.failed_files:,}",
    ]
    for index in indexes:
        state = "up to date" if index.lag == 0 else f"{index.lag:,} changes behind (caught up at the next ingest)"
        lines.append(f"{'index ' + index.name:<22}{state}")
    return "\n".join(lines)


def summary_line(doc: DocumentSummary) -> str:
    ext = f" [{doc.external_id}]" if doc.external_id else ""
    return (
        f"{doc.id:>7}  {doc.date or 'undated':<10}  {_cut(doc.outlet or '-', 24):<24}  {doc.title or '(no title)'}{ext}"
    )


def document_text(doc: Document) -> str:
    header = [
        click.style(doc.title or "(no title)", bold=True),
        f"{doc.outlet or 'unknown outlet'} · {doc.date or 'undated'} · id {doc.id}"
        + (f" · external id {doc.external_id}" if doc.external_id else ""),
        doc.url or doc.path,
    ]
    if doc.canonical_url:
        header.append(f"the page calls itself {doc.canonical_url}")
    if doc.captured:
        header.append(f"captured {doc.captured}")
    if doc.duplicate_of:
        header.append(f"exact duplicate of {doc.duplicate_of}")
    if doc.date_warning:
        header.append(f"note: {doc.date_warning}")
    return "\n".join(header) + "\n\n" + doc.text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
