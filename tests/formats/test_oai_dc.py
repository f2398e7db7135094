"""oai_dc: a considered mapping per base, valid against oai_dc.xsd, one element per value."""
from __future__ import annotations

import pytest
from lxml import etree

from formats.registry import public_notice  # first: the registry imports every format module

from formats.bases import BASES, get_base
from formats.links import LICENCE_OUVERTE
from formats.notice import validate_notice
from formats.oai_dc import DCMI_TYPES, IMAGES, MAPPINGS, render
from tests.shared import pop_sample, schema

DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture(scope="module")
def oai_dc_schema():
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(schema("dc/oai_dc.xsd")), parser))


def sample(base: str):
    return public_notice(validate_notice(get_base(base), pop_sample(base)))


def elements(xml: str) -> list[tuple[str, str]]:
    return [(e.tag.replace(DC, ""), e.text) for e in etree.fromstring(xml)]


@pytest.mark.parametrize("base", list(BASES))
def test_every_base_renders_valid_oai_dc_with_permalink_type_rights(base, oai_dc_schema):
    notice = sample(base)
    xml = render(notice)
    assert oai_dc_schema.validate(etree.fromstring(xml)), oai_dc_schema.error_log
    values = elements(xml)
    assert ("identifier", f"https://pop.culture.gouv.fr/notice/{base}/{notice.ref}") in values
    assert ("type", DCMI_TYPES[base]) in values and ("rights", LICENCE_OUVERTE) in values
    assert any(name == "title" for name, _ in values)
    assert all(text and text == text.strip() for _, text in values)


@pytest.mark.parametrize("base", list(BASES))
def test_mappings_only_use_published_fields_of_their_base(base):
    published = {f.code for f in get_base(base).published_fields}
    used = {code for codes in MAPPINGS[base].values() for code in codes} | set(IMAGES[base])
    assert used <= published, used - published


def test_multi_valued_fields_give_one_element_per_value_and_images_are_https():
    notice = sample("joconde")
    values = elements(render(notice))
    assert [t for n, t in values if n == "format" and t in notice.fields["TECH"]] == notice.fields["TECH"]
    images = [t for n, t in values if n == "relation" and t.endswith(".jpg")]
    assert images and all(i.startswith("https://") for i in images)
    assert "east=4.889563; north=44.931125" in [t for n, t in values if n == "coverage"]


def test_languages_are_iso_codes_and_joined_values_are_split():
    values = elements(render(sample("enluminures")))
    assert [t for n, t in values if n == "language"] == ["lat", "fre"]
    assert ("type", "enluminure") in values and ("type", "manuscrit") in values


def test_hidden_fields_never_reach_oai_dc():
    base = get_base("palissy")
    raw = {"REF": "PM01000107", "TICO": "Orgue", "EDIF2": "Chapelle secrète"}
    assert "secrète" not in render(public_notice(validate_notice(base, raw)))
