"""Writing notices: the one write path of imports, demo loads and harvests.

Rules (DESIGN.md, "Store"):
- a write that changes nothing keeps the datestamp, so aggregators don't re-fetch unchanged records;
- the datestamp moves only when what we publish changes (the public view, hence every rendition);
- a deletion leaves a tombstone whose datestamp is the deletion time; a deleted notice can be re-created;
- a notice belongs to its source (local, or one partner): another source's write is refused, never applied;
- renditions are rendered here, when the notice is written, so the protocol never serializes on read —
  except for writes that defer them (`render=False`: harvests, whose speed is bound by it): those notices are
  stored with `rendered = False`, the provider renders them on read until `render_backlog` has stored them.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, NamedTuple, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from formats.bases import get_base, slugify
from formats.notice import Fingerprint, Notice, fingerprint
from formats.registry import get_format, render_all

from .models import NoticeRow, Rendition, StoreState


def utcnow() -> datetime:
    """Now, in UTC, to the whole second: the store's clock and the datestamps' granularity."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


@dataclass
class WriteSummary:
    """What a write did, notice by notice, and why each refused notice was refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: list[tuple[str | None, str]] = field(default_factory=list)  # (REF, reason)
    unlisted_rejections: int = 0  # rejections counted but not listed (a report keeps a bounded list)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected) + self.unlisted_rejections

    def reject(self, ref: str | None, reason: str, limit: int = 10_000) -> None:
        if len(self.rejected) < limit:
            self.rejected.append((ref, reason))
        else:
            self.unlisted_rejections += 1

    def add(self, other: "WriteSummary") -> "WriteSummary":
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        for ref, reason in other.rejected:
            self.reject(ref, reason)
        self.unlisted_rejections += other.unlisted_rejections
        return self

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def line(self) -> str:
        return (f"created: {self.created}, updated: {self.updated}, "
                f"unchanged: {self.unchanged}, rejected: {self.rejected_count}")


def _owner_conflict(existing_source: str, source: str) -> str:
    who = "local imports" if existing_source == "local" else f"partner {existing_source!r}"
    return f"REF is owned by {who}; {source!r} may not change it"


@dataclass(frozen=True)
class PreparedNotice:
    """A notice with the CPU-heavy work of writing it done: hashes and, optionally, renditions.

    `prepare` is pure, so bulk loads run it in worker processes and hand the results to `write_notices`."""

    notice: Notice
    print: Fingerprint
    renditions: dict[str, str] | None = None  # None: rendered by the store when needed


def prepare(notice: Notice, *, render: bool = True) -> PreparedNotice:
    return PreparedNotice(notice, fingerprint(get_base(notice.base), notice.fields),
                          render_all(notice) if render else None)


def _rendition_rows(notice_id: int, renditions: dict[str, str]) -> list[dict]:
    return [
        {"notice_id": notice_id, "format": prefix, "version": get_format(prefix).version, "xml": xml}
        for prefix, xml in renditions.items()
    ]


def write_notices(
    session: Session,
    notices: Sequence[Notice | PreparedNotice],
    *,
    now: datetime | None = None,
    source_datestamps: dict[str, str] | None = None,
    render: bool = True,
) -> WriteSummary:
    """Create or update validated notices (one batch, in the caller's transaction).

    `source_datestamps` maps a REF to its partner's datestamp (provenance of harvested notices).
    `render=False` defers the renditions of created and changed notices to the rendering backlog.
    If the same (base, REF) appears twice in a batch, the last one wins.
    """
    summary = WriteSummary()
    if not notices:
        return summary
    now = now or utcnow()
    latest: dict[tuple[str, str], Notice | PreparedNotice] = {}
    for item in notices:
        notice = item.notice if isinstance(item, PreparedNotice) else item
        latest[notice.base, notice.ref] = item
    by_base: dict[str, list[Notice | PreparedNotice]] = {}
    for (base_name, _), item in latest.items():
        by_base.setdefault(base_name, []).append(item)
    for base_name, batch in by_base.items():
        summary.add(_write_base_batch(session, base_name, batch, now, source_datestamps or {}, render))
    if summary.changed:
        bump_state(session, now)
    return summary


def _write_base_batch(session: Session, base_name: str, items: list[Notice | PreparedNotice], now: datetime,
                      source_datestamps: dict[str, str], render: bool = True) -> WriteSummary:
    summary = WriteSummary()
    base = get_base(base_name)
    batch = [item if isinstance(item, PreparedNotice) else PreparedNotice(item, fingerprint(base, item.fields))
             for item in items]
    existing = {row.ref: row for row in _existing(session, base_name, [p.notice.ref for p in batch])}
    inserts: list[tuple[PreparedNotice, dict]] = []
    updates: list[dict] = []
    rerender: list[tuple[int, PreparedNotice]] = []
    deferred: list[int] = []  # changed notices whose renditions go to the backlog
    for prepared in batch:
        notice, print_ = prepared.notice, prepared.print
        row = existing.get(notice.ref)
        if row is not None and row.source != notice.source:
            summary.reject(notice.ref, _owner_conflict(row.source, notice.source))
            continue
        if row is not None and row.fields_hash == print_.fields_hash and not row.deleted:
            summary.unchanged += 1
            continue
        producer = notice.producer
        values = {
            "fields": print_.canonical, "producer": producer, "producer_slug": slugify(producer or ""),
            "source": notice.source, "source_identifier": notice.source_identifier,
            "source_datestamp": source_datestamps.get(notice.ref),
            "content_hash": print_.content_hash, "fields_hash": print_.fields_hash, "deleted": False,
            "rendered": row.rendered if row is not None else render,
        }
        if row is None:
            inserts.append((prepared, {"base": base_name, "ref": notice.ref, "created": now, "datestamp": now, **values}))
            continue
        if row.deleted or row.content_hash != print_.content_hash:  # what we publish changed
            values["datestamp"] = now
            values["rendered"] = render
            (rerender if render else deferred).append((row.id, prepared))
        updates.append({"id": row.id, **values})
        summary.updated += 1

    if updates:
        for values in updates:
            values["fields"] = json.loads(values["fields"])
        session.execute(update(NoticeRow), updates)
    if rerender or deferred:
        stale = [notice_id for notice_id, _ in (*rerender, *deferred)]
        session.execute(delete(Rendition).where(Rendition.notice_id.in_(stale)))
    if inserts:
        ids = _insert_notices(session, [values for _, values in inserts], ids=render)
        if render:
            rerender.extend(zip(ids, (prepared for prepared, _ in inserts)))
        summary.created += len(inserts)
    renditions = [r for notice_id, prepared in rerender for r in _rendition_rows(
        notice_id, prepared.renditions if prepared.renditions is not None else render_all(prepared.notice))]
    if renditions:
        _insert_renditions(session, renditions)
    return summary


class _Existing(NamedTuple):
    id: int
    ref: str
    source: str
    fields_hash: str
    content_hash: str
    deleted: bool
    rendered: bool


_EXISTING = select(NoticeRow.id, NoticeRow.ref, NoticeRow.source, NoticeRow.fields_hash, NoticeRow.content_hash,
                   NoticeRow.deleted, NoticeRow.rendered)


def _existing(session: Session, base_name: str, refs: list[str]) -> list[_Existing]:
    """What the store holds of these REFs of a base. Once per batch of every write and deletion: on PostgreSQL
    one prepared statement with the REFs as one array (`ref = ANY(%s)`), sent by the driver itself — SQLAlchemy
    rendering an `IN` of a hundred placeholders, and its ORM execution, cost more than the lookup."""
    if session.bind.dialect.name == "postgresql":
        cursor = session.connection().connection.driver_connection.cursor()
        cursor.execute("SELECT id, ref, source, fields_hash, content_hash, deleted, rendered FROM notice"
                       " WHERE base = %s AND ref = ANY(%s)", (base_name, refs), prepare=True)
        return [_Existing(*row) for row in cursor.fetchall()]
    return [_Existing(*row) for row in session.execute(
        _EXISTING.where(NoticeRow.base == base_name, NoticeRow.ref.in_(refs)))]


_NOTICE_COLUMNS = ("id", "base", "ref", "fields", "producer", "producer_slug", "source", "source_identifier",
                   "source_datestamp", "content_hash", "fields_hash", "created", "datestamp", "deleted", "rendered")


def _insert_notices(session: Session, rows: list[dict], ids: bool = True) -> list[int]:
    """Insert new notices (`fields` as canonical JSON text) and return their ids, in order (with `ids`; without,
    an empty list: a harvest, which renders later, does not need them).

    On PostgreSQL: ids drawn from the sequence, rows sent with COPY — the bulk path of demo loads and large
    imports, within a small factor of a bare COPY. Elsewhere: a multi-row INSERT … RETURNING."""
    if session.bind.dialect.name != "postgresql":
        for row in rows:
            row["fields"] = json.loads(row["fields"])
        return list(session.execute(
            insert(NoticeRow).returning(NoticeRow.id, sort_by_parameter_order=True), rows).scalars())
    cursor = session.connection().connection.driver_connection.cursor()
    columns = _NOTICE_COLUMNS if ids else _NOTICE_COLUMNS[1:]  # without ids: the column's default draws them
    drawn: list[int] = []
    if ids:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('notice', 'id')) FROM generate_series(1, %s)",
                       (len(rows),))
        drawn = [value for (value,) in cursor.fetchall()]
        for notice_id, row in zip(drawn, rows):
            row["id"] = notice_id
    with cursor.copy(f"COPY notice ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])
    # The table grows from nothing in a demo load or a first harvest (or again after a TRUNCATE). With stale
    # statistics the planner takes it for tiny and looks REFs up by scanning every notice of the base, each
    # batch slower than the last; ANALYZE, when the live rows are twice what the statistics say (a few times
    # a load, ~100 ms each at a million rows), keeps it on the REF index.
    _analyze_if_outgrown(cursor, "notice", len(rows))
    return drawn


def _analyze_if_outgrown(cursor, table: str, added: int) -> None:
    cursor.execute("SELECT reltuples, pg_stat_get_live_tuples(oid) FROM pg_class WHERE oid = %s::regclass", (table,))
    estimated, live = cursor.fetchone()
    if _outgrown(estimated, live + added):
        cursor.execute(f"ANALYZE {table}")


def _outgrown(estimated: float, live: int) -> bool:
    """True when a table of `live` rows has outgrown statistics that estimate it at `estimated` (-1: never)."""
    return live >= 1024 and live > 2 * max(estimated, 0)


def _insert_renditions(session: Session, rows: list[dict]) -> None:
    if session.bind.dialect.name != "postgresql":
        session.execute(insert(Rendition), rows)
        return
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor.copy("COPY rendition (notice_id, format, version, xml) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((row["notice_id"], row["format"], row["version"], row["xml"]))
    _analyze_if_outgrown(cursor, "rendition", len(rows))  # its deletions look notices up by id, too


def delete_notices(
    session: Session, base_name: str, refs: Iterable[str], *, source: str = "local", now: datetime | None = None
) -> WriteSummary:
    """Tombstone notices: deleted, renditions dropped, datestamp = the deletion time."""
    get_base(base_name)  # unknown base → UnknownBase
    now = now or utcnow()
    summary = WriteSummary()
    refs = list(dict.fromkeys(refs))
    rows = {row.ref: row for row in _existing(session, base_name, refs)} if refs else {}
    doomed = []
    for ref in refs:
        row = rows.get(ref)
        if row is None:
            summary.reject(ref, f"no {base_name} notice has this REF")
        elif row.source != source:
            summary.reject(ref, _owner_conflict(row.source, source))
        elif row.deleted:
            summary.unchanged += 1
        else:
            doomed.append(row.id)
    if doomed:
        session.execute(update(NoticeRow).where(NoticeRow.id.in_(doomed))
                        .values(deleted=True, datestamp=now, rendered=True))
        session.execute(delete(Rendition).where(Rendition.notice_id.in_(doomed)))
        summary.deleted = len(doomed)
        bump_state(session, now)
    return summary


def render_backlog(session: Session, limit: int = 500, after: int = 0) -> tuple[int, int]:
    """Render and store the renditions of up to `limit` notices of the rendering backlog whose id is above
    `after` (oldest first), in the caller's transaction; returns (how many, the last id), so a caller walks the
    backlog without rescanning what it has rendered. Datestamps do not move: the provider already served these
    notices, rendered on read by the same renderers. On PostgreSQL the rows are locked (SKIP LOCKED), so
    several renderers share the backlog and a concurrent write of the same notice waits for the commit."""
    query = backlog_query(after, limit)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).scalars().all()
    if not rows:
        return 0, after
    _store_renditions(session, [(row.id, render_all(row_to_notice(row))) for row in rows])
    return len(rows), rows[-1].id


def backlog_query(after: int, limit: int):
    """Up to `limit` notices of the rendering backlog whose id is above `after`, oldest first."""
    # `NOT rendered`: the partial index's own predicate (`rendered IS false` would not use it)
    return (select(NoticeRow).where(~NoticeRow.rendered, NoticeRow.deleted.is_(False), NoticeRow.id > after)
            .order_by(NoticeRow.id).limit(limit))


def _store_renditions(session: Session, rendered: list[tuple[int, dict[str, str]]]) -> None:
    """Store the renditions of backlog notices (locked by the caller) and take them out of the backlog."""
    ids = [notice_id for notice_id, _ in rendered]
    # A notice in the backlog has no renditions (every write that puts one there drops them in the same
    # transaction); the delete is a cheap guard (an index lookup per notice) against a store edited by hand.
    session.execute(delete(Rendition).where(Rendition.notice_id.in_(ids)))
    rows = [row for notice_id, renditions in rendered for row in _rendition_rows(notice_id, renditions)]
    if rows:
        _insert_renditions(session, rows)
    session.execute(update(NoticeRow).where(NoticeRow.id.in_(ids)).values(rendered=True))


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
        _store_renditions(session, fresh)
    return len(fresh)


def render_pending(db, *, batch_size: int = 500, budget: float | None = None, progress=None) -> int:
    """Work through the rendering backlog, one transaction per batch, until it is empty or `budget` seconds
    have passed (the worker keeps its loop responsive); returns how many notices were rendered. A notice
    written again meanwhile (behind the walk) is left to the next call."""
    started, done, after = time.monotonic(), 0, 0
    while budget is None or time.monotonic() - started < budget:
        with db.session() as session:
            count, after = render_backlog(session, batch_size, after)
        if not count:
            break
        done += count
        if progress:
            progress(count)
    return done


def backlog_size(session: Session) -> int:
    """How many live notices wait for their renditions."""
    return session.execute(select(func.count()).select_from(NoticeRow)
                           .where(~NoticeRow.rendered, NoticeRow.deleted.is_(False))).scalar_one()


def bump_state(session: Session, now: datetime | None = None) -> None:
    """Tell caches the store changed (counts, sets, earliest datestamp)."""
    table = StoreState.__table__  # Core: no ORM bulk-update machinery for one row
    session.execute(update(table).where(table.c.id == 1).values(version=table.c.version + 1,
                                                                changed_at=now or utcnow()))


def store_version(session: Session) -> int:
    return session.execute(select(StoreState.version).where(StoreState.id == 1)).scalar_one_or_none() or 0


def row_to_notice(row: NoticeRow) -> Notice:
    return Notice(base=row.base, ref=row.ref, fields=row.fields, source=row.source,
                  source_identifier=row.source_identifier, deleted=row.deleted, datestamp=row.datestamp, id=row.id)
