"""The library's commands: ingest, stats, show, list, backup and remove."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from archive import IngestOptions, ReadOptions, parse_field_overrides, report_json
from index import Filters, serialize
from ui import output
from ui.cli.base import CONTEXT, EXIT_NOTHING_INGESTED, cli, friendly, home_of, iso_date, open_archive
from ui.cli.collections import describe
from ui.progress import ProgressBar, StepBar, progress_option


@cli.command("ingest", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--source",
    metavar="NAME",
    help="Outlet name for documents that name none and have no URL (else: unknown outlet).",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="TARGET=FIELD",
    help="Read TARGET (text, title, date, outlet, url, authors, id, language) from FIELD of each record.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out files in the folders whose name or path (relative to the folder) matches, e.g. 'drafts/*'."
    " README, LICENSE and the like are left out of folders always.",
)
@click.option("--no-embed", is_flag=True, help="Store and index words only; embed later with `archive embed`.")
@progress_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a summary.")
@click.pass_context
@friendly
def ingest_cmd(
    ctx: click.Context,
    paths: tuple[str, ...],
    source: str | None,
    fields: tuple[str, ...],
    exclude: tuple[str, ...],
    no_embed: bool,
    progress_style: str,
    as_json: bool,
) -> None:
    """Read files and folders (recursively) into the archive.

    Formats: .txt .md .html .json .jsonl(.gz) .csv .pdf .warc(.gz). Unchanged files are skipped,
    changed ones replace their old version, and a file that cannot be read is reported at the end.
    Articles are searchable by words at once; embedding (phase 2) follows unless --no-embed.

    \b
    Example:
      archive ingest ../shared/seeds
      archive ingest basil/ --field text=body-paragraphs --json
    """
    options = IngestOptions(
        source=source, read=ReadOptions(fields=parse_field_overrides(list(fields))), exclude=tuple(exclude)
    )
    bar, steps = ProgressBar(progress_style), StepBar(progress_style)
    with open_archive(ctx) as archive:
        try:
            report = archive.ingest(paths, options, embed=False, progress=bar, step=steps)
        finally:
            bar.close()
        if not no_embed and report.stored_anything:
            try:
                archive.embed(step=steps)
            finally:
                steps.close()
    click.echo(report_json(report) if as_json else output.ingest_summary(report))
    if not report.stored_anything:
        click.echo("error: nothing could be read from the paths given; see the reasons above", err=True)
        sys.exit(EXIT_NOTHING_INGESTED)


@cli.command("stats", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly
def stats_cmd(ctx: click.Context, as_json: bool) -> None:
    """How many documents, chunks, outlets and dates the archive holds.

    \b
    Example:
      archive stats --json
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        stats = archive.stats()
        health = archive.health()
        lags = health.indexes
        search = archive.search_settings
        tuned = archive.tuned_on
    vector_index = health.vector_description
    if as_json:
        body = {**asdict(stats), "indexes": [asdict(i) for i in lags], "search": asdict(search)}
        click.echo(json.dumps({**body, "vector_index": vector_index}))
    else:
        how = f"tuned on {tuned:,} marked queries (archive tune)" if tuned else "the default"
        text = output.stats_text(stats, lags) + f"\nsearch fusion         {describe(search)}, {how}"
        if vector_index:
            text += (
                f"\nvector index          {output.vector_index_text(health.vector_index, dict(health.vector_params))}"
            )
        click.echo(text)
    if not as_json and stats.documents == 0:
        click.echo(f"\nThe archive at {home_of(ctx)} is empty. Add articles with: archive ingest FOLDER")


