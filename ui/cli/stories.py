"""`archive stories` and `archive story`: the archive organised into events (registered on the `archive` group)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from index import serialize
from ui.cli.base import CONTEXT, cli, export_options, export_rows, friendly, iso_date, open_archive


@cli.command("stories", context_settings=CONTEXT)
@click.option("--from", "date_from", metavar="DATE", help="Stories still running on or after DATE.")
@click.option("--to", "date_to", metavar="DATE", help="Stories begun on or before DATE.")
@click.option("--outlet", "outlets", multiple=True, metavar="NAME", help="Stories this outlet covered (repeatable).")
@click.option("--min-outlets", type=click.IntRange(1, 10_000), default=1, show_default=True)
@click.option("--query", metavar="WORDS", help="Stories holding one of the best matches of WORDS.")
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="Stories holding an article with this tag (repeatable: any)."
)
@click.option("--collection", metavar="NAME", help="Stories holding an article of this collection.")
@click.option(
    "--sort",
    type=click.Choice(["size", "outlets", "date"]),
    help="Most articles, most outlets, or newest first (default: size; with --query, the best match first).",
)
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: {stories: [...], total}.")
@export_options("Write the articles of the stories listed (up to --limit) to this file, each found by its story.")
@click.pass_context
@friendly
def stories_cmd(
    ctx: click.Context,
    date_from: str | None,
    date_to: str | None,
    outlets: tuple[str, ...],
    min_outlets: int,
    query: str | None,
    tags: tuple[str, ...],
    collection: str | None,
    sort: str | None,
    limit: int,
    as_json: bool,
    export_to: Path | None,
    export_format: str,
) -> None:
    """The stories of the archive: each event with its articles, outlets and days (a story of one included).

    \b
    Example:
      archive stories --from 2024-01-01 --to 2024-01-31 --min-outlets 3
      archive stories --query "Kerman blasts" --json
      archive stories --limit 100000 --json      # every story: each article in exactly one
      archive stories --tag kerman --export kerman-stories.ris --format ris
    """
    first, last = iso_date(date_from, "--from"), iso_date(date_to, "--to")
    with open_archive(ctx) as archive:
        found = archive.stories(first, last, outlets, min_outlets, query, sort, limit, tags, collection)
        lag = found.unplaced
        if export_to is not None:
            count = export_rows(archive.story_rows(found.stories), export_to, export_format)
            click.echo(f"wrote {count:,} articles of {len(found.stories):,} stories to {export_to}")
            return
    if as_json:
        body = {"stories": [serialize.story_summary(s) for s in found.stories], "total": found.total}
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    if not found.stories:
        click.echo("no stories match" + ("" if lag == 0 else f" ({lag:,} embedded articles are not in a story yet)"))
        return
    click.echo(f"{found.total:,} stories" + (f"; the first {len(found.stories):,}" if found.total > limit else ""))
    for s in found.stories:
        days = _days(s.first, s.last)
        click.echo(f"[{s.id}] {s.label}\n    {days}  {_count(s.size, 'article')}, {_count(len(s.outlets), 'outlet')}")
    if lag:
        click.echo(f"({lag:,} embedded articles are not in a story yet: archive embed places them)")


@cli.command("story", context_settings=CONTEXT)
@click.argument("story_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@export_options("Write the story's articles (oldest first, each found by the story) to this file.")
@click.pass_context
@friendly
def story_cmd(ctx: click.Context, story_id: str, as_json: bool, export_to: Path | None, export_format: str) -> None:
    """One story: its timeline by outlet, first report, copies, who covered it and who did not.

    \b
    Example:
      archive story 12
      archive story 12 --json
      archive story 12 --export story-12.csv
    """
    with open_archive(ctx) as archive:
        story = archive.story(story_id)
        if export_to is not None:
            count = export_rows(archive.story_rows([story.summary]), export_to, export_format)
            click.echo(f"wrote {count:,} articles of story {story.summary.id} to {export_to}")
            return
    body = serialize.story(story)
    click.echo(json.dumps(body, ensure_ascii=False) if as_json else _plain(body))


def _plain(body: dict[str, Any]) -> str:
    lines = [
        f"[{body['id']}] {body['label']}",
        f"{_days(body['first'], body['last'])}; {_count(body['size'], 'article')}",
    ]
    if body["event_date"]:
        lines.append(f"event date: {body['event_date']} (the day its articles name most near its start)")
    if body["placed_by_content_only"]:
        lines.append("(undated articles in it were placed by content alone)")
    articles = {a["id"]: a for a in body["articles"]}
    first = articles.get(body["first_report"])
    if first:
        lines.append(
            f"first report: {first['outlet'] or '-'}, {first['date'] or 'undated'}  [{first['id']}] {first['title']}"
        )
    for c in body["coverage"]:
        terms = f"  set apart by: {', '.join(c['terms'])}" if c["terms"] else ""
        lines.append(f"\n{c['outlet']}  ({_count(c['articles'], 'article')}){terms}")
        for a in body["articles"]:
            if (a["outlet"] or "unknown outlet") == c["outlet"]:
                copy = f"  (copy of [{a['copy_of']}])" if a["copy_of"] is not None else ""
                mark = "  * first report" if a["id"] == body["first_report"] else ""
                lines.append(f"  {a['date'] or 'undated'}  [{a['id']}] {a['title'] or '(untitled)'}{copy}{mark}")
    if body["silent_outlets"]:
        silent = ", ".join(f"{s['outlet']} ({s['articles_in_period']})" for s in body["silent_outlets"])
        lines.append(f"\nnot covered by (articles that period): {silent}")
    return "\n".join(lines)


def _days(first: str | None, last: str | None) -> str:
    if first is None:
        return "undated"
    return first if last in (None, first) else f"{first} to {last}"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
