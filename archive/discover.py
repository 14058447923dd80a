"""Find the files to ingest under the paths the user gave.

One odd entry never stops the walk: a symbolic link that loops or points nowhere, a name that is not
valid UTF-8, a FIFO or a device (reading either could block forever or never end), or a folder that
cannot be listed each becomes a failure with its reason, and the rest is read.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from archive.models import Failure
from archive.readers import READERS, format_of


@dataclass(frozen=True)
class FileTask:
    path: str
    format: str
    size: int


@dataclass(frozen=True)
class Discovery:
    files: tuple[FileTask, ...]
    failures: tuple[Failure, ...]
    skipped: int
    left_out: tuple[str, ...] = ()  # files in a folder that are not articles (README, ...) or match --exclude


# A project's own files, not articles, left out of a folder unless named on the command line.
NOT_ARTICLES = ("readme", "license", "licence", "copying", "changelog", "contributing", "notice", "authors")


def discover(paths: list[str] | tuple[str, ...], exclude: tuple[str, ...] = ()) -> Discovery:
    """Files under `paths` (folders recursively, hidden ones skipped) with a supported format.

    In a folder, README/LICENSE-like files and names or relative paths matching an `exclude` glob are
    left out (and listed); a file named on its own is always read.
    """
    files: dict[str, FileTask] = {}
    failures: list[Failure] = []
    left_out: list[str] = []
    skipped = 0
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            found, skip = _walk(path, failures, exclude, left_out)
            files.update((t.path, t) for t in found)
            skipped += skip
            continue
        task = _task(path)
        if isinstance(task, FileTask):
            files[task.path] = task
        elif isinstance(task, Failure):
            failures.append(task)
        elif os.path.lexists(path):
            supported = ", ".join(sorted(READERS))
            failures.append(Failure(shown(path), f"unsupported file type (supported: {supported})"))
        else:
            failures.append(Failure(shown(path), "no such file or folder"))
    return Discovery(tuple(files.values()), tuple(failures), skipped, tuple(left_out))


def shown(path: Path | str) -> str:
    """A path as text that can be printed and stored (bytes that are not UTF-8 become U+FFFD)."""
    return os.fsencode(path).decode("utf-8", errors="replace")


def left_out_of_folder(relative: str, exclude: tuple[str, ...]) -> bool:
    """True for a project's README/LICENSE-like file, or a name or relative path matching an `exclude` glob."""
    name = relative.rsplit("/", 1)[-1]
    if name.lower().split(".", 1)[0] in NOT_ARTICLES:
        return True
    return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(relative, g) for g in exclude)


def _walk(
    root: Path, failures: list[Failure], exclude: tuple[str, ...], left_out: list[str]
) -> tuple[list[FileTask], int]:
    found: list[FileTask] = []
    skipped = 0

    def unreadable(exc: OSError) -> None:
        failures.append(Failure(shown(exc.filename or root), f"cannot list this folder ({exc.strerror or exc})"))

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            relative = (Path(folder) / name).relative_to(root).as_posix()
            if format_of(name) is not None and left_out_of_folder(relative, exclude):
                left_out.append(shown(Path(folder) / name))
                continue
            task = _task(Path(folder) / name)
            if task is None:
                skipped += 1
            elif isinstance(task, Failure):
                failures.append(task)
            else:
                found.append(task)
    return found, skipped


def _task(path: Path) -> FileTask | Failure | None:
    """The file to read at `path`, a failure saying why it cannot be, or None for an unsupported type."""
    fmt = format_of(path.name)
    if fmt is None:
        return None
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return Failure(shown(path), "the file name is not valid UTF-8; rename it (e.g. convmv -f latin1 -t utf-8)")
    try:
        resolved = path.resolve(strict=True)
        info = resolved.stat()
    except RuntimeError:  # Python before 3.13 raises this for a loop
        return Failure(shown(path), "a symbolic link that loops back on itself")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Failure(shown(path), "a symbolic link that loops back on itself")
        return Failure(shown(path), f"cannot be opened ({exc.strerror or exc})")
    if not stat.S_ISREG(info.st_mode):
        return Failure(shown(path), f"not a regular file ({_kind(info.st_mode)}); only files are read")
    return FileTask(str(resolved), fmt, info.st_size)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a folder" if stat.S_ISDIR(mode) else "not a file"
