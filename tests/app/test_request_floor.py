"""What every request still does now that it costs less (docs/benchmarks.md, "GetRecord and manifests against
the floor"): a GetRecord is counted by verb and error, logged as one JSON line with its request id, sent whole
with its length (compressed when asked), and the session cookie is read and written only when there is one."""
from __future__ import annotations

import gzip
import json
import logging
import zlib

from prometheus_client import REGISTRY

from formats.bases import get_base
from formats.notice import validate_notice
from store.notices import write_notices

from .oai_xml import error_code, parse

RECORD = "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:pop.culture.gouv.fr:merimee:PA00078014"


def _load(db) -> None:
    with db.session() as session:
        write_notices(session, [validate_notice(get_base("merimee"), {"REF": "PA00078014", "TICO": "Chapelle"})])


def _counted(verb: str, error: str) -> float:
    return REGISTRY.get_sample_value("pop_oai_requests_total", {"verb": verb, "error": error}) or 0.0


def test_getrecord_is_counted_by_verb_and_error(client, db):
    _load(db)
    found, missing = _counted("GetRecord", ""), _counted("GetRecord", "idDoesNotExist")
    assert client.get(RECORD).status_code == 200
    assert client.get(RECORD).status_code == 200
    assert client.get(RECORD.replace("PA00078014", "PA99999999")).status_code == 200
    assert _counted("GetRecord", "") == found + 2
    assert _counted("GetRecord", "idDoesNotExist") == missing + 1


def test_getrecord_is_one_json_log_line_with_its_request_id(client, db):
    _load(db)
    lines: list[str] = []
    handler = logging.getLogger("pop").handlers[0]
    formatter = handler.formatter
    capture = logging.Handler()
    capture.emit = lambda record: lines.append(formatter.format(record)) if handler.filter(record) else None
    logger = logging.getLogger("pop.oai")
    logger.addHandler(capture)
    try:
        response = client.get(RECORD, headers={"X-Request-Id": "harvest-42"})
    finally:
        logger.removeHandler(capture)
    assert response.headers["X-Request-Id"] == "harvest-42"
    event = json.loads(lines[-1])
    assert event["event"] == "oai.request" and event["verb"] == "GetRecord" and event["error"] is None
    assert event["request_id"] == "harvest-42" and event["level"] == "info" and event["time"].endswith("Z")


def test_getrecord_is_sent_whole_with_its_length_and_compressed_when_asked(client, db):
    _load(db)
    plain = client.get(RECORD)
    assert plain.headers["Content-Length"] == str(len(plain.data)) and plain.headers["Vary"] == "Accept-Encoding"
    assert error_code(parse(plain.data)) is None and b"PA00078014" in plain.data
    for encoding, decompress in (("gzip", gzip.decompress), ("deflate", zlib.decompress)):
        packed = client.get(RECORD, headers={"Accept-Encoding": f"{encoding};q=1, identity;q=0.5"})
        assert packed.headers["Content-Encoding"] == encoding
        assert packed.headers["Content-Length"] == str(len(packed.data))
        assert parse(decompress(packed.data)).findtext(".//{*}identifier") == parse(plain.data).findtext(
            ".//{*}identifier")
    assert "Content-Encoding" not in client.get(RECORD, headers={"Accept-Encoding": "identity"}).headers
    assert "Content-Encoding" not in client.get(RECORD, headers={"Accept-Encoding": "gzip;q=0"}).headers


def test_a_request_without_the_session_cookie_sets_none_and_does_not_vary_on_it(client):
    response = client.get("/healthz")
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
