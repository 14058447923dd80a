"""Collections through the command line: make, add with a note, show, export (CSV, JSONL, RIS), survive."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path


def _records(path: Path, second_text: str) -> Path:
    rows = [
        {
            "id": "k1",
            "title": "Twin blasts in Kerman",
            "source": "Reuters",
            "date": "2024-01-03",
            "url": "https://example.com/k1",
            "text": "Two explosions in Kerman killed dozens, officials said.",
        },
        {
            "id": "k2",
            "title": '=HYPERLINK("x") Kerman mourns',
            "source": "AP",
            "date": "2024-01-04",
            "text": second_text,
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def _ids(run) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {r["external_id"]: r["id"] for r in map(json.loads, run("list", "--json").stdout.splitlines())}


def _parse_ris(text: str) -> list[dict[str, str]]:
    records, current = [], {}
    for line in text.splitlines():
        if line.startswith("ER  -"):
            records.append(current)
            current = {}
        elif line[2:6] == "  - ":
            current[line[:2]] = line[6:]
    return records


def test_a_collection_from_making_to_exporting(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = _records(tmp_path / "k.jsonl", "Crowds gathered in Kerman to mourn the dead.")
    assert run("ingest", str(corpus), "--no-embed").exit_code == 0
    ids = _ids(run)
    assert run("collection", "create", "Kerman blasts").exit_code == 0
    again = run("collection", "create", "kerman BLASTS")
    assert again.exit_code == 2 and "already" in again.output
    added = run("collection", "add", "Kerman blasts", str(ids["k1"]), str(ids["k2"]), "--note", "first reports")
    assert added.exit_code == 0 and "2 articles" in added.stdout
    unknown = run("collection", "add", "Kerman blasts", "99999")
    assert unknown.exit_code == 2 and "no article with id 99999" in unknown.output

    shown = json.loads(run("collection", "show", "Kerman blasts", "--json").stdout)
    assert shown["name"] == "Kerman blasts"
    assert [a["id"] for a in shown["articles"]] == [ids["k1"], ids["k2"]]
    assert {a["note"] for a in shown["articles"]} == {"first reports"}
    assert json.loads(run("collection", "list", "--json").stdout) == [
        {
            "name": "Kerman blasts",
            "created_at": json.loads(run("collection", "list", "--json").stdout)[0]["created_at"],
            "articles": 2,
        }
    ]

    ris = tmp_path / "k.ris"
    assert run("collection", "export", "Kerman blasts", "--format", "ris", "-o", str(ris)).exit_code == 0
    records = _parse_ris(ris.read_text(encoding="utf-8"))
    assert len(records) == 2
    assert records[0]["TY"] == "NEWS" and records[0]["TI"] == "Twin blasts in Kerman" and records[0]["T2"] == "Reuters"
    assert records[0]["DA"] == "2024/01/03" and records[0]["UR"] == "https://example.com/k1"
    assert records[0]["N1"] == "first reports" and "Two explosions" in records[0]["AB"]
    table = list(csv.DictReader(io.StringIO(run("collection", "export", "Kerman blasts").stdout)))
    assert [r["title"] for r in table] == ["Twin blasts in Kerman", '\'=HYPERLINK("x") Kerman mourns']
    lines = run("collection", "export", "Kerman blasts", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["outlet"] for x in lines] == ["Reuters", "AP"]

    assert "removed 1" in run("collection", "remove", "Kerman blasts", str(ids["k2"])).stdout
    assert len(json.loads(run("collection", "show", "Kerman blasts", "--json").stdout)["articles"]) == 1
    assert run("collection", "delete", "Kerman blasts").exit_code == 0
    gone = run("collection", "show", "Kerman blasts")
    assert gone.exit_code == 2 and "no collection named" in gone.output


def test_a_collection_survives_a_reingest_that_changes_the_text_and_a_reindex(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = _records(tmp_path / "k.jsonl", "Crowds gathered in Kerman to mourn the dead.")
    run("ingest", str(corpus), "--no-embed")
    ids = _ids(run)
    run("collection", "create", "K")
    run("collection", "add", "K", str(ids["k2"]), "--note", "mourning")
    _records(corpus, "Crowds gathered in Kerman on Thursday to mourn the dead, and to protest.")
    run("ingest", str(corpus), "--no-embed")
    run("reindex")
    (entry,) = json.loads(run("collection", "show", "K", "--json").stdout)["articles"]
    assert entry["id"] == _ids(run)["k2"] and entry["note"] == "mourning"


def test_search_and_list_within_a_collection(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = _records(tmp_path / "k.jsonl", "Crowds gathered in Kerman to mourn the dead.")
    run("ingest", str(corpus), "--no-embed")
    ids = _ids(run)
    run("collection", "create", "Mourning")
    run("collection", "add", "Mourning", str(ids["k2"]))
    everywhere = json.loads(run("search", "Kerman", "--mode", "lexical", "--json").stdout)
    inside = json.loads(run("search", "Kerman", "--mode", "lexical", "--collection", "mourning", "--json").stdout)
    assert everywhere["matched"] == 2 and inside["matched"] == 1
    assert [r["id"] for r in inside["results"]] == [ids["k2"]]
    listed = [json.loads(x)["id"] for x in run("list", "--collection", "Mourning", "--json").stdout.splitlines()]
    assert listed == [ids["k2"]]
    unknown = run("list", "--collection", "Nope")
    assert unknown.exit_code == 2 and "no collection named" in unknown.output


def test_tags_and_a_note_on_articles_filter_search_and_list_and_survive_a_reingest(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = _records(tmp_path / "k.jsonl", "Crowds gathered in Kerman to mourn the dead.")
    run("ingest", str(corpus), "--no-embed")
    ids = _ids(run)
    assert "tagged 2 articles" in run("tag", "Kerman", str(ids["k1"]), str(ids["k2"])).stdout
    assert "tagged 1 article" in run("tag", "casualties", str(ids["k1"])).stdout
    assert run("tag", "x", "99999").exit_code == 2
    assert run("note", str(ids["k1"]), "First report to give a toll").stdout.strip() == "First report to give a toll"
    shown = json.loads(run("show", str(ids["k1"]), "--json").stdout)
    assert shown["tags"] == ["casualties", "Kerman"] and shown["note"] == "First report to give a toll"
    found = json.loads(run("search", "Kerman", "--mode", "lexical", "--tag", "CASUALTIES", "--json").stdout)
    assert [r["id"] for r in found["results"]] == [ids["k1"]] and found["matched"] == 1
    listed = [json.loads(x)["id"] for x in run("list", "--tag", "kerman", "--json").stdout.splitlines()]
    assert sorted(listed) == sorted([ids["k1"], ids["k2"]])
    assert "untagged 1 article" in run("tag", "kerman", str(ids["k2"]), "--remove").stdout
    assert "'Kerman': 1 articles" in run("tag", "Kerman").stdout
    _records(corpus, "Crowds gathered in Kerman on Thursday to mourn the dead, and to protest.")
    run("ingest", str(corpus), "--no-embed")
    again = json.loads(run("show", str(_ids(run)["k1"]), "--json").stdout)
    assert again["tags"] == ["casualties", "Kerman"] and again["note"] == "First report to give a toll"
    assert run("note", str(ids["k1"]), "--clear").stdout.strip() == "(no note)"


def test_a_saved_search_runs_again_and_shows_only_what_is_new(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = _records(tmp_path / "k.jsonl", "Crowds gathered in Kerman to mourn the dead.")
    run("ingest", str(corpus), "--no-embed")
    assert (
        run("saved", "save", "kerman", "Kerman", "--mode", "lexical", "--outlet", "Reuters", "--outlet", "AP").exit_code
        == 0
    )
    assert run("saved", "save", "KERMAN", "x").exit_code == 2, "one name, whatever its case"
    (listed,) = json.loads(run("saved", "list", "--json").stdout)
    assert listed["query"] == "Kerman" and listed["mode"] == "lexical" and listed["last_run_at"] is None
    assert listed["filters"] == {"outlets": ["reuters", "ap"]}
    first = json.loads(run("saved", "run", "kerman", "--new-since-last", "--json").stdout)
    assert first["matched"] == 2, "the first run has no last run: everything is new"
    none_new = json.loads(run("saved", "run", "kerman", "--new-since-last", "--json").stdout)
    assert none_new["matched"] == 0
    later = tmp_path / "later.jsonl"
    later.write_text(
        json.dumps(
            {
                "id": "k3",
                "title": "Kerman funerals",
                "source": "AP",
                "date": "2024-01-05",
                "text": "Funerals were held in Kerman for the victims.",
            }
        ),
        encoding="utf-8",
    )
    run("ingest", str(later), "--no-embed")
    fresh = json.loads(run("saved", "run", "kerman", "--new-since-last", "--json").stdout)
    assert [r["external_id"] for r in fresh["results"]] == ["k3"] and fresh["matched"] == 1
    assert json.loads(run("saved", "run", "kerman", "--json").stdout)["matched"] == 3
    assert run("saved", "delete", "kerman").exit_code == 0
    assert run("saved", "run", "kerman").exit_code == 2


def test_marks_give_this_archives_ndcg_and_precision_per_setting(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = _records(tmp_path / "k.jsonl", "Crowds gathered in Kerman to mourn the dead.")
    run("ingest", str(corpus), "--no-embed")
    ids = _ids(run)
    empty = json.loads(run("eval", "--json").stdout)
    assert empty["queries"] == 0
    assert "marked" in run("mark", "explosions in Kerman", str(ids["k1"]), "relevant").stdout
    run("mark", "explosions in Kerman", str(ids["k2"]), "not")
    assert run("mark", "explosions", "99999", "relevant").exit_code == 2
    report = json.loads(run("eval", "--json").stdout)
    assert report["queries"] == 1
    by_name = {s["name"]: s for s in report["settings"]}
    assert {"current", "words only", "meaning only"} <= set(by_name) and any(n.startswith("rrf") for n in by_name)
    assert by_name["words only"]["ndcg@10"] == 1.0 and by_name["words only"]["p@10"] == 0.1  # k1 first of one
    assert by_name["meaning only"]["ndcg@10"] == 0.0  # nothing embedded: the meaning leg finds nothing
    tuned = json.loads(run("tune", "--json").stdout)
    assert tuned["chosen"] == "current", "a tie keeps the current setting"
    assert "tuned on 1 marked queries" in run("stats").stdout
    assert json.loads(run("stats", "--json").stdout)["search"]["fusion"] == "weighted"
    assert "back to the default" in run("tune", "--reset").stdout
    assert "the default" in run("stats").stdout
    run("mark", "explosions in Kerman", str(ids["k1"]), "not")  # marks are replaced, not added
    assert json.loads(run("eval", "--json").stdout)["queries"] == 0


def test_tune_keeps_the_best_fusion_in_the_manifest_and_search_uses_it(home: Path, tmp_path: Path) -> None:
    from archive import Chunker, WordTokenizer
    from index import Archive, HashEmbedder

    corpus = _records(tmp_path / "k.jsonl", "Crowds gathered in Kerman to mourn the dead.")

    def opened() -> Archive:
        return Archive(home, embedder=HashEmbedder(dim=64), chunker=Chunker(WordTokenizer(254)))

    with opened() as archive:
        archive.ingest([str(corpus)])
        ids = {d.external_id: d.id for d in archive.list()}
        archive.mark("crowds mourn", ids["k2"], True)
        archive.mark("crowds mourn", ids["k1"], False)
        best, scores = archive.tune()
        assert best is not None and best.ndcg_at_10 == max(
            s.ndcg_at_10 for s in scores if s.name not in ("words only", "meaning only")
        )
        chosen = archive.search_settings
    with opened() as again:  # kept in the manifest: a new process searches with it
        assert again.search_settings == chosen and again.tuned_on == 1
        again.tune(reset=True)
    with opened() as last:
        assert last.search_settings == last.searcher.settings and last.tuned_on is None


def _three(path: Path) -> Path:
    _records(path, "Crowds gathered in Kerman to mourn the dead of the explosions.")
    third = {
        "id": "k3",
        "title": "Kerman explosions: the toll rises",
        "source": "BBC",
        "date": "2024-01-05",
        "text": "The toll of the two explosions in Kerman rose, officials said, as crowds mourned the dead.",
    }
    path.write_text(path.read_text(encoding="utf-8") + "\n" + json.dumps(third), encoding="utf-8")
    return path


def test_related_keeps_to_a_tag_or_a_collection_and_exports_with_tags_and_notes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(_three(tmp_path / "k.jsonl")), "--no-embed")
    ids = _ids(run)
    run("tag", "follow-up", str(ids["k3"]))
    run("note", str(ids["k3"]), "Gives the later toll")
    run("collection", "create", "Mourning")
    run("collection", "add", "Mourning", str(ids["k2"]), "--note", "the mourning")

    def related(*extra: str) -> list[int]:
        out = run("related", str(ids["k1"]), "--any-time", "--json", *extra)
        assert out.exit_code == 0, out.output
        return [r["id"] for r in json.loads(out.stdout)["results"]]

    assert sorted(related()) == sorted([ids["k2"], ids["k3"]])
    assert related("--tag", "FOLLOW-UP") == [ids["k3"]]
    assert related("--collection", "mourning") == [ids["k2"]]
    unknown = run("related", str(ids["k1"]), "--collection", "Nope")
    assert unknown.exit_code == 2 and "no collection named 'Nope'" in unknown.output

    ris = tmp_path / "related.ris"
    done = run("related", str(ids["k1"]), "--any-time", "--export", str(ris), "--format", "ris")
    assert done.exit_code == 0 and "wrote 2 related articles" in done.stdout
    records = {r["ID"]: r for r in _parse_ris(ris.read_text(encoding="utf-8"))}
    assert set(records) == {str(ids["k2"]), str(ids["k3"])}
    assert records[str(ids["k3"])]["KW"] == "follow-up"
    assert records[str(ids["k3"])]["N1"] == f"Found by: related to article {ids['k1']}"
    assert "Gives the later toll" in ris.read_text(encoding="utf-8")
    assert "toll" in records[str(ids["k3"])]["AB"]

    table = list(csv.DictReader(io.StringIO(run("collection", "export", "Mourning").stdout)))
    assert table[0]["note"] == "the mourning" and table[0]["tags"] == ""
    run("tag", "kerman", str(ids["k2"]))
    run("note", str(ids["k2"]), "AP's own")
    table = list(csv.DictReader(io.StringIO(run("collection", "export", "Mourning").stdout)))
    assert table[0]["note"] == "the mourning | AP's own" and table[0]["tags"] == "kerman"


def test_an_export_with_a_bad_filter_fails_before_writing_and_keeps_an_old_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(_three(tmp_path / "k.jsonl")), "--no-embed")
    target = tmp_path / "out.csv"
    target.write_text("an older export\n", encoding="utf-8")
    bad = run("search", "Kerman", "--mode", "lexical", "--collection", "Nope", "--export", str(target))
    assert bad.exit_code == 2 and "no collection named" in bad.output
    assert target.read_text(encoding="utf-8") == "an older export\n"
    gone = run("collection", "export", "Nope", "-o", str(target))
    assert gone.exit_code == 2 and target.read_text(encoding="utf-8") == "an older export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
    run("tag", "kerman", str(_ids(run)["k3"]))
    good = run("search", "Kerman", "--mode", "lexical", "--export", str(target))
    assert good.exit_code == 0 and "wrote 3 matching articles" in good.stdout
    table = {r["id"]: r for r in csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))}
    assert table[str(_ids(run)["k3"])]["tags"] == "kerman" and table[str(_ids(run)["k3"])]["query"] == "Kerman"
