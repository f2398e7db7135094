"""The harvester's storage in SQL: partners, runs and their checkpoints, quarantined records, and the lock
that keeps two workers (on one or several machines) from running the same partner at once.

`SqlHarvestStorage` implements harvest.runner.HarvestStorage: each page is committed in one transaction
with its notices (through app/store.py, `source` = the partner's name), tombstones, issues, counters and
checkpoint. Locks: a PostgreSQL session advisory lock per partner, held by a dedicated connection for the
whole run (released by the server if the process dies); on SQLite, an flock'd file beside the database.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from harvest.partner import PartnerConfig
from harvest.runner import Checkpoint, Counters, Issue, PageOutcome, RunState
from harvest.schedule import is_due, next_run

from .db import Database
from .models import HarvestIssue, HarvestRun, Partner
from .store import PreparedNotice, delete_notices, utcnow, write_notices

UNFINISHED = ("running", "interrupted")
_LOCK_CLASS = 0x504F50  # "POP": first key of the advisory lock; the partner id is the second


class PartnerNotFound(LookupError):
    def __str__(self) -> str:
        return f"no partner named {self.args[0]!r}"


# --- partners -----------------------------------------------------------------------------------------
def to_config(row: Partner) -> PartnerConfig:
    return PartnerConfig(name=row.name, url=row.url, metadata_prefix=row.metadata_prefix, base=row.base,
                         mapping=row.mapping if row.mapping != row.metadata_prefix else "",
                         sets=tuple(row.sets or ()), interval_seconds=row.interval_seconds, enabled=row.enabled,
                         notes=row.notes or "", granularity=row.granularity)


def _what_is_harvested(config: PartnerConfig) -> tuple:
    return config.url, config.metadata_prefix, config.mapping_name, config.sets, config.base


def get_partner(session: Session, name: str) -> Partner:
    row = session.execute(select(Partner).where(Partner.name == name)).scalar_one_or_none()
    if row is None:
        raise PartnerNotFound(name)
    return row


def list_partners(session: Session) -> list[Partner]:
    return list(session.execute(select(Partner).order_by(Partner.name)).scalars())


def save_partner(session: Session, config: PartnerConfig, *, granularity: str | None = None,
                 existing: Partner | None = None) -> Partner:
    """Create or update a partner from a checked configuration."""
    now = utcnow()
    row = existing or Partner(name=config.name, created=now, full_next=False)
    if existing is not None and _what_is_harvested(to_config(existing)) != _what_is_harvested(config):
        row.full_next = True  # an incremental `from` would miss the old records of the new feed
    row.name = config.name
    row.url, row.metadata_prefix, row.base = config.url, config.metadata_prefix, config.base
    row.mapping = config.mapping_name
    row.sets = list(config.sets)
    if row.interval_seconds != config.interval_seconds or existing is None:
        row.next_run_at = now if config.interval_seconds else None
    row.interval_seconds = config.interval_seconds
    row.enabled, row.notes = config.enabled, config.notes
    row.granularity = granularity or row.granularity
    row.updated = now
    session.add(row)
    session.flush()
    return row


def partner_exists(session: Session, name: str) -> bool:
    return session.execute(select(Partner.id).where(Partner.name == name)).first() is not None


# --- runs ---------------------------------------------------------------------------------------------
def queue_run(session: Session, partner: Partner, *, full: bool = False) -> HarvestRun:
    """Ask for a run (the admin API): a worker picks it up. An already queued run is returned as is."""
    queued = session.execute(select(HarvestRun).where(HarvestRun.partner_id == partner.id,
                                                      HarvestRun.status == "queued")).scalar_one_or_none()
    if queued is not None:
        queued.full = queued.full or full
        return queued
    run = HarvestRun(partner_id=partner.id, status="queued", full=full, started=utcnow())
    session.add(run)
    session.flush()
    return run


def list_runs(session: Session, partner: Partner, limit: int = 20) -> list[HarvestRun]:
    return list(session.execute(select(HarvestRun).where(HarvestRun.partner_id == partner.id)
                                .order_by(HarvestRun.id.desc()).limit(limit)).scalars())


def get_run(session: Session, partner: Partner, run_id: int) -> HarvestRun | None:
    return session.execute(select(HarvestRun).where(HarvestRun.partner_id == partner.id,
                                                    HarvestRun.id == run_id)).scalar_one_or_none()


def list_issues(session: Session, run_id: int, *, after_id: int = 0, limit: int = 100) -> list[HarvestIssue]:
    return list(session.execute(select(HarvestIssue).where(HarvestIssue.run_id == run_id, HarvestIssue.id > after_id)
                                .order_by(HarvestIssue.id).limit(limit)).scalars())


def due_partners(session: Session, now: datetime) -> list[str]:
    """Partners with a queued run first, then those whose schedule is due."""
    queued = session.execute(select(Partner.name).join(HarvestRun, HarvestRun.partner_id == Partner.id)
                             .where(HarvestRun.status == "queued").order_by(HarvestRun.id)).scalars().all()
    scheduled = [row.name for row in list_partners(session)
                 if is_due(row.enabled, row.interval_seconds, row.next_run_at, now)]
    return list(dict.fromkeys([*queued, *scheduled]))


def _counters(run: HarvestRun) -> Counters:
    return Counters(pages=run.pages, created=run.created, updated=run.updated, unchanged=run.unchanged,
                    deleted=run.deleted, quarantined=run.quarantined)


def _state(run: HarvestRun, resumed: bool) -> RunState:
    return RunState(run_id=run.id, from_date=run.from_date, response_date=run.response_date,
                    checkpoint=Checkpoint.decode(run.resumption_token), counters=_counters(run), full=run.full,
                    resumed=resumed)


class SqlHarvestStorage:
    """harvest.runner.HarvestStorage over the app's database."""

    def __init__(self, db: Database):
        self.db = db
        self._partner_ids: dict[str, int] = {}

    def _partner_id(self, session: Session, partner: PartnerConfig) -> int:
        if partner.name not in self._partner_ids:  # a partner's id never changes
            self._partner_ids[partner.name] = get_partner(session, partner.name).id
        return self._partner_ids[partner.name]

    def last_success_response_date(self, partner: PartnerConfig) -> str | None:
        with self.db.session() as session:
            row = get_partner(session, partner.name)
            if row.full_next:
                return None
            return session.execute(
                select(HarvestRun.response_date)
                .where(HarvestRun.partner_id == row.id, HarvestRun.status == "succeeded",
                       HarvestRun.response_date.is_not(None))
                .order_by(HarvestRun.id.desc()).limit(1)).scalar_one_or_none()

    def resumable_run(self, partner: PartnerConfig) -> RunState | None:
        # Called with the partner's lock held: a "running" run is one whose process died.
        with self.db.session() as session:
            run = session.execute(
                select(HarvestRun).where(HarvestRun.partner_id == self._partner_id(session, partner),
                                         HarvestRun.status.in_(UNFINISHED))
                .order_by(HarvestRun.id.desc()).limit(1)).scalar_one_or_none()
            if run is None:
                return None
            run.status, run.heartbeat, run.error = "running", utcnow(), None
            return _state(run, resumed=True)

    def start_run(self, partner: PartnerConfig, *, full: bool, from_date: str | None) -> RunState:
        with self.db.session() as session:
            partner_id = self._partner_id(session, partner)
            run = session.execute(select(HarvestRun).where(HarvestRun.partner_id == partner_id,
                                                           HarvestRun.status == "queued")).scalar_one_or_none()
            now = utcnow()
            if run is None:
                run = HarvestRun(partner_id=partner_id, full=full)
                session.add(run)
            elif run.full and not full:
                from_date = None  # a full run was asked for through the API
            run.full = run.full or full
            run.status, run.started, run.heartbeat, run.from_date = "running", now, now, from_date
            session.flush()
            return _state(run, resumed=False)

    def set_granularity(self, partner: PartnerConfig, granularity: str) -> None:
        with self.db.session() as session:
            session.execute(update(Partner).where(Partner.name == partner.name).values(granularity=granularity))

    def commit_page(self, run: RunState, partner: PartnerConfig, outcome: PageOutcome, checkpoint: Checkpoint,
                    response_date: str | None) -> Counters:
        now = utcnow()
        issues = list(outcome.issues)
        with self.db.session() as session:
            # Renditions are deferred to the rendering backlog (the worker renders it between runs): rendering
            # four formats would otherwise be most of a harvest's time. Until then /oai renders them on read.
            notices = [PreparedNotice(notice, outcome.prints[notice.ref]) if notice.ref in outcome.prints else notice
                       for notice in outcome.notices]
            written = write_notices(session, notices, now=now, source_datestamps=outcome.source_datestamps,
                                    render=False)
            deleted = delete_notices(session, partner.base, outcome.deletions, source=partner.name, now=now)
            unchanged = written.unchanged + deleted.unchanged
            for ref, reason in [*written.rejected, *deleted.rejected]:
                if "owned by" in reason:
                    record = outcome.records.get(ref)
                    issues.append(Issue(record.identifier if record else ref, f"conflict: {reason}",
                                        record.raw if record else None))
                else:
                    unchanged += 1  # a deleted header for a notice we never had: nothing to do
            if issues:
                partner_id = self._partner_id(session, partner)
                session.add_all(HarvestIssue(run_id=run.run_id, partner_id=partner_id, identifier=issue.identifier,
                                             reason=issue.reason, raw=issue.raw, created=now) for issue in issues)
            # Counters and checkpoint in one statement (Core: no ORM load and flush of the run each page)
            table = HarvestRun.__table__
            row = session.execute(
                update(table).where(table.c.id == run.run_id).values(
                    pages=table.c.pages + 1, created=table.c.created + written.created,
                    updated=table.c.updated + written.updated, unchanged=table.c.unchanged + unchanged,
                    deleted=table.c.deleted + deleted.deleted, quarantined=table.c.quarantined + len(issues),
                    resumption_token=checkpoint.encode(), heartbeat=now,
                    response_date=func.coalesce(table.c.response_date, response_date))
                .returning(table.c.pages, table.c.created, table.c.updated, table.c.unchanged, table.c.deleted,
                           table.c.quarantined)
            ).one()
            return Counters(*row)

    def finish_run(self, run: RunState, partner: PartnerConfig, status: str, error: str | None) -> None:
        now = utcnow()
        with self.db.session() as session:
            row = session.get(HarvestRun, run.run_id)
            row.status, row.error, row.heartbeat = status, error, now
            if status != "interrupted":
                row.finished = now
            if status == "succeeded":
                row.resumption_token = None
            partner_row = get_partner(session, partner.name)
            if status != "interrupted":
                partner_row.next_run_at = next_run(now, partner_row.interval_seconds)
            if status == "succeeded" and row.from_date is None:
                partner_row.full_next = False


