"""The `archive` command line: outputs, exit codes, messages, help and README coverage."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from ui.cli import cli

COMMANDS = sorted(cli.commands)


@pytest.fixture
def corpus(files) -> Path:  # type: ignore[no-untyped-def]
    return files(
        {
            "a.jsonl": "\n".join(
                json.dumps(r)
                for r in [
                    {
                        "id": "n1",
                        "title": "Quake hits Turkey",
                        "text": "An earthquake struck.",
                        "source": "Reuters",
                        "date": "2023-02-06",
                        "url": "https://reuters.example/q",
                    },
                    {
                        "id": "n2",
                        "title": "Flood in the valley",
                        "text": "Rivers rose overnight.",
                        "source": "AP",
                        "date": "2024-05-01",
                    },
                    {
                        "id": "n3",
                        "title": "Old junk date",
                        "text": "Something happened.",
                        "source": "AP",
                        "date": "0001-11-30",
                    },
                ]
            ),
            "bad.txt": b"\x00\x00binary",
        }
    )


def test_ingest_without_a_terminal_prints_progress_lines(run, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(corpus), "--no-embed")  # CliRunner's stderr is no terminal, as under cron or nohup
    assert result.exit_code == 0
    assert "reading: files 2/2" in result.stderr and "articles" in result.stderr
    assert "reading" not in result.stdout  # the summary alone on stdout
    again = run("ingest", str(corpus), "--no-embed", "--progress", "json")
    steps = [json.loads(line) for line in again.stderr.splitlines() if line.startswith("{")]
    assert steps and steps[-1]["phase"] == "read" and steps[-1]["files_done"] == steps[-1]["files_total"] == 2
    quiet = run("ingest", str(corpus), "--no-embed", "--progress", "none")
    assert quiet.stderr == ""


def test_ingest_json_stats_list_show_remove(run, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(corpus), "--json", "--no-embed")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= {"added", "unchanged", "replaced", "duplicates", "failed"}
    assert report["added"] == 3 and report["failed"][0]["path"].endswith("bad.txt")

    stats = json.loads(run("stats", "--json").stdout)
    assert stats == {
        "documents": 3,
        "chunks": 3,
        "duplicates": 0,
        "outlets": 2,
        "undated": 1,
        "date_min": "2023-02-06",
        "date_max": "2024-05-01",
        "failed_files": 1,
        "indexes": [
            {"name": "lexical", "lag": 0},
            {"name": "near-duplicates", "lag": 0},
            {"name": "date-mentions", "lag": 0},
            {"name": "stories", "lag": 0},
        ],
        "search": {
            "fusion": "weighted",
            "lexical_share": 0.3,
            "rrf_k": 1.0,
            "candidates_per_result": 10,
            "match_floor": 0.36,
        },
        "vector_index": None,  # nothing embedded yet
    }

    lines = [json.loads(x) for x in run("list", "--outlet", "AP", "--from", "2024-01-01", "--json").stdout.splitlines()]
    assert [x["external_id"] for x in lines] == ["n2"]
    assert set(lines[0]) == {"id", "external_id", "title", "outlet", "date"}
    plain = run("list").output
    assert "Quake hits Turkey" in plain and "undated" in plain

    shown = json.loads(run("show", "n1", "--json").stdout)
    assert set(shown) == {
        "id",
        "external_id",
        "title",
        "outlet",
        "date",
        "url",
        "canonical_url",
        "captured",
        "path",
        "text",
        "tags",
        "note",
        "date_mentions",
        "inferred_date",
        "story",
    }
    assert shown["text"] == "An earthquake struck." and shown["url"] == "https://reuters.example/q"
    assert "An earthquake struck." in run("show", str(shown["id"])).output

    assert "removed 2 articles" in run("remove", "--source", "AP").output
    assert "removed 1 article" in run("remove", str(shown["id"])).output
    assert json.loads(run("stats", "--json").stdout)["documents"] == 0


def test_nothing_readable_is_a_clear_non_zero_exit(run, files) -> None:  # type: ignore[no-untyped-def]
    root = files({"empty.txt": "", "bin.txt": b"\x00\x01"})
    result = run("ingest", str(root))
    assert result.exit_code != 0
    assert "nothing could be read" in result.output and "Traceback" not in result.output


def test_bad_arguments_get_messages_not_tracebacks(run, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(corpus), "--no-embed")
    for args, message in [
        (("list", "--from", "yesterday-ish"), "is not a date"),
        (("show", "99999"), "no document"),
        (("remove", "99999"), "no document"),
        (("ingest", str(corpus), "--field", "body=x"), "choose from"),
        (("remove",), "name the ids"),
    ]:
        result = run(*args)
        assert result.exit_code != 0, args
        assert message in result.output and "Traceback" not in result.output, (args, result.output)


def test_stats_on_an_empty_archive_points_to_ingest(run) -> None:  # type: ignore[no-untyped-def]
    result = run("stats")
    assert result.exit_code == 0 and "archive ingest" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"archive {command}" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"archive( --home \S+)? {command}\b", readme), f"README.md does not show `archive {command}`"


def test_search_option_defaults_are_the_tuned_settings() -> None:
    from index.settings import SearchSettings
    from ui.cli.search import search_cmd

    defaults = {p.name: p.default for p in search_cmd.params}
    tuned = SearchSettings()
    assert (defaults["fusion"], defaults["lexical_share"], defaults["rrf_k"]) == (
        tuned.fusion,
        tuned.lexical_share,
        tuned.rrf_k,
    )


def test_backup_then_reindex_is_the_whole_archive_again(run, corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(corpus), "--no-embed")
    before = json.loads(run("search", "earthquake", "--mode", "lexical", "--json").stdout)
    folder = tmp_path / "backup"
    done = run("backup", str(folder))
    assert done.exit_code == 0 and "backed up 3 articles" in done.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["archive.sqlite3", "manifest.json"]
    again = run("backup", str(folder))
    assert again.exit_code == 1 and "exists already" in again.output, "a backup is never written over"
    restored = CliRunner().invoke(cli, ["--home", str(folder), "reindex"], catch_exceptions=False)
    assert restored.exit_code == 0, restored.output
    after = json.loads(
        CliRunner().invoke(cli, ["--home", str(folder), "search", "earthquake", "--mode", "lexical", "--json"]).stdout
    )
    assert [r["id"] for r in after["results"]] == [r["id"] for r in before["results"]] and after["matched"] >= 1


def test_search_export_writes_every_match_not_one_page(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = [
        {
            "id": f"s{i}",
            "title": f"Storm report {i}",
            "source": "Wire",
            "date": "2023-02-06",
            "text": f"A storm hit the coast, report number {i}. " + " ".join(f"w{i}x{j}" for j in range(40)),
        }
        for i in range(60)
    ]
    corpus = tmp_path / "storms.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    run("ingest", str(corpus), "--no-embed")
    matched = json.loads(run("search", "storm", "--mode", "lexical", "--limit", "5", "--json").stdout)["matched"]
    assert matched == 60
    out = tmp_path / "all.csv"
    done = run("search", "storm", "--mode", "lexical", "--export", str(out))
    assert done.exit_code == 0 and "wrote 60 matching articles" in done.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 60 and len({r["id"] for r in rows}) == 60 and all("storm hit" in r["passage"] for r in rows)
    ris = tmp_path / "all.ris"
    run("search", "storm", "--mode", "lexical", "--export", str(ris), "--format", "ris")
    assert ris.read_text(encoding="utf-8").count("TY  - NEWS") == 60


def test_embed_on_ray_names_what_is_wrong_with_the_address_at_once(run, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(corpus), "--no-embed").exit_code == 0
    refused = run("embed", "--ray", "127.0.0.1:1")  # nothing listens on port 1: refused before any model loads
    assert refused.exit_code == 1 and "no Ray cluster answers at 127.0.0.1:1" in refused.stderr
    garbled = run("embed", "--ray", "nowhere")
    assert garbled.exit_code == 2 and "is not an address" in garbled.stderr
    alone = run("embed", "--ray-actors", "2")
    assert alone.exit_code == 2 and "--ray-actors needs --ray" in alone.stderr
    assert run("stats", "--json").exit_code == 0  # nothing was lost or left half-written
