"""The provider as a library, over a repository in memory: Identify, ListMetadataFormats, ListSets, GetRecord,
and every error code with the spec's echo rules. Lists and resumption tokens: test_provider_lists.py."""
from __future__ import annotations

import pytest
from lxml import etree

from protocols.oaipmh import Provider

from .memory import (BASE_URL, DAY, FORMATS, NS, OAI, OBJECTS, REPO, T0, MemoryRepository, ask, config, error,
                     identifiers, oai_id, rendition)

OAI_IDENTIFIER = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"


def request_of(root):
    element = root.find(f"{OAI}request")
    return element.attrib, element.text


# --- Identify --------------------------------------------------------------------------------------------
def test_identify_describes_the_repository_at_the_clock_s_time(provider, clock):
    root = ask(provider, verb="Identify")
    assert root.find(f"{OAI}responseDate").text == "2024-06-01T12:00:00Z"
    assert request_of(root) == ({"verb": "Identify"}, BASE_URL)
    identify = root.find(f"{OAI}Identify")
    text = {child.tag.replace(OAI, ""): child.text for child in identify if child.tag != f"{OAI}compression"}
    assert text == {"repositoryName": "POP", "baseURL": BASE_URL, "protocolVersion": "2.0",
                    "adminEmail": "pop@culture.gouv.fr", "earliestDatestamp": "2024-03-01T08:00:00Z",
                    "deletedRecord": "persistent", "granularity": "YYYY-MM-DDThh:mm:ssZ", "description": None}
    assert [e.text for e in identify.iterfind(f"{OAI}compression")] == ["gzip", "deflate"]
    description = identify.find(f"{OAI}description/{OAI_IDENTIFIER}oai-identifier")
    assert [(c.tag.replace(OAI_IDENTIFIER, ""), c.text) for c in description][:3] == \
        [("scheme", "oai"), ("repositoryIdentifier", REPO), ("delimiter", ":")]
    assert description.find(f"{OAI_IDENTIFIER}sampleIdentifier").text.startswith(f"oai:{REPO}:")


def test_an_empty_repository_s_earliest_datestamp_is_now(clock):
    root = ask(Provider(MemoryRepository(), config(), formats=FORMATS, clock=clock), verb="Identify")
    assert root.find(".//oai:earliestDatestamp", NS).text == "2024-06-01T12:00:00Z"


def test_the_earliest_datestamp_counts_tombstones(provider, repository):
    repository.add("museo", "M0002", T0 - DAY, deleted=True)
    assert ask(provider, verb="Identify").find(".//oai:earliestDatestamp", NS).text == "2024-02-29T08:00:00Z"


# --- ListMetadataFormats ---------------------------------------------------------------------------------
def formats_of(root):
    return [(f.find("oai:metadataPrefix", NS).text, f.find("oai:schema", NS).text,
             f.find("oai:metadataNamespace", NS).text) for f in root.iterfind(".//oai:metadataFormat", NS)]


def test_list_metadata_formats_shows_the_formats_some_base_offers(provider):
    assert formats_of(ask(provider, verb="ListMetadataFormats")) == [
        ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
        ("objects", "http://testserver/schemas/objects.xsd", "urn:test:objects"),  # relative: on the site URL
    ]


@pytest.mark.parametrize("identifier, prefixes", [
    (oai_id("museo", "M0001"), ["oai_dc"]),
    (oai_id("joconde", "000PE000005"), ["oai_dc", "objects"]),  # the base's formats, rendered or not
    (oai_id("joconde", "000PE000003"), ["oai_dc", "objects"]),  # a tombstone has its base's formats
    ("oai:palissy:PM00000001", ["oai_dc", "objects"]),  # the former endpoint's identifier
])
def test_list_metadata_formats_of_one_notice_shows_its_base_s_formats(provider, identifier, prefixes):
    root = ask(provider, verb="ListMetadataFormats", identifier=identifier)
    assert [prefix for prefix, _, _ in formats_of(root)] == prefixes
    assert request_of(root)[0] == {"verb": "ListMetadataFormats", "identifier": identifier}


