"""Records of harvested notices carry the OAI provenance container (`<about><provenance>`): a real harvest from a
scripted partner over HTTP into the store, then the real /oai, in every format — each container valid against
provenance.xsd, each whole response against OAI-PMH.xsd and the format's schema; the partner's own container
nested; POP's own notices and ListIdentifiers without any."""
from __future__ import annotations

from functools import lru_cache

import pytest
from alembic.script import ScriptDirectory
from lxml import etree
from sqlalchemy import create_engine, text

from app import create_app
from formats.registry import FORMATS
from harvest.provenance import partner_chain
from protocols.oaipmh.repository import Provenance
from protocols.oaipmh.writer import record
from store.backlog import render_backlog
from store.migrate import MIGRATIONS, upgrade
from store.notices import write_notices
from tests.formats.europeana import xml_schema
from tests.harvest.fixtures import Harvester, harvest_app  # noqa: F401  (fixture)
from tests.harvest.oai_partner import PartnerServer, ScriptedPartner
from tests.harvest.records import identifier, joconde_notices, pop_record
from tests.shared import schema

from .oai_xml import NS, schema as oai_schema

PROV = "http://www.openarchives.org/OAI/2.0/provenance"
P = {"p": PROV, **NS}
NOTICES = joconde_notices(4, start=700, title="provenance")  # 0-2 harvested, 3 POP's own
WRAPPERS = {"lido": "oai-pmh/wrappers/OAI-PMH+lido-v1.1.xsd", "edm": "oai-pmh/wrappers/OAI-PMH+edm-external.xsd"}
DATESTAMPS = ["2026-01-01T10:00:00Z", "2026-01-01", "2026-01-01T10:00:05Z"]

# Record 0 was harvested by the partner from a collection system, which had it from an inventory: its container
# (after an <about> of another kind), with an offset and a day for dates; record 2's is incomplete (no baseURL).
PARTNER_ABOUT = (
    b'<about><rights xmlns="urn:example:rights">CC-BY</rights></about>'
    b'<about><provenance xmlns="http://www.openarchives.org/OAI/2.0/provenance">'
    b'<originDescription harvestDate="2025-12-01T08:00:00+01:00" altered="false">'
    b"<baseURL>https://collections.example/oai</baseURL><identifier>oai:collections.example:42</identifier>"
    b"<datestamp>2025-11-30</datestamp><metadataNamespace>http://www.lido-schema.org</metadataNamespace>"
    b'<originDescription harvestDate="2025-11-30" altered="1"><baseURL>https://inventaire.example/oai</baseURL>'
    b"<identifier>oai:inventaire.example:a&amp;b</identifier><datestamp>2025-11-29T12:00:00Z</datestamp>"
    b"<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>"
    b"</originDescription></originDescription></provenance></about>")
INCOMPLETE_ABOUT = (
    b'<about><provenance xmlns="http://www.openarchives.org/OAI/2.0/provenance">'
    b'<originDescription harvestDate="2025-12-01" altered="true"><identifier>oai:x:1</identifier>'
    b"<datestamp>2025-11-30</datestamp><metadataNamespace>urn:x</metadataNamespace></originDescription>"
    b"</provenance></about>")
NESTED = {  # what POP publishes of record 0's chain: its values, dates in UTC
    "harvestDate": "2025-12-01T07:00:00Z", "altered": "false", "baseURL": "https://collections.example/oai",
    "identifier": "oai:collections.example:42", "datestamp": "2025-11-30",
    "metadataNamespace": "http://www.lido-schema.org",
    "nested": {"harvestDate": "2025-11-30", "altered": "true", "baseURL": "https://inventaire.example/oai",
               "identifier": "oai:inventaire.example:a&b", "datestamp": "2025-11-29T12:00:00Z",
               "metadataNamespace": "http://www.openarchives.org/OAI/2.0/oai_dc/", "nested": None}}


@lru_cache(maxsize=None)
def provenance_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema("oai-pmh/provenance.xsd")), etree.XMLParser(no_network=True)))


