"""Shared by the export tests of the app: a store stocked with every base's quirky notices."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from store.models import NoticeRow
from store.notices import delete_notices, write_notices
from formats.bases import BASES, get_base
from formats.notice import public_view, validate_notice
from tests.protocols.export.data import sample, variants

BATCH_TIMES = [datetime(2024, 1, 1, 8), datetime(2024, 2, 1, 8), datetime(2024, 3, 1, 8)]
DELETED_AT = datetime(2024, 4, 1, 8)
PER_BASE = 7


def stock(db) -> dict[str, str]:
    """Every base: its real sample and PER_BASE variants, written in three batches a month apart; one variant
    per base deleted. Returns the deleted REF of each base."""
    deleted = {}
    with db.session() as session:
        for base in BASES.values():
            raws = [sample(base)] + list(variants(base, PER_BASE))
            for index, when in enumerate(BATCH_TIMES):
                notices = [validate_notice(base, raw) for raw in raws[index::len(BATCH_TIMES)]]
                write_notices(session, notices, now=when)
            deleted[base.name] = raws[2]["REF"]
            delete_notices(session, base.name, [deleted[base.name]], now=DELETED_AT)
    return deleted


def published(db, base_name: str, **filters) -> list[dict]:
    """The store's published notices of a base, in export order, as their public view."""
    base = get_base(base_name)
    with db.session() as session:
        rows = session.execute(select(NoticeRow).where(NoticeRow.base == base_name)
                               .order_by(NoticeRow.datestamp, NoticeRow.id)).scalars().all()
    out = []
    for row in rows:
        if row.deleted and not filters.get("deleted"):
            continue
        if "producer_slug" in filters and row.producer_slug != filters["producer_slug"]:
            continue
        if "since" in filters and row.datestamp < filters["since"]:
            continue
        if "until" in filters and row.datestamp > filters["until"]:
            continue
        out.append({"REF": row.ref, "_deleted": True} if row.deleted else public_view(base, row.fields))
    return out
