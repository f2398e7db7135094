"""ListIdentifiers and ListRecords as a library, over a repository in memory (catalogue: conftest.py): keyset
pages on (datestamp, id), resumption tokens (cursor, completeListSize, expiry, re-sent, refused), `until`
frozen at the first request, from/until bounds, sets and tombstones."""
from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree

from protocols.oaipmh import Provider

from .memory import FORMATS, NS, OAI, ask, config, error, identifiers, oai_id, rendition, token

ORDER = [  # the catalogue in (datestamp, id) order: every notice has an oai_dc rendition or is a tombstone
    ("joconde", "000PE000001"), ("joconde", "000PE000002"), ("joconde", "000PE000003"), ("merimee", "PA00000001"),
    ("palissy", "PM00000001"), ("museo", "M0001"), ("joconde", "000PE000004"), ("palissy", "PM00000002"),
    ("joconde", "000PE000005"), ("merimee", "PA00000002"),
]
ALL = [oai_id(base, ref) for base, ref in ORDER]


def harvest(provider, verb="ListRecords", **arguments):
    """Follow a list to its end: the pages' roots."""
    pages = [ask(provider, verb=verb, **arguments)]
    while (element := token(pages[-1])) is not None and element.text:
        pages.append(ask(provider, verb=verb, resumptionToken=element.text))
    return pages


def listed(pages):
    return [identifier for page in pages for identifier in identifiers(page)]


def tokens_of(pages):
    return [(t.get("cursor"), t.get("completeListSize"), t.get("expirationDate"), bool(t.text))
            for t in map(token, pages) if t is not None]


# --- pages and tokens -----------------------------------------------------------------------------------
def test_list_records_pages_through_the_list_in_keyset_order_with_cursor_size_and_expiry(provider):
    pages = harvest(provider, metadataPrefix="oai_dc")
    assert [len(identifiers(page)) for page in pages] == [3, 3, 3, 1]
    assert listed(pages) == ALL
    expires = "2024-06-02T12:00:00Z"  # 24 h after the clock's now
    assert tokens_of(pages) == [("0", "10", expires, True), ("3", "10", expires, True), ("6", "10", expires, True),
                                ("9", "10", None, False)]  # the last page: an empty token, no expiry


def test_list_records_carries_renditions_and_tombstones_as_deleted_headers(provider):
    records = [r for page in harvest(provider, metadataPrefix="oai_dc") for r in page.iterfind(".//oai:record", NS)]
    deleted = [r.find("oai:header/oai:identifier", NS).text for r in records
               if r.find("oai:header", NS).get("status") == "deleted"]
    assert deleted == [oai_id("joconde", "000PE000003"), oai_id("merimee", "PA00000002")]
    assert all((r.find("oai:metadata", NS) is None) == (r.find("oai:header", NS).get("status") == "deleted")
               for r in records)
    body = b"".join(provider.handle([("verb", "ListRecords"), ("metadataPrefix", "oai_dc")]).body)
    assert f"<metadata>{rendition('oai_dc', '000PE000001')}</metadata>".encode() in body


def test_list_identifiers_sends_headers_only_at_its_own_page_size(provider):
    pages = harvest(provider, "ListIdentifiers", metadataPrefix="oai_dc")
    assert [len(identifiers(page)) for page in pages] == [4, 4, 2]
    assert listed(pages) == ALL
    assert [t[:2] for t in tokens_of(pages)] == [("0", "10"), ("4", "10"), ("8", "10")]
    assert all(page.find(".//oai:record", NS) is None and page.find(".//oai:metadata", NS) is None for page in pages)
    assert all(page.find("oai:ListIdentifiers", NS) is not None for page in pages)


def test_a_list_that_fits_in_one_page_carries_no_token(provider):
    root = ask(provider, verb="ListRecords", metadataPrefix="oai_dc", set="merimee")
    assert identifiers(root) == [oai_id("merimee", "PA00000001"), oai_id("merimee", "PA00000002")]
    assert token(root) is None


def test_a_list_that_ends_on_a_page_boundary_ends_with_an_empty_token(repository, clock):
    provider = Provider(repository, config(records_page_size=5), formats=FORMATS, clock=clock)
    pages = harvest(provider, metadataPrefix="oai_dc")
    assert listed(pages) == ALL
    assert tokens_of(pages) == [("0", "10", "2024-06-02T12:00:00Z", True), ("5", "10", None, False)]


