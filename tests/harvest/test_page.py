"""Reading OAI-PMH pages: whole when well-formed, record by record when not, never expanding entities."""
from __future__ import annotations

import pickle

import pytest

from harvest.client import BadResumptionToken
from harvest.page import BrokenPage, read_page
from harvest.xmlsafe import UnsafeXML, parse_xml

from .oai_partner import PartnerRecord, ScriptedPartner


def page_bytes(records, token=None, prefix=b"") -> bytes:
    partner = ScriptedPartner([records, []] if token else [records], page_prefix={0: prefix})
    return partner.list_records({"verb": "ListRecords", "metadataPrefix": "pop"})[1]


def dc(title: bytes) -> bytes:
    return b"<oai_dc:dc><dc:title>" + title + b"</dc:title></oai_dc:dc>"


def test_a_real_lido_feed_page_reads_whole(shared_dir):
    page = read_page((shared_dir / "samples/oai-pmh/kenom_ListRecords_lido_v1.0.xml").read_bytes())
    assert (len(page.records), page.token, page.complete_list_size) == (20, "oai_1721138630738", 118043)
    assert page.records[0].identifier == "record_DE-68_kenom_123644"
    assert page.records[0].metadata.tag == "{http://www.lido-schema.org}lido"
    assert all(r.problem is None for r in page.records)


def test_the_spec_examples_read(shared_dir):
    page = read_page((shared_dir / "samples/oai-pmh/spec_ex-sec4.5b.xml").read_bytes())
    assert [r.identifier for r in page.records] == ["oai:perseus:Perseus:text:1999.02.0084",
                                                    "oai:perseus:Perseus:text:1999.02.0083"]


def test_deleted_headers_and_set_specs():
    page = read_page(page_bytes([PartnerRecord("oai:x:1", "2026-01-01", deleted=True, sets=("a", "b"))]))
    [record] = page.records
    assert (record.deleted, record.set_specs, record.metadata) == (True, ("a", "b"), None)


@pytest.mark.parametrize("bad", [b"form \x0c feed", "é".encode("latin-1"), b"&undefined;", b"<unclosed>"],
                         ids=["control-character", "latin-1-bytes", "undefined-entity", "unclosed-element"])
def test_a_broken_record_is_isolated_with_its_problem_and_raw_bytes(bad):
    records = [PartnerRecord("oai:x:1", "2026-01-01", dc(b"good")), PartnerRecord("oai:x:2", "2026-01-01", dc(bad)),
               PartnerRecord("oai:x:3", "2026-01-01", dc(b"also good"))]
    page = read_page(page_bytes(records, token=True))
    assert [r.identifier for r in page.records] == ["oai:x:1", "oai:x:2", "oai:x:3"]
    assert [r.problem is None for r in page.records] == [True, False, True]
    assert page.records[1].problem.startswith("not well-formed XML")
    assert page.records[1].raw.startswith("<record><header><identifier>oai:x:2")
    assert page.records[2].metadata[0].text == "also good"
    assert page.token == "|~1"


def test_an_entity_bomb_is_never_expanded():
    bomb = (b'<!DOCTYPE OAI-PMH [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), bytes([97 + i]) * 0 + (b"&" + bytes([97 + i]) + b";") * 10)
                       for i in range(9)) + b"]>")
    records = [PartnerRecord("oai:x:1", "2026-01-01", dc(b"&j;")), PartnerRecord("oai:x:2", "2026-01-01", dc(b"ok"))]
    page = read_page(page_bytes(records, prefix=bomb))
    assert page.records[0].problem is not None and "j" in page.records[0].problem
    assert page.records[1].metadata[0].text == "ok"
    with pytest.raises(UnsafeXML, match="DTD"):
        parse_xml(page_bytes(records, prefix=bomb))


@pytest.mark.parametrize("body", [b"<html>Service unavailable</html>", b""], ids=["html", "empty"])
def test_what_is_not_oai_pmh_is_a_broken_page(body):
    with pytest.raises(BrokenPage):
        read_page(body)


def test_a_truncated_page_is_a_broken_page_not_a_record_problem():
    data = page_bytes([PartnerRecord("oai:x:1", "2026-01-01", dc(b"good"))] * 3)
    with pytest.raises(BrokenPage, match="truncated"):
        read_page(data[: len(data) - 40])


def test_oai_errors_are_read():
    page = read_page(ScriptedPartner([]).error("badResumptionToken"))
    assert page.error_code == "badResumptionToken"


def test_a_broken_latin1_page_keeps_its_declared_encoding_for_the_good_records():
    records = [PartnerRecord("oai:x:1", "2026-01-01", dc("Église".encode("latin-1"))),
               PartnerRecord("oai:x:2", "2026-01-01", dc(b"\x01"))]
    partner = ScriptedPartner([records], encoding_declared="ISO-8859-1")
    page = read_page(partner.list_records({"verb": "ListRecords", "metadataPrefix": "pop"})[1])
    assert page.records[0].metadata[0].text == "Église"
    assert page.records[1].problem.startswith("not well-formed XML")


