"""`archive search`, `archive embed` and `archive reindex` (registered on the `archive` group)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from archive import ArchiveError, InvalidInputError
from index.settings import MODES, SearchSettings
from ui import search_output
from ui.cli.base import (
    CONTEXT,
    FilterArgs,
    cli,
    export_options,
    export_rows,
    filter_options,
    filters_of,
    friendly,
    json_and_batch,
    open_archive,
    read_text_file,
)
from ui.progress import StepBar, progress_option

MAX_LIMIT = 1000  # results per query, on the command line and on a --batch line alike
BATCH_FIELDS = frozenset({"query", "id", "from", "to", "outlet", "undated", "mode", "limit"})
UNDATED = ("include", "exclude", "only", "inferred")
DEFAULTS = SearchSettings()  # the tuned fusion settings, shown and used as the options' defaults


@cli.command("search", context_settings=CONTEXT)
@click.argument("query", required=False, default="")
@filter_options
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True)
@click.option(
    "--fusion",
    type=click.Choice(["weighted", "rrf"]),
    default=DEFAULTS.fusion,
    show_default=True,
    help="How the word and meaning rankings are combined.",
)
@click.option(
    "--lexical-share",
    type=click.FloatRange(0, 1),
    default=DEFAULTS.lexical_share,
    show_default=True,
    help="Weighted fusion: the share of the word (BM25) score.",
)
@click.option(
    "--rrf-k",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULTS.rrf_k,
    show_default=True,
    help="RRF fusion: the k in 1/(k + rank).",
)
@click.option("--no-collapse", is_flag=True, help="Show every near-duplicate, not one article per group.")
@click.option(
    "--literal",
    is_flag=True,
    help='Search a date in the query as words: "in January 2024" is otherwise read as --from/--to (said in the notice).',
)
@click.option("--by-story", is_flag=True, help='Group the results by story ("12 articles, 7 outlets").')
@click.option(
    "--semantic-highlights/--no-semantic-highlights",
    "semantic",
    default=None,
    help="Mark each passage's sentence nearest the query's meaning (a model call per query; word highlights "
    "always come). Default: on for one query, off for --batch. JSON says which as semantic_highlights.",
)
@export_options("Write every match (not one page: as many as --json's matched) to this file for citation.")
@json_and_batch("One query per line (text, or JSON with query, id and filters); one JSON object per line out.")
@click.pass_context
@friendly
def search_cmd(
    ctx: click.Context,
    query: str,
    filter_args: FilterArgs,
    mode: str,
    limit: int,
    fusion: str,
    lexical_share: float,
    rrf_k: float,
    no_collapse: bool,
    literal: bool,
    by_story: bool,
    semantic: bool | None,
    export_to: Path | None,
    export_format: str,
    as_json: bool,
    batch: Path | None,
) -> None:
    """Search by words and meaning, ranked together, with the passage that answers highlighted.

    Syntax: "a phrase", AND, OR, -word, title:word, outlet:name. Broken syntax falls back to
    plain words with a notice.

    \b
    Example:
      archive search "How many people died in the Kerman blasts?"
      archive search quake --from 2023-01-01 --to 2023-12-31 --outlet Reuters --json
      archive search "Kerman" --export kerman.ris --format ris
      archive search "earthquake" --mentions-from 2023-02-06 --mentions-to 2023-02-06
      archive search "Kerman blasts in January 2024"     # read as --from 2024-01-01 --to 2024-01-31
      archive search "earthquake" --by-story
    """
    if not query.strip() and batch is None:
        raise click.UsageError("give a QUERY (in quotes), or --batch FILE")
    from index import SearchSettings

    filters = filter_args.build()
    chosen = any(ctx.get_parameter_source(p) != ParameterSource.DEFAULT for p in ("fusion", "lexical_share", "rrf_k"))
    # without a fusion option, the archive's own (`archive tune`'s, else the defaults)
    with open_archive(ctx, settings=SearchSettings(fusion, lexical_share, rrf_k) if chosen else None) as archive:
        if batch is not None:
            _run_batch(archive, batch, filters, mode, limit, not no_collapse, bool(semantic))
            return
        if export_to is not None:
            count = export_rows(
                archive.search_rows(query, filters, mode, collapse=not no_collapse, literal=literal),
                export_to,
                export_format,
            )
            click.echo(f"wrote {count:,} matching articles to {export_to}")
            return
        semantic = semantic is not False
        response = archive.search(
            query, filters, mode, limit, semantic_highlights=semantic, collapse=not no_collapse, literal=literal
        )
        stories = archive.story_of([r.id for r in response.results]) if by_story else None
    if as_json:
        body = {**search_output.response_json(response), "semantic_highlights": semantic}
        if stories is not None:
            body["stories"] = search_output.by_story_json(response, stories)
        click.echo(json.dumps(body, ensure_ascii=False))
    elif stories is not None:
        click.echo(search_output.by_story_text(response, stories))
    else:
        click.echo(search_output.response_text(response))


def _run_batch(archive: Any, batch: Path, filters: Any, mode: str, limit: int, collapse: bool, semantic: bool) -> None:
    """One JSON object per line; a bad line gets {"id", "error"} and the others still run (then exit 1).
    Sentences nearest in meaning are marked only when asked (`semantic`): they cost a model call a query."""
    lines = [(n, line) for n, line in enumerate(read_text_file(batch).splitlines(), start=1) if line.strip()]
    failed = 0
    for number, line in lines:
        query_id = str(number)
        try:
            spec = _batch_line(line, number)
            query_id = str(spec.get("id", number))
            query, query_filters, query_mode, query_limit = _batch_search(spec, number, filters, mode, limit)
            response = archive.search(
                query, query_filters, query_mode, query_limit, semantic_highlights=semantic, collapse=collapse
            )
            body = {**search_output.response_json(response, query_id), "semantic_highlights": semantic}
        except ArchiveError as exc:
            failed += 1
            body = {"id": query_id, "line": number, "error": str(exc)}
        click.echo(json.dumps(body, ensure_ascii=False))
    if failed:
        raise ArchiveError(f"{failed} of the {len(lines)} lines in {batch} could not be run (their lines say why)")


def _batch_search(spec: dict[str, Any], number: int, filters: Any, mode: str, limit: int) -> tuple[str, Any, str, int]:
    """A line's query, filters, mode and limit, each checked as its command-line option would be."""
    where = f"--batch line {number}"
    unknown = sorted(set(spec) - BATCH_FIELDS)
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(BATCH_FIELDS))})"
        )
    query = spec["query"]
    if not isinstance(query, str) or not query.strip():
        raise InvalidInputError(f'{where}: "query" must be non-empty text')
    query_mode = spec.get("mode", mode)
    if query_mode not in MODES:
        raise InvalidInputError(f'{where}: "mode" must be one of {", ".join(MODES)}')
    query_limit = spec.get("limit", limit)
    if isinstance(query_limit, bool) or not isinstance(query_limit, int) or not 1 <= query_limit <= MAX_LIMIT:
        raise InvalidInputError(f'{where}: "limit" must be a whole number from 1 to {MAX_LIMIT}')
    if not any(k in spec for k in ("from", "to", "outlet", "undated")):
        return query, filters, query_mode, query_limit
    outlets = spec.get("outlet") or []
    outlets = [outlets] if isinstance(outlets, str) else outlets
    if not isinstance(outlets, list) or not all(isinstance(o, str) for o in outlets):
        raise InvalidInputError(f'{where}: "outlet" must be a name or a list of names')
    for key in ("from", "to"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise InvalidInputError(f'{where}: "{key}" must be a date written YYYY-MM-DD')
    undated = spec.get("undated")
    if undated is not None and undated not in UNDATED:
        raise InvalidInputError(f'{where}: "undated" must be one of {", ".join(UNDATED)}')
    mentions = (filters.mentions_from, filters.mentions_to)
    chosen = filters_of(spec.get("from"), spec.get("to"), outlets, undated, filters.collection, filters.tags, mentions)
    return query, chosen, query_mode, query_limit


def _batch_line(line: str, number: int) -> dict[str, Any]:
    text = line.strip()
    if text.startswith("{"):
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"--batch line {number}: malformed JSON ({exc.msg})") from None
        except RecursionError:
            raise InvalidInputError(f"--batch line {number}: JSON nested too deeply") from None
        if not isinstance(spec, dict) or "query" not in spec:
            raise InvalidInputError(f'--batch line {number}: a JSON line needs a "query" field')
        return spec
    return {"query": text}


