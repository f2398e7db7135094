"""What the administrators' console (/admin/) reads: partners with their last run, a partner's run history,
a run's quarantine in keyset pages, and the store's overview. Read-only queries; every change the console makes
goes through store/partners.py, like the admin API's.

Each page is a handful of indexed queries whatever the history: the last run of every partner is one grouped
read of harvest_run, notices owned are counted for partners' sources only (never the local bulk), and issues
are paged by id (`after` / `before`), never by offset.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .backlog import backlog_size
from .models import ApiToken, ExportSnapshot, HarvestIssue, HarvestRun, NoticeRow, Partner
from .tokens import TokenInfo

FAILING = ("failed", "interrupted")
# the sort keys the partners' table offers, each a function of a PartnerSummary (None sorts last)
SORTS = ("name", "base", "status", "last_run", "next_run", "notices", "quarantined")


@dataclass(frozen=True)
class PartnerSummary:
    """One line of the partners' table."""

    partner: Partner
    last_run: HarvestRun | None  # the newest run that started (a queued one is `queued`)
    queued: bool
    notices: int  # live notices it owns

    @property
    def status(self) -> str:
        return self.last_run.status if self.last_run is not None else "never"

    @property
    def attention(self) -> bool:
        """Failing and incomplete partners stand out."""
        return self.status in (*FAILING, "incomplete")


def token_by_digest(session: Session, digest: str) -> TokenInfo | None:
    """The live token whose sha256 is `digest` (what a console session keeps, never the token), or None."""
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == digest)).scalar_one_or_none()
    if row is None or row.revoked:
        return None
    return TokenInfo(name=row.name, scope=row.scope, created=row.created, last_used=row.last_used,
                     revoked=row.revoked)


def token_digest(value: str) -> str:
    """The digest store/tokens.py keeps of a token's value."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def partner_summaries(session: Session, *, sort: str = "name", descending: bool = False, status: str = "",
                      base: str = "", enabled: bool | None = None, q: str = "") -> list[PartnerSummary]:
    """Every partner with its last run and notices, filtered (status: a run status, `never` or `attention`)
    and sorted by one of SORTS."""
    partners = list(session.execute(select(Partner).order_by(Partner.name)).scalars())
    last_ids = select(func.max(HarvestRun.id)).where(HarvestRun.status != "queued").group_by(HarvestRun.partner_id)
    runs = {run.partner_id: run for run in session.execute(select(HarvestRun).where(HarvestRun.id.in_(last_ids)))
            .scalars()}
    queued = set(session.execute(select(HarvestRun.partner_id).where(HarvestRun.status == "queued")).scalars())
    names = [row.name for row in partners]
    owned = dict(session.execute(select(NoticeRow.source, func.count()).where(
        NoticeRow.source.in_(names), NoticeRow.deleted.is_(False)).group_by(NoticeRow.source)).all()) if names else {}
    rows = [PartnerSummary(row, runs.get(row.id), row.id in queued, owned.get(row.name, 0)) for row in partners]
    if status:
        rows = [r for r in rows if (r.attention if status == "attention" else r.status == status)]
    if base:
        rows = [r for r in rows if r.partner.base == base]
    if enabled is not None:
        rows = [r for r in rows if r.partner.enabled == enabled]
    if q:
        rows = [r for r in rows if q.lower() in r.partner.name]
    key = {"name": lambda r: r.partner.name, "base": lambda r: r.partner.base, "status": lambda r: r.status,
           "last_run": lambda r: r.last_run.started if r.last_run else None,
           "next_run": lambda r: r.partner.next_run_at, "notices": lambda r: r.notices,
           "quarantined": lambda r: r.last_run.quarantined if r.last_run else None}.get(sort)
    if key is not None:
        present = sorted((r for r in rows if key(r) is not None), key=key, reverse=descending)
        rows = present + [r for r in rows if key(r) is None]  # never-run partners last, whichever the order
    return rows


def owned_notices(session: Session, name: str) -> int:
    return session.execute(select(func.count()).select_from(NoticeRow)
                           .where(NoticeRow.source == name, NoticeRow.deleted.is_(False))).scalar_one()


def recent_runs(session: Session, partner: Partner, limit: int = 100) -> list[HarvestRun]:
    """The partner's last `limit` runs, oldest first (what the charts draw)."""
    rows = session.execute(select(HarvestRun).where(HarvestRun.partner_id == partner.id)
                           .order_by(HarvestRun.id.desc()).limit(limit)).scalars().all()
    return list(reversed(rows))