def test_a_notice_whose_base_offers_no_format_has_no_metadata_formats(repository, clock):
    provider = Provider(repository, config(), formats={"objects": OBJECTS}, clock=clock)
    root = ask(provider, verb="ListMetadataFormats", identifier=oai_id("museo", "M0001"))
    assert error(root) == ("noMetadataFormats", f"no metadata format is available for {oai_id('museo', 'M0001')}")
    assert request_of(root)[0] == {"verb": "ListMetadataFormats", "identifier": oai_id("museo", "M0001")}


# --- ListSets ----------------------------------------------------------------------------------------------
def test_list_sets_shows_bases_then_their_producers_then_partners(provider):
    root = ask(provider, verb="ListSets")
    sets = [(s.find("oai:setSpec", NS).text, s.find("oai:setName", NS).text) for s in root.iterfind(".//oai:set", NS)]
    specs = [spec for spec, _ in sets]
    assert specs[:4] == ["joconde", "joconde:archives", "joconde:musee", "joconde:valence"]
    assert {"merimee", "merimee:mh", "palissy:musee", "palissy:valence", "museo:musee"} <= set(specs)
    # registered partners with or without notices; "Musée de Valence" cannot be a setSpec segment
    assert specs[-3:] == ["partner", "partner:lyon", "partner:musee-valence"]
    assert dict(sets)["joconde:archives"].endswith(" — ARCHIVES")
    assert all(spec.rpartition(":")[0] in specs for spec in specs if ":" in spec)  # parents are listed
    assert len(specs) == len(set(specs))


def test_list_sets_is_never_split(provider):
    root = ask(provider, verb="ListSets", resumptionToken="anything")
    assert error(root) == ("badResumptionToken", "ListSets is never split: this repository issued no such token")
    assert request_of(root)[0] == {"verb": "ListSets", "resumptionToken": "anything"}


# --- GetRecord ---------------------------------------------------------------------------------------------
def record_of(root):
    return root.find("oai:GetRecord/oai:record", NS)


def test_get_record_sends_the_stored_rendition_with_the_header_s_sets(provider):
    pairs = [("verb", "GetRecord"), ("identifier", oai_id("joconde", "000PE000004")), ("metadataPrefix", "oai_dc")]
    body = b"".join(provider.handle(pairs).body)
    assert f"<metadata>{rendition('oai_dc', '000PE000004')}</metadata>".encode() in body  # a byte copy
    record = record_of(etree.fromstring(body))
    header = record.find("oai:header", NS)
    assert header.get("status") is None
    assert header.find("oai:identifier", NS).text == oai_id("joconde", "000PE000004")
    assert header.find("oai:datestamp", NS).text == "2024-03-04T08:00:00Z"
    assert [s.text for s in header.iterfind("oai:setSpec", NS)] == \
        ["joconde", "joconde:valence", "partner", "partner:musee-valence"]


def test_get_record_of_a_tombstone_is_a_deleted_header(provider):
    for prefix in ("oai_dc", "objects"):
        root = ask(provider, verb="GetRecord", identifier=oai_id("joconde", "000PE000003"), metadataPrefix=prefix)
        record = record_of(root)
        assert record.find("oai:header", NS).get("status") == "deleted"
        assert record.find("oai:metadata", NS) is None


def test_get_record_answers_a_legacy_identifier_under_the_canonical_one(provider):
    root = ask(provider, verb="GetRecord", identifier="oai:merimee:PA00000001", metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id("merimee", "PA00000001")]
    assert request_of(root)[0]["identifier"] == "oai:merimee:PA00000001"  # the request is echoed as sent


