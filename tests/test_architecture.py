"""The shape of the code: one door to SQLite, no import cycles in ui/, the public names, light commands stay light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("archive", "index", "ui")
HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "openvino",
    "scipy",
    "datasketch",
    "streamlit",
    "trafilatura",
)


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def test_only_the_store_speaks_sql() -> None:
    offenders = []
    for path in _sources(*PACKAGES):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("archive/store/"):
            continue
        text = path.read_text(encoding="utf-8")
        if "sqlite3" in text or ".execute(" in text:
            offenders.append(relative)
    assert offenders == []


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_ui_has_no_import_cycles() -> None:
    modules = {_module(p): p for p in _sources("ui")}
    graph = {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}
    for name in modules:  # a package's submodule imports its package's __init__ first: count that edge too
        parent = name.rpartition(".")[0]
        if parent in modules and name != parent:
            graph[name].add(parent)

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, start]
                if nxt not in trail:
                    stack.append((nxt, [*trail, nxt]))
        return None

    # ui.cli's __init__ importing its own command modules is how they register: that package edge is allowed.
    graph = {n: {m for m in edges if not (n.startswith(m + ".") and m == "ui.cli")} for n, edges in graph.items()}
    cycles = [c for c in (cycle_from(n) for n in graph) if c]
    assert cycles == []


def test_the_public_names() -> None:
    import archive
    import index

    assert index.__all__ == sorted(index.__all__) and archive.__all__ == sorted(archive.__all__)
    for package in (archive, index):
        for name in package.__all__:
            assert getattr(package, name) is not None, name
    assert {"Archive", "Filters", "SearchSettings", "RelatedSettings", "DerivedIndex", "Health"} <= set(index.__all__)
    from index import Archive

    for method in ("open", "ingest", "search", "related", "get", "list", "remove", "copies", "stats", "health"):
        assert callable(getattr(Archive, method)), method


def test_every_derived_index_follows_the_protocol(home: Path) -> None:
    from index import Archive, HashEmbedder
    from index.derived import DerivedIndex

    with Archive(home, embedder=HashEmbedder()) as archive:
        archive.embed()
        names = [index.name for index in archive.indexes]
        assert names == ["lexical", "near-duplicates", "date-mentions", "vectors", "stories"]
        for index in archive.indexes:
            assert isinstance(index.lag(archive.store), int)
            assert all(callable(getattr(index, m)) for m in ("catch_up", "rebuild", "reload"))
        assert [i.name for i in archive.health().indexes] == names
        assert DerivedIndex is not None


@pytest.mark.parametrize("command", [["--help"], ["stats"], ["list"], ["show", "1"], ["remove", "1"], ["search", "-h"]])
def test_light_commands_load_no_heavy_module(home: Path, command: list[str]) -> None:
    code = (
        "import json, sys\n"
        "from ui.cli import main\n"
        f"sys.argv = ['archive', '--home', {str(home)!r}, *{command!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [], done.stderr
