"""The service under outages of what it depends on: a dead or hanging cache costs the cache only (answers are
computed without it, /readyz says "degraded"); an unreachable database gets 503 + Retry-After in each area's
own shape, and the service recovers by itself when the database is back; an unexpected error is a 500 in that
shape too, never Werkzeug's HTML page."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import exc as sa

from app import create_app
from app.errors import database_unavailable
from formats.bases import get_base
from formats.notice import validate_notice
from store.migrate import upgrade
from store.notices import write_notices
from store.tokens import create_token

from ..conftest import make_settings
from ..pg import PostgresUnavailable, free_port, throwaway_cluster
from ..redis_server import RedisUnavailable, ensure_redis
from .oai_demo import T0
from .oai_xml import error_code, parse

VERBS = ("verb=Identify", "verb=ListSets", "verb=ListIdentifiers&metadataPrefix=oai_dc",
         "verb=ListRecords&metadataPrefix=oai_dc")


def _load(app) -> None:
    with app.extensions["pop"].db.session() as session:
        write_notices(session, [validate_notice(get_base("merimee"), {"REF": f"PA0007801{n}", "TICO": "Chapelle"})
                                for n in range(3)], now=T0)


@pytest.fixture
def make_app(sqlite_template, tmp_path):
    """An app over a fresh SQLite store holding three notices, with setting overrides."""
    apps = []

    def make(**overrides):
        path = tmp_path / f"pop-{len(apps)}.sqlite3"
        shutil.copy(sqlite_template, path)
        app = create_app(make_settings(f"sqlite:///{path}", tmp_path, **overrides))
        _load(app)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["pop"].db.dispose()


@contextmanager
def recorded(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records `name` logs meanwhile (read at the logger: the app's "pop" logger does not propagate)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def _cache_errors() -> float:
    return REGISTRY.get_sample_value("pop_cache_errors_total", {"operation": "get"}) or 0.0


def _assert_answers_every_verb(client) -> None:
    for query in VERBS:
        response = client.get(f"/oai?{query}")
        assert response.status_code == 200, (query, response.data[:300])
        assert error_code(parse(response.data)) is None, (query, response.data[:300])


# --- the cache ---------------------------------------------------------------------------------------------


def test_a_dead_cache_costs_only_the_cache(make_app):
    client = make_app(cache_url=f"redis://127.0.0.1:{free_port()}/0").test_client()
    before = _cache_errors()
    with recorded("pop.cache") as records:
        _assert_answers_every_verb(client)
    assert _cache_errors() > before
    assert any(record.getMessage() == "cache.error" and record.error == "ConnectionError" for record in records)
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "degraded"
    assert ready.json["cache"] == {"state": "unavailable", "backend": "redis", "error": "ConnectionError"}
    assert ready.json["database"]["state"] == "ok"


def test_a_cache_that_never_answers_costs_one_short_timeout_not_one_per_request(make_app):
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers a command
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        client = make_app(cache_url=f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                          cache_socket_timeout_ms=100).test_client()
        started = time.monotonic()
        _assert_answers_every_verb(client)
        _assert_answers_every_verb(client)
        # redis-py's defaults (5 s timeouts, ten retries) made this take minutes; one 100 ms timeout, then
        # the cache is left alone for a few seconds.
        assert time.monotonic() - started < 1.5


@pytest.fixture(scope="module")
def redis_server():
    """The URL of a Redis (tests/redis_server.py): skipped without one, a failure under CI=true."""
    try:
        with ensure_redis() as url:
            yield url
    except RedisUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {error}")
        pytest.skip(str(error))


@pytest.fixture
def redis_url(redis_server):
    """A database of that Redis, with a key prefix of this test's own, emptied after."""
    import redis

    url = redis_server
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    prefix = f"pop-test-{uuid.uuid4().hex[:8]}:"
    yield url, prefix, client
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_with_redis_answers_are_cached_and_readiness_is_ok(make_app, redis_url):
    url, prefix, redis_client = redis_url
    client = make_app(cache_url=url, cache_key_prefix=prefix).test_client()
    before = _cache_errors()
    _assert_answers_every_verb(client)
    _assert_answers_every_verb(client)  # the second time from the cache
    keys = {key.decode() for key in redis_client.scan_iter(f"{prefix}*")}
    assert any(key.endswith(":earliest") for key in keys) and any(key.endswith(":sets") for key in keys)
    assert any(":count:" in key for key in keys)
    assert _cache_errors() == before
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ok"
    assert ready.json["cache"] == {"state": "ok", "backend": "redis"}


