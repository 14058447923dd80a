"""The `archive` command line: one module per command group, registered on the group in `base.py`.

archive ingest | stats | show | list | backup | remove   (library.py)
archive search | embed | reindex                  (search.py)
archive related                                   (related.py)
archive stories | story                           (stories.py)
archive ui                                        (app.py)
archive collection ... | tag | note | saved ... | mark | eval | tune   (collections.py: the user's own work)
"""

from __future__ import annotations

from ui.cli import app, collections, library, related, search, stories  # noqa: F401 - each registers its commands on `cli`
from ui.cli.base import cli, friendly

__all__ = ["cli", "main"]


def main() -> None:
    friendly(cli.main)(prog_name="archive")
