"""What a harvest run writes: `SqlHarvestStorage` implements harvest.runner.HarvestStorage over the store.

Each page is committed in one transaction with its notices (through the write path, `source` = the
partner's name, `licence` = the partner's; their REFs minted first for partners that ask for it:
store/minted_refs.py), tombstones, quarantined records (once per record and reason per run), counters and
checkpoint, so a killed or failed run resumes from its last committed page. Finishing a run schedules the
partner's next one (backing off after failures). `harvest_partner` runs one partner end to end, holding its
lock (store/locks.py); whatever fails, a run row says why.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from formats.outcomes import RejectionKind
from harvest.client import ClientSettings
from harvest.partner import PartnerConfig, partner_client
from harvest.reader import Issue, PageOutcome
from harvest.runner import Checkpoint, Counters, RunOptions, RunReport, RunState, run_partner
from harvest.schedule import next_run, next_run_after_failure

from .clock import utcnow
from .db import Database
from .locks import partner_lock
from .minted_refs import resolve_page
from .models import HarvestIssue, HarvestRun, Partner
from .notices import PreparedNotice, delete_notices, write_notices
from .partners import PartnerNotDue, get_partner, is_partner_due, to_config


def _counters(run: HarvestRun) -> Counters:
    return Counters(pages=run.pages, created=run.created, updated=run.updated, unchanged=run.unchanged,
                    deleted=run.deleted, quarantined=run.quarantined)


def _state(run: HarvestRun, resumed: bool) -> RunState:
    return RunState(run_id=run.id, from_date=run.from_date, response_date=run.response_date,
                    checkpoint=Checkpoint.decode(run.resumption_token), counters=_counters(run), full=run.full,
                    resumed=resumed, status=run.status)


class SqlHarvestStorage:
    """harvest.runner.HarvestStorage over the store."""

    def __init__(self, db: Database):
        self.db = db
        self._partner_ids: dict[str, int] = {}
        self.opened: int | None = None  # the run this storage started or resumed (None: none yet)

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

    def last_run(self, partner: PartnerConfig) -> RunState | None:
        # Called with the partner's lock held: a "running" run is one whose process died.
        with self.db.session() as session:
            row = get_partner(session, partner.name)
            run = session.execute(
                select(HarvestRun).where(HarvestRun.partner_id == row.id, HarvestRun.status != "queued")
                .order_by(HarvestRun.id.desc()).limit(1)).scalar_one_or_none()
            if run is None or (row.full_next and run.started <= row.updated):
                return None  # none, or one of a feed that changed since: nothing of it may be resumed
            return _state(run, resumed=False)

    def resume_run(self, partner: PartnerConfig, run: RunState) -> RunState:
        with self.db.session() as session:
            row = session.get(HarvestRun, run.run_id)
            row.status, row.heartbeat, row.error, row.finished = "running", utcnow(), None, None
            self.opened = row.id
            return _state(row, resumed=True)

    def start_run(self, partner: PartnerConfig, *, full: bool, from_date: str | None,
                  continues: RunState | None = None) -> RunState:
        with self.db.session() as session:
            partner_id = self._partner_id(session, partner)
            run = session.execute(select(HarvestRun).where(HarvestRun.partner_id == partner_id,
                                                           HarvestRun.status == "queued")).scalar_one_or_none()
            now = utcnow()
            if run is None:
                run = HarvestRun(partner_id=partner_id, full=full)
                session.add(run)
            elif run.full and not full:
                from_date, continues = None, None  # a full run was asked for through the API
            run.full = run.full or full
            run.status, run.started, run.heartbeat, run.from_date = "running", now, now, from_date
            if continues is not None:
                # The failed run's window goes on: its first responseDate (the next `from` must cover the
                # pages it committed) and its checkpoint
                run.response_date = continues.response_date
                run.resumption_token = continues.checkpoint.encode()
            session.flush()
            self.opened = run.id
            state = _state(run, resumed=continues is not None)
            state.resumed_from = continues.run_id if continues is not None else None
            return state

    def set_granularity(self, partner: PartnerConfig, granularity: str) -> None:
        with self.db.session() as session:
            session.execute(update(Partner).where(Partner.name == partner.name).values(granularity=granularity))

    def commit_page(self, run: RunState, partner: PartnerConfig, outcome: PageOutcome, checkpoint: Checkpoint,
                    response_date: str | None) -> Counters:
        now = utcnow()
        with self.db.session() as session:
            unknown = 0
            if outcome.minted:  # keyed by source identifier: the REFs are assigned here (store/minted_refs.py)
                resolved = resolve_page(session, partner, outcome, now)
                outcome, unknown = resolved.outcome, resolved.unknown_deletions
            issues = list(outcome.issues)
            # Renditions are deferred to the rendering backlog (the worker renders it between runs): rendering
            # four formats would otherwise be most of a harvest's time. Until then /oai renders them on read.
            notices = [PreparedNotice(notice, outcome.prints[notice.ref]) if notice.ref in outcome.prints else notice
                       for notice in outcome.notices]
            written = write_notices(session, notices, now=now, source_datestamps=outcome.source_datestamps,
                                    origins=outcome.origins, render=False)
            deleted = delete_notices(session, partner.base, outcome.deletions, source=partner.name, now=now)
            unchanged = written.unchanged + deleted.unchanged + unknown  # unknown: deleted before ever minted
            for rejection in [*written.rejected, *deleted.rejected]:
                if rejection.kind is RejectionKind.OWNED_ELSEWHERE:
                    record = outcome.records.get(rejection.ref)
                    issues.append(Issue(record.identifier if record else rejection.ref,
                                        f"conflict: {rejection.reason}", record.raw if record else None))
                else:
                    unchanged += 1  # a deleted header for a notice we never had: nothing to do
            if issues:
                issues = _new_issues(session, run.run_id, issues)
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
            if status in ("succeeded", "incomplete"):
                row.resumption_token = None  # nothing left to resume: the lists were read to their end
            self._schedule(session, partner, status, now)
            if status == "succeeded" and row.from_date is None:
                get_partner(session, partner.name).full_next = False

    def record_failure(self, partner: PartnerConfig, reason: str) -> int:
        """A failure before any run could start (nothing was asked of the partner): a failed run row that says
        why, and the schedule moves on."""
        now = utcnow()
        with self.db.session() as session:
            run = HarvestRun(partner_id=self._partner_id(session, partner), status="failed", full=False,
                             started=now, finished=now, heartbeat=now, error=reason)
            session.add(run)
            session.flush()
            self._schedule(session, partner, "failed", now)
            return run.id

    def _schedule(self, session: Session, partner: PartnerConfig, status: str, now) -> None:
        """The partner's next scheduled run: its interval after a run that ended, sooner (backing off) after
        failed ones, so a passing failure is retried — resumed — soon and a partner that stays down is not
        asked every poll. An interrupted run keeps the schedule it had."""
        if status == "interrupted":
            return
        partner_row = get_partner(session, partner.name)
        if status == "failed":
            partner_row.next_run_at = next_run_after_failure(now, partner_row.interval_seconds,
                                                             _failures_in_a_row(session, partner_row.id))
        else:
            partner_row.next_run_at = next_run(now, partner_row.interval_seconds)


def _failures_in_a_row(session: Session, partner_id: int) -> int:
    statuses = session.execute(select(HarvestRun.status).where(HarvestRun.partner_id == partner_id,
                                                               HarvestRun.status != "queued")
                               .order_by(HarvestRun.id.desc()).limit(32)).scalars()
    failures = 0
    for status in statuses:
        if status != "failed":
            break
        failures += 1
    return failures


def _new_issues(session: Session, run_id: int, issues: list[Issue]) -> list[Issue]:
    """The issues this run does not hold yet: one row per record and reason per run, though a restarted
    window (badResumptionToken) reads the same records again. A record without an identifier is known by its
    raw XML."""
    identifiers = {issue.identifier for issue in issues if issue.identifier}
    which = [HarvestIssue.identifier.in_(identifiers)]
    if any(issue.identifier is None for issue in issues):
        which.append(HarvestIssue.identifier.is_(None))
    held = session.execute(select(HarvestIssue.identifier, HarvestIssue.reason, HarvestIssue.raw)
                           .where(HarvestIssue.run_id == run_id, or_(*which))).all()
    keys = {(identifier, reason) if identifier else (None, reason, raw) for identifier, reason, raw in held}
    new = []
    for issue in issues:
        key = (issue.identifier, issue.reason) if issue.identifier else (None, issue.reason, issue.raw)
        if key not in keys:
            keys.add(key)
            new.append(issue)
    return new


def harvest_partner(db: Database, name: str, client_settings: ClientSettings, options: RunOptions, *,
                    full: bool = False, progress=None, log=None, if_due: bool = False) -> RunReport:
    """Run one partner now (resuming its interrupted run if any), holding its lock. Returns a RunReport.

    `if_due` (workers): only if the partner is still due once its lock is held, else PartnerNotDue. Two workers
    read the same due list; the one that waited for the lock while the other ran the partner must not run it
    a second time for the same due time."""
    with db.session() as session:
        config = to_config(get_partner(session, name))
    with partner_lock(db, name):
        if if_due:
            with db.session() as session:
                if not is_partner_due(session, name, utcnow()):
                    raise PartnerNotDue(name)
        storage = SqlHarvestStorage(db)
        client = partner_client(config, client_settings, log=log)  # the address rules, unless an operator's URL
        try:
            return run_partner(config, client, storage, full=full, progress=progress, options=options)
        except Exception as error:
            if storage.opened is None:  # failed before a run row existed: write one, so the schedule moves on
                storage.record_failure(config, f"internal error: {type(error).__name__}: {error}")
            raise
        finally:
            client.close()
