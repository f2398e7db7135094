"""The rows of one short statement by key (a GetRecord, a cached manifest's check), read with the least work per
request: on PostgreSQL through the pooled driver connection itself, in autocommit, without SQLAlchemy's execution
and result machinery; elsewhere (SQLite) through SQLAlchemy Core.

For one indexed row, SQLAlchemy's per-execution work (a Connection, its isolation level set and reset, the
execution context, the result's metadata) costs three times what psycopg needs for the statement and its round
trip. Statements are compiled once per dialect (`compiled`). Errors keep their SQLAlchemy shape: a driver error
is raised as the `DBAPIError` subclass SQLAlchemy would raise (an `OperationalError` for a refused or lost
connection, which app/errors.py answers with a 503), and a connection found dead is invalidated with every
connection opened before it, so the pool replaces them and `store.pool.again_on_disconnect` may run the read
again.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, Sequence

from psycopg.rows import namedtuple_row
from sqlalchemy import Engine, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable


@lru_cache(maxsize=256)
def compiled(statement: Executable, dialect: Dialect) -> tuple[str, dict[str, Any]]:
    """`statement`'s SQL for `dialect` and the values of its literal parameters (statements are module-level
    constants, or built once per OAI list: each is compiled once; an IN list of values rendered as one
    parameter each)."""
    sql = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    return sql.string, dict(sql.params)


def fetch(engine: Engine, statement: Executable, parameters: Mapping[str, Any], *,
          binary: bool = False) -> Sequence[Any]:
    """Every row of `statement` with `parameters` (named tuples: by position and by column name). `binary`: on
    PostgreSQL, read in the binary format (a `bytea` arrives as the bytes it holds, not as hex text)."""
    with reading(engine, binary=binary) as run:
        return run(statement, parameters)


Run = Callable[[Executable, Mapping[str, Any]], Sequence[Any]]


@contextmanager
def reading(engine: Engine, *, binary: bool = False) -> Iterator[Run]:
    """`run(statement, parameters)` → its rows, as `fetch` reads them, for several statements on one pooled
    connection (one checkout and return for a read of two statements, the second built from the first's rows)."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            yield lambda statement, parameters: connection.execute(statement, parameters).all()
        return
    dialect = engine.dialect
    try:
        pooled = engine.raw_connection()
    except dialect.loaded_dbapi.Error as error:  # refused, or lost while connecting: as Engine.connect raises it
        raise _wrapped(engine, None, None, error, dialect.is_disconnect(error, None, None)) from error
    current: list[Any] = []  # the statement running, and its values: set while the driver has it

    def run(statement: Executable, parameters: Mapping[str, Any]) -> Sequence[Any]:
        sql, literals = compiled(statement, dialect)
        current[:] = sql, {**literals, **parameters}
        cursor.execute(*current)
        rows = cursor.fetchall()
        current.clear()
        return rows

    try:
        current[:] = None, None  # the driver's own calls count as statements (a connection found broken)
        driver = pooled.driver_connection
        driver.autocommit = True  # statements alone: no BEGIN and ROLLBACK round trips
        with driver.cursor(row_factory=namedtuple_row, binary=binary) as cursor:
            current.clear()
            yield run
            current[:] = None, None
        driver.autocommit = False  # as the pool hands connections out
    except BaseException as error:
        if not current:  # the caller's own error, between statements: the connection is as it was
            driver.autocommit = False
            raise
        dbapi_error = isinstance(error, dialect.loaded_dbapi.Error)
        lost = dbapi_error and dialect.is_disconnect(error, pooled.dbapi_connection, None)
        # Whatever state it was left in (autocommit, a statement cut halfway), it is never handed out again;
        # a lost one, with every connection opened before it (what SQLAlchemy's Connection does on a disconnect)
        if lost:
            engine.pool._invalidate(pooled, error)
        else:
            pooled.invalidate(error if isinstance(error, Exception) else None)
        if not dbapi_error:
            raise
        raise _wrapped(engine, current[0], current[1], error, lost) from error
    finally:
        pooled.close()


def _wrapped(engine: Engine, sql: str | None, values: Mapping[str, Any] | None, error: Exception,
             lost: bool) -> BaseException:
    """The SQLAlchemy error SQLAlchemy raises for this driver error (`lost`: the connection is dead)."""
    return exc.DBAPIError.instance(sql, values, error, engine.dialect.loaded_dbapi.Error,
                                   hide_parameters=engine.hide_parameters, connection_invalidated=lost,
                                   dialect=engine.dialect)
