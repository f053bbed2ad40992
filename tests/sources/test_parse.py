from datetime import datetime

import pytest

from sources.parse import parse_datetime, parse_rating


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-02 10:30", datetime(2026, 11, 2, 10, 30)),
        ("2026/11/02 10:30:15", datetime(2026, 11, 2, 10, 30, 15)),
        ("2026/11/2", datetime(2026, 11, 2)),
        ("2026年11月2日 10時30分", datetime(2026, 11, 2, 10, 30)),
        ("2026年11月2日(月) 9:05", datetime(2026, 11, 2, 9, 5)),
        ("２０２６／１１／０２", datetime(2026, 11, 2)),
        ("2026-11-02T01:30:00Z", datetime(2026, 11, 2, 10, 30)),  # UTC -> Asia/Tokyo
        ("2026-11-02T10:30:00+09:00", datetime(2026, 11, 2, 10, 30)),
        (datetime(2026, 11, 2, 10, 30), datetime(2026, 11, 2, 10, 30)),
    ],
)
def test_dates(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", ["", "昨日", "2026-13-45", "11月2日"])
def test_bad_dates_raise(value):
    with pytest.raises(ValueError):
        parse_datetime(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("5", 5.0), ("３", 3.0), ("★★☆☆☆", 2.0), ("4点", 4.0), ("", None), (None, None)]
)
def test_ratings(value, expected):
    assert parse_rating(value) == expected


@pytest.mark.parametrize("value", ["とても良い", "0", "6", "-1"])
def test_bad_ratings_raise(value):
    with pytest.raises(ValueError):
        parse_rating(value)
