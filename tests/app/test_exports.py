"""/exports/ over real HTTP: every base in every format parses to exactly the store's published notices,
filters select what they promise, snapshots resume with Range, hidden fields never leave."""
from __future__ import annotations

import csv
import gzip
import hashlib
import http.client
import io
import json
import socket
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import text

from app import create_app
from app.cli import cli
from store.notices import delete_notices, write_notices
from tests.conftest import make_settings, serve
from formats.bases import BASES, get_base
from formats.tabular import decode_row
from formats.notice import validate_notice
from protocols.export.writers import formats_of
from tests.protocols.export.data import SECRET, variants

from .export_helpers import BATCH_TIMES, published, stock

FORMATS = ("csv", "jsonl", "json")


def parse(fmt: str, data: bytes, base_name: str) -> list[dict]:
    """What a reuser gets with Python's csv and json modules."""
    if fmt == "json":
        return json.loads(data)
    if fmt == "jsonl":
        return [json.loads(line) for line in data.decode("utf-8").splitlines()]
    text_ = data.decode("utf-8-sig")
    delimiter = ","
    if text_.startswith("sep="):
        delimiter, text_ = text_[4], text_.split("\r\n", 1)[1]
    rows = list(csv.reader(io.StringIO(text_, newline=""), delimiter=delimiter, strict=True))
    base = get_base(base_name)
    records = []
    for row in rows[1:]:
        record = decode_row(base, rows[0], row)
        if record.get("_deleted") == "true":
            record["_deleted"] = True
        records.append(record)
    return records


@pytest.fixture
def stocked(db):
    return stock(db)


