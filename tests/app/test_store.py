"""The store's write rules, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from store.models import NoticeRow, Rendition
from store.notices import delete_notices, store_version, write_notices
from store.clock import utcnow
from formats.bases import get_base
from formats.notice import validate_notice
from formats.outcomes import Rejection, RejectionKind

JOCONDE = get_base("joconde")
PALISSY = get_base("palissy")


def notice(ref="000PE001028", source="local", **fields):
    raw = {"REF": ref, "TICO": "Chapiteau", "DENO": ["chapiteau"], "PRODUCTEUR": "MUSEE", **fields}
    return validate_notice(JOCONDE, raw, source=source)


def row(db, ref="000PE001028", base="joconde"):
    with db.session() as session:
        return session.execute(select(NoticeRow).where(NoticeRow.base == base, NoticeRow.ref == ref)).scalar_one()


def test_a_new_notice_is_created_with_a_whole_second_utc_datestamp(db):
    now = utcnow()
    with db.session() as session:
        summary = write_notices(session, [notice()], now=now)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 0)
    stored = row(db)
    assert stored.datestamp == now and stored.datestamp.microsecond == 0
    assert stored.fields["TICO"] == "Chapiteau" and stored.producer_slug == "musee"


def test_a_write_that_changes_nothing_keeps_the_datestamp(db):
    first = utcnow() - timedelta(days=3)
    with db.session() as session:
        write_notices(session, [notice()], now=first)
    with db.session() as session:
        summary = write_notices(session, [notice()], now=utcnow())
    assert summary.unchanged == 1 and summary.changed == 0
    assert row(db).datestamp == first


def test_a_change_to_published_fields_moves_the_datestamp(db):
    first = utcnow() - timedelta(days=3)
    with db.session() as session:
        write_notices(session, [notice()], now=first)
    later = utcnow()
    with db.session() as session:
        summary = write_notices(session, [notice(TICO="Chapiteau sculpté")], now=later)
    assert summary.updated == 1
    assert row(db).datestamp == later and row(db).fields["TICO"] == "Chapiteau sculpté"


def test_a_change_to_hidden_fields_only_is_stored_but_keeps_the_datestamp(db):
    first = utcnow() - timedelta(days=3)
    raw = {"REF": "PM01000107", "TICO": "Orgue", "EDIF2": "Chapelle"}
    with db.session() as session:
        write_notices(session, [validate_notice(PALISSY, raw)], now=first)
    with db.session() as session:
        summary = write_notices(session, [validate_notice(PALISSY, {**raw, "EDIF2": "Sacristie"})], now=utcnow())
    stored = row(db, "PM01000107", "palissy")
    assert summary.updated == 1
    assert stored.fields["EDIF2"] == "Sacristie" and stored.datestamp == first


def test_deletion_leaves_a_tombstone_dated_at_the_deletion_and_recreation_revives_it(db):
    with db.session() as session:
        write_notices(session, [notice()], now=utcnow() - timedelta(days=3))
    deleted_at = utcnow() - timedelta(days=1)
    with db.session() as session:
        summary = delete_notices(session, "joconde", ["000PE001028", "00000000000"], now=deleted_at)
    assert summary.deleted == 1 and summary.rejected == [
        Rejection("00000000000", "no joconde notice has this REF", RejectionKind.UNKNOWN_REF)]
    tombstone = row(db)
    assert tombstone.deleted and tombstone.datestamp == deleted_at
    with db.session() as session:
        assert session.execute(select(Rendition).where(Rendition.notice_id == tombstone.id)).first() is None
        assert delete_notices(session, "joconde", ["000PE001028"]).unchanged == 1
    revived_at = utcnow()
    with db.session() as session:
        summary = write_notices(session, [notice()], now=revived_at)
    assert summary.updated == 1
    assert not row(db).deleted and row(db).datestamp == revived_at


def test_a_source_cannot_change_a_notice_another_source_owns(db):
    with db.session() as session:
        write_notices(session, [notice(source="musee-valence")])
    with db.session() as session:
        summary = write_notices(session, [notice(TICO="Autre")])
        denied = delete_notices(session, "joconde", ["000PE001028"])
    assert summary.changed == 0 and "partner 'musee-valence'" in summary.rejected[0].reason
    assert summary.rejected[0].kind is RejectionKind.OWNED_ELSEWHERE
    assert denied.deleted == 0 and denied.rejected
    assert row(db).fields["TICO"] == "Chapiteau"


def test_every_write_bumps_the_store_version(db):
    with db.session() as session:
        before = store_version(session)
        write_notices(session, [notice()])
    with db.session() as session:
        assert store_version(session) == before + 1
        write_notices(session, [notice()])  # unchanged: no bump
    with db.session() as session:
        assert store_version(session) == before + 1


def test_fields_round_trip_with_accents_and_objects(db):
    raw = {"REF": "PA00078014", "TICO": "Église Saint-Étienne", "POP_COORDONNEES": {"lat": 48.2, "lon": 3.7},
           "POP_DATE": [1400, 1500]}
    with db.session() as session:
        write_notices(session, [validate_notice(get_base("merimee"), raw)])
    stored = row(db, "PA00078014", "merimee")
    assert json.dumps(stored.fields, sort_keys=True) == json.dumps(raw, sort_keys=True)
