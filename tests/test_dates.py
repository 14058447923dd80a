import datetime as dt

import pytest

from archive.dates import parse_date

TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-03", "2024-01-03"),
        ("2016-09-20T10:00:00Z", "2016-09-20"),
        ("2016-09-20 10:00", "2016-09-20"),
        ("9/20/16", "2016-09-20"),
        ("12/1/2019", "2019-12-01"),
        ("January 3, 2024", "2024-01-03"),
        ("3 Jan 2024", "2024-01-03"),
        ("Wed, 03 Jan 2024 10:00:00 GMT", "2024-01-03"),
        (1704240000, "2024-01-03"),
        (1704240000000, "2024-01-03"),
    ],
)
def test_parses_common_forms(value: object, expected: str) -> None:
    parsed = parse_date(value, TODAY)
    assert parsed.date == expected
    assert parsed.warning is None


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_is_undated_without_warning(value: object) -> None:
    assert parse_date(value, TODAY).date is None
    assert parse_date(value, TODAY).warning is None


@pytest.mark.parametrize("value", ["0001-11-30", "2050-09-30", "2026-11-22", "2024-13-45", "not a date", "March 2019"])
def test_impossible_or_incomplete_dates_are_never_guessed(value: str) -> None:
    parsed = parse_date(value, TODAY)
    assert parsed.date is None
    assert parsed.warning and "undated" in parsed.warning
