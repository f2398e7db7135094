"""Pooled connections that died (a database restarted, a connection cut while idle), found without a round
trip per request.

SQLAlchemy's `pool_pre_ping` pings every connection it hands out: one more round trip for every request, as
much as a GetRecord's own statement. Here a connection is pinged only when it has been idle in the pool longer
than `IDLE_PING` seconds (a busy worker's connections are back in use within milliseconds: never pinged), and
connections are replaced after `RECYCLE` seconds. A connection that died within the last `IDLE_PING` seconds is
found by the statement that uses it: SQLAlchemy then invalidates every connection of the pool opened before it,
and a read that failed that way before answering runs once more (`again_on_disconnect`) on a new connection.
"""
from __future__ import annotations

import time
from typing import Any, Callable, TypeVar

from sqlalchemy import Engine, event, exc

T = TypeVar("T")
IDLE_PING = 5.0  # seconds a connection may rest in the pool before it is pinged on its way out
RECYCLE = 1800  # seconds a connection lives (servers and firewalls cut connections open for hours)
_IDLE_SINCE = "pop_idle_since"


def ping_when_idle(engine: Engine, idle: float = IDLE_PING) -> None:
    """Ping the connections `engine`'s pool hands out after more than `idle` seconds in the pool; a dead one is
    replaced (and every connection opened before it), as `pool_pre_ping` would."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _rest(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) <= idle:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError() from error  # the pool reconnects (SQLAlchemy's pre-ping does so)
            raise


def again_on_disconnect(read: Callable[[], T]) -> T:
    """`read()`, run once more if it failed on a connection found dead (before it returned: a stream it returned
    is the caller's). Only for reads: a write is never run twice."""
    try:
        return read()
    except exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
    return read()