def test_a_notice_s_header_lists_no_partner_set_its_source_cannot_name(provider):
    root = ask(provider, verb="GetRecord", identifier=oai_id("palissy", "PM00000002"), metadataPrefix="objects")
    assert [s.text for s in root.iterfind(".//oai:setSpec", NS)] == ["palissy", "palissy:valence", "partner"]


# --- every error, and what <request> echoes ----------------------------------------------------------------
GET = {"verb": "GetRecord", "metadataPrefix": "oai_dc"}
LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
ERRORS = [
    # badVerb and badArgument: <request> carries no attribute
    ([], "badVerb", "the verb argument is missing"),
    ([("verb", "Identify"), ("verb", "Identify")], "badVerb", "the verb argument is repeated"),
    ([("verb", "listrecords")], "badVerb", "'listrecords' is not an OAI-PMH verb (one of: Identify, "
     "ListMetadataFormats, ListSets, GetRecord, ListIdentifiers, ListRecords)"),
    ([("identifier", "x")], "badVerb", "the verb argument is missing"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "oai_dc")], "badArgument",
     "repeated argument: metadataPrefix"),
    ([("verb", "Identify"), ("set", "joconde"), ("from", "2024-01-01")], "badArgument",
     "Identify does not take from, set"),
    ([("verb", "ListSets"), ("metadataPrefix", "oai_dc")], "badArgument", "ListSets does not take metadataPrefix"),
    ([("verb", "GetRecord"), ("identifier", oai_id("museo", "M0001"))], "badArgument",
     "GetRecord requires metadataPrefix"),
    ([("verb", "GetRecord")], "badArgument", "GetRecord requires identifier, metadataPrefix"),
    ([("verb", "ListIdentifiers")], "badArgument", "ListIdentifiers requires metadataPrefix"),
    ([("verb", "ListRecords"), ("resumptionToken", "t"), ("metadataPrefix", "oai_dc"), ("set", "joconde")],
     "badArgument", "resumptionToken must be the only argument besides verb (also got metadataPrefix, set)"),
    ([("verb", "GetRecord"), ("resumptionToken", "t")], "badArgument", "GetRecord does not take resumptionToken"),
    ([*LIST.items(), ("from", "2024-13-01")], "badArgument",
     "from='2024-13-01' is not a UTC date of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"),
    ([*LIST.items(), ("until", "2024-01-01T00:00:00")], "badArgument",
     "until='2024-01-01T00:00:00' is not a UTC date of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"),
    ([*LIST.items(), ("from", "2024-01-01"), ("until", "2024-01-02T00:00:00Z")], "badArgument",
     "from and until must have the same granularity"),
    ([*LIST.items(), ("from", "2024-02-01"), ("until", "2024-01-31")], "badArgument", "from is later than until"),
    ([("verb", "ListRecords"), ("metadataPrefix", "marc 21")], "badArgument",
     "metadataPrefix='marc 21' is not a metadataPrefix (letters, digits and -_.!~*'())"),
    ([*LIST.items(), ("set", "joconde:")], "badArgument",
     "set='joconde:' is not a setSpec (segments of letters, digits and -_.!~*'(), separated by ':')"),
    ([*GET.items(), ("identifier", "oai:x\x00y")], "badArgument",
     "identifier='oai:x\\x00y' holds characters that XML cannot carry"),
    ([("verb", "Identify"), ("x\x01\ud800", "1")], "badArgument", "Identify does not take x\\x01\\ud800"),
    # every other error echoes the request's verb and arguments
    ([("verb", "ListRecords"), ("resumptionToken", "garbage")], "badResumptionToken",
     "the resumption token was not issued by this repository, or was altered"),
    ([("verb", "ListRecords"), ("metadataPrefix", "marc21")], "cannotDisseminateFormat",
     "'marc21' is not a metadata format of this repository (see ListMetadataFormats)"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "nowhere"), ("set", "joconde")], "cannotDisseminateFormat",
     "'nowhere' is not a metadata format of this repository (see ListMetadataFormats)"),
    ([("verb", "GetRecord"), ("identifier", oai_id("joconde", "NOPE")), ("metadataPrefix", "marc21")],
     "cannotDisseminateFormat", "'marc21' is not a metadata format of this repository (see ListMetadataFormats)"),
    ([("verb", "GetRecord"), ("identifier", oai_id("museo", "M0001")), ("metadataPrefix", "objects")],
     "cannotDisseminateFormat", f"{oai_id('museo', 'M0001')} is not available in objects"),
    ([("verb", "GetRecord"), ("identifier", oai_id("joconde", "000PE000005")), ("metadataPrefix", "objects")],
     "cannotDisseminateFormat", f"{oai_id('joconde', '000PE000005')} is not available in objects"),
    ([*GET.items(), ("identifier", oai_id("joconde", "NOPE"))], "idDoesNotExist",
     f"'{oai_id('joconde', 'NOPE')}' is not an identifier of this repository"),
    ([*GET.items(), ("identifier", "oai:elsewhere.org:joconde:000PE000001")], "idDoesNotExist",
     "'oai:elsewhere.org:joconde:000PE000001' is not an identifier of this repository"),
    ([*GET.items(), ("identifier", f"oai:{REPO}:joconde:")], "idDoesNotExist",
     f"'oai:{REPO}:joconde:' is not an identifier of this repository"),
    ([*GET.items(), ("identifier", "000PE000001")], "idDoesNotExist",
     "'000PE000001' is not an identifier of this repository"),
    ([*GET.items(), ("identifier", "<&\">")], "idDoesNotExist", "'<&\">' is not an identifier of this repository"),
    ([("verb", "ListMetadataFormats"), ("identifier", "oai:louvre:1")], "idDoesNotExist",
     "'oai:louvre:1' is not an identifier of this repository"),
    ([*LIST.items(), ("from", "2030-01-01")], "noRecordsMatch", "no record matches these arguments"),
    ([*LIST.items(), ("until", "2000-01-01T00:00:00Z")], "noRecordsMatch", "no record matches these arguments"),
    ([*LIST.items(), ("set", "louvre")], "noRecordsMatch", "this repository has no set 'louvre'"),
    ([*LIST.items(), ("set", "joconde:nosuchproducer")], "noRecordsMatch", "no record matches these arguments"),
    ([("verb", "ListRecords"), ("metadataPrefix", "objects"), ("set", "museo")], "noRecordsMatch",
     "the museo notices are not available in objects"),
]


