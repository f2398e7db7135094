"""The admin API holds to its OpenAPI document, whatever it is sent: schemathesis generates requests for every
operation from /api/admin/openapi.json (valid ones, and invalid ones: wrong types, missing fields, bodies that
break the schema) and checks each answer — no 5xx, every status, media type, header and body as declared,
and an unauthenticated copy of each request refused.

Bounded and reproducible: a fixed number of examples per operation, derandomized, on PostgreSQL (the store
that refuses NUL characters and out-of-range integers outright). No request leaves the process: the remote
check of a partner gets a client that refuses every fetch — so a generated partner gets the 422 a failed
check gives — and every socket the test's Python opens is refused as well.
"""
from __future__ import annotations

import socket

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, ignored_auth, negative_data_rejection,
                                               response_headers_conformance, response_schema_conformance,
                                               status_code_conformance)

from app.views import admin
from app.views.admin_auth import EXTENSION, FailureThrottle
from harvest.client import HarvestError, OAIClient
from harvest.partner import parse_config
from store.partners import get_partner, partner_exists, queue_run, save_partner
from store.tokens import create_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth]
EXAMPLES = 30  # per operation and mode: 9 operations x 2 modes x 30 requests, a few seconds
SEEDED = "museum"  # a partner that exists, with a run, so named routes reach their success paths too


class RefusingClient(OAIClient):
    """The harvester's client, but every request fails as an unreachable partner does."""

    def request(self, **params: str):
        raise HarvestError("refused: the tests never contact a partner")


def _refuse(*args, **kwargs):
    raise OSError("refused: the tests never open a network connection")


@pytest.fixture
def admin_schema(app, monkeypatch):
    monkeypatch.setattr(admin, "OAIClient", RefusingClient)
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    # ignored_auth sends each request again with wrong credentials: unthrottled, so all of them reach the views
    app.extensions[EXTENSION] = FailureThrottle(limit=0)
    with app.extensions["pop"].db.session() as session:
        token = create_token(session, "schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/admin/openapi.json", app)
    schema.config.update(headers={"Authorization": f"Bearer {token}"})
    return schema


def _seed(db) -> dict:
    """The seeded partner (again, if a generated DELETE removed it) and a queued run: the path parameters
    that name them."""
    with db.session() as session:
        if not partner_exists(session, SEEDED):
            config = parse_config(SEEDED, "https://user:secret@partner.invalid/oai", "pop", "joconde")
            save_partner(session, config, granularity="YYYY-MM-DD")
    with db.session() as session:
        return {"name": SEEDED, "run_id": queue_run(session, get_partner(session, SEEDED)).id}


def _passes(operation, db):
    """(mode, fixed path parameters) to run: generated paths, which almost never name a partner, and then
    paths to the seeded partner, so bodies and queries reach validation and success. Negative cases need
    something to break: an input besides the fixed path."""
    names = [parameter.name for parameter in operation.path_parameters]
    for fixed in (False, True) if names else (False,):
        breakable = operation.query or operation.body or (names and not fixed)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if breakable else (GenerationMode.POSITIVE,):
            seeded = _seed(db) if fixed else {}
            yield mode, {name: seeded[name] for name in names if name in seeded} or None


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_every_answer_is_the_one_the_document_declares(admin_schema, app):
    operations = [result.ok() for result in admin_schema.get_all_operations()]
    assert len(operations) == 9
    for operation in operations:
        for mode, path in _passes(operation, app.extensions["pop"].db):
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def answers_as_declared(case):
                case.call_and_validate(checks=CHECKS)

            answers_as_declared()
