"""The database: one SQLAlchemy engine per app, sessions per request or per command, and the renderers the
store renders notices with (`formats.registry.Renderers`, bound to the deployment's `RenderOptions`).

The renderers travel with the sessions (`Session.info`), so the write path and the rendering backlog, which
take a session, render with the options of the database that opened it (`renderers_of`)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from formats.registry import RENDERERS, Renderers, RenderOptions


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
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """Holds the engine, the session factory and the renderers of an app (attached in the factory, like Flask
    extensions). `render_options`: what the deployment chose (app/__init__.py builds them from the settings)."""

    def __init__(self, url: str, render_options: RenderOptions = RenderOptions()):
        self.url = url
        self.engine = make_engine(url)
        self.renderers = Renderers(render_options)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, info={"renderers": self.renderers})

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

    def dispose(self) -> None:
        self.engine.dispose()


def renderers_of(session: Session) -> Renderers:
    """The renderers of the database that opened `session` (the defaults for a session made elsewhere)."""
    return session.info.get("renderers", RENDERERS)
