"""The user's own work: `archive collection ...` (named sets of articles, exported for citation), `archive tag`
and `archive note`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from archive.export import FORMATS, write
from index.settings import MODES
from ui.cli.base import CONTEXT, FilterArgs, cli, export_rows, filter_options, friendly, open_archive


@cli.group("collection", context_settings=CONTEXT)
def collection_group() -> None:
    """Named sets of articles, each with an optional note and the query that found it.

    Kept in the archive's store by each article's file (and record): they survive reindex, a re-ingest
    of a changed file and a backup.

    \b
    Example:
      archive collection create "Kerman blasts"
      archive collection add "Kerman blasts" 12 40 --note "first reports"
      archive collection export "Kerman blasts" --format ris -o kerman.ris
    """


@collection_group.command("create", context_settings=CONTEXT)
@click.argument("name")
@click.pass_context
@friendly
def create_cmd(ctx: click.Context, name: str) -> None:
    """Make an empty collection.

    \b
    Example:
      archive collection create "Kerman blasts"
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        archive.create_collection(name)
    click.echo(f"created collection {name!r}")


@collection_group.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.argument("doc_ids", nargs=-1, type=int, required=True, metavar="ID...")
@click.option("--note", metavar="TEXT", help="Why these articles are here (kept with each).")
@click.option("--query", metavar="TEXT", help="The search that found them.")
@click.pass_context
@friendly
def add_cmd(ctx: click.Context, name: str, doc_ids: tuple[int, ...], note: str | None, query: str | None) -> None:
    """Add articles by id (adding one again updates its note).

    \b
    Example:
      archive collection add "Kerman blasts" 12 40 --note "first reports"
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        added = archive.add_to_collection(name, doc_ids, note, query)
    click.echo(f"{added:,} article{'s' if added != 1 else ''} in {name!r}")


@collection_group.command("remove", context_settings=CONTEXT)
@click.argument("name")
@click.argument("doc_ids", nargs=-1, type=int, required=True, metavar="ID...")
@click.pass_context
@friendly
def remove_cmd(ctx: click.Context, name: str, doc_ids: tuple[int, ...]) -> None:
    """Take articles out of a collection (the articles stay in the archive).

    \b
    Example:
      archive collection remove "Kerman blasts" 40
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        removed = archive.remove_from_collection(name, doc_ids)
    click.echo(f"removed {removed:,} from {name!r}")


@collection_group.command("list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """Every collection with how many articles it holds.

    \b
    Example:
      archive collection list --json
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        found = archive.collections()
    if as_json:
        click.echo(json.dumps([asdict(c) for c in found], ensure_ascii=False))
        return
    for c in found:
        click.echo(f"{c.name}  ({c.articles:,} articles, made {c.created_at[:10]})")
    if not found:
        click.echo('No collections yet. Make one with: archive collection create "NAME"')


@collection_group.command("show", context_settings=CONTEXT)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help='Print JSON: {"name", "articles": [...]}.')
@click.pass_context
@friendly
def show_cmd(ctx: click.Context, name: str, as_json: bool) -> None:
    """A collection's articles, in the order they were added, with their notes.

    \b
    Example:
      archive collection show "Kerman blasts"
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        found = archive.collection(name)
    if as_json:
        body = {"name": found.name, "articles": [asdict(e) for e in found.entries]}
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    click.echo(f"{found.name}: {len(found.entries):,} articles")
    for e in found.entries:
        where = f"id {e.id}" if e.id is not None else "no longer in the archive"
        click.echo(f"  {e.date or 'undated'} · {e.outlet or 'unknown outlet'} · {e.title or '(no title)'} · {where}")
        if e.note:
            click.echo(f"      note: {e.note}")


@collection_group.command("export", context_settings=CONTEXT)
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (else stdout).")
@click.pass_context
@friendly
def export_cmd(ctx: click.Context, name: str, fmt: str, output: Path | None) -> None:
    """Write a collection for citation: CSV, JSON Lines or RIS (Zotero, EndNote).

    \b
    Example:
      archive collection export "Kerman blasts" --format ris -o kerman.ris
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        rows = archive.collection_rows(name)
        if output is None:
            count = write(rows, fmt, sys.stdout)
        else:
            count = export_rows(rows, output, fmt)
    if output is not None:
        click.echo(f"wrote {count:,} articles to {output}")


