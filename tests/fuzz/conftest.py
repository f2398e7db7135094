"""The fuzz suite: hypothesis sends /oai, /exports/ and the admin API generated input (hostile text, forged
tokens, odd headers, junk JSON) and each answer is held to what the service promises — never a 5xx, OAI-PMH
answers well-formed and valid, every other refusal an RFC 9457 problem.

Profiles (HYPOTHESIS_PROFILE): `ci`, the default — derandomized (the same examples on every run), no example
database, each test bounded by its own example count; `deep` — random, remembering failures in
.hypothesis/, and support.EXAMPLES_FACTOR times the examples, for longer local runs.

One app and one store per module (module-scoped: hypothesis runs many examples against them), on SQLite and on
a PostgreSQL database of the module's own, migrated here and dropped afterwards.
"""
from __future__ import annotations

import shutil
from typing import Iterator

import pytest
from hypothesis import HealthCheck, settings

from app import create_app
from store.migrate import upgrade
from tests.conftest import make_settings
from tests.pg import scratch_database

from .support import oai_schemas, stock

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile("ci", derandomize=True, database=None, print_blob=False, **_COMMON)
settings.register_profile("deep", derandomize=False, print_blob=True, **_COMMON)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated store of the module's own: a SQLite file, or a PostgreSQL database dropped at the end."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "pop.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with scratch_database(request.getfixturevalue("postgres_server"), "pop_fuzz") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="module")
def fuzz_app(store_url, tmp_path_factory):
    """The app over the module's store, stocked (support.stock); small OAI pages, so lists hand out tokens."""
    app = create_app(make_settings(store_url, tmp_path_factory.mktemp("instance"), oai_page_size=3,
                                   oai_identifiers_page_size=5))
    app.config["TESTING"] = True
    db = app.extensions["pop"].db
    stock(db)
    yield app
    db.dispose()


@pytest.fixture(scope="module")
def fuzz_client(fuzz_app):
    return fuzz_app.test_client()


@pytest.fixture(scope="session")
def schemas():
    """The OAI-PMH wrapper schema of each metadata format; None on a plain clone (no official schemas): the
    answers are then held to well-formedness only. Under CI=true their absence fails."""
    return oai_schemas()
