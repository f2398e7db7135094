"""Alembic environment: the URL comes from the caller (store.migrate), the -x url=… argument or DATABASE_URL,
never from a file, and never through the Flask app."""
from __future__ import annotations

import os

from alembic import context

from store.db import make_engine
from store.models import Model

config = context.config
target_metadata = Model.metadata


def _url() -> str:
    url = (config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
           or os.environ.get("DATABASE_URL"))
    if not url:
        raise SystemExit("no database URL: run `pop db upgrade`, pass -x url=…, or set DATABASE_URL")
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
