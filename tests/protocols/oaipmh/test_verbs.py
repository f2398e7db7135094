"""The verb registry: one table that argument validation and dispatch both read, where adding a verb is one
line; and the syntax rules that keep every echoed argument legal in `<request>`."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

import pytest

from protocols.oaipmh import OAIError, Provider
from protocols.oaipmh.arguments import validate
from protocols.oaipmh.verbs import VERBS, Verb, VerbRule

from .memory import FORMATS, OAI, MemoryRepository, ask, config, error

SPEC_VERBS = ["Identify", "ListMetadataFormats", "ListSets", "GetRecord", "ListIdentifiers", "ListRecords"]


def code(pairs, verbs=VERBS):
    with pytest.raises(OAIError) as raised:
        validate(pairs, verbs)
    return raised.value.code


def test_the_registry_declares_the_six_verbs_of_the_spec_in_its_order():
    assert list(VERBS) == SPEC_VERBS and all(name == verb.name for name, verb in VERBS.items())


@pytest.mark.parametrize("name", SPEC_VERBS)
def test_validation_follows_each_verb_s_rule(name):
    rule = VERBS[name].rule
    required = [(key, "x") for key in sorted(rule.required)]
    assert validate([("verb", name), *required]).arguments == dict(required)
    for key in rule.required:
        assert code([("verb", name), *(pair for pair in required if pair[0] != key)]) == "badArgument"
    for key in rule.optional:
        assert validate([("verb", name), *required, (key, "2024-01-01")]).arguments[key] == "2024-01-01"
    assert code([("verb", name), *required, ("unknown", "x")]) == "badArgument"
    if rule.exclusive:
        assert validate([("verb", name), (rule.exclusive, "t")]).arguments == {rule.exclusive: "t"}


class Pinging(Provider):
    def _ping(self, _args: Mapping[str, str], now: datetime) -> list[str]:
        return ["<Identify><repositoryName>pong</repositoryName></Identify>"]


def test_adding_a_verb_is_one_registry_line_and_its_handler(clock):
    verbs = {**VERBS, "Ping": Verb("Ping", VerbRule(optional=frozenset({"identifier"})), "_ping")}
    provider = Pinging(MemoryRepository(), config(), formats=FORMATS, clock=clock, verbs=verbs)
    root = ask(provider, verb="Ping", identifier="x")
    assert root.find(f"{OAI}request").attrib == {"verb": "Ping", "identifier": "x"}
    assert root.find(f".//{OAI}repositoryName").text == "pong"
    assert error(ask(provider, verb="Ping", set="x")) == ("badArgument", "Ping does not take set")
    assert error(ask(provider, verb="Pong"))[1].endswith("ListIdentifiers, ListRecords, Ping)")


def test_a_verb_without_its_handler_fails_when_the_provider_is_built(clock):
    verbs = {**VERBS, "Ping": Verb("Ping", VerbRule(), "_ping")}
    with pytest.raises(AttributeError, match="_ping"):
        Provider(MemoryRepository(), config(), formats=FORMATS, clock=clock, verbs=verbs)


@pytest.mark.parametrize("key, value", [
    ("metadataPrefix", "oai_dc"), ("metadataPrefix", "x-._!~*'()9"), ("set", "joconde"),
    ("set", "joconde:musee-de-l'ain"), ("set", "a:b:c"), ("identifier", "oai:x:<&\"> é"), ("identifier", ""),
])
def test_legal_values_pass(key, value):
    pairs = {"verb": "GetRecord" if key == "identifier" else "ListRecords", "metadataPrefix": "oai_dc", key: value}
    assert validate(list(pairs.items())).arguments[key] == value


@pytest.mark.parametrize("pairs", [
    [("verb", "ListRecords"), ("metadataPrefix", "")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai dc")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", ":joconde")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "joconde::musee")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "musée")],
    [("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", "a\x0bb")],
    [("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", "a\ufffe")],
    [("verb", "ListRecords"), ("resumptionToken", "\x00")],
])
def test_values_the_response_could_not_echo_are_bad_arguments(pairs):
    assert code(pairs) == "badArgument"


def test_an_error_message_is_always_text_xml_can_carry():
    assert OAIError("badArgument", "a\x00b\ud800c\tdé").message == "a\\x00b\\ud800c\tdé"
