"""The response writer: OAI-PMH XML as UTF-8 byte chunks, built from escaped strings (a ListRecords page is
a byte copy of stored renditions, not a tree to serialize), with the provenance container of harvested records
written from its values."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Iterable, Iterator, Mapping, Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from .dates import format_datestamp
from .repository import Provenance

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{OAI_NAMESPACE} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
_TAIL = b"</OAI-PMH>\n"


def envelope(response_date: datetime, base_url: str, verb: str | None, arguments: Mapping[str, str],
             body: Iterable[str | bytes]) -> Iterator[bytes]:
    """The whole response: responseDate, request (echoing `arguments`), then the verb's body, in chunks of about
    32 KB. Parts of the body are text, or bytes already (list records built around stored UTF-8 renditions)."""
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in arguments.items())
    if verb:
        attributes = f" verb={quoteattr(verb)}{attributes}"
    yield (f"{_HEAD}<responseDate>{format_datestamp(response_date)}</responseDate>"
           f"<request{attributes}>{escape(base_url)}</request>").encode()
    chunk: list[bytes] = []
    size = 0
    for part in body:
        data = part.encode() if type(part) is str else part
        chunk.append(data)
        size += len(data)
        if size >= 32_768:
            yield b"".join(chunk)
            chunk, size = [], 0
    chunk.append(_TAIL)
    yield b"".join(chunk)


def error(code: str, message: str) -> str:
    return f"<error code={quoteattr(code)}>{escape(message)}</error>"


def element(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>"


def _text(text: str) -> str:
    """escape(), skipped for the usual text that needs none (identifiers, set specs: a page has hundreds)."""
    return escape(text) if ("&" in text or "<" in text or ">" in text) else text


def header(identifier: str, datestamp: datetime, set_specs: Sequence[str], deleted: bool) -> str:
    status = ' status="deleted"' if deleted else ""
    specs = f"<setSpec>{_SPEC_SEPARATOR.join(map(_text, set_specs))}</setSpec>" if set_specs else ""
    return (f"<header{status}><identifier>{_text(identifier)}</identifier>"
            f"<datestamp>{format_datestamp(datestamp)}</datestamp>{specs}</header>")


_SPEC_SEPARATOR = "</setSpec><setSpec>"


def record(header_xml: str, metadata: str | bytes | None, provenance: Provenance | None = None) -> str | bytes:
    """A record: text, or bytes around a rendition given as its UTF-8 bytes (copied, never decoded)."""
    if metadata is None:
        return f"<record>{header_xml}</record>"
    about = "" if provenance is None else (
        f"<about><provenance {_PROVENANCE_DECLARATION}>{_origin(provenance)}</provenance></about>")
    if type(metadata) is bytes:
        return b"".join((b"<record>", header_xml.encode(), b"<metadata>", metadata,
                         f"</metadata>{about}</record>".encode() if about else b"</metadata></record>"))
    return f"<record>{header_xml}<metadata>{metadata}</metadata>{about}</record>"


PROVENANCE_NAMESPACE = "http://www.openarchives.org/OAI/2.0/provenance"
_PROVENANCE_DECLARATION = (f'xmlns="{PROVENANCE_NAMESPACE}" '
                           f'xsi:schemaLocation="{PROVENANCE_NAMESPACE} {PROVENANCE_NAMESPACE}.xsd"')


def _origin(origin: Provenance) -> str:
    """An originDescription, and the ones it nests, from values only (a partner's chain is never pasted)."""
    nested = _origin(origin.origin) if origin.origin is not None else ""
    return (f'<originDescription harvestDate={quoteattr(origin.harvest_date)} '
            f'altered="{"true" if origin.altered else "false"}">'
            f"<baseURL>{_uri(origin.base_url)}</baseURL><identifier>{_uri(origin.identifier)}</identifier>"
            f"<datestamp>{escape(origin.datestamp)}</datestamp>"
            f"<metadataNamespace>{_uri(origin.namespace)}</metadataNamespace>{nested}</originDescription>")


# Partner URIs written as they are when they have a shape every anyURI parser reads: `scheme:` then path,
# query and one fragment (no authority), or an http(s) URL whose host is a name or an IP literal. Anything
# else (a second `#`, a bracket in a path, a colon in a relative first segment, a port that is not a number,
# `<`…) is not a URI as it stands: written percent-escaped instead, so the response stays valid.
_PCHARS = r"(?:[\w\-.~!$&'()*+,;=:@/? ]|%[0-9A-Fa-f]{2})*"
_PLAIN_URI = re.compile(
    rf"(?:[A-Za-z][A-Za-z0-9+.\-]*:(?!//)|https?://(?:\[[0-9A-Fa-f:.]+\]|(?:[\w\-.~!$&'()*+,;=]|%[0-9A-Fa-f]{{2}})+)"
    rf"(?::[0-9]+)?(?=[/?#]|$)){_PCHARS}(?:#{_PCHARS})?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?!//)")
_PATH_CHARS = re.compile(r"(?:[\w\-.~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+")  # what a path after a scheme keeps
_UNRESERVED = re.compile(r"(?:[A-Za-z0-9\-._~/]|%[0-9A-Fa-f]{2})+")  # … and a reference without one


def _uri(text: str) -> str:
    """A partner's URI as anyURI text: as it is when it has a plain shape, else percent-escaped (its scheme
    kept) into a reference every parser reads."""
    if _PLAIN_URI.fullmatch(text):
        return escape(text)
    scheme = _SCHEME.match(text)
    head, kept = (scheme.group(), _PATH_CHARS) if scheme else ("", _UNRESERVED)
    rest = text[len(head):]
    escaped, position = [head], 0
    for match in kept.finditer(rest):
        escaped += [quote(rest[position:match.start()], safe=""), match.group()]
        position = match.end()
    escaped.append(quote(rest[position:], safe=""))
    return escape("".join(escaped))


OAI_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
_OAI_DC_DECLARATION = (f'xmlns:oai_dc="{OAI_DC_NAMESPACE}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                       f'xsi:schemaLocation="{OAI_DC_NAMESPACE} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"')


def set_description(title: str, description: str, rights: Iterable[str], relation: str) -> str:
    """A set's `<setDescription>`: an oai_dc record (dc:title, dc:description, dc:rights, dc:relation)."""
    parts = [element("dc:title", title), element("dc:description", description),
             *(element("dc:rights", text) for text in rights), element("dc:relation", relation)]
    return f"<setDescription><oai_dc:dc {_OAI_DC_DECLARATION}>{''.join(parts)}</oai_dc:dc></setDescription>"


def resumption_token(token: str, cursor: int, complete_list_size: int, expiration: datetime | None) -> str:
    expires = f' expirationDate="{format_datestamp(expiration)}"' if token and expiration else ""
    return (f'<resumptionToken completeListSize="{complete_list_size}" cursor="{cursor}"{expires}>'
            f"{escape(token)}</resumptionToken>")
