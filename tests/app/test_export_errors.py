"""/exports/ never answers 5xx but 503: bad dates and repeated parameters are 400 problems, Range and
preconditions are RFC 9110's (with problem bodies), a database outage is a 503 before any byte, and a killed
`pop export build` leaves nothing behind that the next build does not clean."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from app import create_app
from app.cli import cli
from tests.conftest import make_settings

from .export_helpers import stock

ROOT = Path(__file__).resolve().parent.parent.parent
PROBLEM = "application/problem+json"
# What these tests check does not depend on the database: SQLite only, to keep the suite lean.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def assert_problem(response, status: int, parameter: str | None = None) -> dict:
    assert response.status_code == status, response.text[:200]
    assert response.headers["Content-Type"] == PROBLEM
    body = response.get_json() if hasattr(response, "get_json") else response.json()  # Flask's or requests'
    assert body["status"] == status and body["detail"]
    assert body.get("parameter") == parameter
    return body


@sqlite_only
@pytest.mark.parametrize("parameter, value", [
    ("since", "9999-12-31T23:59:59-14:00"), ("until", "0001-01-01T00:00:00+14:00")])
def test_dates_outside_the_representable_years_are_400_problems(client, parameter, value):
    assert_problem(client.get("/exports/joconde.jsonl", query_string={parameter: value}), 400, parameter)


@sqlite_only
def test_repeated_parameters_are_400_problems(client):
    assert_problem(client.get("/exports/joconde.csv?producer=a&producer=b"), 400, "producer")
    assert_problem(client.get("/exports/joconde.csv?fields=TICO&since=2024-01-01&fields=DENO"), 400, "fields")


@sqlite_only
def test_snapshot_ranges_and_preconditions_follow_rfc_9110(db, runner, live_server):
    stock(db)
    assert runner.invoke(cli, ["export", "build"]).exit_code == 0
    url = f"{live_server}/exports/palissy.csv"
    whole = requests.get(url, timeout=30)
    size, etag = len(whole.content), whole.headers["ETag"]

    def get(**headers):
        return requests.get(url, headers=headers, timeout=30)

    # Not one byte range (several, another unit, malformed): ignored, the whole file.
    for ignored in ("bytes=0-10,20-30", "bytes=0-10, 5-", "items=0-1", "bytes=abc", "bytes=5-2"):
        response = get(Range=ignored)
        assert (response.status_code, response.content) == (200, whole.content), ignored
    response = get(Range="bytes=10-19")
    assert (response.status_code, response.content) == (206, whole.content[10:20])
    assert response.headers["Content-Range"] == f"bytes 10-19/{size}"
    response = get(Range=f"bytes={size}-")
    assert_problem(response, 416)
    assert response.headers["Content-Range"] == f"bytes */{size}"
    # If-Match / If-Unmodified-Since: 412 with a problem, before any range is considered.
    for headers in ({"If-Match": '"stale"'}, {"If-Match": '"stale"', "Range": "bytes=0-9"},
                    {"If-Match": f"W/{etag}"},  # If-Match compares strongly
                    {"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}):
        assert_problem(get(**headers), 412)
    for headers in ({"If-Match": etag}, {"If-Match": f'"stale", {etag}'}, {"If-Match": "*"},
                    {"If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}):
        response = get(**headers)
        assert (response.status_code, response.content) == (200, whole.content), headers
    response = get(**{"If-Match": etag, "Range": "bytes=0-9"})
    assert (response.status_code, response.content) == (206, whole.content[:10])
    assert get(**{"If-None-Match": etag}).status_code == 304


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("url", [f"postgresql://postgres@127.0.0.1:{free_port()}/pop",
                                 "sqlite:////nonexistent/directory/pop.sqlite3"], ids=["postgresql", "sqlite"])
def test_an_export_during_a_database_outage_is_a_503_problem_before_any_byte(url, tmp_path):
    app = create_app(make_settings(url, tmp_path))
    client = app.test_client()
    for path in ("/exports/joconde.csv?since=2024-01-01", "/exports/merimee.jsonl.gz?producer=x",
                 "/exports/palissy.json", "/exports/catalog.json"):
        response = client.get(path)
        assert_problem(response, 503)
        assert int(response.headers["Retry-After"]) > 0
    app.extensions["pop"].db.dispose()


def temporary_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".tmp-" in p.name) if directory.is_dir() else []


@sqlite_only
def test_a_killed_build_is_cleaned_by_the_next_one(app, runner, client, database_url):
    assert runner.invoke(cli, ["demo", "load", "--size", "2000"]).exit_code == 0
    directory = Path(app.extensions["pop"].settings.export_dir)
    env = {**os.environ, "DATABASE_URL": database_url, "POP_ENV": "testing", "POP_SECRET_KEY": "x",
           "POP_EXPORT_DIR": str(directory)}
    left = []
    for _ in range(3):  # a build that ended before it was seen writing is tried again
        process = subprocess.Popen([sys.executable, "-m", "app", "export", "build", "--force"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while process.poll() is None and not (left := temporary_files(directory)):
                time.sleep(0.002)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            process.kill()
        if left:
            break
    assert temporary_files(directory), "the build was never caught writing"

    assert runner.invoke(cli, ["export", "build"]).exit_code == 0
    assert temporary_files(directory) == []
    manifest = json.loads((directory / "manifest.json").read_text())
    catalog = client.get("/exports/catalog.json").get_json()
    listed = {(d["url"].rsplit("/", 1)[1], d["sha256"], d["bytes"], d["records"])
              for b in catalog["bases"] for d in b["downloads"]}
    assert {(s["file"], s["sha256"], s["bytes"], s["records"]) for s in manifest["snapshots"]} == listed
    for entry in manifest["snapshots"]:
        data = (directory / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        if entry["gzip_file"]:  # Parquet has no .gz twin
            assert hashlib.sha256((directory / entry["gzip_file"]).read_bytes()).hexdigest() == entry["gzip_sha256"]
