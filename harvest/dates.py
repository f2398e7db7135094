"""Dates as partners write them: responseDates and datestamps read into UTC, whatever the feed's dialect.

OAI-PMH asks for `YYYY-MM-DDThh:mm:ssZ` (or a day), but real feeds send offsets (`2023-03-30T16:02:12+05:45`),
fractions of seconds, days in a responseDate, or a typo. Whatever a partner sent, what the harvester keeps is
either a strict UTC date or nothing (with a logged warning): a stored date must never stop the next run.
python-dateutil's `isoparse` reads the ISO 8601 dialects (the field's maintained parser: offsets, fractions,
reduced precision, any date/time separator); strict values skip it, since datestamps come once per record.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone

from dateutil.parser import isoparse

log = logging.getLogger("pop.harvest")

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"

_STRICT_SECONDS = re.compile(r"\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-6]\dZ")
_STRICT_DAY = re.compile(r"\d{4}-[01]\d-[0-3]\d")


class NotADate(ValueError):
    """Not a date in any dialect we read."""


def parse_date(text: str) -> datetime:
    """A date as the wild writes it → a naive UTC datetime, whole seconds; raises NotADate."""
    text = (text or "").strip()
    try:
        when = isoparse(text)
    except (ValueError, OverflowError):
        raise NotADate(f"not a date: {text!r}") from None
    if when.tzinfo is not None:  # no offset: UTC, as OAI-PMH says every date is
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.replace(microsecond=0)


def utc_date(text: str | None) -> str | None:
    """A responseDate as sent → `YYYY-MM-DDThh:mm:ssZ` in UTC, or None (logged) when it is not a date."""
    when = _utc_seconds(text)
    if when is None and text:
        log.warning("harvest.bad_date", extra={"date": text[:80]})
    return when


def utc_datestamp(text: str | None) -> str | None:
    """A record's datestamp as sent → strict UTC (a day stays a day), or None when it is not a date."""
    if not text:
        return None
    if _STRICT_SECONDS.fullmatch(text) or _STRICT_DAY.fullmatch(text):
        return text  # the common case, once per record: no parsing
    text = text.strip()
    return text if _STRICT_DAY.fullmatch(text) else _utc_seconds(text)


def _utc_seconds(text: str | None) -> str | None:
    text = (text or "").strip()
    if not text or _STRICT_SECONDS.fullmatch(text):
        return text or None
    try:
        return format_date(parse_date(text), SECONDS)
    except NotADate:
        return None


def format_date(when: datetime, granularity: str) -> str:
    return when.strftime("%Y-%m-%d") if granularity == DAY else when.strftime("%Y-%m-%dT%H:%M:%SZ")
