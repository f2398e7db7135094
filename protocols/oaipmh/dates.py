"""UTC datestamps at the repository's granularity (`YYYY-MM-DDThh:mm:ssZ`), and the day granularity every
repository must also accept in `from`/`until`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import OAIError

_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"


def format_datestamp(moment: datetime) -> str:
    """A naive UTC datetime (the store's) as an OAI datestamp."""
    return moment.isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class DateArgument:
    """A `from` or `until` argument: its value, and whether it was given at day granularity."""

    moment: datetime
    day: bool


def parse_date_argument(name: str, text: str, *, upper: bool) -> DateArgument:
    """`from` (upper=False) or `until` (upper=True); both bounds are inclusive, so a day `until` ends at 23:59:59."""
    try:
        if _SECONDS.match(text):
            return DateArgument(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ"), day=False)
        if _DAY.match(text):
            start = datetime.strptime(text, "%Y-%m-%d")
            return DateArgument(start + timedelta(days=1, seconds=-1) if upper else start, day=True)
    except ValueError:
        pass
    raise OAIError("badArgument", f"{name}={text!r} is not a UTC date of the form YYYY-MM-DD or {GRANULARITY}")
