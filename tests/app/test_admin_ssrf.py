"""Partner URLs from the web are untrusted (SSRF): the admin API refuses loopback, private and link-local
partners — after DNS resolution, at every redirect hop — before any connection; its check is bounded and says
nothing of port states; credentials are stored apart and sent as basic auth only; `pop harvest add` (an operator)
may add any URL, and the runs of API partners obey the rules on every fetch.

Every server contacted is one the test starts on 127.0.0.1; names resolve through the `no_dns` fixture; refused
addresses are refused at the check (asserted: no socket connect was even attempted).
"""
from __future__ import annotations

import base64
import logging
import socket
import time

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app import create_app
from app.cli import cli
from harvest.partner import NO_ANSWER
from store.db import make_engine
from store.migrate import MIGRATIONS, alembic_config, upgrade
from store.partners import get_partner
from tests.app.console_helpers import create_token, sign_in
from tests.conftest import make_settings
from tests.harvest.fixtures import FAST, LOOPBACK, Harvester, no_dns  # noqa: F401  (fixture)
from tests.harvest.oai_partner import Fault, PartnerServer, ScriptedPartner
from tests.harvest.records import joconde_notices, pages_of, pop_record


# Where the store plays no part (the check refuses or fails before any write), SQLite alone
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def make_app(database_url, tmp_path, **overrides):
    app = create_app(make_settings(database_url, tmp_path, **{**FAST, **overrides}))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def web(database_url, tmp_path, no_dns):
    """An app with no address allowed beyond public ones, and `post(url)` that registers a partner with it."""
    app = make_app(database_url, tmp_path)
    yield Web(app)
    app.extensions["pop"].db.dispose()


class Web:
    def __init__(self, app):
        self.app, self.client = app, app.test_client()
        token = app.test_cli_runner().invoke(cli, ["token", "create", "tests"]).stdout.strip()
        self.auth = {"Authorization": f"Bearer {token}"}

    def post(self, url: str, name: str = "museum"):
        return self.client.post("/api/admin/partners", headers=self.auth,
                                json={"name": name, "url": url, "metadata_prefix": "pop", "base": "joconde"})


@pytest.fixture
def connects(monkeypatch) -> list:
    """Every socket connection Python attempts, recorded: loopback ones go on, any other is refused."""
    attempts, real = [], socket.socket.connect

    def connect(sock, address):
        attempts.append(address[0])
        if address[0] not in ("127.0.0.1", "::1"):
            raise OSError("tests connect to loopback only")
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def served(partner: ScriptedPartner | None = None) -> PartnerServer:
    return PartnerServer(partner or ScriptedPartner([[pop_record(n) for n in joconde_notices(2)]]))


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


@SQLITE_ONLY
@pytest.mark.parametrize("url", ["http://10.0.0.1/oai", "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]:8080/oai", "http://[fe80::1]/oai", "http://0.0.0.0:80/oai",
                                 "http://[fd00::1]/oai"])
def test_the_api_refuses_internal_addresses_before_any_connection(web, connects, url):
    response = web.post(url)
    assert response.status_code == 422
    assert "not a public address" in response.json["errors"]["url"][0]
    assert connects == []


@SQLITE_ONLY
def test_the_api_refuses_loopback_partners_and_names_that_resolve_to_them(web, connects, no_dns):
    no_dns["localhost"] = ["127.0.0.1"]
    scripted = ScriptedPartner([[]])
    with PartnerServer(scripted) as url:
        for partner_url in (url, url.replace("127.0.0.1", "localhost")):
            response = web.post(partner_url)
            assert response.status_code == 422, response.json
            assert "not a public address (loopback)" in response.json["errors"]["url"][0]
    assert scripted.requests == [] and connects == []


@SQLITE_ONLY
def test_every_redirect_hop_is_checked(database_url, tmp_path, no_dns):
    other = ScriptedPartner([[]])
    with PartnerServer(other) as elsewhere:  # another loopback port: not allowed
        target = ScriptedPartner([[]], faults={"Identify": [Fault("status", 302, {"Location": elsewhere})]})
        with PartnerServer(target) as url:
            web = Web(make_app(database_url, tmp_path, harvest_allowed_hosts=(f"127.0.0.1:{port_of(url)}",)))
            refused = web.post(url)
            assert refused.status_code == 422
            assert refused.json["errors"]["url"][0].startswith(f"partner redirected to {elsewhere}: 127.0.0.1 is "
                                                               "not a public address (loopback)")
            assert web.post(url).status_code == 201  # the allowed host itself (its redirect was answered once)
    assert other.requests == []


def closed_port() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more
    return f"http://127.0.0.1:{port}/oai"


@SQLITE_ONLY
@pytest.mark.parametrize("fault", ["closed", Fault("sleep", seconds=3), Fault("reset"), Fault("status", 404),
                                   Fault("status", 503, {"Retry-After": "30"}), Fault("body", body=b"<html/>")])
def test_a_check_that_fails_says_nothing_of_why_and_is_bounded(database_url, tmp_path, caplog, fault):
    web = Web(make_app(database_url, tmp_path, harvest_check_deadline=1, **LOOPBACK))
    with caplog.at_level(logging.WARNING, logger="pop.harvest"):
        started = time.monotonic()
        if fault == "closed":
            response = web.post(closed_port())
        else:
            with PartnerServer(ScriptedPartner([[]], faults={"Identify": [fault] * 3})) as url:
                response = web.post(url)
        assert time.monotonic() - started < 2.5  # 1 s deadline, one attempt, no Retry-After waited for
    assert response.status_code == 422
    assert response.json["errors"] == {"url": [NO_ANSWER]}
    [logged] = [record for record in caplog.records if record.getMessage() == "harvest.check_failed"]
    assert logged.reason  # the operator's log has the reason


