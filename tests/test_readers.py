"""Each format, read through a real ingest into a temporary store."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from archive import Chunker, Document, IngestOptions, InvalidInputError, ReadOptions, Store, ingest
from archive.readers.fields import parse_field_overrides
from tests.builders import ARTICLE, html_page, pdf_bytes, warc_bytes
from tests.conftest import shared_path


def docs(store: Store) -> list[Document]:
    return [store.get(d.id) for d in store.list_documents()]


def run(store: Store, chunker: Chunker, path: Path, **options: object) -> list[Document]:
    report = ingest(store, [str(path)], chunker, IngestOptions(**options))  # type: ignore[arg-type]
    assert not report.failed, report.failed
    return docs(store)


def test_user_seeds_date_marker_title_and_credit(store: Store, chunker: Chunker) -> None:
    seeds = shared_path("seeds")
    found = {Path(d.path).name: d for d in run(store, chunker, seeds) if d.path.endswith("a.txt") or "_" in d.path}
    first, second = found["000_b64f4d9f410771da.txt"], found["004_5fc7c7c3a8596469.txt"]
    assert first.date == second.date == "2024-01-03"
    assert not first.text.startswith("date") and "date 2024-01-03" not in second.text
    assert first.title and first.title.startswith("Dozens are reported killed")
    assert second.title and "Getty" not in second.title and second.title.startswith("Qassem Soleimani")
    assert first.outlet is None  # no record, no URL, no --source: unknown (the folder holds two outlets)
    assert not any(Path(d.path).name == "README.md" for d in found.values())  # the folder's README is no article


def test_txt_marker_with_an_impossible_date_is_removed_and_undated(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.txt": "date 2024-13-45 Big news today\n\nThe body of the article is here."})
    report = ingest(store, [str(root)], chunker)
    (doc,) = docs(store)
    assert doc.date is None and doc.date_warning
    assert doc.text.startswith("Big news today")
    assert report.warnings and "undated" in report.warnings[0].reason


def test_markdown_front_matter_and_heading(store: Store, chunker: Chunker, files) -> None:
    root = files(
        {
            "a.md": "---\ntitle: Quake kills hundreds\ndate: 2023-02-06\nsource: The Daily\n---\nBody text here. More.",
            "b.md": "# A heading title\n\nSome body text.",
        }
    )
    a, b = sorted(run(store, chunker, root), key=lambda d: d.path)
    assert (a.title, a.date, a.outlet) == ("Quake kills hundreds", "2023-02-06", "The Daily")
    assert b.title == "A heading title"
    assert b.text.startswith("A heading title\n") and "#" not in b.text  # headings keep their words, not `#`


def test_html_main_text_and_metadata(store: Store, chunker: Chunker, files) -> None:
    root = files({"page.html": html_page()})
    (doc,) = run(store, chunker, root)
    assert doc.title == "Quake kills hundreds"
    assert doc.date == "2023-02-06"
    assert doc.outlet == "The Daily"
    assert doc.url == "https://www.daily.example.com/world/quake"
    assert "Rescuers searched" in doc.text and "All rights reserved" not in doc.text and "Home" not in doc.text
    assert doc.language == "en"


def test_json_object_list_and_nested_paragraphs(store: Store, chunker: Chunker, files) -> None:
    basil_like = {
        "title": "T",
        "date": "2019-03-01",
        "source": "fox",
        "uuid": "u-1",
        "body-paragraphs": [["First sentence.", "Second sentence."], ["New paragraph."]],
    }
    root = files(
        {
            "one.json": json.dumps(basil_like),
            "many.json": json.dumps(
                {"articles": [{"headline": "H1", "body": "Body one."}, {"headline": "H2", "body": "Two."}]}
            ),
        }
    )
    by_title = {d.title: d for d in run(store, chunker, root)}
    assert by_title["T"].text == "First sentence. Second sentence.\n\nNew paragraph."
    assert by_title["T"].external_id == "u-1" and by_title["T"].outlet == "fox"
    assert {"H1", "H2"} <= set(by_title)


def test_jsonl_gz_with_malformed_lines_keeps_the_rest(store: Store, chunker: Chunker, tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "a",
                "title": "A",
                "content_original": "Alpha text.",
                "date": "9/20/16",
                "url": "https://www.nytimes.com/x",
                "authors": "Ann One, Bob Two",
            }
        ),
        "{not json",
        "",
        json.dumps({"id": "b", "title": "B", "text": "Beta text."}),
        "[1, 2]",
    ]
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    report = ingest(store, [str(path)], chunker)
    assert report.added == 2
    assert len(report.failed) == 2 and "line 2: malformed JSON" in report.failed[0].reason
    a = store.find("a")
    assert (a.date, a.outlet, a.authors) == ("2016-09-20", "nytimes.com", ("Ann One", "Bob Two"))
    assert store.stats().failed_files == 1


def test_csv_records(store: Store, chunker: Chunker, tmp_path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ID", "headline", "content", "publisher", "published"])
    writer.writerow(["7", "Quake", ARTICLE, "Reuters", "2023-02-06"])
    writer.writerow(["8", "Second", "Another article, with a comma.", "AP", ""])
    path = tmp_path / "a.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    got = {d.external_id: d for d in run(store, chunker, path)}
    assert got["7"].outlet == "Reuters" and got["7"].date == "2023-02-06"
    assert got["8"].date is None and got["8"].text == "Another article, with a comma."


def test_field_override(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.jsonl": json.dumps({"words": "Text in an odd field.", "name": "X"})})
    options = {"read": ReadOptions(fields=parse_field_overrides(["text=words", "title=name"]))}
    (doc,) = run(store, chunker, root, **options)
    assert (doc.title, doc.text) == ("X", "Text in an odd field.")


def test_field_override_names_the_valid_targets() -> None:
    with pytest.raises(InvalidInputError, match="choose from"):
        parse_field_overrides(["body=x"])
    with pytest.raises(InvalidInputError, match="TARGET=FIELD"):
        parse_field_overrides(["text"])


def test_records_without_a_text_field_fail_once_with_a_hint(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.jsonl": "\n".join(json.dumps({"words": f"w{i}"}) for i in range(50))})
    report = ingest(store, [str(root)], chunker)
    assert len(report.failed) == 1 and "--field text=" in report.failed[0].reason


def test_pdf_text_layer_and_scan(store: Store, chunker: Chunker, files) -> None:
    root = files({"a.pdf": pdf_bytes("Quake kills hundreds in Turkey."), "scan.pdf": pdf_bytes(None)})
    report = ingest(store, [str(root)], chunker)
    (doc,) = docs(store)
    assert "Quake kills hundreds" in doc.text
    assert len(report.failed) == 1 and "no text layer" in report.failed[0].reason


def test_warc_one_document_per_html_response(store: Store, chunker: Chunker, files) -> None:
    pages = [
        ("https://www.daily.example.com/a", html_page("First story")),
        ("https://www.daily.example.com/b", html_page("Second story", "A different article body. It is long enough.")),
    ]
    root = files({"crawl.warc.gz": warc_bytes(pages)})
    got = {d.title: d for d in run(store, chunker, root)}
    assert set(got) == {"First story", "Second story"}
    assert got["First story"].captured == "2023-02-07"
    assert got["First story"].origin.endswith("#https://www.daily.example.com/a")
    # the capture's address stays; the page's own <link rel=canonical> goes beside it
    assert got["First story"].url == "https://www.daily.example.com/a"
    assert got["First story"].canonical_url == "https://www.daily.example.com/world/quake"


def _warc(records: list[tuple[str, str, str, list[tuple[str, str]], bytes]]) -> bytes:
    """A web archive of (type, url, status, HTTP headers, body) records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for kind, url, status, headers, body in records:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        if kind == "revisit":
            record = writer.create_revisit_record(url, "sha1:AAAA", url, "2023-01-01T00:00:00Z", http_headers=http)
        else:
            record = writer.create_warc_record(url, kind, payload=io.BytesIO(body), http_headers=http)
        writer.write_record(record)
        record.raw_stream.close()
    return out.getvalue()


