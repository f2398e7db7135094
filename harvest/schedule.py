"""Scheduling, as pure functions: intervals people type, when a partner is due (and when again after a failed
run), `from` of an incremental run."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from .dates import DAY, SECONDS, NotADate, format_date, parse_date  # noqa: F401  (DAY, SECONDS: re-exported)

log = logging.getLogger("pop.harvest")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# ASCII digits only: str.isdigit and \d also take '²' or '٣', which int() cannot read or people did not mean
_SECONDS = re.compile(r"^[0-9]+$")
_INTERVAL = re.compile(r"^\s*([0-9]+)\s*([smhdw])\s*$")


class IntervalError(ValueError):
    pass


def parse_interval(text: str) -> int:
    """'30m', '12h', '1d', '1w' (or a number of seconds) → seconds."""
    text = str(text).strip().lower()
    if _SECONDS.match(text):
        return int(text)
    match = _INTERVAL.match(text)
    if not match:
        raise IntervalError(f"cannot read interval {text!r}: use a number and a unit, e.g. 30m, 12h, 1d, 1w")
    return int(match.group(1)) * _UNITS[match.group(2)]


def format_interval(seconds: int | None) -> str:
    if not seconds:
        return "by hand"
    for unit, size in sorted(_UNITS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def is_due(enabled: bool, interval_seconds: int | None, next_run_at: datetime | None, now: datetime) -> bool:
    return bool(enabled and interval_seconds and (next_run_at is None or next_run_at <= now))


def next_run(now: datetime, interval_seconds: int | None) -> datetime | None:
    return now + timedelta(seconds=interval_seconds) if interval_seconds else None


RETRY_BASE_SECONDS = 60  # after one failed run, the partner is asked again in 2 minutes, then 4, 8…


def next_run_after_failure(now: datetime, interval_seconds: int | None, failures: int) -> datetime | None:
    """When to try again after `failures` failed runs in a row: sooner than the schedule (the failure may have
    been a passing one, and the next run resumes where the failed one stopped), backing off exponentially up to
    the partner's interval, so a partner that stays down is not asked every poll."""
    if not interval_seconds:
        return None
    backoff = RETRY_BASE_SECONDS * 2 ** min(max(failures, 1), 30)
    return now + timedelta(seconds=min(interval_seconds, backoff))


def incremental_from(last_response_date: str | None, overlap_seconds: int, granularity: str) -> str | None:
    """`from` of an incremental run: the first responseDate of the last successful run minus an overlap
    (clocks differ; records stamped during the last run must not be missed), at the partner's granularity.
    A stored date that cannot be read (written by an older version) gives no `from`: a full run, with a
    warning, rather than no run at all."""
    if not last_response_date:
        return None
    try:
        when = parse_date(last_response_date) - timedelta(seconds=overlap_seconds)
    except NotADate:
        log.warning("harvest.bad_date", extra={"date": last_response_date[:80], "use": "incremental from"})
        return None
    return format_date(when, granularity)
