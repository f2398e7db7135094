"""What a harvest run writes: `SqlHarvestStorage` implements harvest.runner.HarvestStorage over the store.

Each page is committed in one transaction with its notices (through the write path, `source` = the
partner's name), tombstones, quarantined records, counters and checkpoint, so a killed run resumes from its
last committed page. `harvest_partner` runs one partner end to end, holding its lock (store/locks.py).
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from formats.outcomes import RejectionKind
from harvest.client import ClientSettings, OAIClient
from harvest.partner import PartnerConfig
from harvest.runner import Checkpoint, Counters, Issue, PageOutcome, RunOptions, RunReport, RunState, run_partner
from harvest.schedule import next_run

from .clock import utcnow
from .db import Database
from .locks import partner_lock
from .models import HarvestIssue, HarvestRun, Partner
from .notices import PreparedNotice, delete_notices, write_notices
from .partners import get_partner, to_config

UNFINISHED = ("running", "interrupted")  # runs the next run of their partner resumes

def _counters(run: HarvestRun) -> Counters:
    return Counters(pages=run.pages, created=run.created, updated=run.updated, unchanged=run.unchanged,
                    deleted=run.deleted, quarantined=run.quarantined)


def _state(run: HarvestRun, resumed: bool) -> RunState:
    return RunState(run_id=run.id, from_date=run.from_date, response_date=run.response_date,
                    checkpoint=Checkpoint.decode(run.resumption_token), counters=_counters(run), full=run.full,
                    resumed=resumed)


class SqlHarvestStorage:
    """harvest.runner.HarvestStorage over the store."""

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
            for rejection in [*written.rejected, *deleted.rejected]:
                if rejection.kind is RejectionKind.OWNED_ELSEWHERE:
                    record = outcome.records.get(rejection.ref)
                    issues.append(Issue(record.identifier if record else rejection.ref,
                                        f"conflict: {rejection.reason}", record.raw if record else None))
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
            return Counters(**row._asdict())

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


def harvest_partner(db: Database, name: str, client_settings: ClientSettings, options: RunOptions, *,
                    full: bool = False, progress=None, log=None) -> RunReport:
    """Run one partner now (resuming its interrupted run if any), holding its lock. Returns a RunReport."""
    with db.session() as session:
        config = to_config(get_partner(session, name))
    with partner_lock(db, name):
        client = OAIClient(config.url, client_settings, log=log)
        try:
            return run_partner(config, client, SqlHarvestStorage(db), full=full, progress=progress, options=options)
        finally:
            client.close()