def test_credentials_are_stored_apart_sent_as_basic_auth_and_never_shown_nor_logged(database_url, tmp_path,
                                                                                    caplog, no_dns):
    web = Web(make_app(database_url, tmp_path, **LOOPBACK))
    scripted = ScriptedPartner(pages_of([pop_record(n) for n in joconde_notices(2)], 2))
    with PartnerServer(scripted) as url, caplog.at_level(logging.DEBUG):
        secret_url = url.replace("http://", "http://harvester:s3cret@")
        assert web.post(secret_url).status_code == 201
        masked = url.replace("http://", "http://harvester:***@")
        assert web.client.patch("/api/admin/partners/museum", json={"url": masked},  # sent back as answered
                                headers=web.auth).json["url"] == masked
        report = Harvester(web.app).run()
        assert report.status == "succeeded", report.error
    expected = "Basic " + base64.b64encode(b"harvester:s3cret").decode()
    assert set(scripted.authorizations) == {expected}
    with web.app.extensions["pop"].db.session() as session:
        row = get_partner(session, "museum")
        assert (row.url, row.credentials, row.trusted_url) == (url, "harvester:s3cret", False)
    assert not [r for r in caplog.records if "s3cret" in r.getMessage() or "s3cret" in str(r.__dict__)]


def test_the_cli_may_add_any_url_and_api_partners_obey_the_rules_when_they_run(database_url, tmp_path, no_dns):
    app = make_app(database_url, tmp_path)  # nothing allowed beyond public addresses
    runner, harvester = app.test_cli_runner(), Harvester(app)
    with served() as url:
        secret_url = url.replace("http://", "http://harvester:s3cret@")
        added = runner.invoke(cli, ["harvest", "add", "museum", "--url", secret_url, "--prefix", "pop",
                                    "--base", "joconde"])
        assert added.exit_code == 0, added.output
        assert "s3cret" not in added.output and "harvester:***@" in added.output
        assert harvester.run().status == "succeeded"  # an operator's URL: any address
        harvester.add(url, name="from-the-web")  # trusted_url false, as the admin API saves it
        report = harvester.run("from-the-web")
    assert report.status == "failed" and "127.0.0.1 is not a public address" in report.error


def test_the_api_keeps_an_operators_url_trusted_until_it_changes(database_url, tmp_path, no_dns):
    web = Web(make_app(database_url, tmp_path))
    with served() as url, served() as other:
        assert web.app.test_cli_runner().invoke(cli, ["harvest", "add", "museum", "--url", url, "--prefix", "pop",
                                                      "--base", "joconde"]).exit_code == 0
        patch = web.client.patch
        assert patch("/api/admin/partners/museum", json={"sets": []}, headers=web.auth).status_code == 200
        moved = patch("/api/admin/partners/museum", json={"url": other}, headers=web.auth)
        assert moved.status_code == 422 and "not a public address" in moved.json["errors"]["url"][0]


@SQLITE_ONLY
def test_pop_harvest_add_every_superscript_two_is_a_one_line_error(database_url, tmp_path):
    result = make_app(database_url, tmp_path).test_cli_runner().invoke(
        cli, ["harvest", "add", "museum", "--url", "http://partner.invalid/oai", "--prefix", "pop", "--base",
              "joconde", "--every", "²", "--no-check"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: interval: cannot read interval '²': use a number and a unit, "
                                                  "e.g. 30m, 12h, 1d, 1w"]


def test_the_migration_moves_credentials_out_of_existing_urls(database_url):
    previous = ScriptDirectory(str(MIGRATIONS)).get_revision("0011_partner_url_trust").down_revision
    command.downgrade(alembic_config(database_url), previous)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO partner (name, url, metadata_prefix, sets, base, mapping, enabled, notes, created, "
                "updated, full_next) VALUES ('museum', 'https://user:p%40ss@partner.example/oai', 'pop', '[]', "
                "'joconde', 'pop', true, '', '2026-01-01', '2026-01-01', false)"))
    finally:
        upgrade(database_url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT url, credentials, trusted_url FROM partner")).one()
    engine.dispose()
    assert tuple(row) == ("https://partner.example/oai", "user:p%40ss", False)


@SQLITE_ONLY
def test_the_console_obeys_the_same_rules(database_url, tmp_path, no_dns):
    app = make_app(database_url, tmp_path)
    client = app.test_client()
    csrf = sign_in(client, create_token(app, "admin"))
    with served() as url, served() as other:
        assert app.test_cli_runner().invoke(cli, ["harvest", "add", "museum", "--url", url, "--prefix", "pop",
                                                  "--base", "joconde"]).exit_code == 0
        form = {"csrf_token": csrf, "name": "museum", "url": url, "metadata_prefix": "pop", "base": "joconde",
                "enabled": "on", "notes": "checked again"}
        assert client.post("/admin/partners/museum/edit", data=form).status_code == 303  # the operator's URL
        for path, changes in (("/admin/partners/museum/edit", {"url": other}),
                              ("/admin/partners/new", {"name": "intranet", "url": "http://10.0.0.1/oai"})):
            response = client.post(path, data={**form, **changes})
            assert response.status_code == 422 and "not a public address" in response.get_data(as_text=True)
