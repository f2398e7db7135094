"""The console (/admin/) without a browser: who may see and change what, sessions that end with their token,
CSRF on every form (the admin API and /oai untouched), throttled sign-ins, cookie flags, keyset pages of a
run's quarantine and its CSV download, notice counts cached until the next write on any node. The whole flow
in Chromium is tests/app/test_console_browser.py."""
from __future__ import annotations

import csv
import io
import os
import re
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import insert

from app.cli import cli
from formats.bases import get_base
from formats.notice import validate_notice
from store.clock import utcnow
from store.models import HarvestIssue, HarvestRun, NoticeRow
from store.issues_csv import copy_rows, python_rows
from store.notices import write_notices
from store.partners import get_partner, save_partner
from harvest.partner import parse_config

from ..conftest import serve
from ..redis_server import RedisUnavailable, prefixed_redis
from .console_helpers import console_app, create_token, csrf_of, sign_in

PAGES = ["/admin/", "/admin/partners/", "/admin/partners/new", "/admin/partners/museum",
         "/admin/partners/museum/edit", "/admin/partners/museum/delete", "/admin/partners/museum/runs/1",
         "/admin/partners/museum/runs/1/issues.csv"]
CHANGES = ["/admin/partners/new", "/admin/partners/museum/edit", "/admin/partners/museum/enabled",
           "/admin/partners/museum/delete", "/admin/partners/museum/run"]


@pytest.fixture
def app(database_url, tmp_path):
    app = console_app(database_url, tmp_path, admin_auth_failures=3)
    yield app
    app.extensions["pop"].db.dispose()


@pytest.fixture
def museum(app):
    """A partner with one run that quarantined 7 records (two reasons)."""
    db = app.extensions["pop"].db
    with db.session() as session:
        partner = save_partner(session, parse_config("museum", "http://partner.invalid/oai", "pop", "joconde"))
        started = datetime(2026, 1, 1)
        run = HarvestRun(partner_id=partner.id, status="succeeded", full=False, started=started,
                         finished=started + timedelta(seconds=3), pages=2, created=5, quarantined=7)
        session.add(run)
        session.flush()
        for n in range(7):
            reason = "broken XML" if n % 2 else 'invalid notice: "TICO", missing'
            session.add(HarvestIssue(run_id=run.id, partner_id=partner.id, identifier=f"oai:x:{n}", reason=reason,
                                     raw=f"<record><header><datestamp>2026-01-0{n + 1}</datestamp></header>"
                                         f"<x>a,\"b\"\n{n}</x></record>", created=started))
    return "museum"


def test_signed_out_visitors_are_sent_to_sign_in_from_every_page(client, museum):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/admin/sign-in?next=")
    assert client.get("/admin/sign-in").status_code == 200
    # an outside address is never where sign-in sends back to
    assert "evil" not in client.get("/admin/sign-in?next=//evil.example/").get_data(as_text=True)


def test_read_token_sees_everything_and_changes_nothing(app, client, museum):
    csrf = sign_in(client, create_token(app, "watcher", "read"))
    for path in PAGES:
        if path.endswith(("/new", "/edit", "/delete")):
            continue
        assert client.get(path).status_code == 200, path
    assert b"Run now" not in client.get("/admin/partners/museum").data
    for path in CHANGES:
        response = client.post(path, data={"csrf_token": csrf, "enabled": "no", "url": "http://x.invalid/"})
        assert response.status_code == 403, path
        assert b"read scope" in response.data
    with app.extensions["pop"].db.session() as session:
        partner = get_partner(session, "museum")
        assert partner.enabled and session.query(HarvestRun).filter_by(status="queued").count() == 0


