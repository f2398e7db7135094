"""Fixtures: every store test runs on SQLite and PostgreSQL.

PostgreSQL comes from POP_TEST_DATABASE_URL if set, else a server on 127.0.0.1:5432 if one answers, else a
throwaway cluster started here (initdb + pg_ctl from the Debian/Ubuntu postgresql package). Under CI=true a
missing PostgreSQL fails the run instead of skipping it. The files of ../shared (schemas, samples) are found
through tests/shared.py, with the same rule: skipped when absent, a failure under CI=true.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from app import create_app
from store.migrate import upgrade
from app.settings import Settings

from .pg import PostgresUnavailable, ensure_server, scratch_database
from .shared import shared

TABLES = ("rendition", "rendition_dictionary", "harvest_issue", "harvest_run", "partner", "api_token", "image",
          "export_snapshot", "notice", "minted_ref")


def pytest_configure(config):
    os.environ.setdefault("POP_ENV", "testing")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder (POP_SHARED_DIR, default ../shared); the test is skipped when it is absent."""
    return shared()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The admin URL of a PostgreSQL server (database `postgres`)."""
    try:
        with ensure_server() as url:
            yield url
    except PostgresUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true: {error}")
        pytest.skip(f"PostgreSQL unavailable: {error}")


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str, worker_id: str) -> Iterator[str]:
    """A database of its own for this test session (per xdist worker), migrated to head."""
    with scratch_database(postgres_server, f"pop_test_{worker_id}") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty, migrated store: a fresh SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        path = tmp_path / "pop.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        connection.execute(text("UPDATE store_state SET version = 0, changed_at = NULL"))
    engine.dispose()
    return url


def make_settings(database_url: str, tmp_path: Path, **overrides) -> Settings:
    env = {"POP_ENV": "testing", "POP_SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
           "POP_BASE_URL": "http://testserver", "POP_EXPORT_DIR": str(tmp_path / "exports"),
           "POP_WORKER_PROBE_IMAGES": "false"}  # no test reaches the phototèque
    settings = Settings.from_env(env, instance_path=tmp_path / "instance")
    for key, value in overrides.items():
        settings = settings.__class__(**{**settings.__dict__, key: value})
    return settings


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path))
    app.config["TESTING"] = True
    yield app
    app.extensions["pop"].db.dispose()


@pytest.fixture
def db(app):
    return app.extensions["pop"].db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextmanager
def serve(app, send_buffer: int | None = None) -> Iterator[str]:
    """Serve `app` over real HTTP on a free loopback port; yields its base URL. `send_buffer`: the bytes the
    kernel may hold of what the server sends on each connection (accepted sockets inherit the listening one's),
    so that a server cannot finish a long answer ahead of a client that does not read it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    if send_buffer is not None:
        server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """xdist's worker id ('gw0'…), or 'main' without xdist."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")
