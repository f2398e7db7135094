"""The OAI-PMH provider's storage, in SQL: keyset pages over (datestamp, id) on the notice indexes, renditions
joined and copied as stored. A notice still in the rendering backlog (`rendered` false: a harvest deferred its
renditions) is rendered here, on read, by the same renderers that will store it (the store's `Renderers`,
handed to the repository). Implements `protocols.oaipmh.Repository`, selecting notices through
store/selection.py; `CachedRepository` adds flask-caching of what is costly and rarely changes (earliest
datestamp, sets, list sizes), keyed on the store version, and fails soft: a cache that raises only costs
the cache."""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Callable, Iterator, Sequence

from sqlalchemy import (BigInteger, DateTime, Integer, and_, bindparam, case, func, literal, literal_column, null,
                        or_, select, tuple_)
from sqlalchemy.engine import Engine

from formats.bases import BASES
from formats.notice import LOCAL_SOURCE, Notice
from formats.registry import RENDERERS, Renderers, public_notice
from protocols.oaipmh import Item, Selection, SetCatalog
from protocols.oaipmh.dates import format_datestamp
from protocols.oaipmh.repository import ProducerSet, Provenance, SetTally

from .cache import cached
from .driver import fetch
from .models import NoticeRow, Partner, Rendition
from .notices import store_version
from .packing import Packer, packer_for
from .read_ahead import ReadAhead
from .records_ahead import WINDOW, RecordsAhead
from .selection import ANY_PARTNER, NoticeSelection, conditions

_N = NoticeRow.__table__.c
_R = Rendition.__table__.c
# An Item's columns (row[:7]), then what rendering a backlog notice on read needs besides its fields
_ITEM = (_N.id, _N.base, _N.ref, _N.datestamp, _N.deleted, _N.producer_slug, _N.source, _N.licence)
# What a harvested notice's provenance is built from, read with the metadata only (NULL for POP's own notices)
_ORIGIN = (_N.source_identifier, _N.source_datestamp, _N.source_base_url, _N.source_namespace, _N.source_provenance)
_NO_ORIGIN = tuple(literal(None).label(column.name) for column in _ORIGIN)
# The fields of a live notice whose renditions are not stored yet (else NULL: nothing more is read).
_PENDING = case((and_(~_N.rendered, _N.deleted.is_(False)), _N.fields), else_=null()).label("pending")


# GetRecord's one statement (by the unique (base, ref) index, its rendition by primary key), built once: a
# statement made per request costs more CPU than its round trip (its cache key alone is computed each time).
_ONE = (_N.base == bindparam("base"), _N.ref == bindparam("ref"))
_JOINED = NoticeRow.__table__.outerjoin(Rendition.__table__, and_(_R.notice_id == _N.id,
                                                                   _R.format == bindparam("prefix")))
# The refs of the notices after it in its base's list order (by the (base, datestamp, id) index, `WINDOW` of
# them): a GetRecord of one of those next is a harvester walking the list (store/records_ahead.py), its requests
# perhaps spread over several workers. The LIMIT written out: as a parameter, the prepared statement's generic
# plan doubled its time (157 → 312 µs a statement, bench/getrecord.py's database).
_F = NoticeRow.__table__.alias("following")
_FOLLOWERS = (select(_F.c.ref)
              .where(_F.c.base == _N.base, tuple_(_F.c.datestamp, _F.c.id) > tuple_(_N.datestamp, _N.id))
              .order_by(_F.c.datestamp, _F.c.id).limit(literal_column(str(WINDOW)))
              .correlate(NoticeRow.__table__).subquery("followers"))
_NEXT_REFS = select(func.array_agg(_FOLLOWERS.c.ref)).scalar_subquery().label("next_refs")
_GET_RECORD = select(*_ITEM, _R.packed.label("xml"), _PENDING, *_ORIGIN).select_from(_JOINED).where(*_ONE)
_GET_RECORD_AND_NEXT = _GET_RECORD.add_columns(_NEXT_REFS)  # PostgreSQL only (array_agg), as walks are
# A walk's batch: the notices of a base after a position, in list order, each with its rendition in the format
_GET_FOLLOWING = (select(*_ITEM, _R.packed.label("xml"), _PENDING, *_ORIGIN).select_from(_JOINED)
                  .where(_N.base == bindparam("base"),
                         tuple_(_N.datestamp, _N.id) > tuple_(bindparam("after_datestamp", type_=DateTime()),
                                                               bindparam("after_id", type_=BigInteger())))
                  .order_by(_N.datestamp, _N.id).limit(bindparam("count", type_=Integer())))
