"""One run per partner at a time, across processes and machines: a PostgreSQL session advisory lock per
partner, held by a dedicated connection for the whole run (released by the server if the process dies); on
SQLite, an flock'd file beside the database."""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text

from .db import Database
from .partners import get_partner

_LOCK_CLASS = 0x504F50  # "POP": first key of the advisory lock; the partner id is the second


class PartnerBusy(RuntimeError):
    def __str__(self) -> str:
        return f"partner {self.args[0]!r} is being harvested by another process"


def _retrying(attempt, wait: float) -> bool:
    """attempt() until it succeeds or `wait` seconds have passed: a run killed a moment ago releases its lock
    when its processes (the run's and its reader's) are gone and PostgreSQL has noticed, a few ms later."""
    deadline = time.monotonic() + wait
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def partner_lock(db: Database, name: str, wait: float = 2.0) -> Iterator[None]:
    """Hold the partner's lock for the block, or raise PartnerBusy (after up to `wait` seconds)."""
    with db.session() as session:
        partner_id = get_partner(session, name).id
    if db.is_postgresql:
        with db.engine.connect() as connection:
            def attempt() -> bool:
                got = connection.execute(text("SELECT pg_try_advisory_lock(:a, :b)"),
                                         {"a": _LOCK_CLASS, "b": partner_id}).scalar()
                connection.commit()
                return got

            if not _retrying(attempt, wait):
                raise PartnerBusy(name)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": _LOCK_CLASS, "b": partner_id})
                connection.commit()
        return
    path = _sqlite_path(db.url) + f".harvest-{partner_id}.lock"
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    def attempt() -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        if not _retrying(attempt, wait):
            raise PartnerBusy(name)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _sqlite_path(url: str) -> str:
    path = url.split("///", 1)[-1] if "///" in url else ""
    return path if path and path != ":memory:" else os.path.join(os.getcwd(), "pop-memory")
