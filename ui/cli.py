"""The `archive` command line. The only place (with the app) that turns errors into messages and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import asdict
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from archive import (
    ArchiveError,
    IngestOptions,
    InvalidInputError,
    ReadOptions,
    Store,
    default_home,
    parse_field_overrides,
    remove_documents,
    report_json,
)
from archive.dates import parse_date
from archive.store import Filters
from ui import output
from ui.crashlog import write_crash_log
from ui.progress import ProgressBar, StepBar

HOME_ENV = "ARCHIVE_HOME"
EXIT_USAGE = 2
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
EXIT_NOTHING_INGESTED = 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
F = TypeVar("F", bound=Callable[..., Any])


def friendly(func: F) -> F:
    """Library errors become one-line messages; anything unexpected is logged, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidInputError as exc:  # a bad argument: a usage error, exit 2 (the README's codes)
            error = click.ClickException(str(exc))
            error.exit_code = EXIT_USAGE
            raise error from None
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:  # `archive list | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("\ninterrupted; run the same command again to continue where it stopped", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a native panic is a BaseException: a message, never a traceback
            log = write_crash_log(exc)
            raise click.ClickException(
                f"unexpected error ({type(exc).__name__}: {exc}); details are in {log} — please report it"
            ) from None

    return wrapper  # type: ignore[return-value]


def json_and_batch(batch_help: str) -> Callable[[F], F]:
    """`--json` and `--batch FILE` (one input per line, one JSON object per line out), as search and related use."""

    def decorate(func: F) -> F:
        func = click.option(
            "--batch",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            metavar="FILE",
            help=batch_help,
        )(func)
        return click.option("--json", "as_json", is_flag=True, help="Print JSON (the fields are in the README).")(func)

    return decorate


def home_of(ctx: click.Context) -> Path:
    return Path(ctx.obj["home"])


def open_store(ctx: click.Context) -> Store:
    return Store(home_of(ctx))


def iso_date(value: str | None, option: str) -> str | None:
    """A filter's date: any real day written YYYY-MM-DD (0001-01-01 too), or a written form."""
    if value is None:
        return None
    text = value.strip()
    if ISO_DAY.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise InvalidInputError(f"{option} {value!r} is not a real day ({exc})") from None
    parsed = parse_date(text, today=dt.date.max)
    if parsed.date is None:
        raise InvalidInputError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-01-03")
    return parsed.date


@click.group(context_settings=CONTEXT)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help=f"The archive's folder (default: ${HOME_ENV}, else the user data folder).",
)
@click.option(
    "--model",
    metavar="NAME_OR_PATH",
    help="Embedding model (default: all-MiniLM-L6-v2, installed offline; or a local model folder).",
)
@click.pass_context
def cli(ctx: click.Context, home: Path | None, model: str | None) -> None:
    """A local, searchable archive of news coverage.

    \b
    Example:
      archive ingest ~/clippings
      archive stats
    """
    ctx.ensure_object(dict)
    ctx.obj["home"] = home or Path(os.environ.get(HOME_ENV) or default_home())
    ctx.obj["model"] = model


def open_archive(ctx: click.Context, catch_up: bool = True, check_model: bool = True, **kwargs: Any):  # type: ignore[no-untyped-def]
    from index import Archive

    return Archive(
        home_of(ctx),
        model=ctx.obj.get("model"),
        catch_up=catch_up,
        check_model=check_model,
        on_notice=lambda notice: click.echo(f"notice: {notice}", err=True),
        **kwargs,
    )


@cli.command("ingest", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--source", metavar="NAME", help="Outlet name for documents that name none and have no URL.")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="TARGET=FIELD",
    help="Read TARGET (text, title, date, outlet, url, authors, id, language) from FIELD of each record.",
)
@click.option("--no-embed", is_flag=True, help="Store and index words only; embed later with `archive embed`.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a summary.")
@click.pass_context
@friendly
def ingest_cmd(
    ctx: click.Context,
    paths: tuple[str, ...],
    source: str | None,
    fields: tuple[str, ...],
    no_embed: bool,
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
    options = IngestOptions(source=source, read=ReadOptions(fields=parse_field_overrides(list(fields))))
    bar, steps = ProgressBar(), StepBar()
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
    with open_store(ctx) as store:
        stats = store.stats()
    click.echo(json.dumps(asdict(stats)) if as_json else output.stats_text(stats))
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
    with open_store(ctx) as store:
        doc = store.find(doc_id)
    if as_json:
        keys = ("id", "external_id", "title", "outlet", "date", "url", "path", "text")
        click.echo(json.dumps({k: getattr(doc, k) for k in keys}, ensure_ascii=False))
    else:
        click.echo(output.document_text(doc))


@cli.command("list", context_settings=CONTEXT)
@click.option("--outlet", "outlets", multiple=True, metavar="NAME", help="Only this outlet (repeatable).")
@click.option("--from", "date_from", metavar="DATE", help="Published on or after DATE (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Published on or before DATE (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many lines.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@click.pass_context
@friendly
def list_cmd(
    ctx: click.Context,
    outlets: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List articles by date: id, date, outlet, title (and external id).

    A date range leaves out undated articles.

    \b
    Example:
      archive list --outlet Reuters --from 2024-01-01 --to 2024-01-31
    """
    filters = Filters(iso_date(date_from, "--from"), iso_date(date_to, "--to"), outlets)
    with open_store(ctx) as store:
        docs = store.list_documents(filters, limit)
    for doc in docs:
        click.echo(json.dumps(asdict(doc), ensure_ascii=False) if as_json else output.summary_line(doc))


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


def main() -> None:
    friendly(cli.main)(prog_name="archive")


from ui import related_cmd, search_cmd, ui_cmd  # noqa: E402,F401 - registers the other commands on `cli`
