"""The rendering backlog: notices written without their renditions (as harvests write them) are served by /oai
exactly as they will be once rendered, then `pop renditions render` / the worker stores their renditions without
moving a datestamp."""
from __future__ import annotations

from datetime import datetime

import pytest
from lxml import etree
from sqlalchemy import func, select

from app import create_app
from app.cli import cli
from store.models import NoticeRow, Rendition
from store.backlog import _backlog_reads, _render_batch
from store.backlog import backlog_size, render_backlog, store_rendered
from store.notices import store_version, write_notices
from formats.bases import get_base
from formats.notice import validate_notice
from formats.registry import FORMATS

from ..conftest import make_settings
from .oai_demo import load, ref
from .oai_xml import NS, OAI

PAGE = 3  # small pages, so lists cross many resumption tokens


@pytest.fixture
def small_pages(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path, oai_page_size=PAGE, oai_identifiers_page_size=PAGE))
    yield app
    app.extensions["pop"].db.dispose()


def _harvest(client, verb: str, prefix: str) -> list[bytes]:
    """Every <record> (or <header>) of a whole list, as bytes, following resumption tokens."""
    items, query = [], {"verb": verb, "metadataPrefix": prefix}
    while True:
        root = etree.fromstring(client.get("/oai", query_string=query).data)
        error = root.find(f"{OAI}error")
        if error is not None:
            assert error.get("code") == "noRecordsMatch", etree.tostring(error)
            return items
        tag = "record" if verb == "ListRecords" else "header"
        items += [etree.tostring(e) for e in root.iterfind(f".//oai:{tag}", NS)
                  if verb == "ListRecords" or e.getparent().tag != f"{OAI}record"]
        token = root.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return items
        query = {"verb": verb, "resumptionToken": token.text}


def _everything(client) -> dict:
    seen = {}
    for prefix in FORMATS:
        seen["ListRecords", prefix] = _harvest(client, "ListRecords", prefix)
        seen["ListIdentifiers", prefix] = _harvest(client, "ListIdentifiers", prefix)
        for base in ("joconde", "merimee"):
            response = client.get("/oai", query_string={"verb": "GetRecord", "metadataPrefix": prefix,
                                                        "identifier": f"oai:pop.culture.gouv.fr:{base}:{ref(base, 0)}"})
            seen["GetRecord", prefix, base] = response.data.split(b"</responseDate>", 1)[1]
    return seen


def _write_ineligible(db, render: bool) -> None:
    """A Joconde notice with neither title nor object type: no LIDO or EDM can be made of it."""
    notice = validate_notice(get_base("joconde"), {"REF": "T9999999999", "INV": "1890.1"})
    with db.session() as session:
        write_notices(session, [notice], now=datetime(2024, 3, 1, 8, 30), render=render)


@pytest.mark.parametrize("workers", ["0", "2"])  # rendered by this process, or by two worker processes
def test_backlog_notices_are_served_as_they_will_be_stored(small_pages, tmp_path, database_url, workers):
    db = small_pages.extensions["pop"].db
    demo = load(db, per_base=5, render=False)
    _write_ineligible(db, render=False)
    with db.session() as session:
        assert backlog_size(session) == 8 * 3 + 1  # 5 a base, 2 of them deleted (tombstones are not pending)
        assert session.execute(select(func.count()).select_from(Rendition)).scalar_one() == 0
        version = store_version(session)
    client = small_pages.test_client()
    before = _everything(client)

    result = small_pages.test_cli_runner().invoke(cli, ["renditions", "render", "--batch-size", "7",
                                                        "--workers", workers])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("rendered: 25")

    with db.session() as session:
        assert backlog_size(session) == 0
        assert store_version(session) == version  # nothing published changed: caches stay
        stamps = {(r.base, r.ref): r.datestamp for r in session.execute(select(NoticeRow.base, NoticeRow.ref,
                                                                                NoticeRow.datestamp))}
    assert {key: stamps[key] for key in demo.datestamps} == demo.datestamps
    after = _everything(client)
    assert after == before  # byte for byte, every list, every format, every page
    assert before["ListRecords", "lido"] and before["ListRecords", "edm"]
    ineligible = b"joconde:T9999999999"
    assert any(ineligible in record for record in before["ListRecords", "oai_dc"])
    assert not any(ineligible in record for record in before["ListRecords", "lido"] + before["ListIdentifiers", "edm"])


def test_a_backlog_notice_not_eligible_to_a_format_cannot_be_disseminated_in_it(client, db):
    _write_ineligible(db, render=False)
    for prefix, expected in (("lido", b'code="cannotDisseminateFormat"'), ("oai_dc", b"<oai_dc:dc")):
        response = client.get("/oai", query_string={"verb": "GetRecord", "metadataPrefix": prefix,
                                                    "identifier": "oai:pop.culture.gouv.fr:joconde:T9999999999"})
        assert expected in response.data


def test_a_write_during_the_backlog_drops_stale_renditions_and_defers_again(db):
    load(db, per_base=4)  # rendered at write time
    notice_ref = ref("joconde", 0)
    with db.session() as session:
        row = session.execute(select(NoticeRow).where(NoticeRow.base == "joconde", NoticeRow.ref == notice_ref)
                              ).scalar_one()
        fields = {**row.fields, "TICO": "Un autre titre"}
        write_notices(session, [validate_notice(get_base("joconde"), fields)], render=False)
    with db.session() as session:
        row = session.execute(select(NoticeRow).where(NoticeRow.ref == notice_ref)).scalar_one()
        assert row.rendered is False
        assert session.execute(select(func.count()).select_from(Rendition)
                               .where(Rendition.notice_id == row.id)).scalar_one() == 0
    with db.session() as session:
        assert render_backlog(session)[0] == 1
    with db.session() as session:
        xml = db.packer.unpack_text(session.execute(select(Rendition.packed).where(
            Rendition.notice_id == row.id, Rendition.format == "oai_dc")).scalar_one())
    assert "Un autre titre" in xml


def test_renditions_rendered_elsewhere_are_not_stored_for_a_notice_written_since(db):
    """Worker processes render what they read; a notice written again before their renditions are stored
    keeps its place in the backlog (its new fields are rendered next time), the others are stored."""
    load(db, per_base=4, render=False)
    batches = list(_backlog_reads(db, 1000))
    rendered = [item for batch in batches for item in _render_batch(db.renderers, batch)]
    changed = ref("joconde", 0)
    with db.session() as session:
        row = session.execute(select(NoticeRow).where(NoticeRow.base == "joconde", NoticeRow.ref == changed)
                              ).scalar_one()
        write_notices(session, [validate_notice(get_base("joconde"), {**row.fields, "TICO": "Un autre titre"})],
                      render=False)
    with db.session() as session:
        stored = store_rendered(session, rendered)
        pending = backlog_size(session)
    assert stored == len(rendered) - 1 and pending == 1
    with db.session() as session:
        assert render_backlog(session)[0] == 1
        xml = db.packer.unpack_text(session.execute(select(Rendition.packed).where(
            Rendition.notice_id == row.id, Rendition.format == "oai_dc")).scalar_one())
    assert "Un autre titre" in xml