def test_warc_records_passed_over_are_counted_with_their_reasons(store: Store, chunker: Chunker, files) -> None:
    page = html_page().encode()
    html = [("Content-Type", "text/html")]
    root = files(
        {
            "crawl.warc.gz": _warc(
                [
                    ("response", "https://a.example/1", "200 OK", html, page),
                    ("revisit", "https://a.example/1", "200 OK", html, b""),
                    ("response", "https://a.example/2", "203 Non-Authoritative Information", html, page),
                    ("response", "https://a.example/3", "200 OK", [], html_page("No type given").encode()),
                    ("response", "https://a.example/4.png", "200 OK", [], b"\x89PNG\r\n"),
                    ("response", "https://a.example/5.css", "200 OK", [("Content-Type", "text/css")], b"a{}"),
                ]
            )
        }
    )
    report = ingest(store, [str(root)], chunker)
    assert sorted(d.url or "" for d in docs(store)) == ["https://a.example/1", "https://a.example/3"]
    assert dict(report.skipped_records) == {
        "revisit records (a repeat of an earlier capture, no page of their own)": 1,
        "HTTP 203 responses": 1,
        "responses without a Content-Type that are not HTML": 1,
        "responses that are not HTML (images, scripts, styles, ...)": 1,
    }
    assert not report.failed


