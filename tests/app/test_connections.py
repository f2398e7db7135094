"""Pooled connections without a ping per request (store/pool.py) and the reads by key through the driver
(store/driver.py): a connection the server closed costs no request its answer, errors keep SQLAlchemy's shape,
and no connection goes back to the pool in autocommit. Against the session's real PostgreSQL."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import bindparam, create_engine, exc, select, text

from app import create_app
from formats.bases import get_base
from formats.notice import validate_notice
from harvest.image_probe import MEASURED, Probe
from store.driver import fetch, reading
from store.images import record_probes
from store.models import NoticeRow
from store.notices import write_notices
from store.pool import again_on_disconnect, ping_when_idle

from ..conftest import TABLES, make_settings
from ..pg import free_port
from .oai_xml import error_code, parse

IMAGES = "http://img.test"
_BY_REF = select(NoticeRow.__table__.c.ref).where(NoticeRow.__table__.c.ref == bindparam("ref"))


@pytest.fixture
def pg_url(postgres_url):
    """The session's PostgreSQL store, emptied (these tests are about PostgreSQL's connections)."""
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return postgres_url


def _cut_every_other_connection(url: str) -> int:
    """Terminate every session of the database but this one (what a restart does to a pool): how many."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
        return admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]


def _write(db, ref: str, *images: str) -> None:
    with db.session() as session:
        write_notices(session, [validate_notice(get_base("joconde"), {"REF": ref, "TICO": "Vase", "DENO": ["vase"],
                                                                      "IMG": list(images)})])


def test_getrecord_and_a_cached_manifest_are_answered_after_the_server_closed_the_pooled_connections(
        pg_url, tmp_path):
    app = create_app(make_settings(pg_url, tmp_path, image_base_url=IMAGES))
    db, client = app.extensions["pop"].db, app.test_client()
    _write(db, "000PE000001", "a.jpg")
    with db.session() as session:
        record_probes(session, [Probe(f"{IMAGES}/a.jpg", MEASURED, media_type="image/jpeg", width=640, height=480)])
    getrecord = "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:pop.culture.gouv.fr:joconde:000PE000001"
    manifest = "/iiif/joconde/000PE000001/manifest"
    first = client.get(manifest)
    assert client.get(getrecord).status_code == 200 and first.status_code == 200  # the pool holds connections
    try:
        assert _cut_every_other_connection(pg_url) >= 1
        answer = client.get(getrecord)  # on a dead connection: found, replaced, asked again
        assert answer.status_code == 200 and error_code(parse(answer.data)) is None
        assert b"000PE000001" in answer.data
        _cut_every_other_connection(pg_url)
        again = client.get(manifest)  # the cached manifest's check, on a dead connection
        assert again.status_code == 200 and again.data == first.data
    finally:
        db.dispose()


def test_a_connection_idle_longer_than_the_limit_is_pinged_and_replaced_before_use(pg_url):
    engine = create_engine(pg_url)
    ping_when_idle(engine, idle=0.0)  # every connection counts as idle: pinged on its way out
    try:
        assert fetch(engine, _BY_REF, {"ref": "none"}) == []
        _cut_every_other_connection(pg_url)
        assert fetch(engine, _BY_REF, {"ref": "none"}) == []  # no error: the ping found it dead first
    finally:
        engine.dispose()


def test_reads_by_key_raise_sqlalchemy_errors_and_leave_no_connection_in_autocommit(pg_url):
    engine = create_engine(pg_url)
    missing = select(text("x")).select_from(text("no_such_table"))
    try:
        with pytest.raises(exc.ProgrammingError):
            fetch(engine, missing, {})
        fetch(engine, _BY_REF, {"ref": "none"})
        for _ in range(3):
            pooled = engine.raw_connection()
            assert pooled.driver_connection.autocommit is False
            pooled.close()
        _cut_every_other_connection(pg_url)
        with pytest.raises(exc.OperationalError) as lost:
            fetch(engine, _BY_REF, {"ref": "none"})
        assert lost.value.connection_invalidated
        assert again_on_disconnect(lambda: fetch(engine, _BY_REF, {"ref": "none"})) == []
    finally:
        engine.dispose()


def test_statements_read_on_one_connection_give_it_back_as_they_found_it(pg_url):
    engine = create_engine(pg_url, pool_size=1, max_overflow=0)
    try:
        with reading(engine) as run:
            assert run(_BY_REF, {"ref": "none"}) == [] and run(_BY_REF, {"ref": "other"}) == []
        with pytest.raises(KeyError):  # the caller's own error between statements: the connection is kept
            with reading(engine) as run:
                backend = run(select(text("pg_backend_pid()")), {})[0][0]
                raise KeyError("a bug of the caller")
        kept = engine.raw_connection()
        assert kept.driver_connection.autocommit is False and kept.driver_connection.info.backend_pid == backend
        kept.close()
        with pytest.raises(exc.ProgrammingError):  # a statement that fails: that connection is not handed out again
            with reading(engine) as run:
                run(_BY_REF, {"ref": "none"})
                run(select(text("x")).select_from(text("no_such_table")), {})
        replaced = engine.raw_connection()
        assert replaced.driver_connection.info.backend_pid != backend and replaced.driver_connection.autocommit is False
        replaced.close()
    finally:
        engine.dispose()


def test_a_database_that_refuses_connections_raises_sqlalchemy_s_operational_error():
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/pop",
                           connect_args={"connect_timeout": 2})
    try:
        with pytest.raises(exc.OperationalError):  # app/errors.py: a 503, as for every other read
            fetch(engine, _BY_REF, {"ref": "none"})
    finally:
        engine.dispose()


def test_a_read_that_fails_otherwise_is_not_run_again():
    calls = []

    def failing():
        calls.append(1)
        raise exc.ProgrammingError("SELECT", {}, Exception("syntax"))

    with pytest.raises(exc.ProgrammingError):
        again_on_disconnect(failing)
    assert calls == [1]
