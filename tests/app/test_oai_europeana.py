"""What /oai serves in LIDO and EDM: whole ListRecords responses validate against the OAI-PMH wrapper schema of
the format (OAI-PMH.xsd + the format's official XSD), every EDM record passes Europeana's Schematron, and the
formats are offered only for the bases that have them."""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

import pytest
from lxml import etree

from app import create_app
from store.clock import utcnow
from store.notices import write_notices
from formats.registry import get_format
from tests.conftest import make_settings
from tests.formats.europeana import demo_notices, sample_notice, schematron_errors, xml_schema

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI}
WRAPPERS = {"lido": "oai-pmh/wrappers/OAI-PMH+lido-v1.1.xsd", "edm": "oai-pmh/wrappers/OAI-PMH+edm-external.xsd"}
BASES = ("joconde", "palissy", "mnr", "enluminures", "memoire", "merimee", "museo", "autor")


@lru_cache(maxsize=None)
def wrapper(prefix: str) -> etree.XMLSchema:
    return xml_schema(WRAPPERS[prefix])


def stored_notices() -> list:
    """12 demo notices of each base and the eight real samples (a sample replaces a demo notice of its REF)."""
    notices = {(n.base, n.ref): n for base in BASES for n in demo_notices(base, 12, seed=9)}
    notices.update({(n.base, n.ref): n for n in map(sample_notice, BASES)})
    return list(notices.values())


@pytest.fixture
def client(database_url, tmp_path):
    """An app holding `stored_notices()`, serving pages of 7 records."""
    app = create_app(make_settings(database_url, tmp_path, oai_page_size=7))
    app.config["TESTING"] = True
    with app.extensions["pop"].db.session() as session:  # written a minute ago: lists stop short of "now"
        write_notices(session, stored_notices(), now=utcnow() - timedelta(minutes=1))
    yield app.test_client()
    app.extensions["pop"].db.dispose()


def expected_count(prefix: str) -> int:
    fmt = get_format(prefix)
    return sum(1 for n in stored_notices() if fmt.supports(n.base) and fmt.render(n) is not None)


def harvest(client, prefix: str) -> list[etree._Element]:
    """Every page of ListRecords in `prefix`, each checked against the wrapper schema."""
    pages, query = [], f"/oai?verb=ListRecords&metadataPrefix={prefix}"
    while query:
        response = client.get(query)
        assert response.status_code == 200
        page = etree.fromstring(response.data, etree.XMLParser(no_network=True))
        assert wrapper(prefix).validate(page), wrapper(prefix).error_log
        assert page.find("oai:error", NS) is None, etree.tostring(page)
        pages.append(page)
        token = page.findtext(".//oai:resumptionToken", namespaces=NS)
        query = f"/oai?verb=ListRecords&resumptionToken={token}" if token else None
    return pages


@pytest.mark.parametrize("prefix", ["lido", "edm"])
def test_whole_list_records_responses_validate_against_the_wrapper_schema(client, prefix):
    pages = harvest(client, prefix)
    records = [r for page in pages for r in page.iterfind(".//oai:record", NS)]
    assert len(pages) > 1
    assert len(records) == expected_count(prefix)
    bases = {r.findtext("oai:header/oai:identifier", namespaces=NS).split(":")[-2] for r in records}
    assert bases == set(get_format(prefix).bases)


def test_every_edm_record_served_passes_europeanas_schematron(client):
    for page in harvest(client, "edm"):
        for metadata in page.iterfind(".//oai:metadata", NS):
            xml = etree.tostring(metadata[0], encoding="unicode")
            assert schematron_errors(xml) == [], xml


@pytest.mark.parametrize("base, ref, offered", [
    ("joconde", "000PE001028", {"lido", "edm"}),
    ("merimee", "PA00078014", {"edm"}),
    ("museo", "M5031", set()),
    ("autor", "OR000001", set()),
])
def test_list_metadata_formats_offers_lido_and_edm_only_for_the_bases_that_have_them(client, base, ref, offered):
    response = client.get(f"/oai?verb=ListMetadataFormats&identifier=oai:pop.culture.gouv.fr:{base}:{ref}")
    page = etree.fromstring(response.data)
    prefixes = {p.text for p in page.iterfind(".//oai:metadataPrefix", NS)}
    assert prefixes & {"lido", "edm"} == offered
    for prefix in {"lido", "edm"} - offered:
        error = etree.fromstring(client.get(
            f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier=oai:pop.culture.gouv.fr:{base}:{ref}").data)
        assert error.find("oai:error", NS).get("code") == "cannotDisseminateFormat"


def test_list_metadata_formats_describes_lido_and_edm_with_their_official_schemas(client):
    page = etree.fromstring(client.get("/oai?verb=ListMetadataFormats").data)
    formats = {f.findtext("oai:metadataPrefix", namespaces=NS): (f.findtext("oai:schema", namespaces=NS),
                                                                   f.findtext("oai:metadataNamespace", namespaces=NS))
               for f in page.iterfind(".//oai:metadataFormat", NS)}
    assert formats["lido"] == ("http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd", "http://www.lido-schema.org")
    assert formats["edm"] == ("http://www.europeana.eu/schemas/edm/EDM.xsd", "http://www.europeana.eu/schemas/edm/")
