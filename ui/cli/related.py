"""`archive related`: other outlets' reports of the same event (registered on the `archive` group)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from archive import NotFoundError
from index import Filters, serialize
from index.settings import DEFAULT_WINDOW_DAYS
from ui.cli.base import (
    CONTEXT,
    cli,
    export_options,
    export_rows,
    friendly,
    iso_date,
    json_and_batch,
    open_archive,
    read_text_file,
)


@cli.command("related", context_settings=CONTEXT)
@click.argument("doc_id", required=False, metavar="ID")
@click.option("--text", help="Find coverage of this text instead of a stored article.")
@click.option(
    "--file", "text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="…or of this file's text."
)
@click.option(
    "--window",
    type=click.IntRange(0, 36_500),
    default=DEFAULT_WINDOW_DAYS,
    show_default=True,
    metavar="DAYS",
    help="Only articles dated within DAYS of the seed (an undated seed searches all time).",
)
@click.option("--any-time", is_flag=True, help="No date window.")
@click.option("--date", "seed_date", metavar="DATE", help="The date of --text/--file (else: all time).")
@click.option("--outlet", "outlets", multiple=True, metavar="NAME", help="Only this outlet (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only articles with this tag (repeatable: any).")
@click.option("--collection", metavar="NAME", help="Only the articles of this collection.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--by", type=click.Choice(["outlet", "date"]), default="outlet", show_default=True, help="Plain output.")
@export_options("Write the related articles (up to --limit, each with its closest passage) to this file.")
@json_and_batch("One article id per line; one JSON object per line out.")
@click.pass_context
@friendly
def related_cmd(
    ctx: click.Context,
    doc_id: str | None,
    text: str | None,
    text_file: Path | None,
    window: int,
    any_time: bool,
    seed_date: str | None,
    outlets: tuple[str, ...],
    tags: tuple[str, ...],
    collection: str | None,
    limit: int,
    by: str,
    export_to: Path | None,
    export_format: str,
    as_json: bool,
    batch: Path | None,
) -> None:
    """Other articles reporting the same event as an article (or a text), near its date.

    Copies of one wire story count once ("also in"); the seed and its copies are never listed.

    \b
    Example:
      archive related 42
      archive related 42 --window 3 --by date --json
      archive related --file clipping.txt --date 2024-01-03
      archive related 42 --tag kerman --export related.ris --format ris
    """
    from index import RelatedSettings

    seeds = sum(x is not None for x in (doc_id, text, text_file, batch))
    if seeds != 1:
        raise click.UsageError("give one of: ID, --text TEXT, --file PATH, --batch FILE")
    if batch is not None and export_to is not None:
        raise click.UsageError("--export writes one seed's related articles; it does not go with --batch")
    if text_file is not None:
        text = read_text_file(text_file)
    settings = RelatedSettings(window_days=None if any_time else window)
    date = iso_date(seed_date, "--date")
    scope = Filters(outlets=outlets, tags=tags, collection=collection)  # where related articles may come from
    with open_archive(ctx) as archive:
        if batch is not None:
            _run_batch(archive, batch, settings, scope, limit)
            return
        if export_to is not None:
            results = archive.related(doc_id, text, settings, outlets, limit, date, tags, collection)
            seed = f"article {doc_id}" if doc_id is not None else f"the text {' '.join((text or '').split()[:8])!r}"
            count = export_rows(archive.related_rows(results, seed), export_to, export_format)
            click.echo(f"wrote {count:,} related articles to {export_to}")
            return
        body = _payload(archive, doc_id, text, settings, scope, limit, date)
    click.echo(json.dumps(body, ensure_ascii=False) if as_json else _plain(body, by))


def _run_batch(archive: Any, batch: Path, settings: Any, scope: Filters, limit: int) -> None:
    """One JSON object per id; an id the archive does not hold gets {"seed": {"id": ...}, "error": ...} and
    the others still run (the command then fails, saying how many)."""
    ids = [line.strip() for line in read_text_file(batch).splitlines() if line.strip()]
    missing = 0
    for doc_id in ids:
        try:
            body = _payload(archive, doc_id, None, settings, scope, limit, None)
        except NotFoundError as exc:
            missing += 1
            body = {"seed": {"id": doc_id}, "error": str(exc)}
        click.echo(json.dumps(body, ensure_ascii=False))
    if missing:
        raise NotFoundError(f"{missing} of the {len(ids)} ids in {batch} name no article (their lines say so)")


def _payload(
    archive: Any,
    doc_id: str | None,
    text: str | None,
    settings: Any,
    scope: Filters,
    limit: int,
    date: str | None,
) -> dict[str, Any]:
    results = archive.related(doc_id, text, settings, scope.outlets, limit, date, scope.tags, scope.collection)
    if doc_id is not None:
        doc = archive.get(doc_id)
        seed: dict[str, Any] = {"id": doc.id, "external_id": doc.external_id, "title": doc.title}
        seed |= {"outlet": doc.outlet, "date": doc.date}
    else:
        seed = {"text": (text or "")[:200], "date": date}
    return {
        "seed": seed,
        "window_days": settings.window_days if seed.get("date") else None,
        "results": [serialize.related_result(r) for r in results],
    }


def _plain(body: dict[str, Any], by: str) -> str:
    seed = body["seed"]
    head = seed.get("title") or (seed.get("text") or "")[:80]
    window = f"within {body['window_days']} days" if body["window_days"] is not None else "any time"
    lines = [f"related to: {head} ({seed.get('outlet') or '-'}, {seed.get('date') or 'undated'}); {window}"]
    results = body["results"]
    if not results:
        return "\n".join([*lines, "no related coverage found"])
    if by == "date":
        for r in sorted(results, key=lambda r: (r["date"] or "9999", -r["score"])):
            lines.append(_line(r, with_outlet=True))
        return "\n".join(lines)
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(r["outlet"] or "unknown outlet", []).append(r)
    for outlet, items in groups.items():
        lines.append(f"\n{outlet}")
        lines.extend(_line(r, with_outlet=False) for r in sorted(items, key=lambda r: r["date"] or ""))
    return "\n".join(lines)


def _line(r: dict[str, Any], with_outlet: bool) -> str:
    days = "" if r["days_from_seed"] is None else f" ({r['days_from_seed']:+d}d)"
    outlet = f"  {r['outlet'] or '-'}" if with_outlet else ""
    also = f"  also in: {', '.join(r['also_in'])}" if r["also_in"] else ""
    return f"  {r['date'] or 'undated'}{days}{outlet}  [{r['id']}] {r['title'] or '(untitled)'}  score {r['score']:.3f}{also}"
