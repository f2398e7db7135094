"""Admin API tokens: scopes (a read token reads, never changes), `pop token list` (never a token's value) and
`pop token revoke` (a revoked token is refused)."""
from __future__ import annotations

import pytest

from app.cli import cli
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
