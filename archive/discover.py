"""Find the files to ingest under the paths the user gave."""

from __future__ import annotations

import os
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
            found, skip = _walk(path)
            files.update((t.path, t) for t in found)
            skipped += skip
        elif path.is_file():
            task = _task(path)
            if task is None:
                supported = ", ".join(sorted(READERS))
                failures.append(Failure(str(path), f"unsupported file type (supported: {supported})"))
            else:
                files[task.path] = task
        elif path.exists():
            failures.append(Failure(str(path), "not a regular file or folder"))
        else:
            failures.append(Failure(str(path), "no such file or folder"))
    return Discovery(tuple(files.values()), tuple(failures), skipped)


def _walk(root: Path) -> tuple[list[FileTask], int]:
    found: list[FileTask] = []
    skipped = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            task = _task(Path(folder) / name)
            if task is None:
                skipped += 1
            else:
                found.append(task)
    return found, skipped


def _task(path: Path) -> FileTask | None:
    fmt = format_of(path.name)
    if fmt is None:
        return None
    resolved = path.resolve()
    try:
        size = resolved.stat().st_size
    except OSError:
        size = 0
    return FileTask(str(resolved), fmt, size)