# --- the database ------------------------------------------------------------------------------------------


def test_which_database_errors_are_an_outage():
    refused = sa.OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert database_unavailable(refused) and database_unavailable(sa.TimeoutError("QueuePool limit reached"))
    lost = sa.DBAPIError("SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True)
    assert database_unavailable(lost)
    assert not database_unavailable(sa.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not database_unavailable(sa.ProgrammingError("SELECT", {}, Exception("syntax error")))


def test_a_database_that_cannot_be_opened_is_not_ready_and_oai_asks_to_retry(tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path}/missing/folder/pop.sqlite3", tmp_path, retry_after=12))
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["status"] == "unavailable"
    assert ready.json["database"]["state"] == "unavailable"
    response = client.get("/oai?verb=Identify")
    assert response.status_code == 503 and response.headers["Retry-After"] == "12"
    assert response.mimetype == "text/plain"
    assert client.get("/healthz").status_code == 200  # alive, only not ready


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A PostgreSQL cluster of this module's own, migrated, that the tests stop and start again."""
    try:
        with throwaway_cluster() as cluster:
            upgrade(cluster.url)
            yield cluster
    except PostgresUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL binaries are required under CI=true: {error}")
        pytest.skip(str(error))


@pytest.mark.slow
def test_while_postgresql_is_down_every_area_asks_to_retry_then_recovers(cluster, tmp_path):
    app = create_app(make_settings(cluster.url, tmp_path, retry_after=9))
    _load(app)
    with app.extensions["pop"].db.session() as session:
        token = create_token(session, "outage")
    client = app.test_client()
    admin = {"Authorization": f"Bearer {token}"}
    _assert_answers_every_verb(client)  # the pool now holds connections that the stop will cut
    try:
        cluster.stop()
        for query in (*VERBS, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:pop.culture.gouv.fr:merimee:"
                      "PA00078010"):
            response = client.get(f"/oai?{query}")
            assert response.status_code == 503 and response.headers["Retry-After"] == "9", query
            assert response.mimetype == "text/plain", query
        assert client.post("/oai", data={"verb": "Identify"}).status_code == 503
        for path, headers in (("/api/admin/partners", admin), ("/exports/", {"Accept": "application/json"}),
                              ("/exports/merimee.csv", {})):
            response = client.get(path, headers=headers)
            assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0, path
            assert response.mimetype == "application/problem+json", path
            assert response.json["status"] == 503, path
        assert client.get("/api/admin/partners", headers=admin).headers["Retry-After"] == "9"
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json["database"]["state"] == "unavailable"
    finally:
        cluster.start()
    _assert_answers_every_verb(client)  # pool_pre_ping replaces the dead connections
    assert client.get("/api/admin/partners", headers=admin).status_code == 200
    assert client.get("/readyz").json["status"] == "ok"
    app.extensions["pop"].db.dispose()


# --- unexpected errors -------------------------------------------------------------------------------------


def test_an_unexpected_error_is_a_logged_500_in_the_shape_of_its_area(make_app, monkeypatch):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers, tests would re-raise

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("app.views.oai.provider", broken)
    monkeypatch.setattr(app.extensions["pop"].db, "session", broken)  # what the admin API and exports open first
    client = app.test_client()
    with recorded("pop.errors") as records:
        oai = client.get("/oai?verb=Identify")
        exports = client.get("/exports/", headers={"Accept": "application/json"})
        api = client.get("/api/admin/partners", headers={"Authorization": "Bearer x"})
    assert oai.status_code == 500 and oai.mimetype == "text/plain" and b"<html" not in oai.data.lower()
    assert oai.headers["X-Request-Id"] in oai.get_data(as_text=True)
    for response in (exports, api):
        assert response.status_code == 500 and response.mimetype == "application/problem+json"
        assert response.json["title"] == "Internal Server Error"
    failures = [record for record in records if record.getMessage() == "request.failed"]
    assert [record.area for record in failures] == ["oai", "exports", "api"]
    assert all(record.exc_info and "a bug" in str(record.exc_info[1]) for record in failures)


def test_http_errors_keep_their_answers_and_are_text_under_oai(make_app):
    client = make_app().test_client()
    wrong_method = client.put("/oai?verb=Identify")
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "text/plain"
    assert "GET" in wrong_method.headers["Allow"]
    missing = client.get("/exports/nothing/fields", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get("/no/such/page").status_code == 404
