"""The storage side of IIIF: a notice's manifest as bytes with its ETag, and the pages of a base's collection.

A manifest depends on what we publish of the notice (its `content_hash`, `licence` and `source`; its
`datestamp` moves with them) and on the facts of its measured images. Built manifests are kept per process in a
`ManifestCache` bounded in bytes (`POP_IIIF_CACHE_MB`), with the notice's image URLs and the facts they were built
from; a request for a cached one is **one statement** (the notice's version joined to the current facts of those
URLs) and a byte copy. When either differs, the notice is read in full and its manifest built again (two
statements, on one connection). Every statement of a manifest is read through store/driver.py (`fetch`,
`reading`: on PostgreSQL, psycopg itself, prepared once per connection).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import orjson
from sqlalchemy import Connection, Engine, Select, and_, bindparam, false, select
from sqlalchemy.engine import Row

from formats.bases import get_base
from formats.images import IMAGE_FIELDS, notice_images
from formats.notice import Notice
from formats.profiles import describe
from formats.registry import public_notice
from harvest.image_probe import MEASURED
from protocols.iiif.manifest import Site, build_manifest

from .db import Database
from .driver import fetch, reading
from .images import MeasuredImage, measured_images
from .models import ImageRow, NoticeRow

ILLUSTRATED_BASES = tuple(IMAGE_FIELDS)  # the bases whose notices link images
CACHE_BYTES = 64 * 2**20  # the manifests a process keeps (a demo manifest is 3-6 KB: about ten thousand)
ENTRY_OVERHEAD = 600  # bytes an entry costs besides its body and URLs (key, tuples, answer)
SCAN_BATCH = 200  # notices a collection page reads at a time
SCAN_LIMIT = 5000  # notices a collection page reads at most (a base with few measured images: partial pages)

_N, _I = NoticeRow.__table__.c, ImageRow.__table__.c
_LIVE = (_N.base == bindparam("base"), _N.ref == bindparam("ref"), _N.deleted.is_(False))
_VERSION = (_N.id, _N.datestamp, _N.content_hash, _N.licence, _N.source)
_FACTS = (_I.url, _I.media_type, _I.width, _I.height)
_NOTICE = select(*_VERSION, _N.base, _N.ref, _N.fields).where(*_LIVE)


@lru_cache(maxsize=64)
def _check(urls: int) -> Select:
    """A cached manifest's check: the notice's version, with the current facts of the `urls` URLs it was built
    from (bound as u0, u1…: one statement per count, compiled once, where an expanding IN is re-rendered at
    every call)."""
    return select(*_VERSION, *_FACTS).select_from(NoticeRow.__table__.outerjoin(ImageRow.__table__, and_(
        _I.url.in_([bindparam(f"u{n}") for n in range(urls)]) if urls else false(), _I.status == MEASURED))) \
        .where(*_LIVE)


@lru_cache(maxsize=64)
def _measured(urls: int) -> Select:
    """The facts of those of `urls` URLs that are measured (bound as u0, u1…, as `_check` binds them)."""
    return select(*_FACTS).where(_I.url.in_([bindparam(f"u{n}") for n in range(urls)]), _I.status == MEASURED)


def _url_values(urls: Sequence[str]) -> dict[str, str]:
    return {f"u{n}": url for n, url in enumerate(urls)}


Facts = tuple[tuple[str, str | None, int, int], ...]  # (url, media type, width, height), sorted by URL


@dataclass(frozen=True)
class ManifestAnswer:
    body: bytes | None  # the manifest's JSON; None: no manifest (`reason`)
    etag: str | None
    left_out: int  # images not measured yet
    reason: str | None = None


@dataclass(frozen=True)
class _Entry:
    version: tuple  # the notice's (id, datestamp, content_hash, licence, source)
    urls: tuple[str, ...]  # the images it links
    facts: Facts  # of those measured when it was built
    answer: ManifestAnswer

    @property
    def weight(self) -> int:
        return ENTRY_OVERHEAD + len(self.answer.body or b"") + sum(len(u) for u in self.urls)


class ManifestCache:
    """The manifests last built, by (base, REF), least recently used dropped beyond `max_bytes`; thread-safe
    (a worker's threads share it)."""

    def __init__(self, max_bytes: int = CACHE_BYTES):
        self.max_bytes, self.bytes = max_bytes, 0
        self._items: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, str]) -> _Entry | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def put(self, key: tuple[str, str], entry: _Entry) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old.weight
            if entry.weight > self.max_bytes:  # larger than the whole cache (or a cache of 0 bytes): not kept
                return
            self._items[key] = entry
            self.bytes += entry.weight
            while self.bytes > self.max_bytes:
                self.bytes -= self._items.popitem(last=False)[1].weight

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0


