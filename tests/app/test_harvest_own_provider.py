"""POP-to-POP for real: one instance of this project harvests another's /oai in `pop`, and ends with exactly
the source's published notices — fields, REFs, deletions — with their provenance."""
from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest

from app import create_app
from store.demo import generate
from store.notices import delete_notices, write_notices
from store.clock import utcnow
from formats.bases import BASES, get_base
from formats.notice import public_view, validate_notice
from tests.conftest import make_settings, serve
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)


@pytest.fixture
def source_url(sqlite_template, shared_dir, tmp_path):
    """A second POP instance (SQLite) holding the eight real samples, demo notices and a few tombstones,
    written a minute ago (lists stop POP_OAI_COMMIT_LAG seconds short of now), served over real HTTP."""
    path = tmp_path / "source.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(make_settings(f"sqlite:///{path}", tmp_path / "source", repository_identifier="source.example"))
    db = app.extensions["pop"].db
    written = utcnow() - timedelta(minutes=2)
    with db.session() as session:
        for base in BASES.values():
            raw = json.loads((shared_dir / "pop-bases" / "samples" / f"{base.name}-1.json").read_text("utf-8"))
            notices = [validate_notice(base, raw)] + [validate_notice(base, r) for r in generate(base, 12, seed=5)]
            write_notices(session, notices, now=written)
            delete_notices(session, base.name, [notices[-1].ref], now=written + timedelta(seconds=1))
    with serve(app) as url:
        yield url, db
    db.dispose()


def published_by(db, base_name: str) -> dict[str, object]:
    from sqlalchemy import select

    from store.models import NoticeRow

    base = get_base(base_name)
    with db.session() as session:
        rows = session.execute(select(NoticeRow).where(NoticeRow.base == base_name)).scalars().all()
    return {row.ref: "deleted" if row.deleted else public_view(base, row.fields) for row in rows}


def test_harvesting_our_own_provider_in_pop_reproduces_every_base_exactly(harvester, source_url):
    url, source_db = source_url
    for base in BASES:
        harvester.add(f"{url}/oai", name=f"pop-{base}", prefix="pop", base=base, sets=[base])
        report = harvester.run(f"pop-{base}")
        assert report.status == "succeeded", report.error
        expected = published_by(source_db, base)
        # a tombstone harvested before its notice ever was is stored as nothing to delete: compare what exists
        assert {ref: value for ref, value in harvester.store(f"pop-{base}").items()} == \
            {ref: value for ref, value in expected.items() if value != "deleted"}
        rows = harvester.rows(f"pop-{base}")
        some = next(iter(rows.values()))
        assert some.source_identifier == f"oai:source.example:{base}:{some.ref}"
    assert harvester.issues() == []


def test_a_deletion_at_the_source_becomes_a_tombstone_at_the_next_incremental_run(harvester, source_url):
    url, source_db = source_url
    harvester.add(f"{url}/oai", name="pop-museo", prefix="pop", base="museo", sets=["museo"])
    assert harvester.run("pop-museo").status == "succeeded"
    victim = next(ref for ref, value in harvester.store("pop-museo").items() if value != "deleted")
    with source_db.session() as session:
        delete_notices(session, "museo", [victim], now=utcnow() - timedelta(seconds=30))
    report = harvester.run("pop-museo")
    assert report.status == "succeeded" and report.counters.deleted == 1
    assert harvester.store("pop-museo")[victim] == "deleted"
