"""The admin API: partners CRUD, queued runs, runs with counters, a run's quarantine; bearer tokens;
401 and 422 as JSON problems; the OpenAPI document."""
from __future__ import annotations

import pytest

from app.cli import cli
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import PartnerServer, ScriptedPartner
from tests.harvest.records import joconde_notices, pages_of, pop_record

NOTICES = joconde_notices(4)


@pytest.fixture
def client(harvest_app):
    return harvest_app.test_client()


@pytest.fixture
def token(harvest_app) -> str:
    result = harvest_app.test_cli_runner().invoke(cli, ["token", "create", "tests"])
    return result.stdout.strip()


@pytest.fixture
def auth(token) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def partner():
    records = [pop_record(n) for n in NOTICES]
    bad = pop_record(joconde_notices(1, start=50)[0])
    bad.metadata = bad.metadata.replace(b"</pop:notice>", b'<pop:field name="NOPE">x</pop:field></pop:notice>')
    partner = ScriptedPartner(pages_of([*records, bad], 2), sets=("paintings",))
    with PartnerServer(partner) as url:
        yield url


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/admin/openapi.json").json
    assert spec["info"]["title"] == "POP admin API"
    assert set(spec["paths"]) >= {"/api/admin/partners", "/api/admin/partners/{name}/runs",
                                  "/api/admin/partners/{name}/runs/{run_id}/issues"}
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic dXNlcjpwYXNz"])
def test_without_a_valid_token_every_route_is_401_problem(client, token, header):
    headers = {"Authorization": header} if header else {}
    for method, path in [("get", "/api/admin/partners"), ("post", "/api/admin/partners"),
                         ("get", "/api/admin/partners/x/runs"), ("post", "/api/admin/partners/x/runs")]:
        response = getattr(client, method)(path, headers=headers, json={})
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"
        assert response.json["status"] == 401 and response.json["title"] == "Unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_register_run_and_read_what_happened(client, auth, partner, harvester):
    body = {"name": "museum", "url": partner, "metadata_prefix": "pop", "base": "joconde", "every": "1d",
            "sets": ["paintings"], "notes": "test partner"}
    created = client.post("/api/admin/partners", json=body, headers=auth)
    assert created.status_code == 201, created.json
    assert created.json.items() >= {"name": "museum", "every": "1d", "mapping": "pop", "sets": ["paintings"],
                                    "granularity": "YYYY-MM-DDThh:mm:ssZ", "enabled": True}.items()
    assert client.get("/api/admin/partners", headers=auth).json[0]["name"] == "museum"

    queued = client.post("/api/admin/partners/museum/runs", json={"full": True}, headers=auth)
    assert queued.status_code == 202
    assert queued.json["status"] == "queued"
    assert client.post("/api/admin/partners/museum/runs", json={}, headers=auth).json["id"] == queued.json["id"]
    assert harvester.store() == {}  # queued, not run inside the request

    result = client.application.test_cli_runner().invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    [run] = client.get("/api/admin/partners/museum/runs", headers=auth).json
    assert run.items() >= {"id": queued.json["id"], "status": "succeeded", "full": True, "created": 0,
                           "quarantined": 0}.items()  # the set filter: nothing is in "paintings"
    client.patch("/api/admin/partners/museum", json={"sets": []}, headers=auth)
    client.post("/api/admin/partners/museum/runs", json={}, headers=auth)
    client.application.test_cli_runner().invoke(cli, ["worker", "--once"])
    latest = client.get("/api/admin/partners/museum/runs", headers=auth).json[0]
    assert latest.items() >= {"status": "succeeded", "created": 4, "quarantined": 1, "pages": 3}.items()
    issues = client.get(f"/api/admin/partners/museum/runs/{latest['id']}/issues", headers=auth).json
    assert [(i["identifier"], i["reason"]) for i in issues] == [
        ("oai:partner.example:joconde:000PE000050", "invalid notice: NOPE: is not a field of this base.")]
    assert '<pop:field name="NOPE">x</pop:field>' in issues[0]["raw"]


def test_invalid_bodies_are_422_with_field_errors(client, auth, partner):
    response = client.post("/api/admin/partners", json={"name": "Bad Name", "url": "ftp://x", "base": "louvre",
                                                        "every": "sometimes"}, headers=auth)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    errors = response.json["errors"]
    assert set(errors) == {"name", "url", "base", "every", "metadata_prefix"}
    assert errors["metadata_prefix"] == ["Missing data for required field."]
    # checked against the partner too
    response = client.post("/api/admin/partners", json={"name": "museum", "url": partner, "metadata_prefix": "lido",
                                                        "base": "joconde", "sets": ["nope"]}, headers=auth)
    assert response.status_code == 422
    assert response.json["errors"] == {"metadata_prefix": ["'lido' is not offered (offered: pop)"],
                                       "sets": ["unknown set(s): nope"]}


