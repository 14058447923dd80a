"""Dates in the question: the set of queries (written after real news headlines) and the filters they mean.

Today is fixed: Tuesday 1 December 2026. Each row: the query, the range it should be read as (None: all
words), and the words left to search.
"""

from __future__ import annotations

import datetime as dt

import pytest

from index.query_dates import read

TODAY = dt.date(2026, 12, 1)

CASES = [
    # a month and its year
    ("Kerman blasts in January 2024", ("2024-01-01", "2024-01-31"), "Kerman blasts"),
    ("earthquake Turkey February 2023", ("2023-02-01", "2023-02-28"), "earthquake Turkey"),
    ("wildfires in Maui during August 2023", ("2023-08-01", "2023-08-31"), "wildfires in Maui"),
    ("Brexit vote june 2016", ("2016-06-01", "2016-06-30"), "Brexit vote"),
    ("fed rate decision Sept. 2022", ("2022-09-01", "2022-09-30"), "fed rate decision"),
    ("ceasefire talks in Oct 2023", ("2023-10-01", "2023-10-31"), "ceasefire talks"),
    # a day
    ("Kerman explosions on January 3, 2024", ("2024-01-03", "2024-01-03"), "Kerman explosions"),
    ("capitol riot 6 January 2021", ("2021-01-06", "2021-01-06"), "capitol riot"),
    ("budget speech on 2023-03-15", ("2023-03-15", "2023-03-15"), "budget speech"),
    ("storm landfall Oct 29th 2012", ("2012-10-29", "2012-10-29"), "storm landfall"),
    ("election night November 8", ("2026-11-08", "2026-11-08"), "election night"),
    # a year with a preposition is a date; alone it names a topic
    ("elections in 2016", ("2016-01-01", "2016-12-31"), "elections"),
    ("oil prices during 2008", ("2008-01-01", "2008-12-31"), "oil prices"),
    ("inflation since 2021", ("2021-01-01", "2026-12-01"), "inflation"),
    ("refugee crisis before 2015", (None, "2014-12-31"), "refugee crisis"),
    ("vaccine rollout after 2020", ("2021-01-01", "2026-12-01"), "vaccine rollout"),
    ("trade war until 2019", (None, "2019-12-31"), "trade war"),
    ("2016 election coverage", None, "2016 election coverage"),
    ("World Cup 2022 final", None, "World Cup 2022 final"),
    ("Paris 2024 Olympics opening", None, "Paris 2024 Olympics opening"),
    ("COVID-19 lockdowns", None, "COVID-19 lockdowns"),
    ("Agenda 2030 goals", None, "Agenda 2030 goals"),
    ("the 1990s recession", None, "the 1990s recession"),
    # a month with a preposition
    ("floods since March", ("2026-03-01", "2026-12-01"), "floods"),
    ("strikes in November", ("2026-11-01", "2026-11-30"), "strikes"),
    ("heatwave in July", ("2026-07-01", "2026-07-31"), "heatwave"),
    ("protests last December", ("2025-12-01", "2025-12-31"), "protests"),
    ("snow in December", ("2026-12-01", "2026-12-31"), "snow"),
    ("what happened before June", (None, "2026-05-31"), "what happened"),
    # month names that are words
    ("may day rallies", None, "may day rallies"),
    ("march for our lives", None, "march for our lives"),
    ("the prime minister may resign", None, "the prime minister may resign"),
    ("women's march Washington", None, "women's march Washington"),
    ("August Wilson play revival", None, "August Wilson play revival"),
    # relative to today
    ("strikes last week", ("2026-11-23", "2026-11-29"), "strikes"),
    ("ceasefire this week", ("2026-11-30", "2026-12-06"), "ceasefire"),
    ("markets last month", ("2026-11-01", "2026-11-30"), "markets"),
    ("layoffs this month", ("2026-12-01", "2026-12-31"), "layoffs"),
    ("record heat this year", ("2026-01-01", "2026-12-31"), "record heat"),
    ("election results last year", ("2025-01-01", "2025-12-31"), "election results"),
    ("flights cancelled since last week", ("2026-11-23", "2026-12-01"), "flights cancelled"),
    ("earthquake in the past 30 days", ("2026-11-01", "2026-12-01"), "earthquake"),
    ("shootings in the last two weeks", ("2026-11-17", "2026-12-01"), "shootings"),
    ("price rises over the past year", ("2025-12-01", "2026-12-01"), "price rises"),
    ("outage yesterday", ("2026-11-30", "2026-11-30"), "outage"),
    ("verdict today", ("2026-12-01", "2026-12-01"), "verdict"),
    ("explosion two days ago", ("2026-11-29", "2026-11-29"), "explosion"),
    ("merger announced three months ago", ("2026-09-01", "2026-09-30"), "merger announced"),
    # ranges
    ("protests between March and May 2024", ("2024-03-01", "2024-05-31"), "protests"),
    ("drought from 2019 to 2022", ("2019-01-01", "2022-12-31"), "drought"),
    ("talks between January 2023 and March 2023", ("2023-01-01", "2023-03-31"), "talks"),
    ("strikes from 3 Jan 2024 to 10 Jan 2024", ("2024-01-03", "2024-01-10"), "strikes"),
    # words that look like dates but are not
    ("the last days of Pompeii", None, "the last days of Pompeii"),
    ("next year's budget", None, "next year's budget"),
    ("the week that was", None, "the week that was"),
    ("years of lead", None, "years of lead"),
    ("Today show ratings", ("2026-12-01", "2026-12-01"), "show ratings"),
    ("January 2024", None, "January 2024"),
]


