"""The image table's side of IIIF: which images wait for their probe, recording what the probe found, and the
measured images a manifest may paint.

What waits: every image a live notice links to (its *public* view: formats/images.py, under the deployment's
image base) that has no row yet, and those found `unreachable` longer ago than `recheck_after`. The scan walks
notices in `(datestamp, id)` order from a cursor, so a caller that keeps its cursor (`pop worker`) sees only the
notices written since: a changed notice's new images are queued by its new datestamp. `pop images probe` starts
from the beginning (every notice), stopping once it has `limit` images.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Mapping, Sequence

from sqlalchemy import Connection, bindparam, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from formats.images import notice_images
from formats.links import IMAGE_BASE
from formats.registry import public_notice
from harvest.addresses import AddressPolicy
from harvest.image_probe import MEASURED, UNREACHABLE, Probe, ProbeSettings, probe_all

from .clock import utcnow
from .db import Database
from .models import ImageRow, NoticeRow
from .notices import row_to_notice

Cursor = tuple[datetime, int]  # the (datestamp, id) of the last notice scanned
SCAN_BATCH = 500
# A cursor that reached the end steps back this much: a write may commit a little after its datestamp
COMMIT_LAG = timedelta(seconds=5)


@dataclass(frozen=True)
class MeasuredImage:
    url: str
    media_type: str | None
    width: int
    height: int


@dataclass
class Pending:
    """Images to probe, and where the scan stopped (`done`: it reached the last notice)."""

    urls: list[str] = field(default_factory=list)
    cursor: Cursor | None = None
    done: bool = False


def notice_image_urls(row: NoticeRow, image_base: str = IMAGE_BASE) -> list[str]:
    """The URLs of the images a stored notice publishes."""
    public = public_notice(row_to_notice(row))
    return [image.url for image in notice_images(public.base, public.fields, image_base=image_base)]


def pending_images(session: Session, limit: int, image_base: str = IMAGE_BASE, cursor: Cursor | None = None,
                   base: str | None = None, recheck_after: timedelta = timedelta(days=1)) -> Pending:
    """Up to `limit` image URLs that wait for a probe, from the notices after `cursor` (see the module)."""
    pending, seen = Pending(cursor=cursor), set()
    retry_before = utcnow() - recheck_after
    while len(pending.urls) < limit:
        query = select(NoticeRow).where(NoticeRow.deleted.is_(False))
        if base is not None:
            query = query.where(NoticeRow.base == base)
        if pending.cursor is not None:
            query = query.where(tuple_(NoticeRow.datestamp, NoticeRow.id) > tuple_(*pending.cursor))
        rows = session.execute(query.order_by(NoticeRow.datestamp, NoticeRow.id).limit(SCAN_BATCH)).scalars().all()
        if not rows:
            pending.done = True
            break
        for row in rows:
            urls = [u for u in notice_image_urls(row, image_base) if u not in seen]
            pending.cursor = (row.datestamp, row.id)
            if not urls:
                continue
            known = set(session.execute(select(ImageRow.url).where(
                ImageRow.url.in_(urls),
                or_(ImageRow.status != UNREACHABLE, ImageRow.checked >= retry_before))).scalars())
            fresh = [u for u in urls if u not in known]
            seen.update(fresh)
            pending.urls.extend(fresh)
            if len(pending.urls) >= limit:
                break
    return pending


def rewind(cursor: Cursor | None) -> Cursor | None:
    """Where to scan next once a scan reached the end: a little before its last datestamp (COMMIT_LAG)."""
    return None if cursor is None else (cursor[0] - COMMIT_LAG, 0)


def record_probes(session: Session, probes: Iterable[Probe]) -> int:
    """Store what the probes found (one row per URL, replaced), in the caller's transaction; returns how many."""
    now = utcnow()
    values = [dict(url=p.url, media_type=p.media_type, width=p.width, height=p.height, bytes=p.size,
                   checked=now, status=p.status, reason=(p.reason or None) and p.reason[:512]) for p in probes]
    if not values:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ImageRow).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[ImageRow.url],
        set_={name: statement.excluded[name] for name in
              ("media_type", "width", "height", "bytes", "checked", "status", "reason")})
    session.execute(statement)
    return len(values)


_I = ImageRow.__table__.c
_MEASURED = select(_I.url, _I.media_type, _I.width, _I.height).where(
    _I.url.in_(bindparam("urls", expanding=True)), _I.status == MEASURED)


def measured_images(connection: Connection | Session, urls: Sequence[str]) -> Mapping[str, MeasuredImage]:
    """The measured ones among `urls`: {url: MeasuredImage} (a Core statement: manifests read it per request)."""
    if not urls:
        return {}
    rows = connection.execute(_MEASURED, {"urls": list(urls)}).all()
    return {url: MeasuredImage(url, media, width, height) for url, media, width, height in rows}


def image_statuses(session: Session) -> dict[str, int]:
    """How many images per status (for `pop images status` and reports)."""
    return dict(session.execute(select(ImageRow.status, func.count()).group_by(ImageRow.status)).all())


@dataclass
class ProbeReport:
    """What a round of probes did: images per status, HTTP requests and bytes read, where the scan stands."""

    statuses: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    bytes_read: int = 0
    cursor: Cursor | None = None
    done: bool = False

    @property
    def probed(self) -> int:
        return sum(self.statuses.values())


def probe_pending(db: Database, limit: int | None = None, budget: float | None = None,
                  cursor: Cursor | None = None, base: str | None = None, settings: ProbeSettings = ProbeSettings(),
                  policy: AddressPolicy = AddressPolicy(), batch: int = 100) -> ProbeReport:
    """Probe the images that wait (see the module) and store what was found, `batch` at a time (each batch
    committed): at most `limit` images, for at most about `budget` seconds (None: no bound), from `cursor`."""
    image_base = db.renderers.options.image_base
    report = ProbeReport(cursor=cursor)
    deadline = None if budget is None else time.monotonic() + budget
    while limit is None or report.probed < limit:
        if deadline is not None and time.monotonic() >= deadline:
            break
        size = batch if limit is None else min(batch, limit - report.probed)
        with db.session() as session:
            pending = pending_images(session, size, image_base, report.cursor, base)
        probes = list(probe_all(pending.urls, settings, policy))
        with db.session() as session:
            record_probes(session, probes)
        for probe in probes:
            report.statuses[probe.status] = report.statuses.get(probe.status, 0) + 1
            report.requests += probe.requests
            report.bytes_read += probe.bytes_read
        report.cursor, report.done = pending.cursor, pending.done
        if pending.done:
            break
    return report
