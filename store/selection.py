"""One translation of "which notices" into SQL, for every reader: OAI-PMH lists, export streams (the ORM
reader and the COPY statement alike) and counts. A `NoticeSelection` is what they share — base(s),
producer, source, datestamp window, tombstones or not, located only — and `conditions` is the only place it
becomes SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.dialects import postgresql

from formats.bases import BASES
from formats.notice import LOCAL_SOURCE
from protocols.export.geojson_encoder import PLACE_FIELDS
from protocols.oaipmh.repository import ANY_PARTNER  # `source`: every harvested notice, whichever partner

from .models import NoticeRow

__all__ = ["ANY_PARTNER", "NoticeSelection", "conditions", "postgresql_text"]

_N = NoticeRow.__table__.c


@dataclass(frozen=True)
class NoticeSelection:
    bases: frozenset[str] = frozenset(BASES)
    producer_slug: str | None = None
    source: str | None = None  # a partner's name, LOCAL_SOURCE, ANY_PARTNER, or None for every source
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, inclusive
    include_deleted: bool = True  # tombstones too
    # only notices with a place field (and tombstones): what a `bbox` can select. The exact test is the
    # reader's (protocols.export.geojson_encoder.BoundingBox), in Python: coordinates are untyped JSON, and a
    # SQL cast of a stray text would fail the stream midway.
    located: bool = False


def conditions(selection: NoticeSelection) -> list[ColumnElement[bool]]:
    """The WHERE conditions on the notice table (AND-ed) that select `selection`."""
    where: list[ColumnElement[bool]] = []
    if len(selection.bases) == 1:
        where.append(_N.base == next(iter(selection.bases)))
    elif not selection.bases:
        where.append(false())
    elif selection.bases != frozenset(BASES):
        where.append(_N.base.in_(sorted(selection.bases)))
    if selection.producer_slug is not None:
        where.append(_N.producer_slug == selection.producer_slug)
    if selection.source == ANY_PARTNER:
        where.append(_N.source != LOCAL_SOURCE)
    elif selection.source is not None:
        where.append(_N.source == selection.source)
    if not selection.include_deleted:
        where.append(_N.deleted.is_(False))
    if selection.since is not None:
        where.append(_N.datestamp >= selection.since)
    if selection.until is not None:
        where.append(_N.datestamp <= selection.until)
    if selection.located:
        where.append(or_(_N.deleted.is_(True), *(_N.fields[code].as_string().is_not(None) for code in PLACE_FIELDS)))
    return where


def postgresql_text(selection: NoticeSelection) -> str:
    """`conditions` as PostgreSQL text with the values inlined, for statements SQLAlchemy does not build
    (COPY). Inlined by SQLAlchemy's own literal rendering: strings quoted, datetimes as timestamps."""
    where = conditions(selection)
    if not where:
        return "true"
    return str(and_(*where).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
