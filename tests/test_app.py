"""The Streamlit app through `streamlit.testing.v1.AppTest`: every page, each filter, escaping, upload."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from archive import Chunker, WordTokenizer
from index import Archive, HashEmbedder
from tests.builders import html_page

ARTICLES = [
    (
        "quake-1",
        "Earthquake kills hundreds in Turkey",
        "2023-02-06",
        "The Daily",
        "A powerful earthquake struck southern Turkey, killing hundreds. Rescuers dug through rubble.",
    ),
    (
        "quake-2",
        "Rescuers race to find survivors",
        "2023-02-07",
        "Wire Service",
        "Rescue teams searched collapsed buildings after the earthquake. The death toll kept rising.",
    ),
    (
        "blast-1",
        "Twin blasts in Kerman",
        "2024-01-03",
        "The Daily",
        "Two explosions near a memorial in Kerman killed 84 people, officials said.",
    ),
    (
        "budget-1",
        "Parliament passes the budget",
        "2022-06-30",
        "Evening Post",
        "Lawmakers approved the spending plan after a long night of debate.",
    ),
    (
        "undated-1",
        "An earthquake drill at school",
        None,
        "Evening Post",
        "Pupils practised what to do in an earthquake.",
    ),
    (
        "evil-1",
        "Markup <b>inside</b> a title",
        "2023-03-01",
        "Evening Post",
        "This earthquake story has <script>alert('x')</script> and <img src=x onerror=alert(1)> in its text.",
    ),
]


def _open(home: str, **kwargs: object) -> Archive:
    kwargs.setdefault("embedder", HashEmbedder(dim=128))
    return Archive(Path(home), chunker=Chunker(WordTokenizer(254)), **kwargs)  # type: ignore[arg-type]


def _script(home: str) -> None:
    from tests.test_app import _open
    from ui.app.main import main

    main(lambda **kw: _open(home, **kw), key=home)


def _app(home: Path, **query: str | list[str]) -> AppTest:
    at = AppTest.from_function(_script, args=(str(home),), default_timeout=60)
    at.query_params.update(query)
    return at.run()


def _filled_home(root: Path) -> Path:
    """An archive of ARTICLES under `root`/home."""
    records = root / "records.jsonl"
    records.write_text(
        "\n".join(json.dumps({"id": i, "title": t, "date": d, "source": o, "text": x}) for i, t, d, o, x in ARTICLES),
        encoding="utf-8",
    )
    home = root / "home"
    with _open(str(home)) as archive:
        archive.ingest([str(records)])
    return home


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _filled_home(tmp_path_factory.mktemp("app"))


def _ids(home: Path) -> dict[str, int]:
    with _open(str(home)) as archive:
        rows = archive.store.db.execute("SELECT external_id, id FROM documents").fetchall()
    return {e: i for e, i in rows}


def _results(at: AppTest) -> list[str]:
    return [h.value for h in at.html if 'class="sa-title"' in h.value]


def test_empty_archive_leads_to_ingest(tmp_path: Path) -> None:
    at = _app(tmp_path / "empty")
    assert not at.exception
    assert at.title[0].value == "Your archive is empty"
    next(b for b in at.button if b.label == "Add articles").click().run()
    assert _param(at, "view") == "ingest"
    assert at.title[0].value == "Add articles"


def test_search_from_the_form_puts_the_query_in_the_url(filled: Path) -> None:
    at = _app(filled)
    assert not at.exception
    at.text_input[0].input("earthquake rubble")
    at.form_submit_button[0].click().run()
    assert _param(at, "q") == "earthquake rubble"
    results = _results(at)
    assert results and "Earthquake kills hundreds" in results[0]
    assert re.search(r'<mark class="[^"]*hl-words', results[0])
    assert any("matching articles" in m.value for m in at.markdown)


def _param(at: AppTest, key: str) -> str | list[str] | None:
    value = at.query_params.get(key)
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


@pytest.mark.parametrize(
    ("query", "expect", "absent"),
    [
        ({"from": "2023-02-07", "to": "2023-12-31"}, ["Rescuers race"], ["Earthquake kills hundreds", "drill"]),
        ({"outlet": ["The Daily"]}, ["Earthquake kills hundreds"], ["Rescuers race", "drill"]),
        ({"undated": "only"}, ["drill"], ["Earthquake kills hundreds"]),
        ({"mode": "lexical"}, ["Earthquake kills hundreds"], []),
        ({"mode": "semantic", "share": "0.8"}, ["Earthquake kills hundreds"], []),
        ({"fusion": "rrf"}, ["Earthquake kills hundreds"], []),
    ],
)
def test_each_filter_and_mode(
    filled: Path, query: dict[str, str | list[str]], expect: list[str], absent: list[str]
) -> None:
    at = _app(filled, q="earthquake", **query)
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    text = "\n".join(_results(at))
    for title in expect:
        assert title in text
    for title in absent:
        assert title not in text


def test_filters_from_the_widgets(filled: Path) -> None:
    import datetime as dt

    at = _app(filled, q="earthquake")
    at.multiselect[0].select("Wire Service")
    at.date_input[0].set_value(dt.date(2023, 1, 1))
    at.form_submit_button[0].click().run()
    assert _param(at, "outlet") == "Wire Service"
    assert _param(at, "from") == "2023-01-01"
    text = "\n".join(_results(at))
    assert "Rescuers race" in text and "Earthquake kills hundreds" not in text


def test_fusion_from_the_widget(filled: Path) -> None:
    at = _app(filled, q="earthquake")
    at.radio(key="f-fusion").set_value("rrf")
    at.form_submit_button[0].click().run()
    assert _param(at, "fusion") == "rrf"
    assert "Earthquake kills hundreds" in "\n".join(_results(at))


def test_quick_range_a_given_year(filled: Path) -> None:
    at = _app(filled, q="earthquake")
    at.selectbox[0].select("2023")
    at.form_submit_button[0].click().run()
    assert (_param(at, "from"), _param(at, "to")) == ("2023-01-01", "2023-12-31")


def test_broken_url_parameters_are_warnings_not_errors(filled: Path) -> None:
    at = _app(filled, q='"unbalanced (quote', mode="fast", share="lots", page="-3", to="yesterday", fusion="x")
    assert not at.exception
    assert len([h for h in at.html if 'class="sa-warning"' in h.value]) == 5  # warnings drawn as text
    assert not at.error


def test_article_page_highlights_and_related(filled: Path) -> None:
    ids = _ids(filled)
    at = _app(filled, view="article", id=str(ids["quake-1"]), q="earthquake")
    assert not at.exception
    body = next(h.value for h in at.html if "sa-article" in h.value)
    assert 'id="first-hit"' in body
    assert re.search(r'<mark class="[^"]*hl-words', body) and re.search(r'<mark class="[^"]*hl-meaning', body)
    assert any("Related coverage" in s.value for s in at.subheader)
    related = [b for b in at.button if "Rescuers race" in b.label]
    assert related
    related[0].click().run()
    assert _param(at, "id") == str(ids["quake-2"])
    assert _param(at, "q") == "earthquake", "a related article keeps the search it came from"
    next(b for b in at.button if "Back to search" in b.label).click().run()
    assert _param(at, "q") == "earthquake" and _param(at, "view") is None and _results(at)


def test_an_article_url_without_an_id_is_a_hint_not_an_error(filled: Path) -> None:
    at = _app(filled, view="article", q="earthquake")  # what Back once landed on
    assert not at.exception and not at.error
    assert "No article is chosen" in at.info[0].value


def test_results_say_why_in_words_and_explain_the_colours(filled: Path) -> None:
    at = _app(filled, q="kerman killed")
    assert not at.exception
    page = "\n".join(h.value for h in at.html)
    assert "Contains: kerman, killed" in page and "words #" not in page
    assert "your query&#x27;s words" in page or "your query's words" in page
    assert any(e.label.startswith("Advanced") for e in at.expander), "the engine's knobs wait under Advanced"


def test_gibberish_says_no_article_contains_the_words(filled: Path) -> None:
    at = _app(filled, q="zzzzqqq")
    assert not at.exception
    assert "No article contains these words" in at.info[0].value
    assert any("**0** matching articles" in m.value for m in at.markdown)


def test_article_text_is_escaped(filled: Path) -> None:
    ids = _ids(filled)
    at = _app(filled, view="article", id=str(ids["evil-1"]), q="earthquake")
    page = "\n".join(h.value for h in at.html)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>inside</b>" not in page
    assert "&lt;script&gt;alert" in page and "&lt;b&gt;inside&lt;/b&gt;" in page
    search = _app(filled, q="earthquake story")
    assert "<script>alert" not in "\n".join(_results(search))


def test_unknown_article_is_a_message(filled: Path) -> None:
    at = _app(filled, view="article", id="999999")
    assert not at.exception
    assert "no document" in at.error[0].value


def test_upload_ingests_and_becomes_searchable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    at = _app(home, view="ingest")
    page = html_page("Volcano erupts near Reykjavik", "Lava flowed toward the town of Grindavik overnight.")
    at.file_uploader[0].upload("volcano.html", page.encode(), "text/html")
    at.file_uploader[0].upload("broken.pdf", b"not a pdf at all", "application/pdf")
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert not at.exception
    assert "1 added" in at.warning[0].value and "1 failed" in at.warning[0].value
    assert at.dataframe, "the failures are listed"
    assert list(at.dataframe[0].value["file"]) == ["broken.pdf (uploaded)"], "the user's name, not the archive's copy"
    assert at.file_uploader[0].value in (None, []), "the uploader is empty after an ingest"
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert any("Choose files to upload" in w.value for w in at.warning), "nothing was ingested a second time"
    at.file_uploader[0].upload("notes.txt", b"Harbour reopens\n\nThe harbour reopened after the storm.", "text/plain")
    at.text_input[1].input("The Harbour Herald")
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert "1 added" in at.success[0].value
    at = _app(home, q="volcano lava")
    assert "Volcano erupts" in "\n".join(_results(at))
    archive_page = _app(home, view="archive")
    outlets = dict(zip(archive_page.dataframe[0].value["outlet"], archive_page.dataframe[0].value["articles"]))
    assert outlets == {"The Daily": 1, "The Harbour Herald": 1}
    assert {m.label: m.value for m in archive_page.metric}["Failed files"] == "1"
    next(b for b in archive_page.button if b.label == "Clear this list").click().run()
    assert {m.label: m.value for m in archive_page.metric}["Failed files"] == "0"


def test_archive_page(filled: Path) -> None:
    at = _app(filled, view="archive")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == str(len(ARTICLES))
    assert metrics["Undated"] == "1"
    assert metrics["Chunks without vectors"] == "0"


# the pure parts: URL parameters, highlighted HTML, chart selections, `archive ui`


def test_url_parameters_round_trip() -> None:
    import datetime as dt

    from ui.app import params

    request = params.SearchRequest(
        "kerman blasts", "semantic", 0.5, dt.date(2024, 1, 1), dt.date(2024, 1, 31), ("A & B", "C"), "exclude", 3, "rrf"
    )
    encoded = params.to_params(request)
    parsed = params.from_params(lambda k: v if isinstance(v := encoded.get(k, []), list) else [v])
    assert parsed.request == request and not parsed.problems
    assert params.to_params(params.SearchRequest("q")) == {"q": "q"}


def test_highlighted_html_escapes_and_nests_marks() -> None:
    from index.highlight import Highlight
    from ui.app import render

    text = "<b>Quake</b> kills 84 & more. Second sentence here."
    spans = [Highlight(3, 8, "lexical"), Highlight(0, 28, "semantic")]
    out = render.passage_html(text, 0, 28, spans)
    assert "<b>" not in out and "&lt;b&gt;" in out and "&amp;" in out
    assert '<mark class="hl-meaning hl-words">Quake</mark>' in out
    assert out.endswith(" …</div>")
    article = render.article_html("One.\n\nTwo <i>x</i>.", [Highlight(0, 3, "lexical")])
    assert article.count("<p>") == 2 and 'id="first-hit"' in article and "<i>" not in article
    assert render.plain("[click](javascript:x)") == r"\[click\]\(javascript\:x\)"


def test_chart_selection_becomes_whole_months() -> None:
    import datetime as dt

    from ui.app.views.timeline import selected_span

    start = dt.datetime(2023, 2, 10, tzinfo=dt.timezone.utc).timestamp() * 1000
    end = dt.datetime(2023, 4, 2, tzinfo=dt.timezone.utc).timestamp() * 1000
    assert selected_span({"selection": {"span": {"month": [end, start]}}}) == (
        dt.date(2023, 2, 1),
        dt.date(2023, 4, 30),
    )
    assert selected_span({"selection": {"span": {"month": ["2020-02-03", "2020-02-20"]}}}) == (
        dt.date(2020, 2, 1),
        dt.date(2020, 2, 29),
    )
    assert selected_span({"selection": {"span": {}}}) is None
    assert selected_span({"selection": {}}) is None


def test_archive_ui_refuses_a_busy_port(tmp_path: Path) -> None:
    import socket

    from click.testing import CliRunner

    from ui.cli import cli

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["--home", str(tmp_path), "ui", "--port", str(port), "--no-browser"])
    assert result.exit_code == 1
    assert "cannot listen on 127.0.0.1" in result.output and "--port" in result.output


def test_a_quick_range_shows_in_the_pickers_and_a_second_search_keeps_it(filled: Path) -> None:
    import datetime as dt

    at = _app(filled, q="earthquake")
    at.selectbox[0].select("2023")
    at.form_submit_button[0].click().run()
    assert at.selectbox[0].value == "Dates from the pickers"
    assert at.date_input[0].value == dt.date(2023, 1, 1) and at.date_input[1].value == dt.date(2023, 12, 31)
    at.text_input[0].input("rescue")
    at.form_submit_button[0].click().run()
    assert (_param(at, "q"), _param(at, "from"), _param(at, "to")) == ("rescue", "2023-01-01", "2023-12-31")
    assert "Rescuers race" in "\n".join(_results(at))


def test_paging_and_export(tmp_path: Path) -> None:
    records = tmp_path / "many.jsonl"
    records.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": f"s{i}",
                    "title": f"Storm report {i}",
                    "date": f"2022-01-{i + 1:02d}",
                    "source": "The Daily",
                    "text": f"A storm hit the coast, report number {i}. Winds rose.",
                }
            )
            for i in range(25)
        ),
        encoding="utf-8",
    )
    home = tmp_path / "home"
    with _open(str(home)) as archive:
        archive.ingest([str(records)])
    at = _app(home, q="storm", mode="lexical")
    assert len(_results(at)) == 10 and any("Page 1 of 3" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Next →").click().run()
    assert _param(at, "page") == "2" and len(_results(at)) == 10
    assert "11. " in _results(at)[0]
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["CSV", "RIS (Zotero, EndNote)", "JSON Lines", "Export page (CSV)", "Export page (JSON)"]
    assert any("Export all **25** matches" in m.value for m in at.markdown)
    from ui.app import export

    with _open(str(home)) as archive:
        response = archive.search("storm", mode="lexical", limit=2)
    rows = export.to_csv(response, 1).splitlines()
    assert rows[0] == "rank,title,outlet,date,url,path,passage,score,id" and ",The Daily,2022-01-" in rows[1]
    assert json.loads(export.to_json(response, 1))["results"][1]["rank"] == 2
    from dataclasses import replace

    risky = replace(response, results=(replace(response.results[0], title='=HYPERLINK("http://x")'),))
    assert "'=HYPERLINK" in export.to_csv(risky) and '"=HYPERLINK' not in export.to_csv(risky)


def test_archive_ui_first_run_serves_silently_and_sigterm_stops_its_streamlit_child(tmp_path: Path) -> None:
    """A first run: empty HOME, no terminal, a browser to open. No e-mail prompt, nothing written to HOME."""
    import os
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    archive = shutil.which("archive", path=str(Path(sys.executable).parent)) or "archive"
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    empty = tmp_path / "empty-home"
    empty.mkdir()
    env = {**os.environ, "HOME": str(empty), "BROWSER": str(browser)}
    env.pop("DISPLAY", None)
    log = tmp_path / "log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [archive, "--home", str(tmp_path / "home"), "ui", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                    assert reply.status == 200
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "archive ui did not serve"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as reply:
            assert reply.status == 200 and b"<html" in reply.read().lower()
        while not opened.exists():
            assert time.monotonic() < deadline, "the browser was not opened"
            time.sleep(0.2)
        assert opened.read_text().strip() == f"http://127.0.0.1:{port}"
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert children, "archive ui runs Streamlit as its child"
        process.terminate()
        process.wait(timeout=30)
        time.sleep(0.5)
        alive = [c for c in children if subprocess.run(["kill", "-0", c], capture_output=True).returncode == 0]
        assert alive == [], "the Streamlit child is still running"
        said = log.read_text()
        assert "email" not in said.lower() and "usage statistics" not in said.lower(), said
        assert list(empty.iterdir()) == [], f"wrote into HOME: {list(empty.rglob('*'))}"
    finally:
        if process.poll() is None:
            process.kill()


def test_results_go_into_a_collection_with_a_note_and_the_collections_page_exports_them(tmp_path: Path) -> None:
    home = _filled_home(tmp_path)
    at = _app(home, q="earthquake")
    assert not at.exception
    for doc_id in _result_ids(at)[:2]:
        next(c for c in at.checkbox if c.key == f"pick-results-{doc_id}").check()
    next(t for t in at.text_input if t.label == "New collection's name").input("Quake coverage")
    next(t for t in at.text_input if t.label == "Note (optional)").input("first two")
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception
    assert any("2 articles in “Quake coverage”" in s.value for s in at.success)
    with _open(str(home)) as archive:
        entries = archive.collection("quake coverage").entries
        assert len(entries) == 2 and {e.note for e in entries} == {"first two"}
        assert {e.query for e in entries} == {"earthquake"}
    page = _app(home, view="collections")
    assert not page.exception
    assert list(page.dataframe[0].value["note"]) == ["first two", "first two"]
    assert [b.label for b in page.get("download_button")][:3] == [
        "Export CSV",
        "Export RIS (Zotero, EndNote)",
        "Export JSON Lines",
    ]


def test_a_new_collections_name_already_taken_adds_to_that_collection(tmp_path: Path) -> None:
    """Add with "A new collection…" and a taken name (any case): the articles go into that collection, no error
    (the panel keeps the name typed, so a second Add used to fail with "there is a collection named ... already")."""
    from ui.app.views.collections import NEW

    home = _filled_home(tmp_path)
    with _open(str(home)) as archive:
        archive.create_collection("Quake coverage")
    at = _app(home, q="earthquake")
    first = _result_ids(at)[0]
    next(c for c in at.checkbox if c.key == f"pick-results-{first}").check()
    next(s for s in at.selectbox if s.label == "Collection").set_value(NEW)
    next(t for t in at.text_input if t.label == "New collection's name").input("  quake   COVERAGE ")
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception and not at.error
    assert any("1 article in “Quake coverage”" in s.value for s in at.success)
    with _open(str(home)) as archive:
        assert [c.name for c in archive.collections()] == ["Quake coverage"]
        assert [e.id for e in archive.collection("Quake coverage").entries] == [first]


def _result_ids(at: AppTest) -> list[int]:
    found = re.findall(r"open-(\d+)-\d+", " ".join(str(b.key) for b in at.button))
    return [int(x) for x in found]


def test_an_article_goes_into_a_collection_from_its_page(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"id": "k", "title": "Twin blasts", "date": "2024-01-03", "text": "Blasts."}))
    home = tmp_path / "home"
    with _open(str(home)) as archive:
        archive.ingest([str(records)])
        archive.create_collection("Kerman")
    at = _app(home, view="article", id=str(_ids(home)["k"]))
    next(s for s in at.selectbox if s.label == "Collection").set_value("Kerman")
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception and any("1 article in “Kerman”" in s.value for s in at.success)


def test_an_articles_tags_and_note_are_saved_from_its_page(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"id": "k", "title": "Twin blasts", "date": "2024-01-03", "text": "Blasts."}))
    home = tmp_path / "home"
    with _open(str(home)) as archive:
        archive.ingest([str(records)])
    doc_id = _ids(home)["k"]
    at = _app(home, view="article", id=str(doc_id))
    next(t for t in at.text_input if t.label == "New tags (comma-separated)").input("kerman, casualties")
    next(t for t in at.text_area if t.label == "Note").input("the first report")
    next(b for b in at.button if b.label == "Save tags and note").click().run()
    assert not at.exception and any("Saved: kerman, casualties" in s.value for s in at.success)
    with _open(str(home)) as archive:
        mine = archive.annotations(doc_id)
    assert mine.tags == ("casualties", "kerman") and mine.note == "the first report"


def test_tags_are_facets_and_filters_and_a_collection_narrows_the_search(tmp_path: Path) -> None:
    home = _filled_home(tmp_path)
    ids = _ids(home)
    with _open(str(home)) as archive:
        archive.tag([ids["quake-1"], ids["quake-2"]], ["Turkey"])
        archive.tag([ids["quake-2"]], ["rescue"])
        archive.create_collection("Keep")
        archive.add_to_collection("Keep", [ids["quake-1"]])
    at = _app(home, q="earthquake", mode="lexical")
    assert not at.exception
    anywhere = next(s for s in at.selectbox if s.label == "In your collection")
    assert (anywhere.index, anywhere.options[0]) == (0, "Anywhere in the archive")  # not drawn empty
    facets = [b.label for b in at.button if str(b.key).startswith("facet-")]
    assert facets == ["🏷 Turkey (2)", "🏷 rescue (1)"]
    next(b for b in at.button if b.label == "🏷 rescue (1)").click().run()
    assert _param(at, "tag") == "rescue"
    assert [r.split("</b>")[0] for r in _results(at)] == ['<div class="sa-title"><b>1. Rescuers race to find survivors']
    assert next(m for m in at.multiselect if m.label == "Your tags (any of them)").value == ["rescue"]
    inside = _app(home, q="earthquake", mode="lexical", collection="keep")
    assert len(_results(inside)) == 1 and "Earthquake kills hundreds" in _results(inside)[0]
    assert next(s for s in inside.selectbox if s.label == "In your collection").value == "keep"
    gone = _app(home, q="earthquake", collection="Deleted long ago")
    assert not gone.exception and any("no collection named" in e.value for e in gone.error)
    (tmp_path / "bare").mkdir()
    bare = _filled_home(tmp_path / "bare")
    assert not any(m.label == "Your tags (any of them)" for m in _app(bare, q="earthquake").multiselect)


def test_marks_on_results_are_kept_for_eval(tmp_path: Path) -> None:
    home = _filled_home(tmp_path)
    ids = _ids(home)
    at = _app(home, q="Kerman blasts", mode="lexical")
    target = ids["blast-1"]
    next(b for b in at.button if str(b.key).startswith(f"mark-1-{target}-")).click().run()
    assert not at.exception
    held = next(b for b in at.button if str(b.key).startswith(f"mark-1-{target}-"))
    assert held.label == "✓ Relevant" and held.disabled
    with _open(str(home)) as archive:
        assert archive.marks_for("kerman  BLASTS", [target]) == {target: 1}
        assert archive.evaluate()[0].queries == 1
    next(b for b in at.button if str(b.key).startswith(f"mark-0-{target}-")).click().run()
    assert next(b for b in at.button if str(b.key).startswith(f"mark-0-{target}-")).label == "✓ Not relevant"
    with _open(str(home)) as archive:
        assert archive.marks_for("Kerman blasts", [target]) == {target: 0}
        assert archive.evaluate()[0].queries == 0, "a query with no relevant article backs no figure"


def test_a_search_for_articles_mentioning_a_day_whatever_their_date(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    rows = [
        {"id": "on", "title": "Twin blasts in Kerman", "date": "2024-01-03", "text": "Blasts hit Kerman on Wednesday."},
        {"id": "later", "title": "Kerman, a year on", "date": "2025-01-03",
         "text": "A year after the blasts of January 3, 2024, Kerman remembered."},
        {"id": "other", "title": "Kerman budget", "date": "2024-01-10", "text": "Kerman's budget passed on Tuesday."},
    ]  # fmt: skip
    records.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    home = tmp_path / "home"
    with _open(str(home)) as archive:
        archive.ingest([str(records)])
    at = _app(home, q="Kerman", mode="lexical", mfrom="2024-01-03", mto="2024-01-03")
    assert not at.exception
    shown = _results(at)
    assert len(shown) == 2 and not any("Kerman budget" in r for r in shown)
    later = next(r for r in shown if "a year on" in r)
    assert "Mentions: January 3, 2024 (2024-01-03)" in later and '<mark class="hl-date">January 3, 2024</mark>' in later
    assert next(d for d in at.date_input if d.label == "Text mentions a date from").value == dt.date(2024, 1, 3)
    assert any("a date it mentions in your range" in h.value for h in at.html)
    article = _app(home, view="article", id=str(_ids(home)["later"]), q="Kerman", mfrom="2024-01-03")
    assert not article.exception
    assert any("Dates it mentions: January 3, 2024 (2024-01-03)" in h.value for h in article.html)
    assert any('class="hl-date"' in h.value for h in article.html)
    bad = _app(home, q="Kerman", mfrom="2024-02-01", mto="2024-01-01")
    assert not bad.exception and any("mentioned-date range is empty" in h.value for h in bad.html)


def test_a_date_in_the_query_is_read_as_a_filter_and_one_click_keeps_it_as_words(tmp_path: Path) -> None:
    home = _filled_home(tmp_path)
    at = _app(home, q="earthquake in February 2023", mode="lexical")
    assert not at.exception
    assert any("Read ‘in February 2023’ as 2023-02-01..2023-02-28" in i.value for i in at.info)
    titles = " ".join(_results(at))
    assert "Earthquake kills hundreds" in titles and "drill" not in titles and "Markup" not in titles
    next(b for b in at.button if b.key == "literal").click().run()
    assert _param(at, "literal") == "1"
    assert not any("Read ‘in February 2023’" in i.value for i in at.info)
    assert "drill" in " ".join(_results(at)), "as words, the undated drill matches again"


def test_stories_page_lists_the_stories_and_opens_one(filled: Path) -> None:
    at = _app(filled, view="stories")
    assert not at.exception
    assert at.title[0].value == "Stories"
    listed = [b for b in at.button if b.key and b.key.startswith("story-")]
    assert len(listed) >= 4 and any("Kerman" in b.label for b in listed)
    next(b for b in listed if "Kerman" in b.label).click().run()
    assert _param(at, "view") == "story" and _param(at, "story")
    assert "Kerman" in at.title[0].value
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # the timeline
    assert any("Coverage by outlet" in s.value for s in at.subheader)
    assert len(at.get("download_button")) == 3  # the story as CSV, RIS, JSON Lines
    article = next(b for b in at.button if b.key and b.key.startswith("story-article-"))
    article.click().run()
    assert _param(at, "view") == "article"
    story_button = next(b for b in at.button if b.label.startswith("Story\\:"))  # the label escapes Markdown
    story_button.click().run()
    assert _param(at, "view") == "story"


def test_stories_page_filters_go_in_the_url(filled: Path) -> None:
    at = _app(filled, view="stories", **{"from": "2024-01-01"})
    assert not at.exception
    listed = [b.label for b in at.button if b.key and b.key.startswith("story-")]
    assert listed and all("2024\\-" in label for label in listed)
    bad = _app(filled, view="stories", **{"from": "2024-13-01"})
    assert not bad.exception and any("not a day" in w.value for w in bad.warning)
    missing = _app(filled, view="story", story="9999")
    assert not missing.exception and "no story 9999" in missing.error[0].value
