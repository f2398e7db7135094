"""Scheduling, as pure functions: intervals people type, when a partner is due, `from` of an incremental run."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


class IntervalError(ValueError):
    pass


def parse_interval(text: str) -> int:
    """'30m', '12h', '1d', '1w' (or a number of seconds) → seconds."""
    text = str(text).strip().lower()
    if text.isdigit():
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


# --- OAI dates ----------------------------------------------------------------------------------------
DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"


def parse_oai_date(text: str) -> datetime:
    """An OAI-PMH UTC date (day or seconds granularity) → a naive UTC datetime."""
    text = text.strip()
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"not an OAI-PMH date: {text!r}")


def format_oai_date(when: datetime, granularity: str) -> str:
    return when.strftime("%Y-%m-%d") if granularity == DAY else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def incremental_from(last_response_date: str | None, overlap_seconds: int, granularity: str) -> str | None:
    """`from` of an incremental run: the first responseDate of the last successful run minus an overlap
    (clocks differ; records stamped during the last run must not be missed), at the partner's granularity."""
    if not last_response_date:
        return None
    when = parse_oai_date(last_response_date) - timedelta(seconds=overlap_seconds)
    return format_oai_date(when, granularity)