@collection_group.command("delete", context_settings=CONTEXT)
@click.argument("name")
@click.pass_context
@friendly
def delete_cmd(ctx: click.Context, name: str) -> None:
    """Delete a collection (its articles stay in the archive).

    \b
    Example:
      archive collection delete "Kerman blasts"
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        archive.delete_collection(name)
    click.echo(f"deleted collection {name!r}")


@cli.command("tag", context_settings=CONTEXT)
@click.argument("tag_name", metavar="TAG")
@click.argument("doc_ids", nargs=-1, type=int, metavar="ID...")
@click.option("--remove", is_flag=True, help="Take the tag off these articles instead.")
@click.pass_context
@friendly
def tag_cmd(ctx: click.Context, tag_name: str, doc_ids: tuple[int, ...], remove: bool) -> None:
    """Tag articles (many tags an article, any case); without IDs, list every tag with its articles.

    \b
    Example:
      archive tag casualties 12 40
      archive tag casualties 40 --remove
      archive search "Kerman" --tag casualties
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        if not doc_ids:
            counts = dict(archive.tag_counts())
            found = next((n for t, n in counts.items() if t.lower() == tag_name.lower()), 0)
            click.echo(f"{tag_name!r}: {found:,} articles" + ("" if counts else " (no tags yet)"))
            return
        changed = archive.untag(doc_ids, [tag_name]) if remove else archive.tag(doc_ids, [tag_name])
    click.echo(f"{'untagged' if remove else 'tagged'} {changed:,} article{'s' if changed != 1 else ''}")


@cli.command("note", context_settings=CONTEXT)
@click.argument("doc_id", type=int, metavar="ID")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove the article's note.")
@click.pass_context
@friendly
def note_cmd(ctx: click.Context, doc_id: int, text: str | None, clear: bool) -> None:
    """Write the article's one note (replacing the last), show it (no TEXT), or --clear it.

    \b
    Example:
      archive note 12 "First report to give a death toll"
      archive note 12
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        if clear or text is not None:
            archive.set_note(doc_id, None if clear else text)
        shown = archive.annotations(doc_id)
    click.echo(shown.note or "(no note)")


@cli.group("saved", context_settings=CONTEXT)
def saved_group() -> None:
    """Saved searches: a name for a query, its filters and mode; run again, or only for what is new.

    \b
    Example:
      archive saved save kerman "Kerman blasts" --from 2024-01-01
      archive saved run kerman --new-since-last
    """


@saved_group.command("save", context_settings=CONTEXT)
@click.argument("name")
@click.argument("query")
@filter_options
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.pass_context
@friendly
def saved_save_cmd(
    ctx: click.Context,
    name: str,
    query: str,
    filter_args: FilterArgs,
    mode: str,
) -> None:
    """Save a search under a name.

    \b
    Example:
      archive saved save kerman "Kerman blasts" --from 2024-01-01 --outlet Reuters
    """
    filters = filter_args.build()
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        archive.save_search(name, query, filters, mode)
    click.echo(f"saved {name!r}; run it with: archive saved run {name!r} [--new-since-last]")


@saved_group.command("list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly
def saved_list_cmd(ctx: click.Context, as_json: bool) -> None:
    """Every saved search, with its query, filters and last run.

    \b
    Example:
      archive saved list
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        found = archive.saved_searches()
    if as_json:
        click.echo(json.dumps([asdict(s) for s in found], ensure_ascii=False))
        return
    for s in found:
        filters = ", ".join(f"{k}={v}" for k, v in s.filters.items())
        click.echo(
            f"{s.name}: {s.query!r} ({s.mode}{'; ' + filters if filters else ''}); last run {s.last_run_at or 'never'}"
        )
    if not found:
        click.echo('No saved searches yet. Save one with: archive saved save NAME "QUERY"')