# --- one run per partner at a time --------------------------------------------------------------------
class PartnerBusy(RuntimeError):
    def __str__(self) -> str:
        return f"partner {self.args[0]!r} is being harvested by another process"


def _retrying(attempt, wait: float) -> bool:
    """attempt() until it succeeds or `wait` seconds have passed: a run killed a moment ago releases its lock
    when its processes (the run's and its reader's) are gone and PostgreSQL has noticed, a few ms later."""
    deadline = time.monotonic() + wait
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def partner_lock(db: Database, name: str, wait: float = 2.0) -> Iterator[None]:
    """Hold the partner's lock for the block, or raise PartnerBusy (after up to `wait` seconds)."""
    with db.session() as session:
        partner_id = get_partner(session, name).id
    if db.is_postgresql:
        with db.engine.connect() as connection:
            def attempt() -> bool:
                got = connection.execute(text("SELECT pg_try_advisory_lock(:a, :b)"),
                                         {"a": _LOCK_CLASS, "b": partner_id}).scalar()
                connection.commit()
                return got

            if not _retrying(attempt, wait):
                raise PartnerBusy(name)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": _LOCK_CLASS, "b": partner_id})
                connection.commit()
        return
    path = _sqlite_path(db.url) + f".harvest-{partner_id}.lock"
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    def attempt() -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        if not _retrying(attempt, wait):
            raise PartnerBusy(name)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _sqlite_path(url: str) -> str:
    path = url.split("///", 1)[-1] if "///" in url else ""
    return path if path and path != ":memory:" else os.path.join(os.getcwd(), "pop-memory")


