"""Test support for the Europeana formats (LIDO, EDM): the official schemas, compiled once per test session,
Europeana's Schematron run with Saxon, the real sample notices, demo notices and golden files.

Schemas and samples are found through tests/shared.py (POP_SCHEMA_DIR, POP_SHARED_DIR): public standards' files
and public data, never copied into the repo; a test that needs them is skipped when they are absent.
`schematron_errors` runs Europeana's EDM Schematron (XSLT 2.0) and returns its failed assertions.
Golden files: tests/formats/golden/<format>/<base>-1.xml; `POP_UPDATE_GOLDEN=1 pytest tests/formats` rewrites them.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from lxml import etree

from store.demo import generate
from formats.bases import get_base
from formats.notice import Notice, validate_notice
from formats.registry import public_notice
from tests.shared import pop_sample, schema as official_schema

SVRL = "http://purl.oclc.org/dsdl/svrl"


@lru_cache(maxsize=None)
def xml_schema(relative: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(official_schema(relative)), parser))


def lido_schema() -> etree.XMLSchema:
    return xml_schema("lido/lido-v1.1.xsd")


def edm_schema() -> etree.XMLSchema:
    return xml_schema("edm/EDM.xsd")


def xsd_errors(schema: etree.XMLSchema, xml: str) -> list[str]:
    document = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(no_network=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@lru_cache(maxsize=1)
def _schematron():
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    executable = compiler.compile_stylesheet(stylesheet_file=str(official_schema("edm/schematron/schematron.xsl")))
    return processor, executable


def schematron_errors(xml: str) -> list[str]:
    """The failed assertions of Europeana's Schematron on an EDM record (empty: accepted)."""
    processor, executable = _schematron()
    document = processor.parse_xml(xml_text=xml)
    report = executable.transform_to_string(xdm_node=document)
    svrl = etree.fromstring(report.encode("utf-8"))
    return [re.sub(r"\s+", " ", "".join(f.itertext())).strip() + f" [{f.get('location')}]"
            for f in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")]


def sample_notice(base: str) -> Notice:
    """The real sample notice of a base (pop-bases/samples of the shared folder), as renderers receive it: public."""
    return public_notice(validate_notice(get_base(base), pop_sample(base)))


def demo_notices(base: str, count: int = 200, seed: int = 6) -> Iterator[Notice]:
    for raw in generate(get_base(base), count, seed):
        yield public_notice(validate_notice(get_base(base), raw))


def notice(base: str, **fields) -> Notice:
    """A hand-made public notice of `base` from raw fields (validated like any notice)."""
    return public_notice(validate_notice(get_base(base), fields))


def xpath_texts(tree, path: str, namespaces: dict[str, str]) -> list[str]:
    """The text of each node (or the value of each attribute) `path` selects."""
    return [e if isinstance(e, str) else (e.text or "") for e in tree.xpath(path, namespaces=namespaces)]


def pretty(xml: str) -> str:
    return etree.tostring(etree.fromstring(xml.encode("utf-8")), pretty_print=True, encoding="unicode")


GOLDEN = Path(__file__).parent / "golden"


def assert_golden(prefix: str, base: str, xml: str) -> None:
    """The rendering equals the reviewed golden file (rewritten instead when POP_UPDATE_GOLDEN=1)."""
    path = GOLDEN / prefix / f"{base}-1.xml"
    text = pretty(xml)
    if os.environ.get("POP_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with POP_UPDATE_GOLDEN=1 and review the diff"
    assert text == path.read_text(encoding="utf-8"), (
        f"{prefix} of the {base} sample changed: review, then POP_UPDATE_GOLDEN=1 to accept")