_GET_HEADER = select(*_ITEM, literal(None).label("xml"), literal(None).label("pending"), *_NO_ORIGIN).where(*_ONE)


def _provenance(row) -> Provenance | None:
    """The provenance of a harvested notice: the partner it was harvested from, when (the datestamp: when POP
    stored the version it publishes), and the partner's own chain; None for tombstones and for notices whose
    partner's base URL is not known (POP's own notices have none)."""
    if row.deleted or not row.source_base_url or not row.source_identifier:
        return None
    harvested = format_datestamp(row.datestamp)
    # The partner's chain, outermost first, nested innermost out
    origin = None
    for level in reversed(json.loads(row.source_provenance) if row.source_provenance else ()):
        origin = Provenance(level["baseURL"], level["identifier"], level["datestamp"], level["metadataNamespace"],
                            level["harvestDate"], level["altered"], origin)
    # A datestamp the partner sent that was not a date was not kept: the harvest date is the latest it had
    return Provenance(row.source_base_url, row.source_identifier, row.source_datestamp or harvested,
                      row.source_namespace or "", harvested, True, origin)


def _item(row, prefix: str | None, with_metadata: bool, renderers: Renderers, packer: Packer) -> Item | None:
    """The Item of a row, its rendition unpacked; for a notice of the backlog, rendered now (None: not eligible
    to the format)."""
    item = Item(*row[:7], packer.unpack(row.xml) if with_metadata and row.xml is not None else None,
                _provenance(row) if with_metadata and row.source != LOCAL_SOURCE else None)
    if row.pending is None or prefix is None:
        return item
    # a harvested notice states its partner's rights, not POP's licence: its source and licence are read too
    xml = renderers.render(prefix, public_notice(Notice(base=row.base, ref=row.ref, fields=row.pending,
                                                        source=row.source, licence=row.licence)))
    if xml is None:
        return None
    return item._replace(metadata=xml) if with_metadata else item


def _ref_of(row) -> str:
    return row.ref


def _position_of(row) -> tuple[datetime, int]:
    return row.datestamp, row.id


def oai_selection(selection: Selection) -> NoticeSelection:
    return NoticeSelection(bases=selection.bases, producer_slug=selection.producer_slug, source=selection.source,
                           since=selection.from_, until=selection.until)


