"""Partners (the OAI-PMH repositories POP harvests) and their runs and quarantined records, as the CLI,
the admin API and the worker read and change them. What a run writes is in store/harvest_storage.py.

A partner's REF policy cannot change once it owns notices (their REFs would all change: duplicates); a change
of its licence reaches its notices at once (they state it: their renditions are redone, their datestamps move)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from harvest.partner import InvalidPartner, PartnerConfig
from harvest.schedule import is_due
from harvest.urls import split_credentials

from .clock import utcnow
from .models import HarvestIssue, HarvestRun, NoticeRow, Partner, Rendition
from .notices import bump_state


class PartnerNotFound(LookupError):
    def __str__(self) -> str:
        return f"no partner named {self.args[0]!r}"


class PartnerNotDue(RuntimeError):
    """A worker found a partner due, but by the time it held the partner's lock another worker had run it."""

    def __str__(self) -> str:
        return f"partner {self.args[0]!r} is no longer due: another process has just run it"


def to_config(row: Partner) -> PartnerConfig:
    return PartnerConfig(name=row.name, url=row.url, metadata_prefix=row.metadata_prefix, base=row.base,
                         mapping=row.mapping if row.mapping != row.metadata_prefix else "",
                         sets=tuple(row.sets or ()), interval_seconds=row.interval_seconds, enabled=row.enabled,
                         notes=row.notes or "", granularity=row.granularity, refs=row.refs or "identifier",
                         licence=row.licence, credentials=row.credentials, trusted_url=bool(row.trusted_url))


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
    """Create or update a partner from a checked configuration. Raises InvalidPartner when the REF policy of
    a partner that owns notices would change."""
    now = utcnow()
    row = existing or Partner(name=config.name, created=now, full_next=False)
    if existing is not None and (existing.refs or "identifier") != config.refs:
        owned = session.execute(select(NoticeRow.id).where(NoticeRow.source == existing.name).limit(1)).first()
        if owned is not None:
            raise InvalidPartner({"refs": [f"partner {existing.name!r} owns notices under REF policy "
                                           f"{existing.refs!r}: changing it would duplicate them"]})
    if existing is not None and existing.licence != config.licence:
        _relicense_notices(session, existing.name, config.licence, now)
    row.refs, row.licence = config.refs, config.licence
    if existing is not None and _what_is_harvested(to_config(existing)) != _what_is_harvested(config):
        row.full_next = True  # an incremental `from` would miss the old records of the new feed
    row.name = config.name
    row.url, row.metadata_prefix, row.base = config.url, config.metadata_prefix, config.base
    # whoever built the configuration, credentials never stay in the URL column
    row.url, credentials = split_credentials(config.url)
    row.credentials, row.trusted_url = credentials or config.credentials, config.trusted_url
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


def _relicense_notices(session: Session, source: str, licence: str | None, now: datetime) -> None:
    """The partner's notices state its new licence: their renditions go back to the rendering backlog and their
    datestamps move (what /oai publishes of them changed)."""
    live = (NoticeRow.source == source, NoticeRow.deleted.is_(False))  # a tombstone states nothing
    session.execute(delete(Rendition).where(Rendition.notice_id.in_(select(NoticeRow.id).where(*live))))
    changed = session.execute(update(NoticeRow).where(*live).values(licence=licence, datestamp=now, rendered=False))
    if changed.rowcount:
        bump_state(session, now)


def delete_partner(session: Session, row: Partner) -> None:
    """Forget a partner, its runs and their quarantine; its notices stay, owned by its name."""
    session.delete(row)


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


def is_partner_due(session: Session, name: str, now: datetime) -> bool:
    """Whether `due_partners` would list the partner now: a queued run, or its schedule due. A worker asks it
    again once it holds the partner's lock: the list it read may be stale by a whole run of another worker."""
    row = get_partner(session, name)
    queued = session.execute(select(HarvestRun.id).where(HarvestRun.partner_id == row.id,
                                                         HarvestRun.status == "queued").limit(1)).first()
    return queued is not None or is_due(row.enabled, row.interval_seconds, row.next_run_at, now)
