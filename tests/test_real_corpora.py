"""Real third-party corpora, read in place from ../shared/data (skipped elsewhere, required in CI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Store
from tests.conftest import shared_path
from ui.cli import cli

pytestmark = pytest.mark.slow


def ingest_json(home: Path, path: Path) -> dict[str, object]:
    args = ["--home", str(home), "ingest", str(path), "--json", "--no-embed"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_basil_nested_paragraphs_with_no_options(home: Path) -> None:
    articles = shared_path("data", "basil", "articles")
    report = ingest_json(home, articles)
    assert report["added"] == 300 and report["failed"] == []
    with Store(home) as store:
        stats = store.stats()
        assert stats.outlets == 3  # fox, nyt, hpo: upper-case spellings join the lower-case ones
        assert (stats.date_min, stats.date_max, stats.undated) == ("2010-02-20", "2019-03-28", 0)
        doc = store.get(store.list_documents(limit=1)[0].id)
        assert "\n\n" in doc.text and doc.title and doc.external_id


def test_article_bias_prediction_folder_with_no_options(home: Path) -> None:
    folder = shared_path("data", "article-bias-prediction")
    report = ingest_json(home, folder)
    assert report["failed"] == []
    with Store(home) as store:
        stats = store.stats()
        records = store.db.execute("SELECT COUNT(*) FROM documents WHERE record IS NOT NULL").fetchone()[0]
        assert records == 37_554
        dated = store.db.execute("SELECT COUNT(*) FROM documents WHERE published IS NOT NULL")
        assert dated.fetchone()[0] >= 33_110 + 37 - 10  # ISO and M/D/YY dates kept; a few junk ones refused
        assert stats.date_min is not None and stats.date_min >= "2000" and stats.date_max is not None
        assert stats.date_max <= "2021"
        assert stats.undated >= 4_407
        warned = store.db.execute("SELECT COUNT(*) FROM documents WHERE date_warning IS NOT NULL").fetchone()[0]
        assert warned >= 2  # 0001-11-30 and 2050-09-30
        assert stats.outlets > 400
    again = ingest_json(home, folder)
    assert again["added"] == 0 and again["unchanged"] == report["added"] + report["duplicates"]  # type: ignore[operator]
