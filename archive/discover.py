"""Find the files to ingest under the paths the user gave.

One odd entry never stops the walk: a symbolic link that loops or points nowhere, a name that is not
valid UTF-8, a FIFO or a device (reading either could block forever or never end), or a folder that
cannot be listed each becomes a failure with its reason, and the rest is read.
"""

from __future__ import annotations

import errno
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


def discover(paths: list[str] | tuple[str, ...]) -> Discovery:
    """Files under `paths` (folders recursively, hidden ones skipped) with a supported format."""
    files: dict[str, FileTask] = {}
    failures: list[Failure] = []
    skipped = 0
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            found, skip = _walk(path, failures)
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
    return Discovery(tuple(files.values()), tuple(failures), skipped)


def shown(path: Path | str) -> str:
    """A path as text that can be printed and stored (bytes that are not UTF-8 become U+FFFD)."""
    return os.fsencode(path).decode("utf-8", errors="replace")


def _walk(root: Path, failures: list[Failure]) -> tuple[list[FileTask], int]:
    found: list[FileTask] = []
    skipped = 0

    def unreadable(exc: OSError) -> None:
        failures.append(Failure(shown(exc.filename or root), f"cannot list this folder ({exc.strerror or exc})"))

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
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