def response_schema(prefix: str) -> etree.XMLSchema:
    """OAI-PMH.xsd with the format's schema and provenance.xsd (every wrapper imports it: `about` is strict)."""
    return xml_schema(WRAPPERS[prefix]) if prefix in WRAPPERS else oai_schema(prefix)


def description(element: etree._Element | None) -> dict | None:
    if element is None:
        return None
    values = {name: element.findtext(f"p:{name}", namespaces=P)
              for name in ("baseURL", "identifier", "datestamp", "metadataNamespace")}
    return {"harvestDate": element.get("harvestDate"), "altered": element.get("altered"), **values,
            "nested": description(element.find("p:originDescription", P))}


def ask(client, prefix: str, **args) -> etree._Element:
    """An /oai answer, valid as a whole; each provenance container valid against provenance.xsd on its own."""
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    root = etree.fromstring(response.data, etree.XMLParser(no_network=True))
    assert root.find("oai:error", NS) is None, response.data[:2000]
    validator = response_schema(prefix)
    assert validator.validate(root), validator.error_log
    for container in root.iterfind(".//oai:about/p:provenance", P):
        assert provenance_schema().validate(etree.fromstring(etree.tostring(container))), \
            provenance_schema().error_log
    return root


def provenances(root: etree._Element) -> dict[str, dict | None]:
    """Identifier → the record's originDescription (None: no <about>); at most one container a record."""
    found = {}
    for element in root.iterfind(".//oai:record", NS):
        abouts = element.findall("oai:about", NS)
        assert len(abouts) <= 1 and all(len(about) == 1 for about in abouts)
        found[element.findtext("oai:header/oai:identifier", namespaces=NS)] = (
            description(abouts[0].find("p:provenance/p:originDescription", P)) if abouts else None)
        if abouts:  # after <metadata>, as the schema orders them
            assert element.index(abouts[0]) == element.index(element.find("oai:metadata", NS)) + 1
    return found


@pytest.fixture
def harvested(harvest_app):
    """Three notices harvested in `pop` from a partner whose URL carries credentials, and one of POP's own;
    the harvest app's settings, with lists that reach "now" (no commit lag: the notices were just written)."""
    settings = harvest_app.extensions["pop"].settings
    app = create_app(settings.__class__(**{**settings.__dict__, "oai_commit_lag": 0}))
    app.config["TESTING"] = True
    records = [pop_record(notice, stamp) for notice, stamp in zip(NOTICES, DATESTAMPS)]
    records[0].about, records[2].about = PARTNER_ABOUT, INCOMPLETE_ABOUT
    with PartnerServer(ScriptedPartner([records[:2], records[2:]])) as url:
        harvester = Harvester(app)
        harvester.add(url.replace("http://", "http://curator:s3cret@"), name="valence")
        report = harvester.run("valence")
    assert report.status == "succeeded" and report.counters.created == 3, report
    with harvester.db.session() as session:
        write_notices(session, [NOTICES[3]])
    yield app, url
    app.extensions["pop"].db.dispose()


def pop_id(notice) -> str:
    return f"oai:pop.culture.gouv.fr:joconde:{notice.ref}"


def test_records_of_harvested_notices_carry_their_provenance_in_every_format(harvested):
    app, url = harvested
    client = app.test_client()
    prefixes = [prefix for prefix, fmt in FORMATS.items() if fmt.supports("joconde")]
    assert set(prefixes) >= {"oai_dc", "pop", "lido", "edm"}
    listed = {}
    for prefix in prefixes:
        root = ask(client, prefix, verb="ListRecords", metadataPrefix=prefix)
        stamps = {e.findtext("oai:identifier", namespaces=NS): e.findtext("oai:datestamp", namespaces=NS)
                  for e in root.iterfind(".//oai:header", NS)}
        found = provenances(root)
        assert set(found) == {pop_id(n) for n in NOTICES}
        assert found[pop_id(NOTICES[3])] is None  # POP's own notice: no <about>
        for number, notice in enumerate(NOTICES[:3]):
            assert found[pop_id(notice)] == {
                "harvestDate": stamps[pop_id(notice)], "altered": "true",
                "baseURL": url,  # the partner's URL without its credentials
                "identifier": identifier(notice.ref), "datestamp": DATESTAMPS[number],
                "metadataNamespace": FORMATS["pop"].namespace,  # the format harvested, not the one served
                "nested": NESTED if number == 0 else None}, (prefix, number)
        listed[prefix] = found
        identifiers = client.get("/oai", query_string={"verb": "ListIdentifiers", "metadataPrefix": prefix})
        assert b"<about" not in identifiers.data and b"provenance" not in identifiers.data
    # Once the rendering backlog is stored, GetRecord reads the stored renditions: the same provenance.
    with app.extensions["pop"].db.session() as session:
        render_backlog(session)
    for prefix in prefixes:
        for notice in NOTICES:
            root = ask(client, prefix, verb="GetRecord", metadataPrefix=prefix, identifier=pop_id(notice))
            assert provenances(root) == {pop_id(notice): listed[prefix][pop_id(notice)]}


