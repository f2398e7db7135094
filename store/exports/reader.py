"""Notices for an export, in (datestamp, id) order, and the one function a download goes through:
`export_chunks` picks the fastest correct reader — CSV on PostgreSQL is written by COPY (store/exports/copy.py,
the same bytes as the Python encoder), everything else by the protocol's encoders over `iter_export_rows`.

A download's read begins before its first chunk is handed over (`export_chunks` opens the transaction, runs
the statement and reads the first rows at once): a database that does not answer raises there, so a view can
still answer 503 instead of starting a 200 that it would then have to cut.

Notices are read with one statement iterated in batches (`yield_per`): a server-side cursor on PostgreSQL,
SQLite's own cursor otherwise. Memory stays flat, and the whole export is one consistent snapshot of the
store (a notice updated during a download is neither missed nor sent twice).
"""
from __future__ import annotations

from itertools import islice
from typing import Generator, Iterator, NamedTuple

import orjson
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from protocols.export.query import ExportQuery
from protocols.export.csv_encoder import CsvEncoder
from protocols.export.geojson_encoder import geometry
from protocols.export.layout import Encoder
from protocols.export.writers import stream

from ..db import Database
from ..models import NoticeRow
from ..selection import NoticeSelection, conditions

BATCH = 2000


class ExportRow(NamedTuple):
    ref: str
    fields: dict
    deleted: bool


def export_selection(query: ExportQuery) -> NoticeSelection:
    return NoticeSelection(bases=frozenset({query.base.name}), producer_slug=query.producer_slug or None,
                           since=query.since, until=query.until, include_deleted=query.include_deleted,
                           located=query.bbox is not None)


def iter_export_rows(session: Session, query: ExportQuery, batch: int = BATCH) -> Iterator[ExportRow]:
    """The notices an export query selects, oldest datestamp first. `fields` travel as JSON text (as UTF-8
    bytes on PostgreSQL: no decoding by the driver, and orjson reads bytes fastest), parsed here by orjson:
    half the cost of the driver's JSON loading through SQLAlchemy's result processing. Rows are read with
    Core, not the ORM: nothing here needs ORM objects."""
    fields = cast(NoticeRow.fields, Text)
    if session.bind.dialect.name == "postgresql":
        fields = func.convert_to(fields, "UTF8")
    statement = (select(NoticeRow.ref, fields, NoticeRow.deleted)
                 .where(*conditions(export_selection(query))).order_by(NoticeRow.datestamp, NoticeRow.id))
    loads = orjson.loads
    streamed = statement.execution_options(yield_per=batch)  # a server-side cursor, fetched in batches
    meets = query.bbox.meets if query.bbox else None
    for ref, fields, deleted in session.connection().execute(streamed):
        fields = loads(fields)
        if meets is None or deleted or meets(geometry(fields)):  # a bbox keeps the tombstones asked for
            yield ExportRow(ref, fields, deleted)


def export_chunks(db: Database, query: ExportQuery, encoder: Encoder, batch: int = BATCH) -> Iterator[bytes]:
    """The whole export of `query` as byte chunks (not gzipped), read in one transaction. Started here: the
    first chunk (the head with the first rows) is already read when this returns, so a database outage
    raises from this call, not from the iteration; `close()` the result to end the read early."""
    return StartedStream(_export_chunks(db, query, encoder, batch))


def _export_chunks(db: Database, query: ExportQuery, encoder: Encoder, batch: int) -> Generator[bytes, None, None]:
    with db.session() as session:
        if db.is_postgresql and isinstance(encoder, CsvEncoder) and query.bbox is None:  # COPY knows no bbox
            from .copy import csv_stream

            chunks = csv_stream(session, query, encoder)
        else:
            chunks = stream(encoder, iter_export_rows(session, query, batch))
        # The head needs no database, the chunk after it does (the first rows, or the tail of an empty
        # export): both are read before anything is yielded.
        yield b"".join(islice(chunks, 2))
        yield from chunks


class StartedStream(Iterator[bytes]):
    """A generator advanced to its first item at construction (so that its errors raise from the caller's
    call), then iterated as it was; `close()` closes it (a WSGI server closes what it streamed)."""

    def __init__(self, chunks: Generator[bytes, None, None]):
        self._chunks = chunks
        self._first: list[bytes] = [next(chunks, b"")]

    def __next__(self) -> bytes:
        if self._first:
            return self._first.pop()
        return next(self._chunks)

    def close(self) -> None:
        self._chunks.close()
