"""An OAI-PMH response page as values: what the harvester needs from Identify, ListRecords, ListSets….

`read_page(data)` never raises on a record's fault: a page that is not well-formed XML (an invalid
character, a wrong encoding, an entity bomb in one record) is read record by record, and each record
that cannot be read comes back with its `problem` and its raw bytes, to be quarantined. Only a page
whose envelope is broken (truncated, not OAI-PMH at all) raises `BrokenPage` — a transport problem the
client retries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .xmlsafe import UnsafeXML, parse_xml

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_O = f"{{{OAI_NS}}}"


class BrokenPage(ValueError):
    """The response is not a complete OAI-PMH document (truncated, HTML error page…)."""


@dataclass
class RawRecord:
    """One record of a ListRecords page, as received."""

    identifier: str | None
    datestamp: str | None
    deleted: bool = False
    set_specs: tuple[str, ...] = ()
    metadata: etree._Element | None = None  # the single child of <metadata>
    problem: str | None = None  # why it could not be read (then it is quarantined)
    _raw: bytes | None = None
    _element: etree._Element | None = field(default=None, repr=False)
    _source: tuple[bytes, int] | None = field(default=None, repr=False)  # (its page as received, position)

    @property
    def raw(self) -> str:
        """The record's XML as received (for quarantine)."""
        if self._raw is None and self._element is None and self._source is not None:
            data, position = self._source  # a detached record: read its page again (rare: conflicts only)
            self._element = read_page(data).records[position]._element
        if self._raw is None and self._element is not None:
            self._raw = etree.tostring(self._element, encoding="utf-8")
        return (self._raw or b"").decode("utf-8", errors="replace")


@dataclass
class Page:
    """One OAI-PMH response."""

    response_date: str | None
    records: list[RawRecord] = field(default_factory=list)
    token: str | None = None  # the next resumptionToken; None or "" on the last page
    complete_list_size: int | None = None
    error_code: str | None = None
    error_message: str = ""
    root: etree._Element | None = None  # for Identify, ListSets…, when the page parsed as a whole
    data: bytes | None = field(default=None, repr=False)  # the response as received

    def detach(self) -> "Page":
        """Drop the lxml trees (once the records are mapped), so the page can cross to another process;
        a record's `raw` is then read again from the page's bytes when asked for."""
        for position, record in enumerate(self.records):
            if record._raw is None and record._element is not None:
                record._source = (self.data, position)
            record.metadata = record._element = None
        self.root = self.data = None
        return self


def _text(element: etree._Element | None) -> str | None:
    return (element.text or "").strip() if element is not None else None


def _record(element: etree._Element) -> RawRecord:
    header = element.find(f"{_O}header")
    if header is None:
        return RawRecord(None, None, problem="record has no header", _element=element)
    metadata = element.find(f"{_O}metadata")
    payload = None
    if metadata is not None:
        children = [child for child in metadata if isinstance(child.tag, str)]
        payload = children[0] if children else None
    return RawRecord(
        identifier=_text(header.find(f"{_O}identifier")),
        datestamp=_text(header.find(f"{_O}datestamp")),
        deleted=header.get("status") == "deleted",
        set_specs=tuple(_text(s) or "" for s in header.findall(f"{_O}setSpec")),
        metadata=payload,
        _element=element,
    )


def _from_tree(root: etree._Element) -> Page:
    if root.tag != f"{_O}OAI-PMH":
        raise BrokenPage(f"not an OAI-PMH response (root element {root.tag})")
    page = Page(response_date=_text(root.find(f"{_O}responseDate")), root=root)
    error = root.find(f"{_O}error")
    if error is not None:
        page.error_code = error.get("code") or "unknown"
        page.error_message = (error.text or "").strip()
        return page
    for verb_element in root:
        if not isinstance(verb_element.tag, str) or verb_element.tag in (f"{_O}responseDate", f"{_O}request"):
            continue
        page.records = [_record(r) for r in verb_element.findall(f"{_O}record")]
        token = verb_element.find(f"{_O}resumptionToken")
        if token is not None:
            page.token = (token.text or "").strip() or None
            size = token.get("completeListSize")
            page.complete_list_size = int(size) if size and size.isdigit() else None
    return page


# --- reading a page that is not well-formed, record by record -------------------------------------------
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_END = re.compile(rb"</(?:[\w.-]+:)?OAI-PMH>\s*$")
_ROOT_START = re.compile(rb"<(?:[\w.-]+:)?OAI-PMH\b[^>]*>", re.S)
_NS_DECL = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_RECORD = re.compile(rb"<((?:[\w.-]+:)?)record\b[^>]*>.*?</\1record>", re.S)
_IDENTIFIER = re.compile(rb"<(?:[\w.-]+:)?identifier>\s*([^<]*?)\s*</(?:[\w.-]+:)?identifier>")
_DATESTAMP = re.compile(rb"<(?:[\w.-]+:)?datestamp>\s*([^<]*?)\s*</(?:[\w.-]+:)?datestamp>")
_TOKEN = re.compile(rb"<(?:[\w.-]+:)?resumptionToken\b([^>]*)(?:/>|>([^<]*)</(?:[\w.-]+:)?resumptionToken>)")
_SIZE = re.compile(rb"""completeListSize\s*=\s*["'](\d+)["']""")
_RESPONSE_DATE = re.compile(rb"<(?:[\w.-]+:)?responseDate>\s*([^<]*?)\s*</")
_ERROR = re.compile(rb"""<(?:[\w.-]+:)?error\b[^>]*code\s*=\s*["']([^"']+)["'][^>]*>([^<]*)<""")


def _decode(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def _record_by_record(data: bytes, reason: str) -> Page:
    root_start = _ROOT_START.search(data)
    if root_start is None:
        raise BrokenPage(f"not an OAI-PMH response ({reason})")
    if not _END.search(data):
        raise BrokenPage(f"truncated response ({reason})")
    declarations = b"".join(_NS_DECL.findall(root_start.group(0))) or f' xmlns="{OAI_NS}"'.encode()
    xml_declaration = _XML_DECLARATION.match(data)  # its encoding applies to every record
    prolog = xml_declaration.group(0).strip() if xml_declaration else b""
    date = _RESPONSE_DATE.search(data)
    page = Page(response_date=_decode(date.group(1)) if date else None)
    error = _ERROR.search(data)
    if error:
        page.error_code, page.error_message = _decode(error.group(1)), _decode(error.group(2)).strip()
        return page
    body = data[root_start.end():]
    for match in _RECORD.finditer(body):
        chunk = match.group(0)
        try:
            wrapper = parse_xml(prolog + b"<wrapper" + declarations + b">" + chunk + b"</wrapper>")
            record = _record(wrapper[0])
            record._raw = chunk
        except UnsafeXML as error:
            identifier = _IDENTIFIER.search(chunk)
            datestamp = _DATESTAMP.search(chunk)
            record = RawRecord(identifier=_decode(identifier.group(1)) if identifier else None,
                               datestamp=_decode(datestamp.group(1)) if datestamp else None,
                               problem=str(error), _raw=chunk)
        page.records.append(record)
    token = _TOKEN.search(body)
    if token:
        page.token = _decode(token.group(2) or b"").strip() or None
        size = _SIZE.search(token.group(1))
        page.complete_list_size = int(size.group(1)) if size else None
    return page


def read_page(data: bytes) -> Page:
    """Read an OAI-PMH response; records that cannot be read carry their `problem`."""
    try:
        root = parse_xml(data)
    except UnsafeXML as error:
        page = _record_by_record(data, str(error))
    else:
        page = _from_tree(root)
    page.data = data
    return page
