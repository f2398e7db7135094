"""/oai answers every request with a valid OAI-PMH document: any verbs (none, several, unknown), any argument
names and values (NUL, controls, U+FFFE, lone surrogates and bytes that are not UTF-8, values past every
limit, repeated arguments), by GET and by POST — never a 5xx, always well-formed and valid against OAI-PMH.xsd
(and the records' format schema), and after badVerb or badArgument a `<request>` without attributes."""
from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st
from lxml import etree

from formats.registry import FORMATS
from protocols.oaipmh.errors import NOT_XML
from protocols.oaipmh.verbs import VERBS

from .strategies import dates, hostile_text, values
from .support import SETS, assert_oai, error_code, fuzz, query_string, stock_refs, wire

ARGUMENTS = ("identifier", "metadataPrefix", "set", "from", "until", "resumptionToken")
PREFIXES = (*FORMATS, "marc21", "OAI_DC", "oai-dc")
IDENTIFIERS = (*(f"oai:pop.culture.gouv.fr:{base}:{ref}" for base, ref in stock_refs()),
               *(f"oai:{base}:{ref}" for base, ref in stock_refs()[::5]),
               "oai:pop.culture.gouv.fr:joconde:", "oai:elsewhere.org:joconde:000ET000000", "urn:x", "oai:")
KNOWN = {"identifier": IDENTIFIERS, "metadataPrefix": PREFIXES, "set": SETS, "resumptionToken": ("", "x", "0")}


def _argument(strategy_of) -> st.SearchStrategy:
    return st.sampled_from(ARGUMENTS).flatmap(lambda name: st.tuples(st.just(name), strategy_of(name)))


def _hostile(name: str) -> st.SearchStrategy:
    return dates() if name in ("from", "until") else values(*KNOWN[name])


# Anything: a verb (or none, or two), arguments with spoilt values and arguments of made-up names, in any order.
anything = st.tuples(
    st.lists(values(*VERBS, "identify", "ListRecord").map(lambda verb: ("verb", verb)), max_size=2),
    st.lists(st.one_of(_argument(_hostile), st.tuples(values(*ARGUMENTS, "Verb", "metadataprefix"), hostile_text)),
             max_size=5),
).flatmap(lambda drawn: st.permutations(drawn[0] + drawn[1]))
# Requests shaped by their verb's rule (its required arguments, some of its optional ones) with values among
# the known ones, so pages, tokens, records and the errors of legal requests are reached and validated too.
LEGAL_DATES = ("2024-03-01", "2024-03-02", "2024-03-01T08:01:00Z", "2024-03-02T08:00:00Z", "2020-01-01T00:00:00Z",
               "2030-01-01", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59Z")


def _plausible(name: str) -> st.SearchStrategy:
    if name in ("from", "until"):
        return st.one_of(st.sampled_from(LEGAL_DATES), dates())
    return st.sampled_from(KNOWN[name])


def _shaped(verb: str) -> st.SearchStrategy:
    rule = VERBS[verb].rule
    names = st.sets(st.sampled_from(sorted(rule.optional))) if rule.optional else st.just(set())
    return names.flatmap(lambda optional: st.tuples(*(st.tuples(st.just(name), _plausible(name))
                                                      for name in sorted(rule.required | optional))))


plausible = st.sampled_from(list(VERBS)).flatmap(lambda verb: _shaped(verb).map(
    lambda pairs: [("verb", verb), *pairs]))


def _illegal(pairs) -> bool:
    """Whether a name or value holds a character XML cannot carry once the server has decoded it."""
    return any(NOT_XML.search(wire(text).decode("utf-8", "replace")) for pair in pairs for text in pair)


def _answers(client, pairs, schemas) -> str | None:
    """GET and POST of the same pairs: both valid OAI-PMH answers with the same error code (returned)."""
    query = query_string(pairs)
    by_get = assert_oai(client.get("/oai", query_string=query), schemas)
    by_post = assert_oai(client.post("/oai", data=query, content_type="application/x-www-form-urlencoded"), schemas)
    assert error_code(by_get) == error_code(by_post), pairs
    event(f"answer: {error_code(by_get) or etree.QName(by_get[-1]).localname}")  # --hypothesis-show-statistics
    return error_code(by_get)


@given(pairs=anything)
@fuzz(150)
def test_any_request_gets_a_valid_oai_pmh_answer(fuzz_client, schemas, pairs):
    code = _answers(fuzz_client, pairs, schemas)
    if _illegal(pairs):
        assert code in ("badVerb", "badArgument"), (pairs, code)


@given(pairs=plausible)
@fuzz(150)
def test_plausible_requests_get_valid_pages_records_and_errors(fuzz_client, schemas, pairs):
    _answers(fuzz_client, pairs, schemas)
