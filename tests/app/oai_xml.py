"""Reading and validating OAI-PMH responses in tests, against the official schemas (POP_SCHEMA_DIR, found through
tests/shared.py: a test that validates is skipped when they are absent)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from tests.shared import schema as official_schema

POP_XSD = Path(__file__).resolve().parents[2] / "formats" / "schemas" / "pop.xsd"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/", "pop": "https://pop.culture.gouv.fr/ns/pop/1.0"}
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False)


@lru_cache
def schema(prefix: str) -> etree.XMLSchema:
    """OAI-PMH + the format's schema: the shared wrapper for oai_dc; for pop (no shared wrapper), the same
    imports as the oai_dc wrapper plus our pop.xsd."""
    path = official_schema("oai-pmh/wrappers/OAI-PMH+oai_dc.xsd")
    if prefix == "oai_dc":
        return etree.XMLSchema(etree.parse(str(path), _PARSER))
    wrapper = path.read_text()
    wrapper = wrapper.replace('schemaLocation="../', f'schemaLocation="{path.parent.parent.as_uri()}/')
    wrapper = wrapper.replace("</xs:schema>", '<xs:import namespace="https://pop.culture.gouv.fr/ns/pop/1.0" '
                              f'schemaLocation="{POP_XSD.as_uri()}"/></xs:schema>')
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), _PARSER))


def parse(body: bytes) -> etree._Element:
    return etree.fromstring(body, _PARSER)


def assert_valid(body: bytes, prefix: str = "oai_dc") -> etree._Element:
    root = parse(body)
    validator = schema(prefix)
    assert validator.validate(root), f"{validator.error_log}\n{body[:2000]!r}"
    return root


def error_code(root: etree._Element) -> str | None:
    error = root.find(f"{OAI}error")
    return error.get("code") if error is not None else None
