"""What the harvester keeps of where a record comes from, for /oai to publish it as the OAI provenance container
(http://www.openarchives.org/OAI/2.0/guidelines-provenance.htm) once POP re-exposes it.

Of each record: the partner's base URL (its configured URL without credentials), the namespace of the metadata
as harvested (the namespace of `<metadata>`'s child: what the partner's ListMetadataFormats says of the
prefix), and the partner's own `<about><provenance>` when it carried one (the record was harvested by the
partner from elsewhere). The partner's container is read from the page's tree, already parsed by the safe
parser (harvest/xmlsafe.py), into its values only — the provenance schema allows nothing else — checked
(a level without its four elements, or whose dates are not dates, ends the chain there) and kept as
canonical JSON, so what /oai writes back is serialized by its own writer, never pasted from a partner.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from .dates import utc_datestamp

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
PROVENANCE_NS = "http://www.openarchives.org/OAI/2.0/provenance"
_P = f"{{{PROVENANCE_NS}}}"
_ABOUT = f"{{{OAI_NS}}}about"
_CONTAINER = f"{_P}provenance/{_P}originDescription"
# The four elements of an originDescription, in the schema's order, as the stored JSON names them
ELEMENTS = ("baseURL", "identifier", "datestamp", "metadataNamespace")
MAX_DEPTH = 16  # levels of a partner's chain kept (a deeper one is cut: no real chain is that long)
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True)
class Origin:
    """Where a harvested record comes from, besides its identifier and datestamp (which the notice keeps):
    the partner's base URL, the metadata namespace it was harvested in, and the partner's own provenance chain
    (`chain_json`: canonical JSON, a list of originDescriptions outermost first; None when it declared none)."""

    base_url: str
    namespace: str | None
    chain_json: str | None = None


def public_base_url(url: str) -> str:
    """The partner's base URL as /oai publishes it: without user info (`https://user:secret@host/oai` →
    `https://host/oai`), whatever the configuration holds; a URL that cannot be read comes back unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    _userinfo, at, hostport = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=hostport)) if at else url


def metadata_namespace(payload: etree._Element | None) -> str | None:
    """The namespace of a record's metadata (the child of <metadata>), None when it has none."""
    if payload is None:
        return None
    tag = payload.tag  # "{namespace}name" (lxml's own notation; QName costs more)
    return tag[1:tag.index("}")] if tag[:1] == "{" else None


def partner_chain(record: etree._Element) -> str | None:
    """The partner's provenance of a record (`<record>` element): its first `<about><provenance>`'s chain of
    originDescriptions as canonical JSON, or None when it carries none that can be read."""
    for about in record.iterfind(_ABOUT):
        description = about.find(_CONTAINER)
        if description is not None:
            chain = _chain(description)
            return json.dumps(chain, ensure_ascii=False, separators=(",", ":")) if chain else None
    return None


def _chain(description: etree._Element) -> list[dict]:
    chain: list[dict] = []
    while description is not None and len(chain) < MAX_DEPTH:
        level = _level(description)
        if level is None:
            break  # what hangs under a level we cannot vouch for goes with it
        chain.append(level)
        description = description.find(f"{_P}originDescription")
    return chain


def _level(description: etree._Element) -> dict | None:
    values: dict = {}
    for name in ELEMENTS:
        child = description.find(f"{_P}{name}")
        text = (child.text or "").strip() if child is not None else ""
        if not text:
            return None
        values[name] = text
    values["datestamp"] = _date(values["datestamp"])
    values["harvestDate"] = _date(description.get("harvestDate"))
    values["altered"] = _BOOLEANS.get((description.get("altered") or "").strip())
    if values["datestamp"] is None or values["harvestDate"] is None or values["altered"] is None:
        return None
    return values


def _date(text: str | None) -> str | None:
    """A date of the partner's chain in UTC (a day stays a day), None unless it is a real date."""
    stamp = utc_datestamp((text or "").strip())
    if stamp is None:
        return None
    try:  # utc_datestamp's fast path checks the shape only: 2024-19-39 has the shape of a day
        datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ" if "T" in stamp else "%Y-%m-%d")
    except ValueError:
        return None
    return stamp
