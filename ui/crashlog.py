"""Where an unexpected error's traceback goes: a new file of this user's, never a fixed shared name.

A fixed name in the shared temp folder can be planted beforehand as a symlink to another file, which
writing would then overwrite; `mkstemp` creates a new file (O_EXCL, mode 0600) in a folder of the user's own.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

PREFIX = "semantic-archive-error-"


def log_folder() -> Path:
    """A folder only this user can write: ~/.cache/semantic-archive/errors, else a private temp folder."""
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("semantic-archive", appauthor=False)) / "errors"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if folder.is_symlink() or not os.access(folder, os.W_OK):
            raise OSError(f"{folder} is not ours to write")
        return folder
    except OSError:
        return Path(tempfile.mkdtemp(prefix=PREFIX))


def write_crash_log(exc: BaseException) -> Path:
    """Write `exc`'s traceback to a new private file; returns its path."""
    fd, name = tempfile.mkstemp(prefix=PREFIX, suffix=".log", dir=log_folder())
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return Path(name)