@cli.command("embed", context_settings=CONTEXT)
@click.option(
    "--first-chunks",
    is_flag=True,
    help="Only each article's first chunk (title and opening): about a sixth of the work, and every article is "
    "then findable by meaning and in a story; a later plain `archive embed` does the rest.",
)
@click.option(
    "--ray",
    "ray_address",
    metavar="ADDRESS",
    help="Run the model on a Ray cluster (e.g. ray://head:10001, or auto on a cluster node); `local` starts "
    "one on this machine for the run. The archive and its vectors stay here. Needs semantic-archive[ray].",
)
@click.option(
    "--ray-actors",
    type=click.IntRange(min=1),
    metavar="N",
    help="How many copies of the model run on Ray (default: one per GPU, else one per two CPUs).",
)
@progress_option
@click.pass_context
@friendly
def embed_cmd(
    ctx: click.Context, first_chunks: bool, ray_address: str | None, ray_actors: int | None, progress_style: str
) -> None:
    """Embed the chunks that have no vector yet (phase 2; resumable after a kill).

    \b
    Example:
      archive ingest big-folder/ --no-embed
      archive embed --first-chunks     # quick: every article's opening
      archive embed
      archive embed --ray ray://gpu-head:10001
    """
    if ray_actors is not None and ray_address is None:
        raise click.UsageError("--ray-actors needs --ray ADDRESS")
    steps = StepBar(progress_style)
    with open_archive(ctx) as archive:
        try:
            done = archive.embed(step=steps, first_only=first_chunks, ray=ray_address, ray_actors=ray_actors)
        finally:
            steps.close()
        covered = archive.coverage()
    click.echo(f"embedded {done:,} chunks; {covered.embedded:,} of {covered.chunks:,} chunks have vectors")


@cli.command("reindex", context_settings=CONTEXT)
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--embeddings", is_flag=True, help="Also embed every chunk again (e.g. with another --model).")
@progress_option
@click.pass_context
@friendly
def reindex_cmd(ctx: click.Context, names: tuple[str, ...], embeddings: bool, progress_style: str) -> None:
    """Rebuild the derived indexes (all, or those NAMEd: lexical, near-duplicates, vectors) from the
    store; no files are read again, nothing is embedded again unless --embeddings.

    \b
    Example:
      archive reindex
      archive reindex lexical
      archive --model ~/models/other-model reindex --embeddings
    """
    steps = StepBar(progress_style)
    with open_archive(ctx, catch_up=False, check_model=not embeddings) as archive:
        try:
            rebuilt = archive.reindex(embeddings=embeddings, step=steps, names=names)
        finally:
            steps.close()
        health = archive.health()
    click.echo(
        f"rebuilt {', '.join(rebuilt)}: {health.chunks:,} chunks, {health.embedded_chunks:,} with vectors "
        f"({health.model or 'no model yet'})"
    )