def test_a_partner_chain_is_kept_as_values_and_written_back_valid():
    wrap = (b'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header/>%s</record>')

    def level(inner: bytes = b"", harvest: bytes = b"2025-01-01", base: bytes = b"<baseURL>http://a/oai</baseURL>"):
        return (b'<originDescription harvestDate="%s" altered="true">%s<identifier>oai:a:1</identifier>'
                b"<datestamp>2025-01-01</datestamp><metadataNamespace>urn:x</metadataNamespace>%s"
                b"</originDescription>" % (harvest, base, inner))

    def chain(description: bytes) -> str | None:
        return partner_chain(etree.fromstring(wrap % (
            b'<about><provenance xmlns="%s">%s</provenance></about>' % (PROV.encode(), description))))

    assert chain(level(level(harvest=b"2025-19-39"))).count("harvestDate") == 1  # not a date: cut there
    assert chain(level(base=b"")) is None
    deep = level()
    for _ in range(30):
        deep = level(deep)
    assert chain(deep).count("baseURL") == 16
    assert partner_chain(etree.fromstring(wrap % b"")) is None
    # A partner's identifier that is no URI as it stands is written percent-escaped: the container stays valid.
    origin = Provenance("http://a/oai", 'oai:a:<1> "100%" #x#y [z]', "2025-01-01", "urn:x", "2025-01-02")
    xml = record("<header/>", "<m/>", Provenance("http://b/oai", "oai:b:1", "2025-01-01", "urn:y",
                                                  "2025-01-02T00:00:00Z", origin=origin))
    about = etree.fromstring(f'<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{xml}</r>')
    container = about.find(f".//{{{PROV}}}provenance")
    assert provenance_schema().validate(container), provenance_schema().error_log
    assert container.find(f".//{{{PROV}}}originDescription/{{{PROV}}}originDescription/{{{PROV}}}identifier") \
        .text == "oai:a:%3C1%3E%20%22100%25%22%20%23x%23y%20%5Bz%5D"


def test_the_migration_gives_notices_harvested_before_it_their_partner_url_and_namespace(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    before = ScriptDirectory(str(MIGRATIONS)).get_revision("0008_provenance").down_revision
    upgrade(url, before)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO partner (name, url, metadata_prefix, sets, base, mapping, enabled, notes, created, updated,"
            " full_next) VALUES ('valence', 'https://curator:s3cret@valence.example/oai', 'oai_dc', '[]', 'joconde',"
            " '', 1, '', '2025-01-01', '2025-01-01', 0)"))
        for ref, source in (("000PE000001", "valence"), ("000PE000002", "local")):
            connection.execute(text(
                "INSERT INTO notice (base, ref, fields, producer_slug, source, source_identifier, content_hash,"
                " fields_hash, created, datestamp, deleted, rendered) VALUES ('joconde', :ref, '{}', 'x', :source,"
                " :ref, 'h', 'h', '2025-01-01', '2025-01-01', 0, 1)"), {"ref": ref, "source": source})
    upgrade(url, "0008_provenance")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT ref, source_base_url, source_namespace, source_provenance FROM notice"
                                       " ORDER BY ref")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("000PE000001", "https://valence.example/oai", FORMATS["oai_dc"].namespace, None),
        ("000PE000002", None, None, None)]
