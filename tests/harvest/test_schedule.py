"""Schedules and the `from` of incremental runs."""
from __future__ import annotations

from datetime import datetime

import pytest

from harvest.schedule import IntervalError, format_interval, incremental_from, is_due, parse_interval


@pytest.mark.parametrize("text, seconds", [("30m", 1800), ("12h", 43200), ("1d", 86400), ("1w", 604800),
                                           ("3600", 3600), (" 2 H ", 7200)])
def test_parse_interval(text, seconds):
    assert parse_interval(text) == seconds
    assert parse_interval(format_interval(seconds)) == seconds


def test_a_bad_interval_says_what_is_expected():
    with pytest.raises(IntervalError, match="e.g. 30m, 12h, 1d, 1w"):
        parse_interval("nightly")


def test_incremental_from_is_the_last_response_date_minus_the_overlap_at_the_partner_granularity():
    assert incremental_from("2026-01-02T00:03:00Z", 300, "YYYY-MM-DDThh:mm:ssZ") == "2026-01-01T23:58:00Z"
    assert incremental_from("2026-01-02T00:03:00Z", 300, "YYYY-MM-DD") == "2026-01-01"
    assert incremental_from("2026-01-02", 0, "YYYY-MM-DD") == "2026-01-02"
    assert incremental_from(None, 300, "YYYY-MM-DD") is None


def test_is_due():
    now = datetime(2026, 1, 2)
    assert is_due(True, 3600, None, now)
    assert is_due(True, 3600, datetime(2026, 1, 1), now)
    assert not is_due(True, 3600, datetime(2026, 1, 3), now)
    assert not is_due(False, 3600, None, now)
    assert not is_due(True, None, None, now)
