"""A harvested notice keeps its partner's rights: oai_dc and LIDO state the partner's licence and rights texts,
EDM maps them to a Europeana rights URI or leaves the notice out — never POP's Licence Ouverte."""
from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from formats.registry import get_format, public_notice  # first: the registry imports every format module

from formats.bases import get_base
from formats.edm import NO_RIGHTS, left_out_reason
from formats.notice import validate_notice

from .europeana import edm_schema, lido_schema, sample_notice, schematron_errors, xpath_texts, xsd_errors

NS = {"dc": "http://purl.org/dc/elements/1.1/", "lido": "http://www.lido-schema.org",
      "edm": "http://www.europeana.eu/schemas/edm/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "ore": "http://www.openarchives.org/ore/terms/"}
CC_BY_NC_SA = "https://creativecommons.org/licenses/by-nc-sa/4.0/"
POP_LICENCE = ("Licence Ouverte", "licence-ouverte", "etalab")


def partner_notice(fields: dict, licence: str | None = "CC-BY-NC-SA-4.0"):
    notice = validate_notice(get_base("joconde"), fields, source="museum", source_identifier="oai:museum:1",
                             licence=licence)
    return public_notice(notice)


def rendered(prefix: str, notice) -> tuple[str | None, etree._Element | None]:
    xml = get_format(prefix).render(notice)
    if xml is not None:
        assert not any(word in xml for word in POP_LICENCE), xml
    return xml, etree.fromstring(xml.encode()) if xml else None


def test_a_licensed_partner_notice_states_its_licence_and_texts_never_pop_licence():
    sample = sample_notice("joconde")
    notice = replace(sample, source="museum", source_identifier="oai:museum:1", licence="CC-BY-NC-SA-4.0")
    _, dc = rendered("oai_dc", notice)
    rights = xpath_texts(dc, "dc:rights", NS)
    assert rights == [sample.fields["COPY"], sample.fields["PHOT"], CC_BY_NC_SA]
    xml, lido = rendered("lido", notice)
    assert xsd_errors(lido_schema(), xml) == []
    assert xpath_texts(lido, "//lido:recordRights/lido:rightsType/lido:conceptID", NS) == [CC_BY_NC_SA]
    assert xpath_texts(lido, "//lido:recordRights/lido:rightsType/lido:term", NS) == ["CC BY-NC-SA 4.0"]
    assert sorted(xpath_texts(lido, "//lido:recordRights/lido:creditLine", NS)) == sorted(rights[:-1])
    xml, edm = rendered("edm", notice)
    assert xsd_errors(edm_schema(), xml) == [] and schematron_errors(xml) == []
    # its images' own credits ("© RMN…") decide for them, as for POP's own notices
    assert set(xpath_texts(edm, "//edm:rights/@rdf:resource", NS)) == {"http://rightsstatements.org/vocab/InC/1.0/"}


def test_without_images_edm_takes_the_licence_first():
    xml, edm = rendered("edm", partner_notice({"REF": "000PE000001", "TICO": "Vase", "DENO": ["vase"],
                                                "COPY": "© Musée de la céramique"}))
    assert xsd_errors(edm_schema(), xml) == [] and schematron_errors(xml) == []
    assert xpath_texts(edm, "//ore:Aggregation/edm:rights/@rdf:resource", NS) == [
        "http://creativecommons.org/licenses/by-nc-sa/4.0/"]
    assert xpath_texts(edm, "//ore:Aggregation/dc:rights", NS) == ["© Musée de la céramique"]


@pytest.mark.parametrize("copy, edm_rights", [
    ("© Musée de la céramique", "http://rightsstatements.org/vocab/InC/1.0/"),
    (None, None),  # nothing stated: out of EDM, rather than a statement POP would make up
])
def test_a_partner_without_licence_states_only_what_its_records_say(copy, edm_rights):
    fields = {"REF": "000PE000001", "TICO": "Vase", "DENO": ["vase"], **({"COPY": copy} if copy else {})}
    notice = partner_notice(fields, licence=None)
    _, dc = rendered("oai_dc", notice)
    assert xpath_texts(dc, "dc:rights", NS) == ([copy] if copy else [])
    xml, lido = rendered("lido", notice)
    assert xsd_errors(lido_schema(), xml) == []
    assert xpath_texts(lido, "//lido:recordRights/lido:creditLine", NS) == ([copy] if copy else [])
    assert not xpath_texts(lido, "//lido:recordRights/lido:rightsType/lido:term", NS)
    xml, edm = rendered("edm", notice)
    if edm_rights is None:
        assert xml is None and left_out_reason(notice) == NO_RIGHTS
    else:
        assert xpath_texts(edm, "//ore:Aggregation/edm:rights/@rdf:resource", NS) == [edm_rights]
        assert left_out_reason(notice) is None


def test_pop_own_notices_are_never_left_out_for_their_rights():
    assert left_out_reason(public_notice(validate_notice(get_base("joconde"), {"REF": "000PE000001",
                                                                                "TICO": "Vase"}))) is None
