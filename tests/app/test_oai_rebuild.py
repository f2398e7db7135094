"""`pop renditions rebuild`: after a mapping change, renditions are re-rendered and only the notices whose
output changed get a new datestamp."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from app.cli import cli
from formats.bases import get_base
from formats.notice import validate_notice
from store.demo import generate_all
from store.models import NoticeRow, Rendition
from store.notices import store_version, write_notices

from .oai_demo import T0, load, ref


def test_rebuild_rerenders_and_moves_only_the_changed_notices(app, db, runner):
    demo = load(db, per_base=4)
    with db.session() as session:
        target = session.execute(select(NoticeRow.id).where(NoticeRow.base == "joconde",
                                                            NoticeRow.ref == ref("joconde", 0))).scalar_one()
        # What an older oai_dc mapping had rendered for one notice.
        session.execute(update(Rendition).where(Rendition.notice_id == target, Rendition.format == "oai_dc")
                        .values(packed=db.packer.pack("oai_dc", "<oai_dc:dc>old mapping</oai_dc:dc>")))
        version = store_version(session)
    result = runner.invoke(cli, ["renditions", "rebuild", "--format", "oai_dc"])
    assert result.exit_code == 0, result.output
    assert "datestamps moved: 1" in result.output
    with db.session() as session:
        rows = {r.ref: r for r in session.execute(select(NoticeRow.ref, NoticeRow.base, NoticeRow.datestamp, NoticeRow.id))}
        xml = db.packer.unpack_text(session.execute(select(Rendition.packed).where(
            Rendition.notice_id == target, Rendition.format == "oai_dc")).scalar_one())
        assert store_version(session) == version + 1
    assert "old mapping" not in xml and xml.startswith("<oai_dc:dc")
    assert rows[ref("joconde", 0)].datestamp > T0 + timedelta(days=1)
    unchanged = {key: stamp for key, stamp in demo.datestamps.items() if key != ("joconde", ref("joconde", 0))}
    assert [r for (b, r), stamp in unchanged.items() if rows[r].datestamp != stamp] == []
    again = runner.invoke(cli, ["renditions", "rebuild", "--base", "joconde"])
    assert again.exit_code == 0 and "datestamps moved: 0" in again.output


def _reversed_keys(value):
    """The same value, every object's keys in reverse order (neither sorted nor JSONB's order)."""
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


def test_a_rebuild_right_after_a_write_moves_nothing_whatever_the_order_of_an_objects_keys(db, runner):
    # Mémoire's and Joconde's demo notices carry objects (images with their credits, coordinates): read back from
    # the store, their keys come in the database's order, not the writer's — a rebuild must still see no change.
    notices = [validate_notice(get_base(base.name), _reversed_keys(raw))
               for base, raw in generate_all(200, seed=3)]
    assert any(isinstance(value, (dict, list)) and "{" in json.dumps(value) for notice in notices
               for value in notice.fields.values())
    with db.session() as session:
        write_notices(session, notices)
    result = runner.invoke(cli, ["renditions", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "renditions changed: 0, datestamps moved: 0" in result.output