def run_summary(run: HarvestRun) -> dict:
    return {"id": run.id, "status": run.status, "full": run.full, "started": run.started, "finished": run.finished,
            "from": run.from_date, "response_date": run.response_date, "pages": run.pages, "created": run.created,
            "updated": run.updated, "unchanged": run.unchanged, "deleted": run.deleted,
            "quarantined": run.quarantined, "error": run.error}



# --- a run, end to end (CLI and worker) ---------------------------------------------------------------
def client_settings(settings) -> "ClientSettings":
    from harvest.client import ClientSettings

    return ClientSettings(timeout=settings.harvest_timeout, max_attempts=settings.harvest_max_attempts,
                          backoff=settings.harvest_backoff, max_retry_after=settings.harvest_max_retry_after,
                          max_response_bytes=settings.harvest_max_response_bytes)


def harvest_partner(db: Database, settings, name: str, *, full: bool = False, progress=None, log=None):
    """Run one partner now (resuming its interrupted run if any), holding its lock. Returns a RunReport."""
    from harvest.client import OAIClient
    from harvest.runner import RunOptions, run_partner

    with db.session() as session:
        config = to_config(get_partner(session, name))
    with partner_lock(db, name):
        client = OAIClient(config.url, client_settings(settings), log=log)
        try:
            report = run_partner(config, client, SqlHarvestStorage(db), full=full, progress=progress,
                                 options=RunOptions(overlap_seconds=settings.harvest_overlap,
                                                    max_empty_pages=settings.harvest_max_empty_pages,
                                                    reader=settings.harvest_reader))
        finally:
            client.close()
    _count(name, report)
    return report


def _count(name: str, report) -> None:
    """Harvest outcomes per partner, for /metrics (counters of this process)."""
    from .metrics import HARVEST_RECORDS, HARVEST_RUNS

    HARVEST_RUNS.labels(name, report.status).inc()
    for result in ("created", "updated", "unchanged", "deleted", "quarantined"):
        HARVEST_RECORDS.labels(name, result).inc(getattr(report.counters, result))
