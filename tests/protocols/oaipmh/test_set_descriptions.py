"""ListSets: every set describes itself in oai_dc — what it holds, how many published notices, the rights of
each source (the Licence Ouverte for POP's own notices only, a partner's licence or its records' own rights
for its notices), a link to the base's exports — and the response stays valid against OAI-PMH.xsd with
oai_dc.xsd checking the descriptions strictly."""
from __future__ import annotations

from lxml import etree

from formats.links import LICENCE_OUVERTE
from tests.app.oai_xml import NS, assert_valid

from .memory import ask

DC = "{http://purl.org/dc/elements/1.1/}"


def _descriptions(root: etree._Element) -> dict[str, dict[str, list[str]]]:
    sets = {}
    for node in root.iterfind(".//oai:set", NS):
        dc = node.find("oai:setDescription/oai_dc:dc", NS)
        values: dict[str, list[str]] = {}
        for child in dc:
            values.setdefault(child.tag.removeprefix(DC), []).append(child.text)
        sets[node.findtext("oai:setSpec", namespaces=NS)] = values
    return sets


def test_each_set_counts_its_notices_and_states_the_rights_of_each_source(provider, repository):
    repository.add("palissy", "PM00000003", repository.notices[-1].item.datestamp, producer="lyon", source="lyon",
                   licence="CC-BY-SA-4.0")
    root = ask(provider, verb="ListSets")
    sets = _descriptions(root)
    assert set(sets) == {s.findtext("oai:setSpec", namespaces=NS) for s in root.iterfind(".//oai:set", NS)}
    joconde = sets["joconde"]
    assert joconde["title"] == ["Joconde"] and "4 notices publiées" in joconde["description"][0]  # 1 deleted
    assert joconde["rights"] == [f"Notices de POP : Licence Ouverte 2.0 ({LICENCE_OUVERTE})",
                                 "Notices de musee-valence : droits tels qu'indiqués par le partenaire dans ses notices"]
    assert joconde["relation"] == ["http://testserver/exports/#joconde"]
    assert sets["joconde:archives"]["rights"] == joconde["rights"][:1]
    assert "1 notice publiée" in sets["joconde:archives"]["description"][0]
    lyon = sets["partner:lyon"]
    assert lyon["rights"] == ["Notices de lyon : CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)"]
    assert not any("Licence Ouverte" in text for text in sets["partner"]["rights"])  # never POP's for partners
    assert "3 notices publiées" in sets["partner"]["description"][0]
    assert "rights" not in sets["mnr"] and "0 notices publiées" in sets["mnr"]["description"][0]


def test_list_sets_with_descriptions_is_valid_against_the_schemas(provider):
    response = provider.handle([("verb", "ListSets")])
    assert_valid(b"".join(response.body))
