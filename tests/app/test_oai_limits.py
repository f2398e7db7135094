"""/oai under hostile input and overload: what a request may carry (argument size, POST body), control
characters, and the bound on concurrent lists — always an OAI-PMH answer or a 503 with Retry-After."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from app import create_app
from app.commands.serve import gunicorn_args
from formats.bases import get_base
from formats.notice import validate_notice
from store.notices import write_notices

from ..conftest import make_settings
from ..pg import free_port
from .oai_demo import T0
from .oai_xml import error_code, parse

ROOT = Path(__file__).resolve().parents[2]
IDENTIFIER = "oai:pop.culture.gouv.fr:merimee:PA00078014"


def assert_bad_argument(response) -> None:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert error_code(parse(response.content)) == "badArgument"


# --- control characters, on both databases, over real HTTP ----------------------------------------------


@pytest.mark.parametrize("verb", ["GetRecord", "ListMetadataFormats"])
def test_a_nul_byte_in_an_identifier_is_a_bad_argument_not_a_database_error(live_server, verb):
    params = {"verb": verb, "identifier": "oai:pop.culture.gouv.fr:merimee:PA\x0000078014"}
    if verb == "GetRecord":
        params["metadataPrefix"] = "oai_dc"
    assert_bad_argument(requests.get(f"{live_server}/oai", params=params, timeout=10))
    assert_bad_argument(requests.post(f"{live_server}/oai", data=params, timeout=10))


# --- argument size and POST body, under the gunicorn of `pop serve` -------------------------------------


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory, sqlite_template):
    """`pop serve`'s gunicorn command line, on a free port, over a migrated SQLite store."""
    folder = tmp_path_factory.mktemp("gunicorn")
    shutil.copy(sqlite_template, folder / "pop.sqlite3")
    port = free_port()
    env = {**os.environ, "POP_ENV": "testing", "POP_SECRET_KEY": "test-secret",
           "DATABASE_URL": f"sqlite:///{folder / 'pop.sqlite3'}", "POP_BASE_URL": "http://testserver",
           "POP_EXPORT_DIR": str(folder / "exports"), "POP_OAI_MAX_ARGUMENT_BYTES": "2048",
           "POP_OAI_MAX_POST_BYTES": "65536"}
    process = subprocess.Popen([sys.executable, "-m", *gunicorn_args("127.0.0.1", port, 1)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30  # two shared cores: a worker may take seconds to boot
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=5)
                break
            except requests.RequestException:
                assert process.poll() is None, process.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_request_line_over_gunicorns_default_reaches_the_app_and_gets_an_oai_answer(gunicorn):
    # 5 KB of identifier: past gunicorn's default request line (4094), which answered an HTML 414.
    response = requests.get(f"{gunicorn}/oai", params={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                                       "identifier": IDENTIFIER + "X" * 5000}, timeout=10)
    assert_bad_argument(response)
    assert "longer than 2048 bytes" in response.text


def test_an_argument_within_the_limit_is_handled_as_usual(gunicorn):
    response = requests.get(f"{gunicorn}/oai", params={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                                       "identifier": IDENTIFIER + "X" * 1500}, timeout=10)
    assert response.status_code == 200 and error_code(parse(response.content)) == "idDoesNotExist"


# A valid Identify, padded with empty pairs (which form parsing skips): only its size is wrong.
PADDED = b"verb=Identify" + b"&" * 100_000
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_post_body_over_the_limit_is_refused_as_a_bad_argument(gunicorn):
    response = requests.post(f"{gunicorn}/oai", data=PADDED, headers=FORM, timeout=10)
    assert_bad_argument(response)
    assert "larger than 65536 bytes" in response.text


def test_a_chunked_post_body_is_not_read_past_the_limit(gunicorn):
    def chunks():  # no Content-Length: the body's size is only known by reading it
        for start in range(0, len(PADDED), 1000):
            yield PADDED[start:start + 1000]

    response = requests.post(f"{gunicorn}/oai", data=chunks(), headers=FORM, timeout=10)
    assert_bad_argument(response)
    assert "larger than 65536 bytes" in response.text


def test_a_post_within_the_limit_is_answered(gunicorn):
    response = requests.post(f"{gunicorn}/oai", data={"verb": "Identify"}, timeout=10)
    assert response.status_code == 200 and error_code(parse(response.content)) is None
    at_the_limit = PADDED[:65536]
    for body in (at_the_limit, iter([at_the_limit[:30000], at_the_limit[30000:]])):  # announced, chunked
        response = requests.post(f"{gunicorn}/oai", data=body, headers=FORM, timeout=10)
        assert response.status_code == 200 and error_code(parse(response.content)) is None


# --- concurrent lists --------------------------------------------------------------------------------------


@pytest.fixture
def one_list_at_a_time(sqlite_template, tmp_path):
    shutil.copy(sqlite_template, tmp_path / "pop.sqlite3")
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'pop.sqlite3'}", tmp_path,
                                   oai_max_concurrent_lists=1, retry_after=7))
    with app.extensions["pop"].db.session() as session:
        write_notices(session, [validate_notice(get_base("merimee"), {"REF": "PA00078014", "TICO": "Chapelle"})],
                      now=T0)
    yield app.test_client()
    app.extensions["pop"].db.dispose()


LIST = "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc"


def test_a_list_beyond_the_concurrency_limit_gets_503_with_retry_after(one_list_at_a_time):
    client = one_list_at_a_time
    held = client.get(LIST, buffered=False)  # streaming: its slot is held until the response closes
    assert held.status_code == 200
    refused = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc", buffered=True)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "7"
    assert refused.mimetype == "text/plain"
    assert client.get("/oai?verb=Identify", buffered=True).status_code == 200  # only lists are bounded
    assert b"PA00078014" in held.get_data()
    held.close()
    assert client.get(LIST, buffered=True).status_code == 200


def test_every_way_a_list_ends_frees_its_slot(one_list_at_a_time):
    client = one_list_at_a_time
    for path in (LIST, LIST + "&set=nothing", "/oai?verb=ListRecords&metadataPrefix=nope",
                 "/oai?verb=ListRecords&metadataPrefix=oai_dc&from=bad"):
        assert client.get(path, buffered=True).status_code == 200
    client.get(LIST, buffered=False).close()  # closed before its body was read
    gzipped = client.get(LIST, headers={"Accept-Encoding": "gzip"}, buffered=True)
    assert gzipped.status_code == 200 and gzipped.headers["Content-Encoding"] == "gzip"
    assert b"PA00078014" in client.get(LIST, buffered=True).data
