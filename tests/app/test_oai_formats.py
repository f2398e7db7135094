"""Formats that only some bases offer, and notices a format cannot carry (the provider over the SQL store,
without HTTP: the view adds nothing to these rules)."""
from __future__ import annotations

from sqlalchemy import insert, select

from app.models import NoticeRow, Rendition
from app.oai_store import SqlRepository
from formats.registry import FORMATS, MetadataFormat
from protocols.oaipmh import Provider, ProviderConfig

from .oai_demo import load, ref
from .oai_xml import NS, error_code, parse

LIDO = MetadataFormat(prefix="lido", namespace="http://www.lido-schema.org", schema="http://www.lido-schema.org/lido.xsd",
                      render=lambda notice: None, bases=frozenset({"joconde", "palissy"}))
NOWHERE = MetadataFormat(prefix="nowhere", namespace="urn:nowhere", schema="urn:nowhere.xsd",
                         render=lambda notice: None, bases=frozenset())


def provider(db) -> Provider:
    config = ProviderConfig(base_url="http://testserver/oai", site_url="http://testserver",
                            repository_identifier="pop.culture.gouv.fr", repository_name="POP",
                            admin_email="pop@culture.gouv.fr", secret_key="k", commit_lag=0)
    return Provider(SqlRepository(db.engine), config, formats={**FORMATS, "lido": LIDO, "nowhere": NOWHERE})


def ask(db, **args):
    return parse(b"".join(provider(db).handle(list(args.items())).body))


def identifiers(root):
    return sorted(e.text for e in root.iterfind(".//oai:header/oai:identifier", NS))


def test_a_format_lists_only_the_notices_of_its_bases_that_it_can_carry(db):
    demo = load(db)
    # Only joconde notice 0 and 3 could be rendered in LIDO (the others' render returned None).
    with db.session() as session:
        ids = session.execute(select(NoticeRow.id).where(
            NoticeRow.base == "joconde", NoticeRow.ref.in_([ref("joconde", 0), ref("joconde", 3)]))).scalars().all()
        session.execute(insert(Rendition), [{"notice_id": i, "format": "lido", "version": "1", "xml": "<lido/>"}
                                            for i in ids])
    deleted = {f"oai:pop.culture.gouv.fr:{b}:{r}" for b, r in demo.deleted if b in LIDO.bases}
    expected = sorted({f"oai:pop.culture.gouv.fr:joconde:{ref('joconde', n)}" for n in (0, 3)} | deleted)
    assert identifiers(ask(db, verb="ListIdentifiers", metadataPrefix="lido")) == expected
    assert identifiers(ask(db, verb="ListRecords", metadataPrefix="lido", set="joconde")) == \
        [i for i in expected if ":joconde:" in i]
    assert error_code(ask(db, verb="ListRecords", metadataPrefix="lido", set="museo")) == "noRecordsMatch"
    museo = f"oai:pop.culture.gouv.fr:museo:{ref('museo', 0)}"
    assert error_code(ask(db, verb="GetRecord", identifier=museo, metadataPrefix="lido")) == "cannotDisseminateFormat"
    not_rendered = f"oai:pop.culture.gouv.fr:joconde:{ref('joconde', 4)}"
    assert error_code(ask(db, verb="GetRecord", identifier=not_rendered, metadataPrefix="lido")) \
        == "cannotDisseminateFormat"
    assert ask(db, verb="GetRecord", identifier=expected[0], metadataPrefix="lido").find(".//oai:metadata", NS) \
        is not None
    formats = lambda identifier: [e.text for e in ask(db, verb="ListMetadataFormats", identifier=identifier)  # noqa: E731
                                  .iterfind(".//oai:metadataPrefix", NS)]
    assert formats(museo) == ["oai_dc", "pop"]
    assert formats(not_rendered) == ["oai_dc", "pop", "lido"]


def test_a_format_no_base_offers_cannot_be_disseminated(db):
    load(db, per_base=4)
    assert error_code(ask(db, verb="ListRecords", metadataPrefix="nowhere")) == "cannotDisseminateFormat"
    assert "nowhere" not in [e.text for e in ask(db, verb="ListMetadataFormats").iterfind(".//oai:metadataPrefix", NS)]