class SqlRepository:
    """Reads notices and their renditions for the OAI-PMH provider; one short connection per call.
    `renderers`: the store's (`Database.renderers`), for the notices of the rendering backlog; `read_ahead`:
    the process's, to read the next page of a list before it is asked (store/read_ahead.py); `records_ahead`:
    the process's, to read the next records of a walk down a list by GetRecord (store/records_ahead.py)."""

    def __init__(self, engine: Engine, *, renderers: Renderers = RENDERERS, read_ahead: ReadAhead | None = None,
                 records_ahead: RecordsAhead | None = None):
        self.engine = engine
        self.renderers = renderers
        self.packer = packer_for(engine)
        # PostgreSQL only: SQLite's reads share one file and gain nothing from a thread
        self.read_ahead = read_ahead if engine.dialect.name == "postgresql" else None
        self.records_ahead = records_ahead if engine.dialect.name == "postgresql" else None

    def earliest_datestamp(self) -> datetime | None:
        with self.engine.connect() as connection:
            return connection.execute(select(func.min(_N.datestamp))).scalar()

    def latest_datestamp(self) -> datetime | None:
        with self.engine.connect() as connection:
            return connection.execute(select(func.max(_N.datestamp))).scalar()

    def set_catalog(self) -> SetCatalog:
        with self.engine.connect() as connection:
            producers = connection.execute(
                select(_N.base, _N.producer_slug, func.min(_N.producer))
                .group_by(_N.base, _N.producer_slug).order_by(_N.base, _N.producer_slug)).all()
            partners = set(connection.execute(select(Partner.name)).scalars())
            partners.update(connection.execute(
                select(_N.source).where(*conditions(NoticeSelection(source=ANY_PARTNER))).distinct()).scalars())
            groups = (_N.base, _N.producer_slug, _N.source, _N.licence)  # one grouped count for every set
            tallies = connection.execute(select(*groups, func.count()).where(_N.deleted.is_(False))
                                         .group_by(*groups).order_by(*groups)).all()
        return SetCatalog(
            producers=tuple(ProducerSet(base, slug, name or slug) for base, slug, name in producers if base in BASES),
            partners=tuple(sorted(partners)),
            tallies=tuple(SetTally(*row) for row in tallies if row[0] in BASES),
        )

    def get(self, base: str, ref: str, prefix: str | None) -> Item | None:
        if prefix is None:
            row = next(iter(fetch(self.engine, _GET_HEADER, {"base": base, "ref": ref})), None)
        elif self.records_ahead is None:
            row = next(iter(fetch(self.engine, _GET_RECORD, {"base": base, "ref": ref, "prefix": prefix},
                                  binary=True)), None)
        else:
            row = self._walked(base, ref, prefix, self.records_ahead)
        if row is None:
            return None
        item = _item(row, prefix, True, self.renderers, self.packer)
        # not eligible to the format: the notice exists, without metadata in it (cannotDisseminateFormat)
        return item if item is not None else Item(*row[:7], None)

    def _walked(self, base: str, ref: str, prefix: str, ahead: RecordsAhead):
        """GetRecord's row: read ahead; or, when a walk arrives at it, with the batch after the notice that
        expected it; or alone."""
        scope = (id(self.engine), base, prefix)
        row = ahead.take(scope, ref)
        if row is not None:
            return row
        after = ahead.walked_to(scope, ref)
        if after is not None:
            rows = fetch(self.engine, _GET_FOLLOWING, {"base": base, "prefix": prefix, "after_datestamp": after[0],
                                                       "after_id": after[1], "count": ahead.batch + WINDOW},
                         binary=True)
            row = next((row for row in rows if row.ref == ref), None)
            if row is not None:  # else it moved in the list since: read alone, below
                ahead.keep(scope, rows, ref, _ref_of, _position_of)
                return row
        row = next(iter(fetch(self.engine, _GET_RECORD_AND_NEXT, {"base": base, "ref": ref, "prefix": prefix},
                              binary=True)), None)
        if row is not None and row.next_refs:
            ahead.expect(scope, row.next_refs, (row.datestamp, row.id))
        return row

    def _filtered(self, query, selection: Selection):
        # A notice is in a format's lists when it has a rendition in it, or is a tombstone, or waits in the
        # rendering backlog (then `_item` renders it, and drops it if it is not eligible to the format).
        return query.where(*conditions(oai_selection(selection)),
                           or_(_R.notice_id.is_not(None), _N.deleted, ~_N.rendered))

    def _joined(self, selection: Selection):
        return NoticeRow.__table__.outerjoin(
            Rendition.__table__, and_(_R.notice_id == _N.id, _R.format == selection.prefix))

    def items(self, selection: Selection, after: tuple[datetime, int] | None, limit: int,
              with_metadata: bool) -> Iterator[Item]:
        """Up to `limit` items after `after`, in (datestamp, id) order. A page is read whole and its connection
        returned before the first item is sent on; with `read_ahead`, a full page starts the read of the page
        after it (store/read_ahead.py), and a page read ahead is taken instead of read."""
        after = after or (datetime.min, -1)
        first = True
        while limit > 0:
            requested = limit
            rows = self.read_ahead.take(self._ahead_key(selection, with_metadata, after, requested)) \
                if first and self.read_ahead is not None else None
            if rows is None:
                rows = self._rows(selection, with_metadata, after, requested)
            if first and self.read_ahead is not None and len(rows) == requested:
                self._read_next(selection, with_metadata, rows, requested)
            first = False
            for row in rows:
                if not row.listed:  # not in this format (not eligible to it)
                    continue
                item = _item(row, selection.prefix, with_metadata, self.renderers, self.packer)
                if item is not None:  # a backlog notice not eligible to the format is skipped …
                    limit -= 1
                    yield item
            if len(rows) < requested:  # … and replaced by the next one, unless the list has ended
                return
            after = (rows[-1].datestamp, rows[-1].id)

    def _rows(self, selection: Selection, with_metadata: bool, after: tuple[datetime, int], count: int) -> Sequence:
        return _page_rows(self.engine, selection, with_metadata,
                          {"after_datestamp": after[0], "after_id": after[1], "page_limit": count})

    def _ahead_key(self, selection: Selection, with_metadata: bool, after: tuple[datetime, int], count: int):
        return id(self.engine), selection, with_metadata, after, count

    def _read_next(self, selection: Selection, with_metadata: bool, rows: Sequence, requested: int) -> None:
        """Start reading the page the provider will ask for next: it asks a page's size and one more (to know
        whether a next page exists), and its next token starts after the last item it sends, the one before
        last. Rows that give no item (a backlog notice not eligible) make the guess miss: then nothing is
        used, the next request reads its page itself."""
        listed = [row for row in rows if row.listed]
        if requested < 2 or len(listed) < requested - 1:
            return
        last_sent = listed[requested - 2]
        following = (last_sent.datestamp, last_sent.id)
        self.read_ahead.start(self._ahead_key(selection, with_metadata, following, requested),
                              lambda: self._rows(selection, with_metadata, following, requested))

    def count(self, selection: Selection) -> int:
        query = self._filtered(select(func.count()).select_from(self._joined(selection)), selection)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()


