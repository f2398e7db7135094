"""A scripted OAI-PMH partner over real HTTP, for the harvester's tests and benchmark.

It publishes `pages` (lists of `PartnerRecord`) through ListRecords, each page's bytes built by plain
concatenation so a test can put anything on the wire (invalid characters, Latin-1 bytes, a DOCTYPE with
an entity bomb). `faults` scripts what happens to requests: faults["page:2"] = [Fault(...), …] is
consumed one fault per request for page 2 (or "Identify", "page:0" for the first page…), then the page
is served normally. A fault can answer a status with headers (503 + Retry-After), sleep past the
client's timeout, reset the connection, truncate the body, hide a gzip, say badResumptionToken, answer
other bytes (a responseDate alone, HTML, nothing), change the page (another verb's element), or trickle it
one byte at a time.

It is a raw http.server (not a WSGI app) because a connection reset and a truncated body need the socket.
"""
from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

OAI = "http://www.openarchives.org/OAI/2.0/"
NAMESPACES = (f'xmlns="{OAI}" xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:lido="http://www.lido-schema.org"')


@dataclass
class PartnerRecord:
    identifier: str
    datestamp: str
    metadata: bytes | None = None  # the XML of <metadata>'s child, as bytes on the wire
    deleted: bool = False
    sets: tuple[str, ...] = ()
    about: bytes = b""  # <about> containers after <metadata>, as bytes on the wire

    def xml(self) -> bytes:
        status = b' status="deleted"' if self.deleted else b""
        specs = b"".join(b"<setSpec>%s</setSpec>" % escape(s).encode() for s in self.sets)
        header = (b"<header%s><identifier>%s</identifier><datestamp>%s</datestamp>%s</header>"
                  % (status, escape(self.identifier).encode(), self.datestamp.encode(), specs))
        body = b"" if self.deleted or self.metadata is None else b"<metadata>%s</metadata>%s" % (self.metadata,
                                                                                                self.about)
        return b"<record>" + header + body + b"</record>"


@dataclass
class Fault:
    kind: str  # status | sleep | reset | truncate | hidden-gzip | bad-token | body | replace | trickle
    status: int = 503
    headers: dict = field(default_factory=dict)
    seconds: float = 0.0  # sleep: before answering; trickle: between two bytes of the body
    body: bytes = b""  # body: answered instead, with HTTP 200
    replace: tuple[bytes, bytes] = (b"", b"")  # replace: the page as it should be, with this replaced


def retry_after_date(seconds: float) -> str:
    return format_datetime(datetime.fromtimestamp(time.time() + seconds, timezone.utc), usegmt=True)


