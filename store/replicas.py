"""Read replicas: which database a read that may lag a little goes to.

A `ReplicaSet` holds the primary's `Database` and one `Database` per PostgreSQL streaming standby. `choose()`
hands out a healthy replica (in turn), or the primary when none is; `read(fn)` runs `fn(database)` on the chosen
one and, when a replica fails to answer, runs it again on the primary, so the request that finds a replica dead
is still answered. Which reads may lag is the caller's decision (app/: OAI-PMH, exports, IIIF); writes and
anything that must see its own writes use the primary's `Database` directly.

Health is measured, never asked per request: at most every `interval` seconds, the first read that finds the
last check too old checks every replica (other reads meanwhile use the last answer). A check is one statement on
the primary (`pg_current_wal_lsn()`) and one per replica (`pg_is_in_recovery()`, `pg_last_wal_replay_lsn()`, the
age of `pg_last_xact_replay_timestamp()`):

- a replica that has replayed the primary's current WAL position lags by 0, however old its last replayed
  transaction (an idle primary writes nothing, and its replicas are current);
- otherwise it holds at least what the primary had written at the last check whose position it has replayed:
  its lag is the time since then, or the age of its last replayed transaction if that is younger (both are
  upper bounds: after an idle spell they overstate the lag of a replica replaying the first write, so a
  replica about to be found lagging is looked at again 50 ms later, and is current if it has caught up);
- a replica that refuses the connection, fails a statement for want of its connection, or is not in recovery
  (promoted: it no longer follows the primary) is `down`; one lagging more than `max_lag` is `lagging`. Both
  are skipped until a later check finds them `ok`.

A failure on a replica's connection at any time (an engine event, so a stream cut halfway counts too) marks it
`down` at once: the next read goes elsewhere without waiting for the next check. Each change of a replica's
state is logged once (`replica.state`, with the replica's URL without its password).
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

from sqlalchemy import event, exc, text
from sqlalchemy.engine import URL, ExceptionContext, make_url

if TYPE_CHECKING:
    from .db import Database

T = TypeVar("T")
_log = logging.getLogger("pop.store.replicas")

OK, LAGGING, DOWN, UNKNOWN = "ok", "lagging", "down", "unknown"
SAMPLES = 64  # the primary's WAL positions remembered (one per check)
CONFIRM = 0.05  # seconds before a second look at a replica about to be found lagging
_PRIMARY = text("SELECT pg_current_wal_lsn()::text")
_REPLICA = text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                "EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8")
_SECRETS = ("password", "sslpassword", "passfile")


@dataclass(frozen=True)
class ReplicaHealth:
    """What the last check (or failure) found of one replica."""

    url: str  # without its password
    state: str  # OK, LAGGING, DOWN, UNKNOWN (not checked yet)
    lag: float | None = None  # seconds behind the primary, as measured (None: unknown)
    error: str | None = None  # why it is down

    def as_json(self) -> dict:
        answer: dict = {"url": self.url, "state": self.state}
        if self.lag is not None:
            answer["lag_seconds"] = round(self.lag, 1)
        if self.error:
            answer["error"] = self.error
        return answer


def public_url(url: str) -> str:
    """`url` without its password (nor any secret in its query), fit for logs and /readyz."""
    parts = make_url(url)
    query = {key: value for key, value in parts.query.items() if key.lower() not in _SECRETS}
    return URL.create(parts.drivername, parts.username, None, parts.host, parts.port, parts.database,
                      query).render_as_string(hide_password=False)


def lsn(value: str) -> int:
    """A WAL position (`16/B374D848`) as a number, for comparisons."""
    high, low = value.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def unreachable(error: BaseException) -> bool:
    """An error of a connection (refused, lost, cut by a shutdown or a recovery conflict), not of a statement."""
    if isinstance(error, (exc.OperationalError, exc.InterfaceError)):
        return True
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


def _described(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    first = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


class _Member:
    """One replica: its database and what is known of it (replaced whole, so threads read it safely)."""

    def __init__(self, database: "Database"):
        self.database = database
        self.health = ReplicaHealth(public_url(database.url), UNKNOWN)

    def set(self, state: str, lag: float | None = None, error: str | None = None) -> None:
        before, self.health = self.health.state, ReplicaHealth(self.health.url, state, lag, error)
        if state != before:  # one event per change, not per check
            _log.log(logging.INFO if state == OK else logging.WARNING, "replica.state",
                     extra={"replica": self.health.url, "state": state, "was": before, "lag_seconds": lag,
                            "error": error})


class ReplicaSet:
    """The primary and its read replicas; see the module. `clock`: monotonic seconds (tests may pass theirs)."""

    def __init__(self, primary: "Database", replicas: Sequence["Database"] = (), *, max_lag: float = 30,
                 interval: float = 5, clock: Callable[[], float] = time.monotonic):
        if replicas and not primary.is_postgresql:
            raise ValueError("read replicas are PostgreSQL standbys: the primary must be PostgreSQL too")
        self.primary = primary
        self.max_lag, self.interval, self.clock = max_lag, interval, clock
        self._members = [_Member(database) for database in replicas]
        self._samples: deque[tuple[float, int]] = deque(maxlen=SAMPLES)  # (when, the primary's WAL position)
        self._checked: float | None = None
        self._lock = threading.Lock()
        self._turn = itertools.count()
        for member in self._members:
            event.listen(member.database.engine, "handle_error", self._on_error(member))

    def __len__(self) -> int:
        return len(self._members)

    @property
    def staleness(self) -> float:
        """The most a read from a replica may lag behind the primary, as far as the checks know (0 without
        replicas): OAI-PMH lists freeze their `until` this much earlier (app/views/oai.py)."""
        return self.max_lag + self.interval if self._members else 0.0

    # --- choosing --------------------------------------------------------------------------------------
    def choose(self) -> "Database":
        """A healthy replica (each in turn), else the primary."""
        if not self._members:
            return self.primary
        self._check_if_due()
        healthy = [member for member in self._members if member.health.state == OK]
        if not healthy:
            return self.primary
        return healthy[next(self._turn) % len(healthy)].database

    def read(self, fn: Callable[["Database"], T]) -> T:
        """`fn(database)` on the chosen database; if a replica fails to answer, `fn(primary)` (the replica is
        marked down). Only what `fn` raises before it returns can be retried: a stream it returns is the
        caller's (a failure halfway still marks the replica down, for the next reads)."""
        database = self.choose()
        if database is self.primary:
            return fn(database)
        try:
            return fn(database)
        except exc.DBAPIError as error:
            if not unreachable(error):
                raise
            self._member(database).set(DOWN, error=_described(error))
            return fn(self.primary)

    def health(self) -> list[ReplicaHealth]:
        """What is known of each replica now (checked first if the last check is too old)."""
        self._check_if_due()
        return [member.health for member in self._members]

    def refresh(self) -> list[ReplicaHealth]:
        """Check every replica now (waiting for a check under way) and say what was found."""
        with self._lock:
            self._check()
        return [member.health for member in self._members]

    def dispose(self) -> None:
        for member in self._members:
            member.database.dispose()

    # --- checking --------------------------------------------------------------------------------------
    def _member(self, database: "Database") -> _Member:
        return next(member for member in self._members if member.database is database)

    def _on_error(self, member: _Member) -> Callable[[ExceptionContext], None]:
        def handle_error(context: ExceptionContext) -> None:
            error = context.sqlalchemy_exception or context.original_exception
            if context.is_disconnect or unreachable(error):
                member.set(DOWN, error=_described(error))
        return handle_error

    def _check_if_due(self) -> None:
        if self._checked is not None and self.clock() - self._checked < self.interval:
            return
        if not self._lock.acquire(blocking=False):  # another thread checks: use what is known meanwhile
            return
        try:
            if self._checked is None or self.clock() - self._checked >= self.interval:
                self._check()
        finally:
            self._lock.release()

    def _check(self) -> None:
        now = self.clock()
        current = self._primary_position()
        if current is not None:
            self._samples.append((now, current))
        for member in self._members:
            self._check_member(member, now, current)
        self._checked = self.clock()

    def _primary_position(self) -> int | None:
        try:
            with self.primary.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                return lsn(connection.execute(_PRIMARY).scalar_one())
        except exc.DBAPIError:  # the primary's outage is /readyz's database state; replicas are judged alone
            return None

    def _check_member(self, member: _Member, now: float, current: int | None) -> None:
        try:
            with member.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                in_recovery, replayed, replay_age = connection.execute(_REPLICA).one()
                lag = self._lag(lsn(replayed), replay_age, current, now) if in_recovery and replayed else None
                if in_recovery and replayed and (lag is None or lag > self.max_lag) and current is not None:
                    # Behind, and the bounds say by too much: they overstate the lag of a replica that is only
                    # replaying the first write after an idle spell. A second look, a moment later, tells.
                    time.sleep(CONFIRM)
                    if lsn(connection.execute(_REPLICA).one()[1] or "0/0") >= current:
                        lag = self.clock() - now
        except exc.DBAPIError as error:
            member.set(DOWN, error=_described(error))
            return
        if not in_recovery or replayed is None:
            member.set(DOWN, error="not in recovery: it does not follow the primary (promoted?)")
            return
        member.set(OK if lag is not None and lag <= self.max_lag else LAGGING, lag)

    def _lag(self, replayed: int, replay_age: float | None, current: int | None, now: float) -> float | None:
        if current is not None and replayed >= current:
            return 0.0
        bounds = [max(replay_age, 0.0)] if replay_age is not None else []
        caught_up = [when for when, position in self._samples if position <= replayed]
        if caught_up:
            bounds.append(now - max(caught_up))
        elif self._samples and not bounds:  # behind every position remembered: at least this old
            bounds.append(now - self._samples[0][0])
        return min(bounds) if bounds else None

