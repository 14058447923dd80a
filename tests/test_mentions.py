"""Dates mentioned in the text: found, resolved against the publication date, stored, filtered on, shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import timex

FRIDAY = "2024-01-05"  # a Friday


def _values(text: str, published: str | None = FRIDAY) -> list[tuple[str, str]]:
    return [(m.text, m.value) for m in timex.find(text, published)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The blasts on January 3, 2024 killed 84.", [("January 3, 2024", "2024-01-03")]),
        ("Talks resume on 3 Jan in Geneva.", [("3 Jan", "2024-01-03")]),
        ("It was filed on 2023-12-28, then 12/29/23.", [("2023-12-28", "2023-12-28"), ("12/29/23", "2023-12-29")]),
        ("Officials said on Wednesday that the toll rose.", [("Wednesday", "2024-01-03")]),
        ("Mourners will gather on Monday.", [("Monday", "2024-01-08")]),
        ("Officials spoke Friday.", [("Friday", "2024-01-05")]),
        ("Prices rose last month and will fall next year.", [("last month", "2023-12"), ("next year", "2025")]),
        (
            "It happened two days ago, not three weeks ago.",
            [("two days ago", "2024-01-03"), ("three weeks ago", "2023-W50")],
        ),
        ("Elections were held in 2019 and in May 2020.", [("2019", "2019"), ("May 2020", "2020-05")]),
        (
            "Today and yesterday, but not tomorrow.",
            [("Today", "2024-01-05"), ("yesterday", "2024-01-04"), ("tomorrow", "2024-01-06")],
        ),
        ("It is now clear, and was recently said.", [("now", "PRESENT_REF"), ("recently", "PAST_REF")]),
        ("This week and last week.", [("This week", "2024-W01"), ("last week", "2023-W52")]),
        (
            "Sales in the third quarter of 2023 and in the 1990s.",
            [("the third quarter of 2023", "2023-Q3"), ("the 1990s", "199")],
        ),
        ("Rain fell last summer and early 2023.", [("last summer", "2023-SU"), ("early 2023", "2023")]),
        ("In December the snow came.", [("December", "2023-12")]),
        ("Castro spoke Wednesday night in Havana.", [("Wednesday night", "2024-01-03")]),
        ("In the year-earlier quarter it lost money.", [("the year-earlier quarter", "2022-Q4")]),
        ("Sales for the full year rose; by year-end, more.", [("the full year", "2024"), ("year-end", "2024")]),
        ("He was found on Thanksgiving Day.", [("Thanksgiving Day", "2023-11-23")]),
        ("Atlanta, nineteen ninety-six.", [("nineteen ninety-six", "1996")]),
        (
            "The index fell for the week, but the week's end was calm.",
            [("the week", "2024-W01"), ("the week", "2024-W01")],
        ),
        ("Accession was planned for early March.", [("early March", "2024-03")]),
        ("Profit for the year ended June 30 rose.", [("June 30", "2024-06-30")]),
    ],
)
def test_dates_in_news_sentences_resolve_against_the_publication_day(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Talks lasted three weeks.",  # a duration
        "The meeting ended at 5:30 p.m.",  # a clock time
        "You may march on the square.",  # a verb and a noun, not months
        "Flights leave on Friday nights.",  # every Friday night: a set, not a date
        "Net income for the year ended lower.",  # "the year ended ...": a duration
        "2000 people marched; 1,2000 was a typo; it cost $2024.",  # counts and amounts
        "He scored 1999 points.",
    ],
)
def test_what_is_not_a_date_mention(text: str) -> None:
    assert _values(text) == []


def test_without_a_publication_date_only_what_names_its_year_is_fixed() -> None:
    assert _values("On March 22, 2013 and on Friday, and on March 22.", None) == [
        ("March 22, 2013", "2013-03-22"),
        ("March 22", "XXXX-03-22"),
    ]


def test_each_value_covers_its_days() -> None:
    assert timex.day_range("2024-01-03") == ("2024-01-03", "2024-01-03")
    assert timex.day_range("2024-W01") == ("2024-01-01", "2024-01-07")
    assert timex.day_range("2024-02") == ("2024-02-01", "2024-02-29")
    assert timex.day_range("2024-Q1") == ("2024-01-01", "2024-03-31")
    assert timex.day_range("2024") == ("2024-01-01", "2024-12-31")
    assert timex.day_range("199") == ("1990-01-01", "1999-12-31")
    assert timex.day_range("PAST_REF") is None and timex.day_range("XXXX-03-22") is None


def test_offsets_point_into_the_text() -> None:
    text = "Officials said on Wednesday, January 3, that the blasts in Kerman killed 84."
    for m in timex.find(text, FRIDAY):
        assert text[m.start : m.end] == m.text


def _corpus(path: Path, anniversary_text: str) -> Path:
    rows = [
        {"id": "blast", "title": "Twin blasts in Kerman", "source": "Reuters", "date": "2024-01-03",
         "text": "Two explosions in Kerman killed dozens on Wednesday, officials said."},
        {"id": "year-on", "title": "Kerman, a year on", "source": "AP", "date": "2025-01-03",
         "text": anniversary_text},
        {"id": "budget", "title": "Budget passes", "source": "AP", "date": "2024-01-04",
         "text": "Parliament passed the budget after a long night."},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_mentions_are_shown_filtered_on_and_follow_a_changed_text(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = _corpus(tmp_path / "k.jsonl", "A year after the blasts of January 3, 2024, Kerman remembered its dead.")
    assert run("ingest", str(corpus), "--no-embed").exit_code == 0
    shown = json.loads(run("show", "year-on", "--json").stdout)
    (mention,) = shown["date_mentions"]
    at = shown["text"].index("January 3, 2024")
    assert mention == {
        "start": at,
        "end": at + 15,
        "text": "January 3, 2024",
        "value": "2024-01-03",
        "granularity": "day",
    }
    assert shown["text"][mention["start"] : mention["end"]] == "January 3, 2024"
    assert json.loads(run("show", "blast", "--json").stdout)["date_mentions"][0]["value"] == "2024-01-03"

    found = json.loads(
        run(
            "search",
            "Kerman",
            "--mode",
            "lexical",
            "--mentions-from",
            "2024-01-03",
            "--mentions-to",
            "2024-01-03",
            "--json",
        ).stdout
    )
    assert sorted(r["external_id"] for r in found["results"]) == ["blast", "year-on"]  # whatever their publication date
    anniversary = next(r for r in found["results"] if r["external_id"] == "year-on")
    assert anniversary["date_mentions"][0]["text"] == "January 3, 2024"
    assert {"start": at, "end": at + 15, "kind": "date"} in anniversary["highlights"]
    listed = [
        json.loads(x)["external_id"] for x in run("list", "--mentions-from", "2024-01-01", "--json").stdout.splitlines()
    ]
    assert sorted(listed) == ["blast", "year-on"]
    none = json.loads(run("search", "Kerman", "--mode", "lexical", "--mentions-to", "2023-12-31", "--json").stdout)
    assert none["matched"] == 0
    bad = run("search", "Kerman", "--mentions-from", "the day of the blasts")
    assert bad.exit_code == 2 and "--mentions-from" in bad.output

    _corpus(corpus, "A year on, Kerman remembered its dead on Friday.")  # the text changes: so do its mentions
    assert run("ingest", str(corpus), "--no-embed").exit_code == 0
    again = json.loads(run("show", "year-on", "--json").stdout)["date_mentions"]
    assert [(m["text"], m["value"]) for m in again] == [("Friday", "2025-01-03")]
    stats = json.loads(run("stats", "--json").stdout)
    assert {"name": "date-mentions", "lag": 0} in stats["indexes"]
    assert "date-mentions" in run("reindex", "date-mentions").output
    assert json.loads(run("show", "year-on", "--json").stdout)["date_mentions"] == again


def test_an_archive_made_before_mentions_is_scanned_when_a_filter_asks(home: Path, tmp_path: Path) -> None:
    from archive import Chunker, WordTokenizer
    from archive.store import Store
    from index import Archive, Filters, HashEmbedder

    def opened() -> Archive:
        return Archive(home, embedder=HashEmbedder(dim=64), chunker=Chunker(WordTokenizer(254)))

    with opened() as archive:
        archive.ingest([str(_corpus(tmp_path / "k.jsonl", "Kerman remembered January 3, 2024."))], embed=False)
    with Store(home) as store, store.transaction():
        store.clear_mentions()  # as an archive from before the mentions index holds none
    with opened() as archive:
        assert archive.date_mentions.lag(archive.store) == 3
        found = archive.list(Filters(mentions_from="2024-01-03", mentions_to="2024-01-03"))
        assert sorted(d.external_id or "" for d in found) == ["blast", "year-on"]
        assert archive.date_mentions.lag(archive.store) == 0


def test_an_undated_article_gets_a_proposed_day_kept_apart_from_real_dates(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"id": "undated", "title": "Kerman mourns", "text": "On January 3, 2024 blasts hit Kerman; on 5 January 2024 it mourned."},
        {"id": "vague", "title": "Kerman, some day", "text": "Kerman remembered its dead last week."},
        {"id": "dated", "title": "Kerman blasts", "date": "2024-01-03", "text": "Blasts hit Kerman."},
    ]  # fmt: skip
    corpus = tmp_path / "k.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    run("ingest", str(corpus), "--no-embed")
    shown = json.loads(run("show", "undated", "--json").stdout)
    assert shown["date"] is None, "a proposal is never a publication date"
    assert shown["inferred_date"] == {
        "day": "2024-01-05",
        "evidence": "the latest day its text names: ‘5 January 2024’",
    }
    assert json.loads(run("show", "vague", "--json").stdout)["inferred_date"] is None, "no full day named"
    assert json.loads(run("show", "dated", "--json").stdout)["inferred_date"] is None
    assert "undated; proposed 2024-01-05" in run("show", "undated").output

    def listed(*extra: str) -> list[str]:
        out = run("list", "--from", "2024-01-01", "--to", "2024-01-31", "--json", *extra).stdout
        return sorted(json.loads(x)["external_id"] for x in out.splitlines())

    assert listed() == ["dated"]
    found = json.loads(
        run(
            "search",
            "Kerman",
            "--mode",
            "lexical",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
            "--undated",
            "inferred",
            "--json",
        ).stdout
    )
    assert sorted(r["external_id"] for r in found["results"]) == ["dated", "undated"] and found["matched"] == 2
    outside = json.loads(
        run("search", "Kerman", "--mode", "lexical", "--from", "2024-02-01", "--undated", "inferred", "--json").stdout
    )
    assert outside["matched"] == 0