def test_a_resent_token_returns_the_same_page(provider):
    second = token(ask(provider, verb="ListIdentifiers", metadataPrefix="oai_dc")).text
    pairs = [("verb", "ListIdentifiers"), ("resumptionToken", second)]
    bodies = [b"".join(provider.handle(pairs).body) for _ in range(2)]
    assert bodies[0] == bodies[1]
    assert identifiers(etree.fromstring(bodies[0])) == ALL[4:8]


def test_the_request_of_a_resumed_page_echoes_the_token_alone(provider):
    second = token(ask(provider, verb="ListRecords", metadataPrefix="oai_dc", set="joconde")).text
    root = ask(provider, verb="ListRecords", resumptionToken=second)
    assert root.find(f"{OAI}request").attrib == {"verb": "ListRecords", "resumptionToken": second}


def test_tokens_carry_the_set_and_dates_of_the_first_request(provider):
    pages = harvest(provider, metadataPrefix="oai_dc", set="joconde", until="2024-03-04T08:00:00Z")
    assert listed(pages) == [oai_id("joconde", ref) for ref in ("000PE000001", "000PE000002", "000PE000003",
                                                                "000PE000004")]
    assert tokens_of(pages)[-1] == ("3", "4", None, False)


# --- the frozen window and keyset positions -------------------------------------------------------------
def test_until_is_frozen_at_the_first_request_minus_the_commit_lag(provider, repository, clock):
    first = ask(provider, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2030-01-01")
    # Written after the list started, or in its last two seconds (a batch may commit that late): not in it.
    repository.add("museo", "M0009", clock.now - timedelta(seconds=1))
    clock.advance(minutes=10)
    repository.add("museo", "M0010", clock.now - timedelta(minutes=1))
    pages = [first, *harvest_from(provider, "ListIdentifiers", first)]
    assert listed(pages) == ALL and tokens_of(pages)[-1][:2] == ("8", "10")
    # A list started now sees them both.
    assert listed(harvest(provider, "ListIdentifiers", metadataPrefix="oai_dc"))[-2:] == \
        [oai_id("museo", "M0009"), oai_id("museo", "M0010")]


def harvest_from(provider, verb, page):
    pages = []
    while (element := token(page)) is not None and element.text:
        page = ask(provider, verb=verb, resumptionToken=element.text)
        pages.append(page)
    return pages


def test_a_notice_updated_mid_list_shifts_no_page(provider, repository, clock):
    # Offsets would skip a notice here: one already sent leaves the window, the rest stays where it was.
    first = ask(provider, verb="ListRecords", metadataPrefix="oai_dc")
    sent = repository.get("joconde", "000PE000001", None)
    repository.update(sent, clock.now)
    pages = [first, *harvest_from(provider, "ListRecords", first)]
    assert listed(pages) == ALL
    assert tokens_of(pages)[-1][:2] == ("9", "10")  # the size counted by the first page


def test_when_the_rest_of_a_list_is_gone_a_resent_token_matches_no_record(provider, repository, clock):
    first = ask(provider, verb="ListIdentifiers", metadataPrefix="oai_dc")
    second = ask(provider, verb="ListIdentifiers", resumptionToken=token(first).text)
    final = token(second).text  # asks for the last page: notices 9 and 10
    for base, ref in ORDER[8:]:
        repository.update(repository.get(base, ref, None), clock.now)
    root = ask(provider, verb="ListIdentifiers", resumptionToken=final)
    assert error(root) == ("noRecordsMatch", "the rest of this list is gone: start the list again")


# --- from and until -------------------------------------------------------------------------------------
@pytest.mark.parametrize("bounds, expected", [
    ({"from": "2024-03-02T08:00:00Z"}, ALL[3:]),  # inclusive, to the second
    ({"from": "2024-03-02T08:00:01Z"}, ALL[5:]),
    ({"until": "2024-03-02T08:00:00Z"}, ALL[:5]),
    ({"until": "2024-03-02T07:59:59Z"}, ALL[:3]),
    ({"from": "2024-03-02T08:00:00Z", "until": "2024-03-02T08:00:00Z"}, ALL[3:5]),
    ({"from": "2024-03-02"}, ALL[3:]),  # a day `from` starts at 00:00:00
    ({"until": "2024-03-01"}, ALL[:3]),  # a day `until` runs to 23:59:59
    ({"from": "2024-03-02", "until": "2024-03-04"}, ALL[3:8]),
    ({"from": "2024-03-11", "until": "2024-03-11"}, ALL[8:]),
    ({"until": "2030-01-01T00:00:00Z"}, ALL),
])
def test_from_and_until_are_inclusive_at_both_granularities(provider, bounds, expected):
    assert listed(harvest(provider, "ListIdentifiers", metadataPrefix="oai_dc", **bounds)) == expected


def test_from_after_the_frozen_until_matches_nothing(provider, clock):
    root = ask(provider, verb="ListIdentifiers", metadataPrefix="oai_dc",
               **{"from": (clock.now - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert error(root)[0] == "noRecordsMatch"


# --- sets and formats -----------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix, spec, expected", [
    ("oai_dc", "joconde", [0, 1, 2, 6, 8]),
    ("oai_dc", "joconde:musee", [0, 2, 8]),
    ("oai_dc", "palissy:valence", [7]),
    ("oai_dc", "merimee:mh", [3, 9]),
    ("oai_dc", "partner", [6, 7]),  # every harvested notice, whatever its partner's name
    ("oai_dc", "partner:musee-valence", [6]),
    ("objects", None, [0, 1, 2, 4, 6, 7]),  # its bases' notices that have a rendition in it, and tombstones
    ("objects", "palissy", [4, 7]),
])
def test_sets_select_bases_producers_and_partners(provider, prefix, spec, expected):
    arguments = {"metadataPrefix": prefix, **({"set": spec} if spec else {})}
    assert listed(harvest(provider, **arguments)) == [ALL[n] for n in expected]


def test_a_partner_set_without_notices_matches_no_record(provider):
    root = ask(provider, verb="ListIdentifiers", metadataPrefix="oai_dc", set="partner:lyon")
    assert error(root) == ("noRecordsMatch", "no record matches these arguments")


# --- refused tokens -------------------------------------------------------------------------------------
def first_token(provider, verb="ListRecords", prefix="oai_dc"):
    return token(ask(provider, verb=verb, metadataPrefix=prefix)).text


def refused(provider, verb, text):
    root = ask(provider, verb=verb, resumptionToken=text)
    assert root.find(f"{OAI}request").attrib == {"verb": verb, "resumptionToken": text}
    code, message = error(root)
    assert code == "badResumptionToken"
    return message


def test_a_tampered_token_is_refused(provider):
    text = first_token(provider)
    tampered = text[:-3] + ("AAA" if text[-3:] != "AAA" else "BBB")
    for bad in (tampered, text + "x", "garbage", ""):
        assert refused(provider, "ListRecords", bad) == \
            "the resumption token was not issued by this repository, or was altered"


def test_a_token_signed_with_another_key_is_refused(provider, repository, clock):
    foreign = Provider(repository, config(secret_key="another key"), formats=FORMATS, clock=clock)
    assert refused(provider, "ListRecords", first_token(foreign)) == \
        "the resumption token was not issued by this repository, or was altered"


def test_a_token_continues_only_the_verb_that_issued_it(provider):
    assert refused(provider, "ListIdentifiers", first_token(provider)) == \
        "this resumption token continues ListRecords, not ListIdentifiers"


def test_a_token_expires_when_its_expiration_date_passes(provider, clock):
    text = first_token(provider)
    clock.advance(hours=24)  # the announced expirationDate: still good
    assert identifiers(ask(provider, verb="ListRecords", resumptionToken=text)) == ALL[3:6]
    clock.advance(seconds=1)
    assert refused(provider, "ListRecords", text) == "the resumption token has expired: start the list again"


def test_a_token_of_a_format_no_longer_offered_is_refused(provider, repository, clock):
    text = first_token(provider, prefix="objects")
    without = Provider(repository, config(), formats={"oai_dc": FORMATS["oai_dc"]}, clock=clock)
    assert refused(without, "ListRecords", text) == "the format 'objects' is no longer offered"
