"""Writing notices: the one write path of imports, demo loads and harvests.

Rules (docs/architecture.md, "Store"):
- a write that changes nothing keeps the datestamp, so aggregators don't re-fetch unchanged records;
- the datestamp moves only when what we publish changes (the public view, hence every rendition);
- a deletion leaves a tombstone whose datestamp is the deletion time; a deleted notice can be re-created;
- a notice belongs to its source (local, or one partner): another source's write is refused, never applied;
- renditions are rendered here, when the notice is written, so the protocol never serializes on read (with
  the renderers of the session's database, `store.db.renderers_of`: the deployment's render options) —
  except for writes that defer them (`render=False`: harvests, whose speed is bound by it): those notices are
  stored with `rendered = False`, the provider renders them on read until the rendering backlog
  (store/backlog.py) has stored them. Renditions are written here only (`insert_renditions`,
  `replace_renditions`), by writes, the backlog and `pop renditions rebuild` alike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, NamedTuple, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from formats.bases import get_base, slugify
from formats.notice import LOCAL_SOURCE, Fingerprint, Notice, fingerprint
from formats.outcomes import Rejection, RejectionKind, Tally
from formats.registry import Renderers, get_format
from harvest.provenance import Origin

from .clock import utcnow
from .db import renderers_of
from .models import NoticeRow, Rendition, StoreState
from .packing import packer_for


@dataclass
class WriteSummary(Tally):
    """What a write did, notice by notice, and why each refused notice was refused."""

    rejected: list[Rejection] = field(default_factory=list)
    unlisted_rejections: int = 0  # rejections counted but not listed (a report keeps a bounded list)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected) + self.unlisted_rejections

    def reject(self, ref: str | None, reason: str, kind: RejectionKind = RejectionKind.INVALID,
               limit: int = 10_000) -> None:
        if len(self.rejected) < limit:
            self.rejected.append(Rejection(ref, reason, kind))
        else:
            self.unlisted_rejections += 1

    def add(self, other: "WriteSummary") -> "WriteSummary":
        self.add_tally(other)
        for rejection in other.rejected:
            self.reject(rejection.ref, rejection.reason, rejection.kind)
        self.unlisted_rejections += other.unlisted_rejections
        return self

    def line(self) -> str:
        return (f"created: {self.created}, updated: {self.updated}, "
                f"unchanged: {self.unchanged}, rejected: {self.rejected_count}")


def _reject_owner(summary: WriteSummary, ref: str, existing_source: str, source: str) -> None:
    who = "local imports" if existing_source == LOCAL_SOURCE else f"partner {existing_source!r}"
    summary.reject(ref, f"REF is owned by {who}; {source!r} may not change it", RejectionKind.OWNED_ELSEWHERE)


@dataclass(frozen=True)
class PreparedNotice:
    """A notice with the CPU-heavy work of writing it done: hashes and, optionally, renditions.

    `prepare` is pure, so bulk loads run it in worker processes and hand the results to `write_notices`;
    the renderers go with the task (they pickle as their options), so workers render as the store would."""

    notice: Notice
    print: Fingerprint
    renditions: dict[str, str] | None = None  # None: rendered by the store when needed


def prepare(notice: Notice, renderers: Renderers | None = None) -> PreparedNotice:
    """Hash a notice and, with `renderers` (the store's: `Database.renderers`), render it; without, the store
    renders it when it is written."""
    return PreparedNotice(notice, fingerprint(get_base(notice.base), notice.fields),
                          renderers.render_all(notice) if renderers is not None else None)


def _rendition_rows(notice_id: int, renditions: dict[str, str]) -> list[tuple[int, str, str, str]]:
    return [(notice_id, prefix, get_format(prefix).version, xml) for prefix, xml in renditions.items()]


def write_notices(
    session: Session,
    notices: Sequence[Notice | PreparedNotice],
    *,
    now: datetime | None = None,
    source_datestamps: dict[str, str] | None = None,
    origins: dict[str, Origin] | None = None,
    render: bool = True,
) -> WriteSummary:
    """Create or update validated notices (one batch, in the caller's transaction).

    `source_datestamps` maps a REF to its partner's datestamp and `origins` to where its record comes from
    (provenance of harvested notices).
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
        summary.add(_write_base_batch(session, base_name, batch, now, source_datestamps or {}, render,
                                      origins or {}))
    if summary.changed:
        bump_state(session, now)
    return summary


def _write_base_batch(session: Session, base_name: str, items: list[Notice | PreparedNotice], now: datetime,
                      source_datestamps: dict[str, str], render: bool = True,
                      origins: dict[str, Origin] | None = None) -> WriteSummary:
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
            _reject_owner(summary, notice.ref, row.source, notice.source)
            continue
        if row is not None and row.fields_hash == print_.fields_hash and not row.deleted \
                and row.licence == notice.licence:
            summary.unchanged += 1
            continue
        producer = notice.producer
        values = {
            "fields": print_.canonical, "producer": producer, "producer_slug": slugify(producer or ""),
            "source": notice.source, "source_identifier": notice.source_identifier, "licence": notice.licence,
            "source_datestamp": source_datestamps.get(notice.ref), **_origin_columns((origins or {}).get(notice.ref)),
            "content_hash": print_.content_hash, "fields_hash": print_.fields_hash, "deleted": False,
            "rendered": row.rendered if row is not None else render,
        }
        if row is None:
            inserts.append((prepared, {"base": base_name, "ref": notice.ref, "created": now, "datestamp": now, **values}))
            continue
        # what we publish changed (its partner's licence too: every format but pop states it)
        if row.deleted or row.content_hash != print_.content_hash or row.licence != notice.licence:
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
    render_all = renderers_of(session).render_all
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
    licence: str | None


_EXISTING = select(NoticeRow.id, NoticeRow.ref, NoticeRow.source, NoticeRow.fields_hash, NoticeRow.content_hash,
                   NoticeRow.deleted, NoticeRow.rendered, NoticeRow.licence)


def _existing(session: Session, base_name: str, refs: list[str]) -> list[_Existing]:
    """What the store holds of these REFs of a base. Once per batch of every write and deletion: on PostgreSQL
    one prepared statement with the REFs as one array (`ref = ANY(%s)`), sent by the driver itself — SQLAlchemy
    rendering an `IN` of a hundred placeholders, and its ORM execution, cost more than the lookup."""
    if session.bind.dialect.name == "postgresql":
        cursor = session.connection().connection.driver_connection.cursor()
        cursor.execute("SELECT id, ref, source, fields_hash, content_hash, deleted, rendered, licence FROM notice"
                       " WHERE base = %s AND ref = ANY(%s)", (base_name, refs), prepare=True)
        return [_Existing(*row) for row in cursor.fetchall()]
    return [_Existing(*row) for row in session.execute(
        _EXISTING.where(NoticeRow.base == base_name, NoticeRow.ref.in_(refs)))]


_NOTICE_COLUMNS = ("id", "base", "ref", "fields", "producer", "producer_slug", "source", "source_identifier",
                   "licence", "source_datestamp", "source_base_url", "source_namespace", "source_provenance",
                   "content_hash", "fields_hash", "created", "datestamp", "deleted", "rendered")


def _origin_columns(origin: Origin | None) -> dict[str, str | None]:
    """The provenance columns of a notice: where a harvested record comes from (None for local notices)."""
    if origin is None:
        return {"source_base_url": None, "source_namespace": None, "source_provenance": None}
    return {"source_base_url": origin.base_url, "source_namespace": origin.namespace,
            "source_provenance": origin.chain_json}


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


def replace_renditions(session: Session, rendered: list[tuple[int, dict[str, str]]],
                       prefixes: Sequence[str] | None = None) -> None:
    """Store each notice's renditions {prefix: xml} in place of those it had (only in `prefixes`, when
    given: a format missing from its dict is then dropped). Datestamps are the caller's business."""
    ids = [notice_id for notice_id, _ in rendered]
    if not ids:
        return
    stale = delete(Rendition).where(Rendition.notice_id.in_(ids))
    if prefixes is not None:
        stale = stale.where(Rendition.format.in_(list(prefixes)))
    session.execute(stale)
    rows = [row for notice_id, renditions in rendered for row in _rendition_rows(notice_id, renditions)]
    if rows:
        _insert_renditions(session, rows)


def move_datestamps(session: Session, notice_ids: list[int], now: datetime) -> None:
    """What these notices publish changed without a write of their fields (a mapping changed)."""
    if notice_ids:
        session.execute(update(NoticeRow).where(NoticeRow.id.in_(notice_ids)).values(datestamp=now))
        bump_state(session, now)


def _insert_renditions(session: Session, rows: list[tuple[int, str, str, str]]) -> None:
    """Store renditions (notice id, format, version, XML), each packed (store/packing.py)."""
    connection = session.connection()
    pack = packer_for(session.get_bind()).pack
    packed = [(notice_id, prefix, version, pack(prefix, xml, connection)) for notice_id, prefix, version, xml in rows]
    if session.bind.dialect.name != "postgresql":
        session.execute(insert(Rendition), [{"notice_id": notice_id, "format": prefix, "version": version,
                                             "packed": frame} for notice_id, prefix, version, frame in packed])
        return
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy("COPY rendition (notice_id, format, version, packed) FROM STDIN") as copy:
        for row in packed:
            copy.write_row(row)
    _analyze_if_outgrown(cursor, "rendition", len(rows))  # its deletions look notices up by id, too


def delete_notices(
    session: Session, base_name: str, refs: Iterable[str], *, source: str = LOCAL_SOURCE, now: datetime | None = None
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
            summary.reject(ref, f"no {base_name} notice has this REF", RejectionKind.UNKNOWN_REF)
        elif row.source != source:
            _reject_owner(summary, ref, row.source, source)
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


def bump_state(session: Session, now: datetime | None = None) -> None:
    """Tell caches the store changed (counts, sets, earliest datestamp)."""
    table = StoreState.__table__  # Core: no ORM bulk-update machinery for one row
    session.execute(update(table).where(table.c.id == 1).values(version=table.c.version + 1,
                                                                changed_at=now or utcnow()))


def store_version(session: Session) -> int:
    return session.execute(select(StoreState.version).where(StoreState.id == 1)).scalar_one_or_none() or 0


def row_to_notice(row: NoticeRow) -> Notice:
    return Notice(base=row.base, ref=row.ref, fields=row.fields, source=row.source,
                  source_identifier=row.source_identifier, deleted=row.deleted, datestamp=row.datestamp, id=row.id,
                  licence=row.licence)
