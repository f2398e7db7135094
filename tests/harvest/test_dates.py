"""Dates as partners write them, read into UTC; what is not a date is dropped, never stored to trip a run."""
from __future__ import annotations

from datetime import datetime

import pytest

from harvest.dates import NotADate, parse_date, utc_date, utc_datestamp


@pytest.mark.parametrize("text, when", [
    ("2023-03-30T16:02:12Z", datetime(2023, 3, 30, 16, 2, 12)),
    ("2023-03-30T16:02:12+05:45", datetime(2023, 3, 30, 10, 17, 12)),
    ("2023-03-30T16:02:12-03:00", datetime(2023, 3, 30, 19, 2, 12)),
    ("2023-03-30T16:02:12.987654Z", datetime(2023, 3, 30, 16, 2, 12)),
    ("2023-03-30T16:02Z", datetime(2023, 3, 30, 16, 2)),
    ("2023-03-30", datetime(2023, 3, 30)),
    (" 2023-03-30 16:02:12 ", datetime(2023, 3, 30, 16, 2, 12)),
    ("20230330T160212Z", datetime(2023, 3, 30, 16, 2, 12)),
])
def test_dates_in_the_dialects_of_the_wild_are_read_into_utc(text, when):
    assert parse_date(text) == when


@pytest.mark.parametrize("text", ["", "yesterday", "2023-13-45", "2O23-03-30T16:02:12Z", "30/03/2023"])
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(NotADate):
        parse_date(text)


def test_response_dates_and_datestamps_come_out_strict_or_not_at_all():
    assert utc_date("2023-03-30T16:02:12+05:45") == "2023-03-30T10:17:12Z"
    assert utc_date("2023-03-30") == "2023-03-30T00:00:00Z"
    assert utc_date("not a date") is None and utc_date(None) is None
    assert utc_datestamp("2023-03-30T16:02:12Z") == "2023-03-30T16:02:12Z"
    assert utc_datestamp("2023-03-30") == "2023-03-30"  # a day-granularity partner's datestamp stays a day
    assert utc_datestamp("2023-03-30T16:02:12.5+01:00") == "2023-03-30T15:02:12Z"
    assert utc_datestamp("soon") is None