@pytest.mark.parametrize("pairs, code, message", ERRORS, ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(ERRORS)])
def test_every_error_has_its_code_and_message_and_echoes_only_what_the_spec_allows(provider, pairs, code, message):
    response = provider.handle(pairs)
    assert response.status == 200 and response.error == code
    root = etree.fromstring(b"".join(response.body))  # well-formed, whatever the request held
    assert error(root) == (code, message)
    attributes, text = request_of(root)
    assert text == BASE_URL
    if code in ("badVerb", "badArgument"):
        assert attributes == {}
    else:
        assert attributes == dict(pairs) and response.verb == dict(pairs)["verb"]
    if code == "badVerb":
        assert response.verb is None
    assert [child.tag.replace(OAI, "") for child in root] == ["responseDate", "request", "error"]


def test_every_answer_is_valid_against_the_oai_pmh_schema(provider):
    from tests.app.oai_xml import assert_valid  # skips when the official schemas are absent
    answers = [pairs for pairs, _, _ in ERRORS] + [
        [("verb", "Identify")], [("verb", "ListMetadataFormats")], [("verb", "ListSets")],
        [*GET.items(), ("identifier", oai_id("joconde", "000PE000001"))],
        [*GET.items(), ("identifier", oai_id("joconde", "000PE000003"))],
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")],
        [("verb", "ListIdentifiers"), ("metadataPrefix", "objects"), ("set", "partner")],
    ]
    for pairs in answers:
        assert_valid(b"".join(provider.handle(pairs).body))