@dataclass
class ScriptedPartner:
    pages: list[list[PartnerRecord]]
    prefixes: tuple[str, ...] = ("pop",)
    sets: tuple[str, ...] = ()
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    tokens: dict[int, str | None] = field(default_factory=dict)  # page index → token it sends (loops…)
    page_prefix: dict[int, bytes] = field(default_factory=dict)  # page index → bytes after the XML declaration
    encoding_declared: str = "UTF-8"
    now: str = "2026-01-02T03:04:05Z"  # responseDate
    requests: list[dict] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)  # the Host header of each request
    authorizations: list[str | None] = field(default_factory=list)  # the Authorization header of each request

    # --- responses -----------------------------------------------------------------------------------
    def _envelope(self, body: bytes, index: int | None = None, verb: str = "ListRecords") -> bytes:
        prefix = self.page_prefix.get(index, b"") if index is not None else b""
        return (b'<?xml version="1.0" encoding="%s"?>\n%s<OAI-PMH %s><responseDate>%s</responseDate>'
                b'<request verb="%s">http://partner/oai</request>%s</OAI-PMH>\n'
                % (self.encoding_declared.encode(), prefix, NAMESPACES.encode(), self.now.encode(), verb.encode(),
                   body))

    def error(self, code: str, verb: str = "ListRecords") -> bytes:
        return self._envelope(b'<error code="%s">%s</error>' % (code.encode(), code.encode()), verb=verb)

    def identify(self) -> bytes:
        return self._envelope(
            b"<Identify><repositoryName>Scripted partner</repositoryName><baseURL>http://partner/oai</baseURL>"
            b"<protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail>"
            b"<earliestDatestamp>2000-01-01</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
            b"<granularity>%s</granularity></Identify>" % self.granularity.encode(), verb="Identify")

    def list_metadata_formats(self) -> bytes:
        formats = b"".join(b"<metadataFormat><metadataPrefix>%s</metadataPrefix><schema>http://x/%s.xsd</schema>"
                           b"<metadataNamespace>http://x/%s</metadataNamespace></metadataFormat>"
                           % (p.encode(), p.encode(), p.encode()) for p in self.prefixes)
        return self._envelope(b"<ListMetadataFormats>%s</ListMetadataFormats>" % formats, verb="ListMetadataFormats")

    def list_sets(self) -> bytes:
        if not self.sets:
            return self.error("noSetHierarchy", "ListSets")
        sets = b"".join(b"<set><setSpec>%s</setSpec><setName>%s</setName></set>" % (s.encode(), s.encode())
                        for s in self.sets)
        return self._envelope(b"<ListSets>%s</ListSets>" % sets, verb="ListSets")

    def visible_pages(self, since: str | None, set_spec: str | None) -> list[list[PartnerRecord]]:
        """The pages as a harvester with these arguments sees them (`from` compares at day or second)."""
        pages = []
        for page in self.pages:
            kept = [r for r in page if (not since or r.datestamp[:len(since)] >= since)
                    and (not set_spec or set_spec in r.sets)]
            if kept or not page:
                pages.append(kept)
        return pages

    def list_records(self, params: dict[str, str]) -> tuple[int, bytes]:
        token = params.get("resumptionToken")
        if token:
            try:
                state, index_text = token.rsplit("~", 1)
                since, set_spec = state.split("|")
                index = int(index_text)
            except ValueError:
                return -1, self.error("badResumptionToken")
        else:
            if params.get("metadataPrefix") not in self.prefixes:
                return -1, self.error("cannotDisseminateFormat")
            since, set_spec, index = params.get("from", ""), params.get("set", ""), 0
        pages = self.visible_pages(since or None, set_spec or None)
        if not pages or index >= len(pages):
            return index, self.error("noRecordsMatch") if not token else self.error("badResumptionToken")
        records = b"".join(r.xml() for r in pages[index])
        next_token = self.tokens.get(index, f"{since}|{set_spec}~{index + 1}" if index + 1 < len(pages) else None)
        total = sum(len(p) for p in pages)
        token_xml = (b'<resumptionToken completeListSize="%d" cursor="%d">%s</resumptionToken>'
                     % (total, index, escape(next_token).encode()) if next_token
                     else b"<resumptionToken/>" if token else b"")
        if not records and not next_token and not token:
            return index, self.error("noRecordsMatch")
        return index, self._envelope(b"<ListRecords>%s%s</ListRecords>" % (records, token_xml), index)

    def respond(self, params: dict[str, str]) -> tuple[str, bytes]:
        verb = params.get("verb")
        if verb == "Identify":
            return "Identify", self.identify()
        if verb == "ListMetadataFormats":
            return "ListMetadataFormats", self.list_metadata_formats()
        if verb == "ListSets":
            return "ListSets", self.list_sets()
        if verb == "ListRecords":
            index, body = self.list_records(params)
            return f"page:{index}", body
        return "other", self.error("badVerb", verb or "")

    def next_fault(self, key: str) -> Fault | None:
        queue = self.faults.get(key)
        return queue.pop(0) if queue else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    partner: ScriptedPartner

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        self.partner.requests.append(params)
        self.partner.user_agents.append(self.headers.get("User-Agent", ""))
        self.partner.hosts.append(self.headers.get("Host", ""))
        self.partner.authorizations.append(self.headers.get("Authorization"))
        key, body = self.partner.respond(params)
        fault = self.partner.next_fault(key)
        if fault is None:
            return self._send(200, body)
        if fault.kind == "status":
            return self._send(fault.status, b"<html>busy</html>", fault.headers)
        if fault.kind == "sleep":
            time.sleep(fault.seconds)
            return self._send(200, body)
        if fault.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if fault.kind == "truncate":
            return self._send(200, body[: len(body) // 2])
        if fault.kind == "hidden-gzip":
            return self._send(200, gzip.compress(body), {"Content-Type": "application/octet-stream"})
        if fault.kind == "bad-token":
            return self._send(200, self.partner.error("badResumptionToken"))
        if fault.kind == "body":
            return self._send(200, fault.body)
        if fault.kind == "replace":
            return self._send(200, body.replace(*fault.replace))
        if fault.kind == "trickle":
            return self._trickle(body, fault.seconds)
        raise AssertionError(f"unknown fault {fault.kind}")

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, body: bytes, seconds: float) -> None:
        """The whole page, one byte every `seconds`: each read is quick, the response never ends."""
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        try:
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(seconds)
        except OSError:
            self.close_connection = True  # the harvester gave up on it

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            pass  # the connection we reset on purpose


class PartnerServer:
    """Serve a ScriptedPartner on a free loopback port: `with PartnerServer(partner) as url: …`."""

    def __init__(self, partner: ScriptedPartner):
        self.partner = partner
        handler = type("Handler", (_Handler,), {"partner": partner})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/oai"

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