def test_admin_token_queues_runs_and_toggles(app, client, museum):
    csrf = sign_in(client, create_token(app, "admin"))
    assert client.post("/admin/partners/museum/run", data={"csrf_token": csrf, "full": "yes"}).status_code == 303
    assert client.post("/admin/partners/museum/enabled", data={"csrf_token": csrf, "enabled": "no"}).status_code == 303
    page = client.get("/admin/partners/museum").get_data(as_text=True)
    assert "queued: a worker" in page and "Enable" in page
    with app.extensions["pop"].db.session() as session:
        [queued] = session.query(HarvestRun).filter_by(status="queued").all()
        assert queued.full and not get_partner(session, "museum").enabled  # queued, never run in the request
    confirm = client.get("/admin/partners/museum/delete")
    assert b"Delete partner museum?" in confirm.data
    assert client.post("/admin/partners/museum/delete", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/admin/partners/museum").status_code == 404


def test_a_revoked_token_ends_its_sessions(app, client, museum):
    sign_in(client, create_token(app, "leaving"))
    assert client.get("/admin/partners/").status_code == 200
    assert app.test_cli_runner().invoke(cli, ["token", "revoke", "leaving"]).exit_code == 0
    assert client.get("/admin/partners/").headers["Location"].startswith("/admin/sign-in")


def test_wrong_tokens_are_throttled_like_the_admin_api(app, client):
    csrf = csrf_of(client.get("/admin/sign-in").get_data(as_text=True))
    for _ in range(3):
        assert client.post("/admin/sign-in", data={"token": "guess", "csrf_token": csrf}).status_code == 401
    throttled = client.post("/admin/sign-in", data={"token": "guess", "csrf_token": csrf})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    # one throttle for both doors
    assert client.get("/api/admin/partners", headers={"Authorization": "Bearer x"}).status_code == 429


def test_forms_need_their_csrf_token_and_the_api_and_oai_do_not(app, museum):
    token = create_token(app, "admin")
    with serve(app) as url:
        assert requests.post(f"{url}/admin/sign-in", data={"token": token}, timeout=5).status_code == 400
        browser = requests.Session()
        csrf = csrf_of(browser.get(f"{url}/admin/sign-in", timeout=5).text)
        signed = browser.post(f"{url}/admin/sign-in", data={"token": token, "csrf_token": csrf}, timeout=5,
                              allow_redirects=False)
        cookie = signed.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie  # plain http
        for path in CHANGES:  # signed in, but the form has no token
            assert browser.post(f"{url}{path}", data={"enabled": "no"}, timeout=5).status_code == 400, path
        api = requests.post(f"{url}/api/admin/partners/museum/runs", json={}, timeout=5,
                            headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 202
        assert requests.post(f"{url}/oai", data={"verb": "Identify"}, timeout=5).status_code == 200


def test_the_session_cookie_is_secure_over_https(app):
    client = app.test_client()
    form = client.get("/admin/sign-in", base_url="https://localhost").get_data(as_text=True)
    response = client.post("/admin/sign-in", base_url="https://localhost",  # over https, CSRF wants a Referer
                           headers={"Referer": "https://localhost/admin/sign-in"}, data={"token": create_token(app, "admin"), "csrf_token": csrf_of(form)})
    assert "Secure" in response.headers["Set-Cookie"]


def test_quarantine_pages_by_keyset_filters_by_reason_and_downloads_as_csv(app, client, museum):
    sign_in(client, create_token(app, "watcher", "read"))
    from app.console import runs
    runs.PAGE, page_size = 3, runs.PAGE
    try:
        first = client.get("/admin/partners/museum/runs/1").get_data(as_text=True)
        assert first.count('<li id="issue-') == 3 and 'rel="next" href="/admin/partners/museum/runs/1?after=3' in first
        assert "rel=\"prev\"" not in first and "datestamp <code>2026-01-01</code>" in first
        second = client.get("/admin/partners/museum/runs/1?after=3").get_data(as_text=True)
        assert ['issue-4', 'issue-5', 'issue-6'] == [f"issue-{n}" for n in (4, 5, 6) if f'id="issue-{n}"' in second]
        back = client.get("/admin/partners/museum/runs/1?before=4").get_data(as_text=True)
        assert 'id="issue-1"' in back and 'id="issue-4"' not in back and 'rel="prev"' not in back
        broken = client.get("/admin/partners/museum/runs/1?reason=broken+XML").get_data(as_text=True)
        assert broken.count('<li id="issue-') == 3 and "&lt;record&gt;" in broken  # raw XML escaped
    finally:
        runs.PAGE = page_size
    download = client.get("/admin/partners/museum/runs/1/issues.csv")
    assert download.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert len(rows) == 7 and rows[0]["reason"] == 'invalid notice: "TICO", missing'
    assert rows[0]["raw"].endswith('<x>a,"b"\n0</x></record>')


@pytest.fixture
def redis_cache():
    """A Redis (tests/redis_server.py) and a key prefix of this test's own, its keys deleted after."""
    try:
        with prefixed_redis("console") as url_and_prefix:
            yield url_and_prefix
    except RedisUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {error}")
        pytest.skip(str(error))


def _museum_notices(refs: range) -> list:
    return [validate_notice(get_base("joconde"), {"REF": f"000PE{n:06d}", "TICO": "Chapiteau", "DENO": ["chapiteau"],
                                                  "PRODUCTEUR": "MUSEE"}, source="museum") for n in refs]


def _counts_shown(client) -> tuple[int, int]:
    """The museum's notices as the partners' table and the overview's table of sources show them."""
    table = client.get("/admin/partners/").get_data(as_text=True)
    row = re.search(r'<tr[^>]*>\s*<th scope="row"><a href="/admin/partners/museum">.*?</tr>', table, re.S).group(0)
    overview = client.get("/admin/").get_data(as_text=True)
    per_source = re.search(r'museum</a></th>\s*<td class="n">([\d ]+)</td>', overview).group(1)
    return int(re.findall(r'<td class="n">(\d+)</td>', row)[0]), int(per_source.replace(" ", ""))


def test_notice_counts_are_cached_until_a_write_on_any_node(database_url, tmp_path, redis_cache):
    url, prefix = redis_cache
    nodes = [console_app(database_url, tmp_path / name, cache_url=url, cache_key_prefix=prefix) for name in "ab"]
    try:
        db = nodes[0].extensions["pop"].db
        with db.session() as session:
            save_partner(session, parse_config("museum", "http://partner.invalid/oai", "pop", "joconde"))
            write_notices(session, _museum_notices(range(2)))
        first, second = (node.test_client() for node in nodes)
        sign_in(first, create_token(nodes[0], "admin"))
        sign_in(second, create_token(nodes[1], "watcher", "read"))
        assert _counts_shown(first) == (2, 2)
        # a row that no write path announced (the store version stays): both nodes answer from the shared cache
        with db.session() as session:
            now = utcnow()
            session.execute(insert(NoticeRow).values(
                base="joconde", ref="000PE999999", fields={}, producer="MUSEE", producer_slug="musee", source="museum",
                content_hash="x", fields_hash="x", created=now, datestamp=now, deleted=False, rendered=True))
        assert _counts_shown(first) == (2, 2) and _counts_shown(second) == (2, 2)
        # a write through the write path on the other node bumps the version: every node counts again
        with nodes[1].extensions["pop"].db.session() as session:
            write_notices(session, _museum_notices(range(2, 3)))
        assert _counts_shown(first) == (4, 4) and _counts_shown(second) == (4, 4)
    finally:
        for node in nodes:
            node.extensions["pop"].db.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_writes_the_issues_csv_byte_for_byte_as_python_does(app, museum):
    """COPY on PostgreSQL, Python's csv module elsewhere: hostile cells give the same bytes either way."""
    hostile = ['', 'a,b', 'say "hi"', 'line\nbreak', 'cr\ronly', 'crlf\r\nend', ' spaced ', '\\.', '"', ',', 'été ✓',
               '<x a="1">\n\t</x>', None]
    with app.extensions["pop"].db.session() as session:
        run = session.query(HarvestRun).one()
        for n, value in enumerate(hostile):
            session.add(HarvestIssue(run_id=run.id, partner_id=run.partner_id, identifier=value, raw=value,
                                     reason=value if value is not None else "no reason",
                                     created=datetime(2026, 3, 1, 12, 30, n % 2, 250 * (n % 3))))
        run_id = run.id
    with app.extensions["pop"].db.session() as session:
        for reason in ("", "a,b", 'say "hi"'):
            written = b"".join(copy_rows(session, run_id, reason=reason))
            assert written == b"".join(python_rows(session, run_id, reason=reason)), reason
        assert written.count(b"\r\n") == 1  # one row; its cells quoted as Python quotes them
        rows = list(csv.reader(io.StringIO(b"".join(copy_rows(session, run_id)).decode(), newline="")))
    assert [row[2] for row in rows[7:]] == [value or "" for value in hostile[:-1]] + ["no reason"]  # after museum's 7