def build(runner, *args):
    result = runner.invoke(cli, ["export", "build", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_base_downloads_in_every_format_as_its_published_notices(app, db, stocked, live_server, runner):
    for phase in ("live", "snapshot"):
        if phase == "snapshot":
            build(runner)
        for base in BASES:
            expected = published(db, base)
            assert len(expected) == 7  # sample + 7 variants - 1 deleted
            for fmt in FORMATS:
                response = requests.get(f"{live_server}/exports/{base}.{fmt}", timeout=30)
                assert response.status_code == 200, (phase, base, fmt)
                assert parse(fmt, response.content, base) == expected, (phase, base, fmt)
                gz = requests.get(f"{live_server}/exports/{base}.{fmt}.gz", timeout=30)
                assert gz.headers["Content-Type"] == "application/gzip"
                assert gzip.decompress(gz.content) == response.content
                assert SECRET.encode() not in response.content


def test_media_types_and_attachment_names(stocked, live_server, runner):
    expected = {"csv": "text/csv; charset=utf-8; header=present", "jsonl": "application/jsonl; charset=utf-8",
                "json": "application/json"}
    for phase in ("live", "snapshot"):
        if phase == "snapshot":
            build(runner)
        for fmt, media_type in expected.items():
            response = requests.get(f"{live_server}/exports/mnr.{fmt}", timeout=30)
            assert response.headers["Content-Type"] == media_type
            assert response.headers["Content-Disposition"] in (f"attachment; filename=mnr.{fmt}",
                                                               f'attachment; filename="mnr.{fmt}"')


def test_filters_select_exactly_what_they_promise(db, stocked, live_server):
    def get(name, **params):
        response = requests.get(f"{live_server}/exports/{name}", params=params, timeout=30)
        assert response.status_code == 200, response.text
        return response

    for producer in ("Monuments Historiques", "monuments-historiques"):
        records = parse("jsonl", get("merimee.jsonl", producer=producer).content, "merimee")
        assert records == published(db, "merimee", producer_slug="monuments-historiques") and records
    records = parse("csv", get("palissy.csv", since="2024-02-01", until="2024-02-01").content, "palissy")
    assert records == published(db, "palissy", since=datetime(2024, 2, 1), until=datetime(2024, 2, 1, 23, 59, 59))
    assert 0 < len(records) < len(published(db, "palissy"))
    records = parse("json", get("joconde.json", since="2024-02-01T08:00:00Z").content, "joconde")
    assert records == published(db, "joconde", since=BATCH_TIMES[1])
    records = parse("json", get("joconde.json", fields="TICO,AUTR").content, "joconde")
    assert records == [{k: v for k, v in r.items() if k in ("REF", "TICO", "AUTR")} for r in published(db, "joconde")]
    for fmt in FORMATS:
        records = parse(fmt, get(f"mnr.{fmt}", deleted="include").content, "mnr")
        assert records == published(db, "mnr", deleted=True)
        assert {"REF": stocked["mnr"], "_deleted": True} in records
    records = parse("csv", get("autor.csv", sep=";", bom="1").content, "autor")
    assert records == published(db, "autor")


def test_invalid_filters_are_400_problems_naming_the_parameter(stocked, live_server):
    response = requests.get(f"{live_server}/exports/joconde.csv", params={"since": "last week"}, timeout=30)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["parameter"] == "since"
    response = requests.get(f"{live_server}/exports/nowhere.csv", timeout=30)
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"


def test_snapshot_downloads_resume_with_range_and_revalidate(stocked, live_server, runner):
    build(runner)
    url = f"{live_server}/exports/palissy.csv"
    whole = requests.get(url, timeout=30)
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["ETag"] and whole.headers["Last-Modified"]
    cut = len(whole.content) // 3
    first = requests.get(url, headers={"Range": f"bytes=0-{cut - 1}"}, timeout=30)
    rest = requests.get(url, headers={"Range": f"bytes={cut}-", "If-Range": whole.headers["ETag"]}, timeout=30)
    assert first.status_code == rest.status_code == 206
    assert first.content + rest.content == whole.content
    again = requests.get(url, headers={"If-None-Match": whole.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    for suffix in (".gz",):
        packed = requests.get(url + suffix, timeout=30).content
        head = requests.get(url + suffix, headers={"Range": "bytes=0-99"}, timeout=30).content
        tail = requests.get(url + suffix, headers={"Range": "bytes=100-"}, timeout=30).content
        assert head + tail == packed


def test_build_rewrites_only_bases_that_changed(app, db, stocked, runner):
    assert "built: 8, unchanged: 0" in build(runner)
    assert "built: 0, unchanged: 8" in build(runner)
    with db.session() as session:
        delete_notices(session, "museo", [published(db, "museo")[0]["REF"]])
    output = build(runner)
    assert "museo: built" in output and "built: 1, unchanged: 7" in output
    manifest = json.loads((Path(app.extensions["pop"].settings.export_dir) / "manifest.json").read_text())
    museo_csv = next(s for s in manifest["snapshots"] if s["base"] == "museo" and s["format"] == "csv")
    assert museo_csv["records"] == 6 and len(museo_csv["sha256"]) == 64 and museo_csv["high_water"]


def test_catalog_lists_every_base_and_format_for_people_and_scripts(stocked, live_server, runner):
    before = requests.get(f"{live_server}/exports/catalog.json", timeout=30).json()
    assert all(not d["snapshot"] for b in before["bases"] for d in b["downloads"])
    build(runner)
    catalog = requests.get(f"{live_server}/exports/", headers={"Accept": "application/json"}, timeout=30).json()
    assert catalog == requests.get(f"{live_server}/exports/catalog.json", timeout=30).json()
    assert [b["base"] for b in catalog["bases"]] == list(BASES)
    assert catalog["licence"]["name"] == "Licence Ouverte 2.0"
    for entry in catalog["bases"]:
        assert [d["format"] for d in entry["downloads"]] == [f.name for f in formats_of(get_base(entry["base"]))]
        for download in entry["downloads"]:
            data = requests.get(download["url"].replace("http://testserver", live_server), timeout=30).content
            assert download["records"] == entry["records"] == 7
            assert download["bytes"] == len(data) and download["last_modified"]
            assert hashlib.sha256(data).hexdigest() == download["sha256"]
    page = requests.get(f"{live_server}/exports/", headers={"Accept": "text/html"}, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Licence Ouverte 2.0" in page.text and "/exports/enluminures.jsonl" in page.text


def test_field_dictionary_explains_each_column(live_server):
    data = requests.get(f"{live_server}/exports/palissy/fields", headers={"Accept": "application/json"},
                        timeout=30).json()
    codes = [f["code"] for f in data["fields"]]
    assert codes == [f.code for f in get_base("palissy").published_fields]
    assert not set(codes) & get_base("palissy").hidden_codes
    assert all(f["label"] for f in data["fields"])
    page = requests.get(f"{live_server}/exports/palissy/fields", timeout=30)
    assert "DENO" in page.text and "ADRS2" not in page.text
    assert requests.get(f"{live_server}/exports/nope/fields", timeout=30).status_code == 404


def test_a_failure_mid_stream_aborts_the_download(db, stocked, database_url, tmp_path):
    """A real failure while streaming: a corrupt row (SQLite) or the database connection killed (PostgreSQL)."""
    base = get_base("joconde")
    with db.session() as session:  # enough rows that the head is sent long before the failure
        more = [validate_notice(base, raw) for raw in variants(base, 999)]
        write_notices(session, more[8:], now=datetime(2025, 1, 1))
    if database_url.startswith("sqlite"):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE notice SET fields = '{broken' WHERE base = 'joconde' AND ref = :ref"),
                               {"ref": more[-1].ref})
    small_batches = create_app(make_settings(database_url, tmp_path, export_batch_size=50))
    with serve(small_batches, send_buffer=4096) as live_server:
        response = _slow_reader(live_server, "/exports/joconde.csv?since=2000-01-01")
        assert response.status == 200
        received = _read_until_failure(response, db, database_url)
    small_batches.extensions["pop"].db.dispose()
    assert b"Error" not in received and b"Traceback" not in received


def _slow_reader(live_server: str, path: str) -> http.client.HTTPResponse:
    """The response to GET `path` on a connection whose receive buffer is a few KB (and the server's send buffer:
    `serve(send_buffer=…)`): the server cannot send the export ahead into the kernel's buffers and finish it,
    with its transaction, before the failure is made."""
    host, port = urlsplit(live_server).hostname, urlsplit(live_server).port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect((host, port))
    connection.sock = sock
    connection.request("GET", path)
    return connection.getresponse()


def _read_until_failure(response: http.client.HTTPResponse, db, database_url) -> bytes:
    """What the client received before the download was cut (never its regular end)."""
    received = b""
    with pytest.raises(http.client.IncompleteRead):  # the chunked body ends without its last chunk
        while chunk := response.read1(8192):
            received += chunk
            if database_url.startswith("postgresql") and len(received) == len(chunk):
                with db.engine.begin() as connection:
                    connection.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND state <> 'idle'"))  # the streaming connection, inside its transaction
    return received
