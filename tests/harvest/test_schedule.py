"""Schedules and the `from` of incremental runs."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from harvest.schedule import (IntervalError, format_interval, incremental_from, is_due, next_run_after_failure,
                              parse_interval)


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


def test_incremental_from_reads_the_dates_partners_send_and_ignores_junk():
    assert incremental_from("2023-03-30T16:02:12+05:45", 300, "YYYY-MM-DDThh:mm:ssZ") == "2023-03-30T10:12:12Z"
    assert incremental_from("2023-03-30T16:02:12.5Z", 0, "YYYY-MM-DDThh:mm:ssZ") == "2023-03-30T16:02:12Z"
    assert incremental_from("2023-03-30 (IST)", 300, "YYYY-MM-DD") is None  # a full run rather than none


def test_after_failures_the_next_run_backs_off_up_to_the_schedule():
    now = datetime(2026, 1, 2)
    assert next_run_after_failure(now, 86400, 1) == now + timedelta(minutes=2)
    assert next_run_after_failure(now, 86400, 2) == now + timedelta(minutes=4)
    assert next_run_after_failure(now, 86400, 5) == now + timedelta(minutes=32)
    assert next_run_after_failure(now, 86400, 40) == now + timedelta(days=1)
    assert next_run_after_failure(now, 600, 4) == now + timedelta(minutes=10)
    assert next_run_after_failure(now, None, 1) is None  # by hand: no schedule to move


def test_is_due():
    now = datetime(2026, 1, 2)
    assert is_due(True, 3600, None, now)
    assert is_due(True, 3600, datetime(2026, 1, 1), now)
    assert not is_due(True, 3600, datetime(2026, 1, 3), now)
    assert not is_due(False, 3600, None, now)
    assert not is_due(True, None, None, now)


@pytest.mark.parametrize("text", ["²", "1²h", "٣d", "3\u00b3"])
def test_digits_people_do_not_type_are_a_clean_interval_error(text):
    with pytest.raises(IntervalError, match="cannot read interval"):
        parse_interval(text)