@dataclass(frozen=True)
class IssuePage:
    issues: list[HarvestIssue]
    newer: int | None  # `after` of the next page, None on the last
    older: int | None  # `before` of the previous page, None on the first


def issue_page(session: Session, run_id: int, *, reason: str = "", after: int = 0, before: int | None = None,
               limit: int = 50) -> IssuePage:
    """One page of a run's quarantine in id order, keyset-paged: ids above `after`, or below `before`."""
    query = select(HarvestIssue).where(HarvestIssue.run_id == run_id)
    if reason:
        query = query.where(HarvestIssue.reason == reason)
    if before is not None:
        rows = list(reversed(session.execute(query.where(HarvestIssue.id < before)
                                             .order_by(HarvestIssue.id.desc()).limit(limit + 1)).scalars().all()))
        has_older = len(rows) > limit
        rows = rows[1:] if has_older else rows
        has_newer = True
    else:
        rows = session.execute(query.where(HarvestIssue.id > after).order_by(HarvestIssue.id)
                               .limit(limit + 1)).scalars().all()
        has_newer = len(rows) > limit
        rows = rows[:limit]
        has_older = after > 0 and session.execute(query.with_only_columns(HarvestIssue.id)
                                                  .where(HarvestIssue.id <= after).limit(1)).first() is not None
    return IssuePage(rows, rows[-1].id if rows and has_newer else None, rows[0].id if rows and has_older else None)


def issue_reasons(session: Session, run_id: int, limit: int = 50) -> list[tuple[str, int]]:
    """The run's most frequent quarantine reasons with their counts (the filter's choices)."""
    count = func.count().label("n")
    return [(reason, n) for reason, n in session.execute(
        select(HarvestIssue.reason, count).where(HarvestIssue.run_id == run_id).group_by(HarvestIssue.reason)
        .order_by(count.desc(), HarvestIssue.reason).limit(limit))]


def iter_issues(session: Session, run_id: int, *, reason: str = "", batch: int = 1000) -> Iterator[tuple]:
    """Every issue of a run as (id, identifier, reason, created, raw), in id order, read in keyset batches
    of plain rows (memory stays flat for a CSV download, and no ORM object is built per record)."""
    columns = (HarvestIssue.id, HarvestIssue.identifier, HarvestIssue.reason, HarvestIssue.created, HarvestIssue.raw)
    query = select(*columns).where(HarvestIssue.run_id == run_id).order_by(HarvestIssue.id).limit(batch)
    if reason:
        query = query.where(HarvestIssue.reason == reason)
    after = 0
    while True:
        rows = session.execute(query.where(HarvestIssue.id > after)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1][0]


@dataclass(frozen=True)
class Overview:
    notices: dict[tuple[str, bool], int]  # (base, deleted) → count
    sources: dict[tuple[str, bool], int]  # (source, deleted) → count
    backlog: int
    latest_export: datetime | None
    export_files: int


def store_overview(session: Session) -> Overview:
    """One grouped read of the notice table (per base, source and deleted), the backlog, the latest build."""
    notices: dict[tuple[str, bool], int] = {}
    sources: dict[tuple[str, bool], int] = {}
    rows = session.execute(select(NoticeRow.base, NoticeRow.source, NoticeRow.deleted, func.count())
                           .group_by(NoticeRow.base, NoticeRow.source, NoticeRow.deleted))
    for base, source, deleted, n in rows:
        notices[base, deleted] = notices.get((base, deleted), 0) + n
        sources[source, deleted] = sources.get((source, deleted), 0) + n
    latest, files = session.execute(select(func.max(ExportSnapshot.generated_at), func.count())
                                    .select_from(ExportSnapshot)).one()
    return Overview(notices, sources, backlog_size(session), latest, files)
