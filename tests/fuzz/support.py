"""What the fuzz tests share: the stock every module's store holds, the hypothesis settings of a test under the
profile chosen (HYPOTHESIS_PROFILE), raw query strings and bodies (bytes a real client may send: invalid UTF-8,
lone surrogates), and the checks every answer must pass."""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import settings
from lxml import etree

from formats.bases import BASES, slugify
from formats.notice import validate_notice
from store.demo import generate
from store.notices import delete_notices, write_notices
from tests.app import oai_xml
from tests.formats.europeana import xml_schema

T0 = datetime(2024, 3, 1, 8, 0, 0)  # the stock's first batch
PARTNER = "musee-fuzz"
PER_BASE = 4  # notice 1 of each base deleted, the last one harvested from PARTNER
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES_FACTOR = {"ci": 1, "deep": 25}  # the deep profile runs this many times each test's examples
PROBLEM = "application/problem+json"


def fuzz(examples: int) -> settings:
    """The settings of one fuzz test: its profile's (tests/fuzz/conftest.py), with `examples` scaled to it."""
    return settings(settings.get_profile(PROFILE), max_examples=examples * EXAMPLES_FACTOR.get(PROFILE, 1))


# --- the stock ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def stock_raws() -> dict[str, tuple[dict, ...]]:
    """The raw notices of the stock, per base (deterministic, so strategies can name their REFs)."""
    return {name: tuple(generate(base, PER_BASE, seed=5)) for name, base in BASES.items()}


def stock_refs() -> list[tuple[str, str]]:
    return [(name, raw["REF"]) for name, raws in stock_raws().items() for raw in raws]


def producer_slugs() -> list[str]:
    return sorted({slugify(raw["PRODUCTEUR"]) for raws in stock_raws().values() for raw in raws})


# Set specs of the stock (bases, producers, the partner) and near misses.
SETS = (*BASES, *(f"{base}:{slug}" for base in ("joconde", "merimee", "memoire") for slug in producer_slugs()),
        "partner", f"partner:{PARTNER}", "partner:local", "partner:nobody", "joconde:musee:x", "lido", "joconde:")


def stock(db) -> None:
    """PER_BASE notices of every base, a batch a minute from T0; the last batch a partner's; one deleted."""
    raws = stock_raws()
    for number in range(PER_BASE):
        source = PARTNER if number == PER_BASE - 1 else "local"
        notices = [validate_notice(BASES[name], raws[name][number], source=source,
                                   source_identifier=f"oai:fuzz:{name}:{number}" if source != "local" else None)
                   for name in BASES]
        with db.session() as session:
            write_notices(session, notices, now=T0 + timedelta(minutes=number))
    with db.session() as session:
        for name in BASES:
            delete_notices(session, name, [raws[name][1]["REF"]], now=T0 + timedelta(days=1))


# --- what is sent ------------------------------------------------------------------------------------------
def wire(text: str | bytes) -> bytes:
    """Text as a client puts it on the wire: UTF-8, lone surrogates as their (invalid) 3-byte forms."""
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def query_string(pairs: list[tuple[str | bytes, str | bytes]]) -> str:
    """The pairs percent-encoded byte for byte (the test client's own encoder refuses lone surrogates)."""
    return "&".join(f"{quote_from_bytes(wire(key), safe='')}={quote_from_bytes(wire(value), safe='')}"
                    for key, value in pairs)


# --- what is answered --------------------------------------------------------------------------------------
def assert_problem(response) -> dict:
    """An RFC 9457 problem of the response's own status."""
    assert response.headers.get("Content-Type") == PROBLEM, (response.status, response.data[:300])
    body = response.get_json()
    assert isinstance(body, dict), response.data[:300]
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == response.status_code, body
    assert all(isinstance(body[key], str) and body[key] for key in ("type", "title", "detail")), body
    return body


_PARSER = etree.XMLParser(no_network=True, resolve_entities=False)


def parse_xml(body: bytes) -> etree._Element:
    """The document, or an assertion error naming what is not well-formed."""
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        raise AssertionError(f"not well-formed XML: {error}\n{body[:2000]!r}") from None


# --- OAI-PMH answers ---------------------------------------------------------------------------------------
OAI = "{http://www.openarchives.org/OAI/2.0/}"
_PREFIXES = {"http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc", "https://pop.culture.gouv.fr/ns/pop/1.0": "pop",
             "http://www.lido-schema.org": "lido", "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "edm"}
_WRAPPERS = {"lido": "oai-pmh/wrappers/OAI-PMH+lido-v1.1.xsd", "edm": "oai-pmh/wrappers/OAI-PMH+edm-external.xsd"}


def oai_schemas() -> dict[str, etree.XMLSchema] | None:
    """OAI-PMH.xsd with each format's schema (tests/app/oai_xml.py, the official wrappers), or None when the
    official schemas are absent (tests/shared.py skips: a plain clone); under CI=true their absence fails."""
    try:
        return {"oai_dc": oai_xml.schema("oai_dc"), "pop": oai_xml.schema("pop"),
                **{prefix: xml_schema(path) for prefix, path in _WRAPPERS.items()}}
    except pytest.skip.Exception:
        return None


def assert_oai(response, schemas: dict[str, etree.XMLSchema] | None) -> etree._Element:
    """An OAI-PMH answer: HTTP 200, text/xml, well-formed, valid against OAI-PMH.xsd and the schema of the
    records' format, and after badVerb or badArgument a `<request>` without attributes (spec §3.6)."""
    assert response.status_code == 200, (response.status, response.data[:500])
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = parse_xml(response.data)
    assert root.tag == f"{OAI}OAI-PMH"
    error = root.find(f"{OAI}error")
    if error is not None and error.get("code") in ("badVerb", "badArgument"):
        assert dict(root.find(f"{OAI}request").attrib) == {}, response.data[:500]
    if schemas is not None:
        namespaces = {etree.QName(child).namespace for child in root.iterfind(f".//{OAI}metadata/*")}
        assert len(namespaces) <= 1, namespaces
        schema = schemas[_PREFIXES[namespaces.pop()] if namespaces else "oai_dc"]
        assert schema.validate(root), f"{schema.error_log}\n{response.data[:2000]!r}"
    return root


def error_code(root: etree._Element) -> str | None:
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")
