"""The official schemas our rich formats are checked against, compiled once per test session (EDM takes seconds).

Read from POP_SCHEMA_DIR's default (../shared/schemas): public standards' files, never copied into the repo.
`schematron_errors` runs Europeana's EDM Schematron (XSLT 2.0) with Saxon and returns its failed assertions.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from app.settings import Settings

SVRL = "http://purl.oclc.org/dsdl/svrl"


def schema_dir() -> Path:
    directory = Settings.from_env({"POP_ENV": "testing"}, instance_path="/tmp").schema_dir
    assert directory, "the shared schemas are missing (POP_SCHEMA_DIR)"
    return Path(directory)


@lru_cache(maxsize=None)
def xml_schema(relative: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(schema_dir() / relative), parser))


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
    executable = compiler.compile_stylesheet(stylesheet_file=str(schema_dir() / "edm/schematron/schematron.xsl"))
    return processor, executable


def schematron_errors(xml: str) -> list[str]:
    """The failed assertions of Europeana's Schematron on an EDM record (empty: accepted)."""
    processor, executable = _schematron()
    document = processor.parse_xml(xml_text=xml)
    report = executable.transform_to_string(xdm_node=document)
    svrl = etree.fromstring(report.encode("utf-8"))
    return [re.sub(r"\s+", " ", "".join(f.itertext())).strip() + f" [{f.get('location')}]"
            for f in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")]
