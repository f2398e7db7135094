"""Counts of the store that pages, the exports catalog and /metrics show."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import NoticeRow


def published_counts(session: Session) -> dict[str, int]:
    """Published (not deleted) notices per base."""
    return {base: live for (base, deleted), live in notice_counts(session).items() if not deleted}


def notice_counts(session: Session) -> dict[tuple[str, bool], int]:
    """Notices per (base, deleted)."""
    rows = session.execute(select(NoticeRow.base, NoticeRow.deleted, func.count())
                           .group_by(NoticeRow.base, NoticeRow.deleted))
    return {(base, deleted): count for base, deleted, count in rows}
