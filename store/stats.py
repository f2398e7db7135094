"""Counts of the store that pages, the exports catalog and /metrics show."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from formats.notice import LOCAL_SOURCE

from .models import NoticeRow


def published_counts(session: Session) -> dict[str, int]:
    """Published (not deleted) notices per base."""
    return {base: live for (base, deleted), live in notice_counts(session).items() if not deleted}


def notice_counts(session: Session) -> dict[tuple[str, bool], int]:
    """Notices per (base, deleted)."""
    rows = session.execute(select(NoticeRow.base, NoticeRow.deleted, func.count())
                           .group_by(NoticeRow.base, NoticeRow.deleted))
    return {(base, deleted): count for base, deleted, count in rows}


def published_sources(session: Session) -> dict[str, list[tuple[str, str | None, int]]]:
    """Published notices per base, as (source, licence, count): POP's own (local) first, then each partner's
    by name — what the exports catalog states the licences of."""
    rows = session.execute(select(NoticeRow.base, NoticeRow.source, NoticeRow.licence, func.count())
                           .where(NoticeRow.deleted.is_(False))
                           .group_by(NoticeRow.base, NoticeRow.source, NoticeRow.licence))
    sources: dict[str, list[tuple[str, str | None, int]]] = {}
    for base, source, licence, count in rows:
        sources.setdefault(base, []).append((source, licence, count))
    for entries in sources.values():
        entries.sort(key=lambda entry: (entry[0] != LOCAL_SOURCE, entry[0], entry[1] or ""))
    return sources
