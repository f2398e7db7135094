"""Admin API tokens: scopes (a read token reads, never changes), `pop token list` (never a token's value),
`pop token revoke` (a revoked token is refused), and wrong tokens throttled per client address."""
from __future__ import annotations

import pytest

from app.cli import cli
from app.views.admin_auth import FailureThrottle
from harvest.partner import parse_config
from store.partners import save_partner

CHANGES = [("post", "/api/admin/partners", {"name": "other", "url": "http://partner.invalid/oai",
                                            "metadata_prefix": "pop", "base": "joconde"}),
           ("patch", "/api/admin/partners/museum", {"enabled": False}),
           ("delete", "/api/admin/partners/museum", None),
           ("post", "/api/admin/partners/museum/runs", {"full": True})]
READS = ["/api/admin/partners", "/api/admin/partners/museum", "/api/admin/partners/museum/runs"]


@pytest.fixture
def museum(db):
    with db.session() as session:
        save_partner(session, parse_config("museum", "http://partner.invalid/oai", "pop", "joconde"))


def _create(runner, name: str, *scope: str) -> dict:
    result = runner.invoke(cli, ["token", "create", name, *scope])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.stdout.strip()}"}


def test_a_read_token_reads_and_is_refused_every_change(client, runner, museum):
    read = _create(runner, "dashboard", "--scope", "read")
    for path in READS:
        assert client.get(path, headers=read).status_code == 200, path
    for method, path, body in CHANGES:
        response = getattr(client, method)(path, headers=read, json=body)
        assert response.status_code == 403, (method, path)
        assert response.content_type == "application/problem+json"
        assert response.json["status"] == 403 and "read scope" in response.json["detail"]
    assert client.get("/api/admin/partners/museum", headers=read).json["enabled"] is True  # nothing changed
    admin = _create(runner, "ops")  # admin by default
    assert client.patch("/api/admin/partners/museum", headers=admin, json={"enabled": False}).status_code == 200


def test_token_list_shows_each_token_but_never_its_value(client, runner):
    assert runner.invoke(cli, ["token", "list"]).output.startswith("no tokens")
    ops = _create(runner, "ops")
    _create(runner, "dashboard", "--scope", "read")
    client.get("/api/admin/partners", headers=ops)
    result = runner.invoke(cli, ["token", "list"])
    assert result.exit_code == 0
    header, *rows = result.output.splitlines()
    assert header.split("\t") == ["name", "scope", "created", "last used", "revoked"]
    assert [row.split("\t")[:2] + row.split("\t")[4:] for row in rows] == [["ops", "admin", "no"],
                                                                          ["dashboard", "read", "no"]]
    assert rows[0].split("\t")[3] != "never" and rows[1].split("\t")[3] == "never"
    assert ops["Authorization"].split()[1] not in result.output


def test_a_revoked_token_is_401_and_its_name_can_be_reused(client, runner):
    ops = _create(runner, "ops")
    assert client.get("/api/admin/partners", headers=ops).status_code == 200
    duplicate = runner.invoke(cli, ["token", "create", "ops"])
    assert duplicate.exit_code != 0 and "revoke it first" in duplicate.output
    result = runner.invoke(cli, ["token", "revoke", "ops"])
    assert result.exit_code == 0 and "revoked" in result.output
    refused = client.get("/api/admin/partners", headers=ops)
    assert refused.status_code == 401 and refused.json["detail"] == "unknown or revoked token"
    assert runner.invoke(cli, ["token", "list"]).output.splitlines()[1].endswith("\tyes")
    again = runner.invoke(cli, ["token", "revoke", "ops"])
    assert again.exit_code != 0 and "no live token named 'ops'" in again.output
    assert client.get("/api/admin/partners", headers=_create(runner, "ops")).status_code == 200


def test_an_unknown_scope_is_refused(runner):
    result = runner.invoke(cli, ["token", "create", "x", "--scope", "root"])
    assert result.exit_code != 0 and "root" in result.output


def test_wrong_tokens_are_throttled_per_client_address(app, client, runner):
    ops = _create(runner, "ops")
    limit = app.extensions["pop"].settings.admin_auth_failures
    statuses = [client.get("/api/admin/partners", headers={"Authorization": f"Bearer guess-{n}"}).status_code
                for n in range(300)]
    assert statuses == [401] * limit + [429] * (300 - limit)
    throttled = client.get("/api/admin/partners", headers=ops)  # even the right token: no oracle for guessers
    assert throttled.status_code == 429 and throttled.content_type == "application/problem+json"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/api/admin/partners", headers=ops, environ_base=elsewhere).status_code == 200
    assert client.get("/api/admin/partners", environ_base=elsewhere).status_code == 401  # no token: not a guess


def test_the_failure_window_slides():
    now = [0.0]
    throttle = FailureThrottle(limit=3, window=60, max_clients=2, clock=lambda: now[0])
    for at in (0, 10, 20):
        now[0] = at
        throttle.failed("a")
    assert throttle.retry_after("a") == 40  # the failure at 0 leaves the window at 60
    now[0] = 60
    assert throttle.retry_after("a") is None  # two failures left in the window
    throttle.failed("a")
    assert throttle.retry_after("a") == 10
    throttle.failed("b"), throttle.failed("c")  # memory stays bounded: "a", the oldest, is forgotten
    assert throttle.retry_after("a") is None
    assert FailureThrottle(limit=0).retry_after("a") is None
