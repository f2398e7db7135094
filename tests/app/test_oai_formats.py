"""Formats that only some bases offer, and notices a format cannot carry (the provider over the SQL store,
without HTTP: the view adds nothing to these rules)."""
from __future__ import annotations

from sqlalchemy import insert, select

from store.models import NoticeRow, Rendition
from store.oai import SqlRepository
from formats.registry import FORMATS, MetadataFormat
from protocols.oaipmh import Provider, ProviderConfig

from .oai_demo import load, ref
from .oai_xml import NS, error_code, parse

# A format only two bases offer, and whose renderer declined most notices (their renditions are missing).
OBJECTS = MetadataFormat(prefix="objects", namespace="urn:test:objects", schema="urn:test:objects.xsd",
                         render=lambda notice: None, bases=frozenset({"joconde", "palissy"}))
NOWHERE = MetadataFormat(prefix="nowhere", namespace="urn:nowhere", schema="urn:nowhere.xsd",
                         render=lambda notice: None, bases=frozenset())


def provider(db) -> Provider:
    config = ProviderConfig(base_url="http://testserver/oai", site_url="http://testserver",
                            repository_identifier="pop.culture.gouv.fr", repository_name="POP",
                            admin_email="pop@culture.gouv.fr", secret_key="k", commit_lag=0)
    return Provider(SqlRepository(db.engine), config, formats={**FORMATS, "objects": OBJECTS, "nowhere": NOWHERE})


def ask(db, **args):
    return parse(b"".join(provider(db).handle(list(args.items())).body))


def identifiers(root):
    return sorted(e.text for e in root.iterfind(".//oai:header/oai:identifier", NS))


def test_a_format_lists_only_the_notices_of_its_bases_that_it_can_carry(db):
    demo = load(db)
    # Only joconde notices 0 and 3 could be rendered in this format (the others' render returned None).
    with db.session() as session:
        ids = session.execute(select(NoticeRow.id).where(
            NoticeRow.base == "joconde", NoticeRow.ref.in_([ref("joconde", 0), ref("joconde", 3)]))).scalars().all()
        session.execute(insert(Rendition), [{"notice_id": i, "format": "objects", "version": "1",
                                             "packed": db.packer.pack("objects", "<objects/>")}
                                            for i in ids])
    deleted = {f"oai:pop.culture.gouv.fr:{b}:{r}" for b, r in demo.deleted if b in OBJECTS.bases}
    expected = sorted({f"oai:pop.culture.gouv.fr:joconde:{ref('joconde', n)}" for n in (0, 3)} | deleted)
    assert identifiers(ask(db, verb="ListIdentifiers", metadataPrefix="objects")) == expected
    assert identifiers(ask(db, verb="ListRecords", metadataPrefix="objects", set="joconde")) == \
        [i for i in expected if ":joconde:" in i]
    assert error_code(ask(db, verb="ListRecords", metadataPrefix="objects", set="museo")) == "noRecordsMatch"
    museo = f"oai:pop.culture.gouv.fr:museo:{ref('museo', 0)}"
    assert error_code(ask(db, verb="GetRecord", identifier=museo, metadataPrefix="objects")) == "cannotDisseminateFormat"
    not_rendered = f"oai:pop.culture.gouv.fr:joconde:{ref('joconde', 4)}"
    assert error_code(ask(db, verb="GetRecord", identifier=not_rendered, metadataPrefix="objects")) \
        == "cannotDisseminateFormat"
    assert ask(db, verb="GetRecord", identifier=expected[0], metadataPrefix="objects").find(".//oai:metadata", NS) \
        is not None
    formats = lambda identifier: [e.text for e in ask(db, verb="ListMetadataFormats", identifier=identifier)  # noqa: E731
                                  .iterfind(".//oai:metadataPrefix", NS)]
    registered = lambda base: [p for p, fmt in FORMATS.items() if fmt.supports(base)]  # noqa: E731
    assert formats(museo) == registered("museo")
    assert formats(not_rendered) == registered("joconde") + ["objects"]


def test_a_format_no_base_offers_cannot_be_disseminated(db):
    load(db, per_base=4)
    assert error_code(ask(db, verb="ListRecords", metadataPrefix="nowhere")) == "cannotDisseminateFormat"
    assert "nowhere" not in [e.text for e in ask(db, verb="ListMetadataFormats").iterfind(".//oai:metadataPrefix", NS)]
