"""Shared fixtures: a temporary archive home, a fast chunker, and the real corpora when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archive import Chunker, Store, WordTokenizer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skip (or fail under CI) when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared beside the checkout")
        pytest.skip(f"{path} is not here (the real corpora live in ../shared)")
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run(home: Path):  # type: ignore[no-untyped-def]
    """The `archive` command line on the test's home: run("search", "x", "--json") -> click's Result."""
    from click.testing import CliRunner

    from ui.cli import cli

    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["--home", str(home), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def chunker() -> Chunker:
    return Chunker(WordTokenizer(max_tokens=40), overlap_tokens=10)


@pytest.fixture
def store(home: Path):  # type: ignore[no-untyped-def]
    with Store(home) as s:
        yield s


@pytest.fixture
def files(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write files under tmp_path/in: files({"a.txt": "text"}) -> the folder."""
    root = tmp_path / "in"

    def write(contents: dict[str, str | bytes]) -> Path:
        for name, content in contents.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return write


def pytest_configure(config: pytest.Config) -> None:
    """SIGTERM ends a run as Ctrl-C does, so that fixtures still stop the servers they started (killed by
    SIGTERM, a run left `archive ui` and its Streamlit child running)."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