@pytest.mark.parametrize("bad", [None, b"form \x0c feed"], ids=["well-formed", "read-record-by-record"])
def test_a_detached_page_crosses_processes_and_still_gives_each_record_as_received(bad):
    """The reader process sends pages back pickled, without lxml trees; a record's raw XML (quarantined when
    its notice conflicts) is read again from the page's bytes."""
    records = [PartnerRecord(f"oai:x:{n}", "2026-01-01", dc(b"title %d" % n)) for n in range(3)]
    if bad:
        records[1] = PartnerRecord("oai:x:1", "2026-01-01", dc(bad))
    page = read_page(page_bytes(records, token=True))
    expected = [record.raw for record in read_page(page_bytes(records, token=True)).records]
    copy = pickle.loads(pickle.dumps(page.detach()))
    assert (copy.root, copy.data, [r.metadata for r in copy.records]) == (None, None, [None] * 3)
    assert [r.identifier for r in copy.records] == ["oai:x:0", "oai:x:1", "oai:x:2"]
    assert [r.raw for r in copy.records] == expected
    assert "title 2" in copy.records[2].raw


def test_partner_errors_cross_processes_whole():
    error = pickle.loads(pickle.dumps(BadResumptionToken("badResumptionToken", "expired")))
    assert isinstance(error, BadResumptionToken)
    assert (error.code, str(error)) == ("badResumptionToken", "partner answered OAI-PMH error badResumptionToken: expired")


RESPONSE_DATE_ONLY = (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
                      b"<responseDate>2026-01-02T03:04:05Z</responseDate><request>http://x/oai</request></OAI-PMH>")


@pytest.mark.parametrize("data, message", [
    (RESPONSE_DATE_ONLY, "the response has no <ListRecords> element (nor an <error>)"),
    (RESPONSE_DATE_ONLY.replace(b"<OAI-PMH", b'<!DOCTYPE OAI-PMH [<!ENTITY a "b">]><OAI-PMH'),
     "the response has no <ListRecords> element (nor an <error>)"),
    (page_bytes([PartnerRecord("oai:x:1", "2026-01-01", dc(b"a"))]).replace(b"ListRecords>", b"GetRecord>"),
     "the response has no <ListRecords> element (it has <GetRecord>)"),
    (page_bytes([PartnerRecord("oai:x:1", "2026-01-01", dc(b"\x0c"))]).replace(b"ListRecords>", b"ListIdentifiers>"),
     "the response has no <ListRecords> element (it has <ListIdentifiers>)"),
], ids=["response-date-only", "doctype-only", "another-verb", "another-verb-read-record-by-record"])
def test_a_page_counts_only_if_it_answers_the_verb_asked(data, message):
    with pytest.raises(BrokenPage) as raised:
        read_page(data, "ListRecords")
    assert str(raised.value) == message


def test_an_answer_to_another_verb_that_is_not_well_formed_gives_the_parser_reason():
    identify = ScriptedPartner([]).identify().replace(b"Scripted partner", b"Scripted \x0c partner")
    with pytest.raises(BrokenPage, match="^not well-formed XML: "):
        read_page(identify, "Identify")
    assert read_page(ScriptedPartner([]).identify(), "Identify").root is not None


def test_a_record_header_read_as_sent_whatever_the_order_of_its_parts():
    """Header children in any order, whitespace around values, a blank identifier, several setSpecs, an
    <about> before the metadata, and a record without a header."""
    data = (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<responseDate>2026-01-01T00:00:00Z</responseDate><request>x</request><ListRecords>"
            b"<record><header><setSpec> a </setSpec><datestamp>\n 2026-01-02 \n</datestamp>"
            b"<identifier> oai:x:1 </identifier><setSpec>b</setSpec><identifier>oai:x:other</identifier></header>"
            b"<about><provenance xmlns='http://www.openarchives.org/OAI/2.0/provenance'/></about>"
            b"<metadata><dc xmlns='http://purl.org/dc/elements/1.1/'/></metadata></record>"
            b"<record><header status='deleted'><identifier>  </identifier></header></record>"
            b"<record><metadata><dc/></metadata></record>"
            b"</ListRecords></OAI-PMH>")
    first, deleted, headless = read_page(data, "ListRecords").records
    assert (first.identifier, first.datestamp, first.set_specs) == ("oai:x:1", "2026-01-02", ("a", "b"))
    assert first.namespace == "http://purl.org/dc/elements/1.1/" and not first.deleted and first.problem is None
    assert (deleted.identifier, deleted.datestamp, deleted.deleted, deleted.set_specs) == ("", None, True, ())
    assert headless.problem == "record has no header"
