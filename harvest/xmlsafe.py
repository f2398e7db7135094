"""Parsing partner XML safely: no DTD, no entity expansion, no network, no huge trees.

A partner page is hostile input. lxml is configured so that a DOCTYPE cannot load anything, expand
anything or reach the network; a document that carries a DOCTYPE is not parsed as a whole at all
(OAI-PMH responses never need one): the harvester then reads it record by record (see `records.py`).
"""
from __future__ import annotations

import re
import threading

from lxml import etree


class UnsafeXML(ValueError):
    """The document is not well-formed, or uses features we refuse (DTDs, entities)."""


_local = threading.local()


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)  # lxml parsers must not be shared between threads
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True, collect_ids=False)


_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def has_doctype(data: bytes) -> bool:
    return _DECLARATION.search(data) is not None


def parse_xml(data: bytes) -> etree._Element:
    """Parse a whole document strictly; raise UnsafeXML with lxml's first error as the reason."""
    if has_doctype(data):
        raise UnsafeXML("document declares a DTD (refused: no DTDs or entities are read)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise UnsafeXML(f"not well-formed XML: {error.msg or error}") from None
    if root is None:
        raise UnsafeXML("empty document")
    return root