@pytest.mark.parametrize(("query", "expected", "rest"), CASES, ids=[c[0] for c in CASES])
def test_a_query_reads_its_dates_and_keeps_its_words(
    query: str, expected: tuple[str | None, str | None] | None, rest: str
) -> None:
    found = read(query, TODAY)
    if expected is None:
        assert found is None, f"read {found.phrase!r} as a date" if found else ""
        return
    assert found is not None, "no date read"
    assert (found.date_from, found.date_to) == expected
    assert found.rest == rest


def test_the_set_is_big_enough() -> None:
    assert len(CASES) >= 50


def test_a_search_reads_the_date_in_its_query_says_so_and_literal_undoes_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from click.testing import CliRunner

    from ui.cli import cli

    rows = [
        {"id": "jan", "title": "Blasts in Kerman", "date": "2024-01-03", "text": "Twin blasts hit Kerman, killing dozens."},
        {"id": "feb", "title": "Kerman, a month on", "date": "2024-02-03", "text": "Kerman mourns the blasts."},
        {"id": "old", "title": "Kerman in January", "date": "2019-05-01", "text": "Kerman blasts in January 2024 were feared."},
    ]  # fmt: skip
    records = tmp_path / "k.jsonl"
    records.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["--home", str(tmp_path / "home"), *args], catch_exceptions=False)

    assert run("ingest", str(records), "--no-embed").exit_code == 0
    read = json.loads(run("search", "Kerman blasts in January 2024", "--mode", "lexical", "--json").stdout)
    assert [r["external_id"] for r in read["results"]] == ["jan"]
    assert read["dates_read"] == {
        "phrase": "in January 2024",
        "from": "2024-01-01",
        "to": "2024-01-31",
        "relative": False,
        "searched": "Kerman blasts",
    }
    assert "read ‘in January 2024’ as 2024-01-01..2024-01-31" in read["notice"] and "--literal" in read["notice"]
    literal = json.loads(
        run("search", "Kerman blasts in January 2024", "--mode", "lexical", "--literal", "--json").stdout
    )
    assert literal["dates_read"] is None and literal["results"][0]["external_id"] == "old"
    assert literal["matched"] == 3
    chosen = json.loads(
        run("search", "Kerman in January 2024", "--from", "2024-02-01", "--mode", "lexical", "--json").stdout
    )
    assert chosen["dates_read"] is None, "dates given as filters win over the query's"
    topic = json.loads(run("search", "2024 Kerman blasts", "--mode", "lexical", "--json").stdout)
    assert topic["dates_read"] is None and topic["matched"] == 3
    plain = run("search", "Kerman blasts last week", "--mode", "lexical").output
    assert "relative to today" in plain


def test_an_archive_without_dates_keeps_a_date_in_the_query_as_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """As a filter, "since 1979" could only empty an archive where nothing is dated (SciFact's abstracts): a claim
    lost its answers so. Once one article has a date, it is read again."""
    import json

    from archive import Chunker, WordTokenizer
    from index import Archive, HashEmbedder

    rows = [
        {"id": "a", "text": "Smoking rates have fallen since 1979 among adults."},
        {"id": "b", "text": "Smoking causes most lung cancer."},
    ]
    records = tmp_path / "undated.jsonl"
    records.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with Archive(tmp_path / "home", embedder=HashEmbedder(dim=64), chunker=Chunker(WordTokenizer(254))) as archive:
        archive.ingest([str(records)])
        found = archive.search("smoking since 1979", mode="lexical")
        assert found.dates_read is None and found.notice is None
        assert [r.external_id for r in found.results] == ["a", "b"]
        dated = tmp_path / "dated.jsonl"
        dated.write_text(
            json.dumps({"id": "c", "date": "2001-05-01", "text": "Smoking bans spread."}), encoding="utf-8"
        )
        archive.ingest([str(dated)])
        read = archive.search("smoking since 1979", mode="lexical")
        assert read.dates_read is not None and read.dates_read.date_from == "1979-01-01"
        assert [r.external_id for r in read.results] == ["c"]