@pytest.mark.parametrize(
    "said",
    [
        "Request unsuccessful. Incapsula incident ID: 703000160143928249-191398964119929859",
        "You need to enable JavaScript to run this app.",
        "You will be connected to www.example.com in just a moment... Learn about Project Shield",
    ],
)
def test_a_bot_block_page_fails_with_that_reason(store: Store, chunker: Chunker, files, said: str) -> None:
    root = files({"blocked.html": f"<html><head><title>x</title></head><body><p>{said}</p></body></html>"})
    report = ingest(store, [str(root)], chunker)
    assert docs(store) == []
    assert len(report.failed) == 1 and "bot-block or script-only page" in report.failed[0].reason


def test_an_article_that_mentions_javascript_is_kept(store: Store, chunker: Chunker, files) -> None:
    body = ARTICLE + " Engineers said users must enable JavaScript to see the live map. " + ARTICLE * 6
    root = files({"page.html": html_page(body=body)})
    report = ingest(store, [str(root)], chunker)
    assert len(docs(store)) == 1 and not report.failed


def test_a_folders_readme_and_license_and_excluded_globs_are_left_out(store: Store, chunker: Chunker, files) -> None:
    root = files(
        {
            "README.md": "# About this folder\n\nDownloaded with a script.",
            "LICENSE.txt": "Permission is hereby granted, free of charge.",
            "drafts/x.txt": "A draft title\n\nNot done yet.",
            "a.txt": "Quake kills hundreds\n\n" + ARTICLE,
        }
    )
    report = ingest(store, [str(root)], chunker, IngestOptions(exclude=("drafts/*",)))
    assert [Path(d.path).name for d in docs(store)] == ["a.txt"]
    assert sorted(Path(p).name for p in report.skipped_names) == ["LICENSE.txt", "README.md", "x.txt"]
    ingest(store, [str(root / "README.md")], chunker)  # named on its own, it is read
    assert sorted(Path(d.path).name for d in docs(store)) == ["README.md", "a.txt"]


def test_a_site_name_that_is_no_name_gives_way_to_the_host(store: Store, chunker: Chunker, files) -> None:
    copyright_page = html_page().replace("content='The Daily'", "content='Copyright 2014'")
    address_page = html_page("Other").replace(
        "content='The Daily'", "content='1211 Avenue of the Americas, New York, NY 10036'"
    )
    root = files({"a.html": copyright_page, "b.html": address_page})
    assert {d.outlet for d in run(store, chunker, root)} == {"daily.example.com"}


def test_a_first_of_january_from_a_bare_year_gives_way_to_the_pages_own_date() -> None:
    from archive.readers.html import _second_look

    body = "<p>" + "Rescuers searched the rubble for survivors after the storm. " * 8 + "</p>"
    page = (
        "<html><head><title>Storm</title></head><body><article><h1>Storm hits coast</h1>"
        f"<p>Posted on July 2, 2020</p>{body}</article><footer>Copyright 2016 Example Media</footer></body></html>"
    ).encode()
    assert _second_look(page, "2016-01-01") == "2020-07-02"
    assert _second_look(page, "2016-03-04") == "2016-03-04"  # a real day stands
    assert _second_look(page, None) is None


def test_a_short_brief_that_says_access_denied_is_an_article(store: Store, chunker: Chunker, files) -> None:
    brief = (
        "Access denied to reporters at the border crossing on Tuesday, officials said. The journalists waited "
        "for six hours before the crossing reopened and the convoy of aid trucks was allowed through."
    )
    root = files({"brief.html": html_page("Border stays shut", brief + " " + brief)})
    report = ingest(store, [str(root)], chunker)
    assert not report.failed and len(docs(store)) == 1


def test_an_english_article_opening_with_captions_is_known_by_its_body_without_asking_py3langid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from archive.finalize import LANGUAGE_SAMPLE, detect_language

    caption = "Enlarge this image toggle caption Saul Loeb/AFP/Getty Images Saul Loeb/AFP/Getty Images. " * 4
    body = "The special counsel said on Thursday that he had found no evidence of it, and the report was sent to them. "
    assert len(caption) > LANGUAGE_SAMPLE
    monkeypatch.setitem(sys.modules, "py3langid", None)  # importing it would fail
    assert detect_language(caption + body * 10) == "en"
    monkeypatch.undo()
    french = "Le président a déclaré jeudi que les négociations avec les syndicats reprendraient bientôt à Paris. " * 10
    assert detect_language(french) == "fr", "no English function words in the wider look either"
