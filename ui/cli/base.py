"""What every `archive` command shares: the group, error handling (the only place, with the app, that turns
errors into messages and exit codes), options, and opening the archive through the library's front door."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from archive import ArchiveError, InvalidInputError, default_home
from archive.dates import parse_date
from archive.home import HOME_ENV
from ui.crashlog import write_crash_log

if TYPE_CHECKING:
    from index import Archive

EXIT_USAGE = 2
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
EXIT_NOTHING_INGESTED = 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(click.ClickException):
    """A bad argument the library found: printed like any error, with the usage exit code."""

    exit_code = EXIT_USAGE


def friendly(func: F) -> F:
    """Library errors become one-line messages; anything unexpected is logged, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidInputError as exc:  # a bad argument: a usage error, exit 2 (the README's codes)
            raise UsageProblem(str(exc)) from None
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


@dataclass(frozen=True)
class FilterArgs:
    """The values of `filter_options`, as written; `build()` (inside the command, so a bad date is a usage
    error, exit 2) makes the `Filters`."""

    date_from: str | None = None
    date_to: str | None = None
    outlets: tuple[str, ...] = ()
    undated: str | None = None
    collection: str | None = None
    tags: tuple[str, ...] = ()
    mentions_from: str | None = None
    mentions_to: str | None = None

    def build(self) -> Any:
        mentions = (self.mentions_from, self.mentions_to)
        return filters_of(
            self.date_from, self.date_to, self.outlets, self.undated, self.collection, self.tags, mentions
        )


def filter_options(func: F) -> F:
    """The filters search and saved searches share: --from, --to, --outlet, --undated, --collection, --tag,
    --mentions-from, --mentions-to; the command gets them as one `filter_args: FilterArgs`."""

    command = func

    @wraps(command)
    def gathered(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in FilterArgs.__dataclass_fields__}
        return command(*args, filter_args=FilterArgs(**values), **kwargs)

    func = gathered  # type: ignore[assignment]
    for option in reversed(
        [
            click.option("--from", "date_from", metavar="DATE", help="Published on or after DATE (YYYY-MM-DD)."),
            click.option("--to", "date_to", metavar="DATE", help="Published on or before DATE (YYYY-MM-DD)."),
            click.option("--outlet", "outlets", multiple=True, metavar="NAME", help="Only this outlet (repeatable)."),
            click.option(
                "--undated",
                type=click.Choice(("include", "exclude", "only", "inferred")),
                help="Undated articles (default: included, but left out when a date range is given; inferred: in a "
                "range by the day their text suggests, see show --json's inferred_date).",
            ),
            click.option("--collection", metavar="NAME", help="Only the articles of this collection."),
            click.option(
                "--tag", "tags", multiple=True, metavar="TAG", help="Only articles with this tag (repeatable: any)."
            ),
            click.option(
                "--mentions-from",
                metavar="DATE",
                help="Only articles whose text mentions a date on or after DATE (whatever their publication date).",
            ),
            click.option("--mentions-to", metavar="DATE", help="…and on or before DATE (see --mentions-from)."),
        ]
    ):
        func = option(func)
    return func


def export_options(what: str) -> Callable[[F], F]:
    """`--export FILE` (`what` it writes) and `--format csv|jsonl|ris`, as search and related use."""
    from archive.export import FORMATS

    def decorate(func: F) -> F:
        func = click.option(
            "--format",
            "export_format",
            type=click.Choice(FORMATS),
            default="csv",
            show_default=True,
            help="The --export file's format: CSV, JSON Lines or RIS (Zotero, EndNote).",
        )(func)
        return click.option("--export", "export_to", type=click.Path(dir_okay=False, path_type=Path), help=what)(func)

    return decorate


def export_rows(rows: Iterable[Mapping[str, object]], target: Path, fmt: str) -> int:
    """Stream citation rows into `target` (written whole or not at all: a half export never replaces a file)."""
    from archive.export import write

    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = write(rows, fmt, out)
        partial.replace(target)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {target}: {exc.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return count


def filters_of(
    date_from: str | None,
    date_to: str | None,
    outlets: tuple[str, ...] | list[str],
    undated: str | None,
    collection: str | None = None,
    tags: tuple[str, ...] = (),
    mentions: tuple[str | None, str | None] = (None, None),
) -> Any:
    """The `Filters` that `filter_options`' values name (each date read as `iso_date` reads it)."""
    from index import Filters

    start, end = iso_date(date_from, "--from"), iso_date(date_to, "--to")
    said_from, said_to = iso_date(mentions[0], "--mentions-from"), iso_date(mentions[1], "--mentions-to")
    return Filters(
        start, end, tuple(outlets), undated, collection, tuple(tags), mentions_from=said_from, mentions_to=said_to
    )


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


def read_text_file(path: Path) -> str:
    """A file named on the command line (--file, --batch), as UTF-8 text; a clear error otherwise."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None


def home_of(ctx: click.Context) -> Path:
    return Path(ctx.obj["home"])


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


def open_archive(ctx: click.Context, catch_up: bool = True, check_model: bool = True, **kwargs: Any) -> Archive:
    """The archive (indexes opened when first used, so `stats` or `list` read the store alone)."""
    from index import Archive

    return Archive(
        home_of(ctx),
        model=ctx.obj.get("model"),
        catch_up=catch_up,
        check_model=check_model,
        on_notice=lambda notice: click.echo(f"notice: {notice}", err=True),
        **kwargs,
    )
