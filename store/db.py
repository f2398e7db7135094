"""The database: one SQLAlchemy engine per app, sessions per request or per command, and the renderers the
store renders notices with (`formats.registry.Renderers`, bound to the deployment's `RenderOptions`).

The renderers travel with the sessions (`Session.info`), so the write path and the rendering backlog, which
take a session, render with the options of the database that opened it (`renderers_of`).

A database may have read replicas (`store/replicas.py`): `read(fn)` runs a read that may lag a little on one of
them, falling back to the primary; everything else (`session()`, `engine`) is the primary."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Sequence, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from formats.registry import RENDERERS, Renderers, RenderOptions

from .packing import packer_for
from .pool import RECYCLE, ping_when_idle
from .replicas import ReplicaSet

T = TypeVar("T")
REPLICA_CONNECT_TIMEOUT = 3  # seconds: a replica that does not answer is skipped, not waited for


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - exercised by every sqlite test
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # No pre-ping (a round trip per checkout): idle connections are pinged, old ones replaced (store/pool.py)
    kwargs.setdefault("pool_recycle", RECYCLE)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)
    return engine


class Database:
    """Holds the engine, the session factory and the renderers of an app (attached in the factory, like Flask
    extensions). `render_options`: what the deployment chose (app/__init__.py builds them from the settings).
    `replicas`: URLs of PostgreSQL streaming standbys of `url`, skipped when lagging more than
    `replica_max_lag` seconds, checked at most every `replica_check_interval` seconds."""

    def __init__(self, url: str, render_options: RenderOptions = RenderOptions(), *, replicas: Sequence[str] = (),
                 replica_max_lag: float = 30, replica_check_interval: float = 5, **engine_options):
        self.url = url
        self.engine = make_engine(url, **engine_options)
        self.renderers = Renderers(render_options)
        self.packer = packer_for(self.engine)  # how its renditions are stored (store/packing.py)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, info={"renderers": self.renderers})
        standbys = [Database(replica, render_options, connect_args={"connect_timeout": REPLICA_CONNECT_TIMEOUT})
                    for replica in replicas]
        self.replicas = ReplicaSet(self, standbys, max_lag=replica_max_lag, interval=replica_check_interval)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def read(self, fn: Callable[["Database"], T]) -> T:
        """`fn(database)` on a healthy replica, else on this database (`ReplicaSet.read`): for reads that may
        lag a little behind the writes, never for one that must see its own."""
        return self.replicas.read(fn)

    def dispose(self) -> None:
        self.replicas.dispose()
        self.engine.dispose()


def renderers_of(session: Session) -> Renderers:
    """The renderers of the database that opened `session` (the defaults for a session made elsewhere)."""
    return session.info.get("renderers", RENDERERS)
