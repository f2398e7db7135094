"""The response writer: OAI-PMH XML as UTF-8 byte chunks, built from escaped strings (a ListRecords page is
a byte copy of stored renditions, not a tree to serialize)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator, Mapping
from xml.sax.saxutils import escape, quoteattr

from .dates import format_datestamp

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{OAI_NAMESPACE} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
_TAIL = "</OAI-PMH>\n"


def envelope(response_date: datetime, base_url: str, verb: str | None, arguments: Mapping[str, str],
             body: Iterable[str]) -> Iterator[bytes]:
    """The whole response: responseDate, request (echoing `arguments`), then the verb's body, in chunks."""
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in arguments.items())
    if verb:
        attributes = f" verb={quoteattr(verb)}{attributes}"
    yield (f"{_HEAD}<responseDate>{format_datestamp(response_date)}</responseDate>"
           f"<request{attributes}>{escape(base_url)}</request>").encode()
    chunk: list[str] = []
    size = 0
    for part in body:
        chunk.append(part)
        size += len(part)
        if size >= 32_768:
            yield "".join(chunk).encode()
            chunk, size = [], 0
    chunk.append(_TAIL)
    yield "".join(chunk).encode()


def error(code: str, message: str) -> str:
    return f"<error code={quoteattr(code)}>{escape(message)}</error>"


def element(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>"


def _text(text: str) -> str:
    """escape(), skipped for the usual text that needs none (identifiers, set specs: a page has hundreds)."""
    return escape(text) if ("&" in text or "<" in text or ">" in text) else text


def header(identifier: str, datestamp: datetime, set_specs: Iterable[str], deleted: bool) -> str:
    status = ' status="deleted"' if deleted else ""
    specs = "".join(f"<setSpec>{_text(spec)}</setSpec>" for spec in set_specs)
    return (f"<header{status}><identifier>{_text(identifier)}</identifier>"
            f"<datestamp>{format_datestamp(datestamp)}</datestamp>{specs}</header>")


def record(header_xml: str, metadata: str | None) -> str:
    if metadata is None:
        return f"<record>{header_xml}</record>"
    return f"<record>{header_xml}<metadata>{metadata}</metadata></record>"


def resumption_token(token: str, cursor: int, complete_list_size: int, expiration: datetime | None) -> str:
    expires = f' expirationDate="{format_datestamp(expiration)}"' if token and expiration else ""
    return (f'<resumptionToken completeListSize="{complete_list_size}" cursor="{cursor}"{expires}>'
            f"{escape(token)}</resumptionToken>")
