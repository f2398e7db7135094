"""/oai over real HTTP: every verb's answers and every error, valid against the official schemas."""
from __future__ import annotations

import gzip
import time
import zlib
from datetime import timedelta

import pytest
import requests

from app import create_app
from store.clock import utcnow
from store.notices import write_notices
from formats.bases import get_base
from formats.notice import validate_notice
from formats.registry import FORMATS

from ..conftest import make_settings, serve
from .oai_demo import PARTNER, T0, load, ref, served_demo
from .oai_xml import NS, OAI, assert_valid, error_code, parse

REPO = "pop.culture.gouv.fr"


@pytest.fixture
def oai(database_url, tmp_path):
    with served_demo(database_url, tmp_path, oai_page_size=7, oai_identifiers_page_size=11) as served:
        yield served


def get(url, **params):
    response = requests.get(url, params=params, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/xml; charset=utf-8"
    return response


def request_element(root):
    return root.find(f"{OAI}request")


def test_identify_describes_the_repository(oai):
    url, demo, _ = oai
    root = assert_valid(get(url, verb="Identify").content)
    identify = root.find(f"{OAI}Identify")
    text = {child.tag.replace(OAI, ""): child.text for child in identify}
    assert text["baseURL"] == "http://testserver/oai" and text["protocolVersion"] == "2.0"
    assert text["deletedRecord"] == "persistent" and text["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    assert text["earliestDatestamp"] == min(demo.datestamps.values()).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [c.text for c in identify.findall(f"{OAI}compression")] == ["gzip", "deflate"]
    sample = identify.find(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}sampleIdentifier").text
    assert sample.startswith(f"oai:{REPO}:")
    assert request_element(root).attrib == {"verb": "Identify"}


def test_list_metadata_formats_for_the_repository_and_for_one_notice(oai):
    url, _, _ = oai
    root = assert_valid(get(url, verb="ListMetadataFormats").content)
    prefixes = [e.text for e in root.iterfind(".//oai:metadataPrefix", NS)]
    assert prefixes == list(FORMATS) and prefixes[:2] == ["oai_dc", "pop"]
    schemas = [e.text for e in root.iterfind(".//oai:schema", NS)]
    assert "http://testserver/schemas/pop.xsd" in schemas
    root = assert_valid(get(url, verb="ListMetadataFormats", identifier=f"oai:{REPO}:museo:{ref('museo', 0)}").content)
    assert [e.text for e in root.iterfind(".//oai:metadataPrefix", NS)] == \
        [p for p, fmt in FORMATS.items() if fmt.supports("museo")]
    root = assert_valid(get(url, verb="ListMetadataFormats", identifier=f"oai:{REPO}:museo:M9999").content)
    assert error_code(root) == "idDoesNotExist"


def test_list_sets_shows_bases_producers_and_partners(oai):
    url, demo, _ = oai
    root = assert_valid(get(url, verb="ListSets").content)
    specs = [e.text for e in root.iterfind(".//oai:setSpec", NS)]
    assert specs[0] == "joconde" and "joconde:musee" in specs and "merimee:monuments-historiques" in specs
    assert "partner" in specs and f"partner:{PARTNER}" in specs
    assert len(specs) == len(set(specs))
    assert all(spec.split(":")[0] in specs for spec in specs)  # every child's parent is listed


@pytest.mark.parametrize("prefix", ["oai_dc", "pop"])
def test_get_record_live_deleted_and_legacy_identifiers(oai, prefix):
    url, demo, _ = oai
    live = f"oai:{REPO}:joconde:{ref('joconde', 0)}"
    root = assert_valid(get(url, verb="GetRecord", identifier=live, metadataPrefix=prefix).content, prefix)
    record = root.find(".//oai:GetRecord/oai:record", NS)
    assert record.find("oai:header/oai:identifier", NS).text == live
    assert record.find("oai:metadata", NS) is not None
    assert [s.text for s in record.iterfind("oai:header/oai:setSpec", NS)] == ["joconde", "joconde:musee"]
    legacy = assert_valid(get(url, verb="GetRecord", identifier=f"oai:joconde:{ref('joconde', 0)}",
                              metadataPrefix=prefix).content, prefix)
    assert legacy.find(".//oai:header/oai:identifier", NS).text == live
    gone = assert_valid(get(url, verb="GetRecord", identifier=f"oai:{REPO}:joconde:{ref('joconde', 1)}",
                            metadataPrefix=prefix).content, prefix)
    header = gone.find(".//oai:record/oai:header", NS)
    assert header.get("status") == "deleted" and gone.find(".//oai:metadata", NS) is None


def test_list_records_pages_carry_cursor_size_expiry_and_end_with_an_empty_token(oai):
    url, demo, _ = oai
    total = len(demo.datestamps)
    params, cursors, seen = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}, [], []
    while True:
        root = assert_valid(get(url, **params).content)
        seen += [e.text for e in root.iterfind(".//oai:header/oai:identifier", NS)]
        token = root.find(".//oai:resumptionToken", NS)
        assert token is not None and int(token.get("completeListSize")) == total
        cursors.append(int(token.get("cursor")))
        if not token.text:
            assert token.get("expirationDate") is None
            break
        expires = token.get("expirationDate")
        assert expires >= (utcnow() + timedelta(hours=23, minutes=59)).strftime("%Y-%m-%dT%H:%M:%SZ")
        params = {"verb": "ListRecords", "resumptionToken": token.text}
    assert cursors == list(range(0, total, 7))
    assert len(seen) == total and set(seen) == demo.identifiers()


def test_a_resent_token_returns_the_same_page(oai):
    url, _, _ = oai
    first = parse(get(url, verb="ListIdentifiers", metadataPrefix="pop").content)
    token = first.find(".//oai:resumptionToken", NS).text
    pages = [parse(get(url, verb="ListIdentifiers", resumptionToken=token).content) for _ in range(2)]
    ids = [[e.text for e in page.iterfind(".//oai:identifier", NS)] for page in pages]
    assert ids[0] == ids[1] and len(ids[0]) == 11
    assert not set(ids[0]) & {e.text for e in first.iterfind(".//oai:identifier", NS)}


def test_tampered_foreign_and_expired_tokens_are_refused(oai, database_url, tmp_path):
    url, _, app = oai
    token = parse(get(url, verb="ListRecords", metadataPrefix="oai_dc").content).find(".//oai:resumptionToken", NS).text
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    for bad in (tampered, "garbage", token + "x"):
        root = assert_valid(get(url, verb="ListRecords", resumptionToken=bad).content)
        assert error_code(root) == "badResumptionToken"
        assert request_element(root).attrib == {"verb": "ListRecords", "resumptionToken": bad}
    # A token is for the verb that issued it.
    assert error_code(parse(get(url, verb="ListIdentifiers", resumptionToken=token).content)) == "badResumptionToken"
    foreign = create_app(make_settings(database_url, tmp_path / "other", secret_key="another-key"))
    with serve(foreign) as other:
        assert error_code(parse(get(f"{other}/oai", verb="ListRecords", resumptionToken=token).content)) \
            == "badResumptionToken"
    short = create_app(make_settings(database_url, tmp_path / "short", oai_token_lifetime=1, oai_page_size=5))
    with serve(short) as base:
        token = parse(get(f"{base}/oai", verb="ListRecords", metadataPrefix="oai_dc").content) \
            .find(".//oai:resumptionToken", NS).text
        time.sleep(2.2)
        root = parse(get(f"{base}/oai", verb="ListRecords", resumptionToken=token).content)
        assert error_code(root) == "badResumptionToken" and "expired" in root.find(f"{OAI}error").text
    for other_app in (foreign, short):
        other_app.extensions["pop"].db.dispose()


ERRORS = [
    ({}, "badVerb"),
    ({"verb": "Explode"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "set": "joconde"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "pop"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-01-02T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01", "until": "2024-01-01"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPO}:joconde:T0000000000"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "nothing"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "marc21", "set": "joconde"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPO}:joconde:T0000000000", "metadataPrefix": "marc21"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPO}:joconde:NOPE", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:x", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "<&\">", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2000-01-01T00:00:00Z"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "nosuchset"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "joconde:nosuchproducer"}, "noRecordsMatch"),
]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_error_is_an_http_200_valid_oai_error_echoing_only_what_the_spec_allows(oai, method):
    url, _, _ = oai
    for params, code in ERRORS:
        if method == "GET":
            response = requests.get(url, params=params, timeout=30)
        else:
            response = requests.post(url, data=params, timeout=30)
        assert response.status_code == 200, params
        root = assert_valid(response.content)
        assert error_code(root) == code, (params, response.text)
        attributes = request_element(root).attrib
        if code in ("badVerb", "badArgument"):
            assert attributes == {}, params
        else:
            assert attributes == {k: v for k, v in params.items()}, params
        assert request_element(root).text == "http://testserver/oai"


@pytest.mark.parametrize("encoding, decode", [("gzip", gzip.decompress), ("deflate", zlib.decompress)])
def test_responses_are_compressed_when_asked(oai, encoding, decode):
    url, _, _ = oai
    response = requests.get(url, params={"verb": "ListRecords", "metadataPrefix": "pop"},
                            headers={"Accept-Encoding": encoding}, stream=True, timeout=30)
    assert response.headers["Content-Encoding"] == encoding
    assert_valid(decode(response.raw.read()), "pop")


def test_the_pop_schema_is_served(oai):
    url, _, _ = oai
    response = requests.get(url.replace("/oai", "/schemas/pop.xsd"), timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/xml")
    assert b'targetNamespace="https://pop.culture.gouv.fr/ns/pop/1.0"' in response.content


def test_sets_lists_and_identify_follow_writes_through_the_cache(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path, env="development"))
    load(app.extensions["pop"].db, per_base=4)
    with serve(app) as base:
        url = f"{base}/oai"
        specs = lambda: {e.text for e in parse(get(url, verb="ListSets").content).iterfind(".//oai:setSpec", NS)}  # noqa: E731
        before = specs()
        assert "joconde:nouveau-musee" not in before
        raw = {"REF": "Z0000000001", "TICO": "Vase", "PRODUCTEUR": "Nouveau Musée"}
        with app.extensions["pop"].db.session() as session:
            write_notices(session, [validate_notice(get_base("joconde"), raw)], now=T0 - timedelta(days=30))
        assert "joconde:nouveau-musee" in specs()
        earliest = parse(get(url, verb="Identify").content).find(".//oai:earliestDatestamp", NS).text
        assert earliest == (T0 - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ids = parse(get(url, verb="ListIdentifiers", metadataPrefix="oai_dc", set="joconde:nouveau-musee").content)
        assert [e.text for e in ids.iterfind(".//oai:identifier", NS)] == [f"oai:{REPO}:joconde:Z0000000001"]
    app.extensions["pop"].db.dispose()