# What changes from one page of a list to the next: the keyset position and how many notices to read.
_AFTER = tuple_(_N.datestamp, _N.id) > tuple_(bindparam("after_datestamp", type_=DateTime(), required=False),
                                              bindparam("after_id", type_=BigInteger(), required=False))
_PAGE_LIMIT = bindparam("page_limit", type_=Integer(), required=False)


@lru_cache(maxsize=64)
def _page_statement(selection: Selection, with_metadata: bool):
    """The statement of a list's pages: the next notices of the selection (in the format's list or not), then
    their rendition in the format. Built once per list: its selection, `until` frozen, is the same on every
    page. The LIMIT is on the notice index scan alone: joined first, PostgreSQL plans a page as a parallel
    scan whose workers cost more than the page (22 ms against 9 ms for 1,000 oai_dc records)."""
    page = (select(*_ITEM, _N.rendered, _PENDING, *(_ORIGIN if with_metadata else _NO_ORIGIN))
            .where(*conditions(oai_selection(selection)), _AFTER)
            .order_by(_N.datestamp, _N.id).limit(_PAGE_LIMIT).subquery("page"))
    p = page.c
    # A notice is in a format's lists when it has a rendition in it, or is a tombstone, or waits in the
    # rendering backlog (then `_item` renders it, and drops it if it is not eligible to the format).
    listed = or_(_R.notice_id.is_not(None), p.deleted, ~p.rendered).label("listed")
    xml = _R.packed if with_metadata else literal(None)
    return (select(*(p[column.name] for column in _ITEM), xml.label("xml"), p.pending,
                   *(p[column.name] for column in _ORIGIN), listed)
            .select_from(page.outerjoin(Rendition.__table__, and_(_R.notice_id == p.id, _R.format == selection.prefix)))
            .order_by(p.datestamp, p.id))


def _page_rows(engine: Engine, selection: Selection, with_metadata: bool, values: dict) -> Sequence:
    """One page's rows. On PostgreSQL, read by psycopg itself in the binary format (store/driver.py): a packed
    rendition arrives as the bytes of its frame (in the text format, as hex to decode); the statement text is
    the same on every page, so psycopg prepares it and PostgreSQL plans it once."""
    return fetch(engine, _page_statement(selection, with_metadata), values, binary=True)


class CachedRepository(SqlRepository):
    """SqlRepository whose slow, rarely changing answers are cached until the next write (store version).

    The cache is an optimisation, never a dependency: a `get` or `set` that raises (Redis down, a timeout) is
    reported to `on_cache_error(operation, error)` and the answer is computed from the database as if nothing
    were cached. `cache` is anything with `get(key)` and `set(key, value, timeout=…)` (flask-caching's)."""

    def __init__(self, engine: Engine, cache, timeout: int = 3600, *, renderers: Renderers = RENDERERS,
                 on_cache_error: Callable[[str, Exception], None] | None = None, read_ahead: ReadAhead | None = None,
                 records_ahead: RecordsAhead | None = None):
        super().__init__(engine, renderers=renderers, read_ahead=read_ahead, records_ahead=records_ahead)
        self.cache = cache
        self.timeout = timeout
        self.on_cache_error = on_cache_error  # None: a warning in the log (store/cache.py)
        self._version: int | None = None

    def _key(self, name: str) -> str:
        if self._version is None:
            with self.engine.connect() as connection:
                self._version = store_version(connection)
        return f"oai:{self._version}:{name}"

    def _cached(self, name: str, compute):
        return cached(self.cache, self._key(name), compute, timeout=self.timeout, on_error=self.on_cache_error)

    def earliest_datestamp(self) -> datetime | None:
        return self._cached("earliest", super().earliest_datestamp)

    def set_catalog(self) -> SetCatalog:
        return self._cached("sets", super().set_catalog)

    def latest_datestamp(self) -> datetime | None:
        return self._cached("latest", super().latest_datestamp)

    def count(self, selection: Selection) -> int:
        latest = self.latest_datestamp()
        if selection.until is not None and latest is not None and selection.until >= latest:
            selection = replace(selection, until=None)  # same list: one cache entry until the next write
        digest = hashlib.sha1(repr(sorted(selection.bases)).encode() + repr(
            (selection.prefix, selection.producer_slug, selection.source, selection.from_, selection.until)).encode())
        return self._cached(f"count:{digest.hexdigest()}", lambda: super(CachedRepository, self).count(selection))