def test_partner_crud(client, auth, partner):
    body = {"name": "museum", "url": partner, "metadata_prefix": "pop", "base": "joconde"}
    assert client.post("/api/admin/partners", json=body, headers=auth).status_code == 201
    assert client.post("/api/admin/partners", json=body, headers=auth).status_code == 409
    changed = client.patch("/api/admin/partners/museum", json={"enabled": False, "every": "12h"}, headers=auth)
    assert changed.status_code == 200
    assert (changed.json["enabled"], changed.json["every"]) == (False, "12h")
    bad = client.patch("/api/admin/partners/museum", json={"name": "renamed", "full": 1}, headers=auth)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"name", "full"}
    bad_run = client.post("/api/admin/partners/museum/runs", json={"full": "maybe"}, headers=auth)
    assert bad_run.status_code == 422 and bad_run.json["errors"] == {"full": ["Not a valid boolean."]}
    assert client.delete("/api/admin/partners/museum", headers=auth).status_code == 204
    missing = client.get("/api/admin/partners/museum", headers=auth)
    assert missing.status_code == 404 and missing.json["detail"] == "no partner named 'museum'"


def _is_problem(response, status: int) -> bool:
    body = response.json
    return (response.status_code == status and response.content_type == "application/problem+json"
            and body["status"] == status and {"type", "title", "detail"} <= set(body))


def test_malformed_bodies_and_paths_are_4xx_problems(client, auth, harvester):
    harvester.add("http://partner.invalid/oai")
    cases = [("post", "/api/admin/partners", {"data": "{bad", "content_type": "application/json"}, 400),
             ("post", "/api/admin/partners", {"data": '[' * 50_000, "content_type": "application/json"}, 400),
             ("post", "/api/admin/partners", {}, 400),  # no body at all
             ("patch", "/api/admin/partners/museum", {}, 400),
             ("post", "/api/admin/partners/museum/runs", {"data": "full=1", "content_type": "text/plain"}, 415),
             ("post", "/api/admin/partners", {"json": ["a", "list"]}, 422),
             ("patch", "/api/admin/partners/museum", {"json": {"notes": "nul \x00 inside"}}, 422),
             ("patch", "/api/admin/partners/museum", {"json": {"every": "99999999999d"}}, 422),
             ("patch", "/api/admin/partners/museum", {"json": {"every": "²"}}, 422),
             ("get", f"/api/admin/partners/museum/runs/{2**63}", {}, 404),
             ("get", f"/api/admin/partners/museum/runs/{2**64 + 1}/issues", {}, 404),
             ("get", "/api/admin/partners/museum/runs/1/issues?after=99999999999999999999", {}, 422),
             ("get", "/api/admin/partners/Not%20A%20Name", {}, 404),
             ("get", "/api/admin/partners/nul%00", {}, 404),
             ("put", "/api/admin/partners", {}, 405),
             ("get", "/api/admin/nothing-here", {}, 404)]
    for method, path, kwargs, status in cases:
        response = getattr(client, method)(path, headers=auth, **kwargs)
        assert _is_problem(response, status), (method, path, response.status_code, response.data[:200])
    nested = client.patch("/api/admin/partners/museum", json={"sets": ["ok", "not a set spec"]}, headers=auth)
    assert _is_problem(nested, 422) and list(nested.json["errors"]) == ["sets.1"]
    assert "Allow" in client.put("/api/admin/partners", headers=auth).headers


def test_openapi_document_declares_problems_nulls_and_401s(client):
    spec = client.get("/api/admin/openapi.json").json
    partner = spec["components"]["schemas"]["Partner"]["properties"]
    assert partner["next_run_at"]["nullable"] and partner["granularity"]["nullable"]
    problem = spec["components"]["responses"]["UNAUTHORIZED"]
    assert list(problem["content"]) == ["application/problem+json"] and "WWW-Authenticate" in problem["headers"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" not in operation["responses"], (method, path)
            assert {"401", "429"} <= set(operation["responses"]), (method, path)
            if method != "get":
                assert "403" in operation["responses"], (method, path)


def test_credentials_in_a_partner_url_are_never_answered(client, auth, partner, harvester):
    secret_url = partner.replace("http://", "http://harvester:s3cret@")
    body = {"name": "museum", "url": secret_url, "metadata_prefix": "pop", "base": "joconde"}
    created = client.post("/api/admin/partners", json=body, headers=auth)
    assert created.status_code == 201, created.json
    shown = partner.replace("http://", "http://harvester:***@")
    assert created.json["url"] == shown
    assert client.get("/api/admin/partners/museum", headers=auth).json["url"] == shown
    assert client.patch("/api/admin/partners/museum", json={"notes": "x"}, headers=auth).json["url"] == shown
    assert "s3cret" not in client.get("/api/admin/partners", headers=auth).get_data(as_text=True)
    runner = client.application.test_cli_runner()
    for command in (["harvest", "list"], ["harvest", "show", "museum"]):
        output = runner.invoke(cli, command).output
        assert shown in output and "s3cret" not in output
    assert harvester.rows("museum") == {} and harvester.run().status == "succeeded"  # still harvested with them