@saved_group.command("run", context_settings=CONTEXT)
@click.argument("name")
@click.option("--new-since-last", is_flag=True, help="Only articles that arrived (or changed) since its last run.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the search's JSON.")
@click.pass_context
@friendly
def saved_run_cmd(ctx: click.Context, name: str, new_since_last: bool, limit: int, as_json: bool) -> None:
    """Run a saved search; --new-since-last shows only what arrived since it last ran (the archive's alert).

    \b
    Example:
      archive saved run kerman --new-since-last
    """
    from ui import search_output

    with open_archive(ctx) as archive:
        saved, response = archive.run_saved(name, new_since_last, limit)
    if as_json:
        click.echo(json.dumps(search_output.response_json(response), ensure_ascii=False))
        return
    if new_since_last:
        since = saved.last_run_at or "the beginning (its first run)"
        click.echo(f"new since {since}:")
    click.echo(search_output.response_text(response))


@saved_group.command("delete", context_settings=CONTEXT)
@click.argument("name")
@click.pass_context
@friendly
def saved_delete_cmd(ctx: click.Context, name: str) -> None:
    """Delete a saved search.

    \b
    Example:
      archive saved delete kerman
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        archive.delete_saved_search(name)
    click.echo(f"deleted saved search {name!r}")


@cli.command("mark", context_settings=CONTEXT)
@click.argument("query")
@click.argument("doc_id", type=int, metavar="ID")
@click.argument("judgement", type=click.Choice(["relevant", "not"]))
@click.pass_context
@friendly
def mark_cmd(ctx: click.Context, query: str, doc_id: int, judgement: str) -> None:
    """Judge a search result: is article ID relevant to QUERY? `archive eval` scores the settings from the marks.

    \b
    Example:
      archive mark "Kerman blasts death toll" 12 relevant
      archive mark "Kerman blasts death toll" 40 not
    """
    with open_archive(ctx, catch_up=False, check_model=False) as archive:
        archive.mark(query, doc_id, judgement == "relevant")
    click.echo(f"marked {doc_id} {'relevant' if judgement == 'relevant' else 'not relevant'} for {query!r}")


@cli.command("eval", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help='Print {"queries": N, "settings": [...]}.')
@click.pass_context
@friendly
def eval_cmd(ctx: click.Context, as_json: bool) -> None:
    """This archive's search quality from your relevance marks: nDCG@10 and P@10 for the current settings
    and the alternatives (words only, meaning only, RRF, other lexical shares).

    \b
    Example:
      archive eval --json
    """
    with open_archive(ctx) as archive:
        scores = archive.evaluate()
    queries = scores[0].queries if scores else 0
    if as_json:
        rows = [{"name": s.name, "ndcg@10": s.ndcg_at_10, "p@10": s.p_at_10, "queries": s.queries} for s in scores]
        click.echo(json.dumps({"queries": queries, "settings": rows}))
        return
    if not queries:
        click.echo('No marked queries with a relevant article yet: archive mark "QUERY" ID relevant')
        return
    click.echo(f"{queries:,} marked queries")
    for s in scores:
        click.echo(f"  {s.name:<16} nDCG@10 {s.ndcg_at_10:.4f}  P@10 {s.p_at_10:.4f}")


@cli.command("tune", context_settings=CONTEXT)
@click.option("--reset", is_flag=True, help="Go back to the default fusion.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly
def tune_cmd(ctx: click.Context, reset: bool, as_json: bool) -> None:
    """Set this archive's fusion to the one that ranks your relevance marks best (kept in the manifest, shown
    by `archive stats`; --reset undoes it). `archive search` uses it unless given --fusion or a share.

    \b
    Example:
      archive tune
      archive tune --reset
    """
    with open_archive(ctx) as archive:
        best, scores = archive.tune(reset)
        now = archive.search_settings
    if as_json:
        rows = [{"name": s.name, "ndcg@10": s.ndcg_at_10, "p@10": s.p_at_10, "queries": s.queries} for s in scores]
        click.echo(json.dumps({"chosen": best.name if best else "default", "settings": asdict(now), "scores": rows}))
        return
    if best is None:
        click.echo(f"back to the default fusion: {describe(now)}")
        return
    click.echo(
        f"chose {best.name!r} (nDCG@10 {best.ndcg_at_10:.4f} on {best.queries:,} marked queries): {describe(now)}"
    )


def describe(settings: object) -> str:
    fusion = getattr(settings, "fusion", "weighted")
    if fusion == "rrf":
        return f"reciprocal-rank fusion, k = {getattr(settings, 'rrf_k', 0):g}"
    return f"weighted fusion, lexical share {getattr(settings, 'lexical_share', 0):g}"
