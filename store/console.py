"""What the administrators' console (/admin/) reads: partners with their last run, a partner's run history,
a run's quarantine in keyset pages, and the store's overview. Read-only queries; every change the console makes
goes through store/partners.py, like the admin API's.

Each page is a handful of indexed queries whatever the history: the partners' last runs, and whether one is
queued, come from one grouped pass over harvest_run joined back to the runs, the notices per base and per source
(the overview and the partners' table) are one grouped read of the notice table cached until the next write
(store/cache.py: the key carries the store version, so every node sees a write at once), and issues are paged
by id (`after` / `before`), never by offset.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterator

from sqlalchemy import Row, case, func, select
from sqlalchemy.orm import Session

from .backlog import backlog_size
from .cache import cached
from .models import ApiToken, ExportSnapshot, HarvestIssue, HarvestRun, NoticeRow, Partner
from .notices import store_version
from .tokens import TokenInfo

FAILING = ("failed", "interrupted")
# the sort keys the partners' table offers, each a function of a PartnerSummary (None sorts last)
SORTS = ("name", "base", "status", "last_run", "next_run", "notices", "quarantined")


# Listed rows are read as plain rows (Core), with the tables' column names as attributes: no ORM object,
# identity map or change tracking for what a page only shows
_PARTNER = Partner.__table__
_RUN = HarvestRun.__table__


@dataclass(frozen=True)
class PartnerSummary:
    """One line of the partners' table: the partner's and its last run's rows (plain rows, as `Partner` and
    `HarvestRun` name their columns)."""

    partner: Row
    last_run: Row | None  # the newest run that started (a queued one is `queued`)
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


@dataclass(frozen=True)
class NoticeCounts:
    """Notices per (base, source, deleted): one grouped read of the notice table (plain data: it is cached)."""

    groups: dict[tuple[str, str, bool], int]

    def per_base(self) -> dict[tuple[str, bool], int]:
        return self._sum(0)

    def per_source(self) -> dict[tuple[str, bool], int]:
        return self._sum(1)

    def _sum(self, position: int) -> dict[tuple[str, bool], int]:
        sums: dict[tuple[str, bool], int] = {}
        for key, n in self.groups.items():
            sums[key[position], key[2]] = sums.get((key[position], key[2]), 0) + n
        return sums


COUNTS_TIMEOUT = 3600  # seconds an entry is kept (a write makes it unused at once: its key has the old version)


def notice_counts(session: Session, cache: Any = None, *,
                  on_cache_error: Callable[[str, Exception], None] | None = None) -> NoticeCounts:
    """The notices per base, source and deleted, from `cache` (store/cache.py) when it has them for the current
    store version, else counted (an index-only read of ix_notice_base_source_deleted, migration 0014)."""
    def count() -> NoticeCounts:
        rows = session.execute(select(NoticeRow.base, NoticeRow.source, NoticeRow.deleted, func.count())
                               .group_by(NoticeRow.base, NoticeRow.source, NoticeRow.deleted))
        return NoticeCounts({(base, source, deleted): n for base, source, deleted, n in rows})

    if cache is None:
        return count()
    key = f"console:{store_version(session)}:notice-counts"  # the version first: an entry is never older than its key
    return cached(cache, key, count, timeout=COUNTS_TIMEOUT, on_error=on_cache_error)


def partner_summaries(session: Session, *, counts: NoticeCounts | None = None, sort: str = "name",
                      descending: bool = False, status: str = "", base: str = "", enabled: bool | None = None,
                      q: str = "") -> list[PartnerSummary]:
    """Every partner with its last run and notices (from `counts`, else counted), filtered (status: a run
    status, `never` or `attention`) and sorted by one of SORTS."""
    partners = session.execute(select(_PARTNER).order_by(_PARTNER.c.name)).all()
    # per partner: its newest run that is not queued, and whether one is queued (one pass over harvest_run)
    latest = (select(_RUN.c.partner_id, func.max(case((_RUN.c.status != "queued", _RUN.c.id))).label("run_id"),
                     func.max(case((_RUN.c.status == "queued", 1), else_=0)).label("has_queued"))
              .group_by(_RUN.c.partner_id).subquery())
    found = session.execute(select(latest.c.partner_id.label("latest_of"), latest.c.has_queued, _RUN)
                            .select_from(latest.outerjoin(_RUN, _RUN.c.id == latest.c.run_id))).all()
    runs = {row.latest_of: row for row in found if row.id is not None}
    queued = {row.latest_of for row in found if row.has_queued}
    owned = (counts or notice_counts(session)).per_source()
    rows = [PartnerSummary(partner, runs.get(partner.id), partner.id in queued, owned.get((partner.name, False), 0))
            for partner in partners]
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


def recent_runs(session: Session, partner: Partner, limit: int = 100) -> list[Row]:
    """The partner's last `limit` runs as plain rows, oldest first (what the charts draw)."""
    rows = session.execute(select(_RUN).where(_RUN.c.partner_id == partner.id)
                           .order_by(_RUN.c.id.desc()).limit(limit)).all()
    return rows[::-1]


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


def issue_batches(session: Session, run_id: int, *, reason: str = "", batch: int = 500) -> Iterator[list[tuple]]:
    """Every issue of a run as (id, identifier, reason, created, raw), in id order, in keyset batches of plain
    rows (memory stays flat for a CSV download, and no ORM object is built per record)."""
    columns = (HarvestIssue.id, HarvestIssue.identifier, HarvestIssue.reason, HarvestIssue.created, HarvestIssue.raw)
    query = select(*columns).where(HarvestIssue.run_id == run_id).order_by(HarvestIssue.id).limit(batch)
    if reason:
        query = query.where(HarvestIssue.reason == reason)
    after = 0
    while True:
        rows = session.execute(query.where(HarvestIssue.id > after)).all()
        if rows:
            yield rows
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


def store_overview(session: Session, counts: NoticeCounts | None = None) -> Overview:
    """The notices per base and per source (`counts`, else counted), the backlog, the latest build."""
    counts = counts or notice_counts(session)
    latest, files = session.execute(select(func.max(ExportSnapshot.generated_at), func.count())
                                    .select_from(ExportSnapshot)).one()
    return Overview(counts.per_base(), counts.per_source(), backlog_size(session), latest, files)