def reader(db: Database) -> Engine:
    """The engine manifests and collections read through, sharing the database's pool. On PostgreSQL,
    autocommit: each read is one or two statements, and it spares the BEGIN/ROLLBACK round trips; SQLite begins
    nothing for a read, and switching its connections to autocommit and back costs more than it saves."""
    return db.engine.execution_options(isolation_level="AUTOCOMMIT") if db.is_postgresql else db.engine


def _facts(rows: Iterable[Row]) -> Facts:
    return tuple(sorted((r.url, r.media_type, r.width, r.height) for r in rows if r.url is not None))


def notice_manifest(engine: Engine, base: str, ref: str, site: Site,
                    cache: ManifestCache | None = None) -> ManifestAnswer | None:
    """The manifest of a live notice (None: no such notice); see the module for what is read. `engine`: the
    reading engine (`reader`)."""
    key = (base, ref)
    entry = cache.get(key) if cache is not None else None
    if entry is not None:
        rows = fetch(engine, _check(len(entry.urls)), {"base": base, "ref": ref, **_url_values(entry.urls)})
        if not rows:
            return None
        if tuple(rows[0][:5]) == entry.version and _facts(rows) == entry.facts:
            return entry.answer
    return _build(engine, base, ref, site, cache)


def _build(engine: Engine, base: str, ref: str, site: Site, cache: ManifestCache | None) -> ManifestAnswer | None:
    with reading(engine) as run:  # both statements on one connection
        rows = run(_NOTICE, {"base": base, "ref": ref})
        if not rows:
            return None
        row = rows[0]
        public = public_notice(Notice(base=row.base, ref=row.ref, fields=row.fields, source=row.source,
                                      licence=row.licence, id=row.id, datestamp=row.datestamp))
        urls = tuple(image.url for image in notice_images(public.base, public.fields, image_base=site.image_base))
        measured = {r.url: MeasuredImage(*r) for r in run(_measured(len(urls)), _url_values(urls))} if urls else {}
    manifest = build_manifest(public, measured, site)
    if manifest.json is None:
        answer = ManifestAnswer(None, None, manifest.left_out, manifest.reason)
    else:
        body = orjson.dumps(manifest.json)
        answer = ManifestAnswer(body, hashlib.sha256(body).hexdigest()[:32], manifest.left_out)
    if cache is not None:
        facts = tuple(sorted((m.url, m.media_type, m.width, m.height) for m in measured.values()))
        cache.put((base, ref), _Entry(tuple(row[:5]), urls, facts, answer))
    return answer


def _title(public: Notice, site: Site) -> str:
    description = describe(public, site.default_rights, site.image_base)
    return description.titles[0] if description else public.ref


def collection_page(connection: Connection, base: str, size: int, after: str | None,
                    site: Site) -> tuple[list[tuple[str, str]], str | None]:
    """One page of a base's manifests, by REF after `after`: ([(REF, title)], the REF the next page starts
    after, or None at the end). Lists the notices with at least one measured image. It looks one notice past the
    page, so the last page links no next page (SCAN_LIMIT aside: a page that read that many notices ends where
    it stopped, and the next one goes on from there)."""
    found: list[tuple[str, str]] = []
    last, scanned = after, 0
    while scanned < SCAN_LIMIT:
        query = select(_N.base, _N.ref, _N.fields, _N.source, _N.licence).where(
            _N.base == base, _N.deleted.is_(False))
        if last is not None:
            query = query.where(_N.ref > last)
        rows = connection.execute(query.order_by(_N.ref).limit(SCAN_BATCH)).all()
        publics = [public_notice(Notice(base=r.base, ref=r.ref, fields=r.fields, source=r.source,
                                        licence=r.licence)) for r in rows]
        urls = {p.ref: [i.url for i in notice_images(p.base, p.fields, image_base=site.image_base)] for p in publics}
        measured = measured_images(connection, [u for group in urls.values() for u in group])
        for public in publics:
            if any(u in measured for u in urls[public.ref]):
                if len(found) == size:  # one more exists: this page is full and a next one is not empty
                    return found, found[-1][0]
                found.append((public.ref, _title(public, site)))
        scanned += len(rows)
        if len(rows) < SCAN_BATCH:
            return found, None
        last = rows[-1].ref
    return found, last


def illustrated_bases() -> list[tuple[str, str]]:
    """(name, label) of the bases whose notices may have manifests."""
    return [(name, get_base(name).label) for name in ILLUSTRATED_BASES]