@cli.command("show", context_settings=CONTEXT)
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly
def show_cmd(ctx: click.Context, doc_id: str, as_json: bool) -> None:
    """Print one article: title, outlet, date, URL or path, and its text.

    ID is the archive's id (see `archive list`) or the article's external id.

    \b
    Example:
      archive show 42
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        doc = archive.get(doc_id)
        mine = archive.annotations(doc.id)
        mentioned = archive.mentions(doc.id)
        guess = archive.inferred_date(doc.id)
        story = archive.story_of([doc.id], place=False).get(doc.id)
    if as_json:
        body = {**serialize.document(doc), "tags": list(mine.tags), "note": mine.note}
        body |= {"date_mentions": serialize.mentions(mentioned)}
        body |= {"inferred_date": None if guess is None else {"day": guess[0], "evidence": guess[1]}}
        body |= {"story": None if story is None else {"id": story.id, "label": story.label, "size": story.size}}
        click.echo(json.dumps(body, ensure_ascii=False))
    else:
        extra = ([f"tags: {', '.join(mine.tags)}"] if mine.tags else []) + ([f"note: {mine.note}"] if mine.note else [])
        if guess is not None:
            extra.append(f"undated; proposed {guess[0]} ({guess[1]})")
        if story is not None and story.size > 1:
            extra.append(f"story {story.id}: {story.label} ({story.size} articles, {len(story.outlets)} outlets)")
        click.echo(output.document_text(doc) if not extra else "\n".join(extra) + "\n" + output.document_text(doc))


@cli.command("list", context_settings=CONTEXT)
@click.option("--outlet", "outlets", multiple=True, metavar="NAME", help="Only this outlet (repeatable).")
@click.option("--from", "date_from", metavar="DATE", help="Published on or after DATE (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Published on or before DATE (YYYY-MM-DD).")
@click.option("--collection", metavar="NAME", help="Only the articles of this collection.")
@click.option("--mentions-from", metavar="DATE", help="Only articles whose text mentions a date on or after DATE.")
@click.option("--mentions-to", metavar="DATE", help="…and on or before DATE.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only articles with this tag (repeatable: any).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many lines.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@click.pass_context
@friendly
def list_cmd(
    ctx: click.Context,
    outlets: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    collection: str | None,
    mentions_from: str | None,
    mentions_to: str | None,
    tags: tuple[str, ...],
    limit: int | None,
    as_json: bool,
) -> None:
    """List articles by date: id, date, outlet, title (and external id).

    A date range leaves out undated articles.

    \b
    Example:
      archive list --outlet Reuters --from 2024-01-01 --to 2024-01-31
      archive list --mentions-from 2024-01-03 --mentions-to 2024-01-03
    """
    filters = Filters(
        iso_date(date_from, "--from"),
        iso_date(date_to, "--to"),
        outlets,
        collection=collection,
        tags=tags,
        mentions_from=iso_date(mentions_from, "--mentions-from"),
        mentions_to=iso_date(mentions_to, "--mentions-to"),
    )
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        docs = archive.list(filters, limit)
    for doc in docs:
        click.echo(json.dumps(asdict(doc), ensure_ascii=False) if as_json else output.summary_line(doc))


@cli.command("backup", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
@friendly
def backup_cmd(ctx: click.Context, folder: Path) -> None:
    """Copy the archive's store (articles, chunks, vectors, failures) and manifest into FOLDER, safely
    while the app or another command reads it. The indexes are made again from the copy by reindex.

    \b
    Example:
      archive backup ~/backups/news-2026-12-01
      archive --home ~/backups/news-2026-12-01 reindex
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        target = archive.backup(folder)
        documents = archive.stats().documents
    click.echo(f"backed up {documents:,} articles to {target}; to use it: archive --home {folder} reindex")


@cli.command("remove", context_settings=CONTEXT)
@click.argument("doc_ids", nargs=-1, type=int, metavar="[ID]...")
@click.option("--source", metavar="NAME", help="Remove every article of this outlet or ingest --source.")
@click.pass_context
@friendly
def remove_cmd(ctx: click.Context, doc_ids: tuple[int, ...], source: str | None) -> None:
    """Remove articles by id, or all of one source. Files are not touched.

    \b
    Example:
      archive remove 42 43
      archive remove --source "Example Times"
    """
    if not doc_ids and not source:
        raise click.UsageError("name the ids to remove, or --source NAME")
    with open_archive(ctx, catch_up=False) as archive:
        removed = archive.remove(doc_ids, source)
    click.echo(f"removed {removed:,} article{'s' if removed != 1 else ''}")
