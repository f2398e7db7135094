"""An OAI-PMH response page as values: what the harvester needs from Identify, ListRecords, ListSets….

`read_page(data, verb)` never raises on a record's fault: a ListRecords page that is not well-formed XML
(an invalid character, a wrong encoding, an entity bomb in one record) is read record by record, and each
record that cannot be read comes back with its `problem` and its raw bytes, to be quarantined. A page that
does not answer the request raises `BrokenPage` — a transport problem the client retries: its envelope is
broken (truncated, not OAI-PMH at all, empty), or it holds neither the verb's element nor an <error>
(a responseDate alone, another verb's answer). Other verbs' answers are never read record by record: the
parser's reason is theirs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .provenance import metadata_namespace, partner_chain
from .xmlsafe import UnsafeXML, parse_xml

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_O = f"{{{OAI_NS}}}"


RECORD_VERBS = ("ListRecords", "GetRecord")  # the answers that can be read record by record when not well-formed


class BrokenPage(ValueError):
    """The response does not answer the request: not a complete OAI-PMH document (truncated, HTML error page…),
    or one without the verb's element (nor an <error>)."""


@dataclass
class RawRecord:
    """One record of a ListRecords page, as received."""

    identifier: str | None
    datestamp: str | None
    deleted: bool = False
    set_specs: tuple[str, ...] = ()
    metadata: etree._Element | None = None  # the single child of <metadata>
    problem: str | None = None  # why it could not be read (then it is quarantined)
    namespace: str | None = None  # the namespace of its metadata (harvest/provenance.py)
    provenance: str | None = None  # the partner's own provenance chain, canonical JSON (harvest/provenance.py)
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
    """A <record> read by walking its children and its header's (lxml's find() parses its path on every call:
    most of a small record's reading)."""
    header = metadata = None
    about = False
    for child in element:
        tag = child.tag
        if tag == _HEADER:
            if header is None:
                header = child
        elif tag == _METADATA:
            if metadata is None:
                metadata = child
        elif tag == _ABOUT:
            about = True
    if header is None:
        return RawRecord(None, None, problem="record has no header", _element=element)
    payload = None
    if metadata is not None:
        for child in metadata:
            if isinstance(child.tag, str):  # comments and processing instructions have no name
                payload = child
                break
    identifier = datestamp = None
    set_specs: list[str] = []
    for child in header:
        tag = child.tag
        if tag == _IDENTIFIER_TAG:
            if identifier is None:
                identifier = (child.text or "").strip()
        elif tag == _DATESTAMP_TAG:
            if datestamp is None:
                datestamp = (child.text or "").strip()
        elif tag == _SET_SPEC:
            set_specs.append((child.text or "").strip())
    return RawRecord(
        identifier=identifier,
        datestamp=datestamp,
        deleted=header.get("status") == "deleted",
        set_specs=tuple(set_specs),
        metadata=payload,
        namespace=metadata_namespace(payload),
        provenance=partner_chain(element) if about else None,
        _element=element,
    )


_HEADER, _METADATA, _ABOUT, _IDENTIFIER_TAG, _DATESTAMP_TAG, _SET_SPEC = (
    f"{_O}{name}" for name in ("header", "metadata", "about", "identifier", "datestamp", "setSpec"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _from_tree(root: etree._Element, verb: str) -> Page:
    if root.tag != f"{_O}OAI-PMH":
        raise BrokenPage(f"not an OAI-PMH response (root element {root.tag})")
    page = Page(response_date=_text(root.find(f"{_O}responseDate")), root=root)
    error = root.find(f"{_O}error")
    if error is not None:
        page.error_code = error.get("code") or "unknown"
        page.error_message = (error.text or "").strip()
        return page
    answer = root.find(f"{_O}{verb}")
    if answer is None:
        # A page counts only if it answers the request: read as an empty last page, a page without its verb's
        # element (or with another verb's) would end a run as a success with part of the list.
        others = [f"<{_local(child.tag)}>" for child in root if isinstance(child.tag, str)
                  and child.tag not in (f"{_O}responseDate", f"{_O}request")]
        raise BrokenPage(f"the response has no <{verb}> element"
                         + (f" (it has {', '.join(others)})" if others else " (nor an <error>)"))
    page.records = [_record(r) for r in answer.iterfind(f"{_O}record")]
    token = answer.find(f"{_O}resumptionToken")
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
_VERB_ELEMENT = re.compile(
    rb"<(?:[\w.-]+:)?(Identify|ListMetadataFormats|ListSets|ListIdentifiers|ListRecords|GetRecord)[\s/>]")
_ERROR = re.compile(rb"""<(?:[\w.-]+:)?error\b[^>]*code\s*=\s*["']([^"']+)["'][^>]*>([^<]*)<""")


def _decode(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def _record_by_record(data: bytes, reason: str, verb: str) -> Page:
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
    if verb not in RECORD_VERBS:  # nothing to read record by record: the parser's reason is the page's problem
        raise BrokenPage(reason)
    body = data[root_start.end():]
    answers = {_decode(name) for name in _VERB_ELEMENT.findall(body)}
    if verb not in answers:
        raise BrokenPage(f"the response has no <{verb}> element"
                         + (f" (it has {', '.join(f'<{a}>' for a in sorted(answers))})" if answers
                            else " (nor an <error>)"))
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


def read_page(data: bytes, verb: str = "ListRecords") -> Page:
    """Read an OAI-PMH response to `verb`; records that cannot be read carry their `problem`. A response that
    is neither the verb's element nor an <error> is a BrokenPage."""
    try:
        root = parse_xml(data)
    except UnsafeXML as error:
        page = _record_by_record(data, str(error), verb)
    else:
        page = _from_tree(root, verb)
    page.data = data
    return page
