"""Renditions after the write: the rendering backlog and `pop renditions rebuild`.

The backlog holds live notices written without their renditions (`rendered` false: harvests defer them,
their speed being bound by rendering). `/oai` renders those on read, with the same renderers, until they
are stored here — by `render_pending` (one process: `pop worker` between runs) or `render_in_parallel`
(worker processes: `pop renditions render`). Datestamps do not move: the provider already served these
notices as they will be stored.

`rebuild_renditions` re-renders stored renditions after a mapping change; a notice whose output changed
gets a new datestamp (OAI-PMH: harvesters must re-fetch it). Both store renditions through the write path's
`replace_renditions`: there is one way renditions reach the table. Every rendering here uses the store's
renderers (`Database.renderers`, or the session's: `store.db.renderers_of`), handed to worker processes with
their tasks.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterator, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from formats.edm import NO_RIGHTS, left_out_reason
from formats.notice import Notice
from formats.registry import Renderers, public_notice

from .bulk import prepared_batches
from .clock import utcnow
from .db import Database, renderers_of
from .models import NoticeRow, Rendition
from .notices import move_datestamps, replace_renditions, row_to_notice
from .packing import ensure_dictionaries

_log = logging.getLogger("pop.store.backlog")


def backlog_query(after: int, limit: int):
    """Up to `limit` notices of the rendering backlog whose id is above `after`, oldest first."""
    # `NOT rendered`: the partial index's own predicate (`rendered IS false` would not use it)
    return (select(NoticeRow).where(~NoticeRow.rendered, NoticeRow.deleted.is_(False), NoticeRow.id > after)
            .order_by(NoticeRow.id).limit(limit))


def backlog_size(session: Session) -> int:
    """How many live notices wait for their renditions."""
    return session.execute(select(func.count()).select_from(NoticeRow)
                           .where(~NoticeRow.rendered, NoticeRow.deleted.is_(False))).scalar_one()


def _store(session: Session, rendered: list[tuple[int, dict[str, str]]]) -> None:
    """Store the renditions of backlog notices (locked by the caller) and take them out of the backlog."""
    # A notice in the backlog has no renditions (every write that puts one there drops them in the same
    # transaction); the replacement's delete is a cheap guard against a store edited by hand.
    replace_renditions(session, rendered)
    session.execute(update(NoticeRow).where(NoticeRow.id.in_([notice_id for notice_id, _ in rendered]))
                    .values(rendered=True))


def render_backlog(session: Session, limit: int = 500, after: int = 0) -> tuple[int, int]:
    """Render and store the renditions of up to `limit` notices of the backlog whose id is above `after`
    (oldest first), in the caller's transaction; returns (how many, the last id), so a caller walks the
    backlog without rescanning what it has rendered. On PostgreSQL the rows are locked (SKIP LOCKED), so
    several renderers share the backlog and a concurrent write of the same notice waits for the commit."""
    query = backlog_query(after, limit)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).scalars().all()
    if not rows:
        return 0, after
    render_all = renderers_of(session).render_all
    _store(session, [(row.id, render_all(row_to_notice(row))) for row in rows])
    return len(rows), rows[-1].id


def store_rendered(session: Session, rendered: list[tuple[str, int, dict[str, str]]]) -> int:
    """Store renditions rendered elsewhere — (fields hash read, notice id, renditions) — for the notices still
    in the backlog with that same hash, locked (SKIP LOCKED on PostgreSQL) in the caller's transaction;
    others (written again meanwhile, rendered or deleted) are left alone. Returns how many were stored."""
    query = (select(NoticeRow.id, NoticeRow.fields_hash)
             .where(NoticeRow.id.in_([notice_id for _, notice_id, _ in rendered]), ~NoticeRow.rendered,
                    NoticeRow.deleted.is_(False)))
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    current = dict(session.execute(query).all())
    fresh = [(notice_id, renditions) for fields_hash, notice_id, renditions in rendered
             if current.get(notice_id) == fields_hash]
    if fresh:
        _store(session, fresh)
    return len(fresh)


def render_pending(db: Database, *, batch_size: int = 500, budget: float | None = None,
                   progress: Callable[[int], None] | None = None) -> int:
    """Work through the backlog, one transaction per batch, until it is empty or `budget` seconds have passed
    (the worker keeps its loop responsive); returns how many notices were rendered. A notice written again
    meanwhile (behind the walk) is left to the next call."""
    started, done, after = time.monotonic(), 0, 0
    while budget is None or time.monotonic() - started < budget:
        with db.session() as session:
            count, after = render_backlog(session, batch_size, after)
        if not count:
            break
        ensure_dictionaries(db.engine, db.renderers.prefixes, db.packer)
        done += count
        if progress:
            progress(count)
    return done


def _backlog_reads(db: Database, batch_size: int) -> Iterator[list[tuple[str, Notice]]]:
    """The backlog in id order, a batch at a time, each notice with the fields hash it was read with."""
    after = 0
    while True:
        with db.session() as session:
            rows = session.scalars(backlog_query(after, batch_size)).all()
            batch = [(row.fields_hash, row_to_notice(row)) for row in rows]
        if not batch:
            return
        after = batch[-1][1].id
        yield batch


def _render_batch(renderers: Renderers, batch: list[tuple[str, Notice]]) -> list[tuple[str, int, dict[str, str]]]:
    """In a worker process (pure): every rendition of each notice."""
    render_all = renderers.render_all
    return [(fields_hash, notice.id, render_all(notice)) for fields_hash, notice in batch]


def render_in_parallel(db: Database, *, batch_size: int = 500, workers: int | None = None,
                       progress: Callable[[int], None] | None = None) -> int:
    """`render_pending` with the rendering done by `workers` processes (default: one per core; 0: this
    process) while this one stores what they rendered, batch by batch. A notice written again between its
    read and the store of its renditions (its fields hash moved) is left in the backlog for the next call,
    as is one being written right then (SKIP LOCKED). Returns how many notices were rendered."""
    if workers == 0:
        return render_pending(db, batch_size=batch_size, progress=progress)
    db.dispose()  # worker processes are forked: they must not inherit open connections
    done = 0
    render_batch = partial(_render_batch, db.renderers)  # pickled with each task: the store's options
    for rendered in prepared_batches(render_batch, _backlog_reads(db, batch_size), workers):
        with db.session() as session:
            stored = store_rendered(session, rendered)
        ensure_dictionaries(db.engine, db.renderers.prefixes, db.packer)
        done += stored
        if progress:
            progress(stored)
    return done


# --- pop renditions rebuild --------------------------------------------------------------------------
@dataclass
class RebuildSummary:
    checked: int = 0
    rerendered: int = 0  # renditions written, replaced or dropped
    moved: int = 0  # notices whose datestamp moved
    left_out_of_edm: int = 0  # harvested notices whose partner states no rights Europeana accepts

    def line(self) -> str:
        line = f"checked: {self.checked}, renditions changed: {self.rerendered}, datestamps moved: {self.moved}"
        if self.left_out_of_edm:
            line += f", left out of edm: {self.left_out_of_edm} ({NO_RIGHTS})"
        return line


def rebuild_renditions(db: Database, bases: Sequence[str], prefixes: Sequence[str] | None = None, *,
                       batch_size: int = 500, progress: Callable[[int], None] | None = None) -> RebuildSummary:
    """Re-render the rendered live notices of `bases` in `prefixes` (default: every format), batch by batch
    (one transaction each); a notice whose output changed in any of them gets a new datestamp. The backlog's
    notices are left to the backlog, which renders them with today's mappings anyway. Harvested notices left
    out of edm because their partner states no rights Europeana accepts are counted (and logged)."""
    renderers = db.renderers
    unpack_text = db.packer.unpack_text
    prefixes = list(prefixes or renderers.prefixes)
    summary = RebuildSummary()
    last_id = 0
    while True:
        with db.session() as session:
            rows = session.execute(
                select(NoticeRow).where(NoticeRow.id > last_id, NoticeRow.base.in_(list(bases)),
                                        NoticeRow.deleted.is_(False), NoticeRow.rendered.is_(True))
                .order_by(NoticeRow.id).limit(batch_size)).scalars().all()
            if not rows:
                if summary.left_out_of_edm:
                    _log.info("renditions.left_out", extra={"format": "edm", "reason": NO_RIGHTS,
                                                            "count": summary.left_out_of_edm})
                return summary
            last_id = rows[-1].id
            stored = {(r.notice_id, r.format): unpack_text(r.packed) for r in session.execute(
                select(Rendition.notice_id, Rendition.format, Rendition.packed)
                .where(Rendition.notice_id.in_([row.id for row in rows]), Rendition.format.in_(prefixes)))}
            changed: list[tuple[int, dict[str, str]]] = []
            for row in rows:
                notice = row_to_notice(row)
                fresh = renderers.render_in(notice, prefixes)
                if "edm" in prefixes and "edm" not in fresh and left_out_reason(public_notice(notice)):
                    summary.left_out_of_edm += 1
                differing = [p for p in prefixes if fresh.get(p) != stored.get((row.id, p))]
                if differing:
                    changed.append((row.id, fresh))
                    summary.rerendered += len(differing)
            replace_renditions(session, changed, prefixes)
            move_datestamps(session, [notice_id for notice_id, _ in changed], utcnow())
            summary.checked += len(rows)
            summary.moved += len(changed)
        if progress:
            progress(len(rows))
