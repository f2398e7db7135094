"""The store's clock."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now, in UTC, to the whole second: the store's clock and the datestamps' granularity."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
