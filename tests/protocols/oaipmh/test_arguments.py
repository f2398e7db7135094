"""Argument validation per verb, without a server."""
import pytest

from protocols.oaipmh.arguments import validate
from protocols.oaipmh.errors import OAIError


def code(pairs):
    with pytest.raises(OAIError) as raised:
        validate(pairs)
    return raised.value.code


def test_a_valid_request_keeps_its_arguments():
    request = validate([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "joconde")])
    assert request.verb == "ListRecords" and dict(request.arguments) == {"metadataPrefix": "oai_dc", "set": "joconde"}


def test_a_missing_unknown_or_repeated_verb_is_bad_verb():
    assert code([]) == "badVerb"
    assert code([("verb", "listrecords")]) == "badVerb"
    assert code([("verb", "Identify"), ("verb", "Identify")]) == "badVerb"


def test_missing_unknown_and_repeated_arguments_are_bad_argument():
    assert code([("verb", "GetRecord"), ("identifier", "x")]) == "badArgument"
    assert code([("verb", "Identify"), ("metadataPrefix", "oai_dc")]) == "badArgument"
    assert code([("verb", "ListIdentifiers"), ("metadataPrefix", "a"), ("metadataPrefix", "a")]) == "badArgument"


def test_a_resumption_token_stands_alone():
    assert validate([("verb", "ListSets"), ("resumptionToken", "t")]).arguments == {"resumptionToken": "t"}
    assert code([("verb", "ListRecords"), ("resumptionToken", "t"), ("set", "joconde")]) == "badArgument"
    assert code([("verb", "GetRecord"), ("resumptionToken", "t")]) == "badArgument"
