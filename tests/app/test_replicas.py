"""Read replicas against a real streaming replica: a primary cluster and a standby of its own (pg_basebackup -R,
primary_conninfo), started by this module on free ports — never the shared server.

What proves a read came from the replica: its replay is paused, the primary changes a notice, and the answer
still shows what the replica holds (the primary's title is another). Then: the write appears once replayed; a
replica whose paused replay makes it lag more than POP_REPLICA_MAX_LAG is skipped; a replica stopped between
requests or in the middle of a streamed export is skipped, every later request answered 200 by the primary; and
/readyz says each of these, 200 "degraded" while the primary is fine."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import pytest

from app import create_app
from app.settings import ConfigurationError, Settings
from formats.bases import get_base
from formats.images import notice_images
from formats.notice import validate_notice
from harvest.image_probe import MEASURED, Probe
from store.images import record_probes
from store.migrate import upgrade
from store.notices import write_notices
from store.replicas import public_url

from ..conftest import make_settings
from ..pg import Cluster, PostgresUnavailable

IMAGES = "http://images.test"
T0 = datetime(2024, 3, 1, 8, 0, 0)  # old datestamps: OAI lists freeze `until` POP_REPLICA_MAX_LAG earlier
VASES = [f"000PE00000{n}" for n in range(1, 4)]  # joconde, illustrated
CHAPELS = 400  # merimee notices: an export long enough to be cut halfway
STREAM_BATCH = 20


def _vase(ref: str, title: str):
    return validate_notice(get_base("joconde"), {"REF": ref, "TICO": title, "DENO": ["vase"], "IMG": ["a.jpg"]})


def _record(ref: str) -> str:
    return f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:pop.culture.gouv.fr:joconde:{ref}"


def _reads(ref: str) -> dict[str, str]:
    """One read of each kind that goes to a replica: OAI GetRecord and ListRecords, an export, IIIF."""
    return {"GetRecord": _record(ref), "ListRecords": "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=joconde",
            "export": "/exports/joconde.csv", "manifest": f"/iiif/joconde/{ref}/manifest",
            "collection": "/iiif/joconde/collection"}


@dataclass
class Pair:
    primary: Cluster
    replica: Cluster


def _load(url: str, directory: Path) -> None:
    app = create_app(make_settings(url, directory, image_base_url=IMAGES))
    db = app.extensions["pop"].db
    with db.session() as session:
        write_notices(session, [_vase(ref, f"Vase {ref}") for ref in VASES], now=T0)
        write_notices(session, [validate_notice(get_base("merimee"), {"REF": f"PA{n:08d}", "TICO": f"Chapelle {n}"})
                                for n in range(CHAPELS)], now=T0)
        url = notice_images("joconde", {"IMG": ["a.jpg"]}, image_base=IMAGES)[0].url
        record_probes(session, [Probe(url, MEASURED, media_type="image/jpeg", width=640, height=480)])
    db.dispose()


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Iterator[Pair]:
    try:
        primary = Cluster()
    except PostgresUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL binaries are required under CI=true: {error}")
        pytest.skip(str(error))
    replica = None
    try:
        primary.start()
        upgrade(primary.url)
        _load(primary.url, tmp_path_factory.mktemp("replicas"))
        replica = Cluster(standby_of=primary)
        replica.start()
        replica.wait_replayed(primary)
        yield Pair(primary, replica)
    finally:
        if replica is not None:
            replica.remove()
        primary.remove()


@pytest.fixture
def make_app(pair, tmp_path):
    apps = []

    def make(**overrides):
        settings = make_settings(pair.primary.url, tmp_path, image_base_url=IMAGES,
                                 database_replicas=(pair.replica.url,), export_batch_size=STREAM_BATCH, **overrides)
        app = create_app(settings)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["pop"].db.dispose()


@contextmanager
def replay_paused(replica: Cluster) -> Iterator[None]:
    replica.execute("SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 10
    while replica.execute("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
        assert time.monotonic() < deadline, "replay did not pause"
        time.sleep(0.02)
    try:
        yield
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")


def _retitle(app, ref: str, title: str) -> None:
    """Change a vase's title on the primary (the only database anything writes to)."""
    with app.extensions["pop"].db.session() as session:
        write_notices(session, [_vase(ref, title)], now=T0 + timedelta(days=1))


def _bodies(client, reads: dict[str, str]) -> dict[str, str]:
    answers = {name: client.get(path) for name, path in reads.items()}
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(reads, 200)
    return {name: answer.get_data(as_text=True) for name, answer in answers.items()}


def _replica_state(client) -> dict:
    ready = client.get("/readyz")
    assert ready.status_code == 200  # the primary is fine: a load balancer keeps sending traffic
    [replica] = ready.json["replicas"]
    return {"status": ready.json["status"], **replica}


def test_oai_exports_and_iiif_read_from_the_replica_and_see_writes_once_replayed(make_app, pair):
    app = make_app(replica_max_lag=600)
    client = app.test_client()
    ref = VASES[0]
    assert _replica_state(client) == {"status": "ok", "url": pair.replica.url, "state": "ok", "lag_seconds": 0.0}
    with replay_paused(pair.replica):
        _retitle(app, ref, "Vase recollé")
        bodies = _bodies(client, {name: path for name, path in _reads(ref).items() if name != "collection"})
        for name, body in bodies.items():  # the replica's title, not the primary's: served by the replica
            assert f"Vase {ref}" in body and "recollé" not in body, name
        assert pair.primary.execute(f"SELECT fields->>'TICO' FROM notice WHERE ref = '{ref}'")[0] == "Vase recollé"
        assert _replica_state(client)["state"] == "ok"  # behind, but by less than POP_REPLICA_MAX_LAG
    pair.replica.wait_replayed(pair.primary)
    for name, body in _bodies(client, _reads(ref)).items():
        if name != "collection":
            assert "Vase recollé" in body and f"Vase {ref}<" not in body, name


def test_a_replica_lagging_more_than_the_setting_is_skipped_and_readyz_says_so(make_app, pair):
    app = make_app(replica_max_lag=1, replica_check_interval=1)
    client = app.test_client()
    ref = VASES[1]
    assert _replica_state(client)["state"] == "ok"
    with replay_paused(pair.replica):
        _retitle(app, ref, "Vase restauré")
        deadline = time.monotonic() + 15
        while (state := _replica_state(client))["state"] != "lagging":
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
        assert state["status"] == "degraded" and state["lag_seconds"] >= 1
        for name, body in _bodies(client, _reads(ref)).items():  # the primary answers, with its new title
            if name != "collection":
                assert "Vase restauré" in body, name
    pair.replica.wait_replayed(pair.primary)
    time.sleep(1.1)  # the next check
    assert _replica_state(client) == {"status": "ok", "url": pair.replica.url, "state": "ok", "lag_seconds": 0.0}
    # An idle primary: its replica's last replayed transaction ages past the limit, yet it misses nothing.
    time.sleep(2.5)
    assert pair.replica.execute("SELECT now() - pg_last_xact_replay_timestamp() > interval '2 seconds'")[0]
    assert _replica_state(client)["state"] == "ok"


def test_a_replica_stopped_between_requests_or_mid_stream_is_skipped(make_app, pair):
    app = make_app(replica_max_lag=600)
    db = app.extensions["pop"].db
    client = app.test_client()
    reads = _reads(VASES[2])
    _bodies(client, reads)  # served by the replica: its pool now holds connections the stop will cut
    try:
        pair.replica.stop()
        _bodies(client, reads)  # the first finds it dead and is answered by the primary, the next skip it
        state = _replica_state(client)
        assert state["status"] == "degraded" and state["state"] == "down" and state["error"]

        pair.replica.start()
        assert [health.state for health in db.replicas.refresh()] == ["ok"]
        response = client.get("/exports/merimee.jsonl", buffered=False)
        assert response.status_code == 200
        chunks = iter(response.response)
        first = next(chunks)
        pair.replica.stop()
        with pytest.raises(Exception) as cut:  # the stream is cut: the client sees an incomplete body
            for chunk in chunks:
                first += chunk
        response.close()
        assert "PA00000000" in first.decode() and first.count(b"\n") < CHAPELS
        assert "connection" in str(cut.value).lower() or "server" in str(cut.value).lower()
        assert [health.state for health in db.replicas.health()] == ["down"]  # at once, not at the next check
        _bodies(client, reads)
        whole = client.get("/exports/merimee.jsonl")
        assert whole.status_code == 200 and whole.get_data().count(b"\n") == CHAPELS  # from the primary
        assert _replica_state(client)["state"] == "down"
    finally:
        pair.replica.start()
        pair.replica.wait_replayed(pair.primary)
    assert [health.state for health in db.replicas.refresh()] == ["ok"]


def test_replica_urls_are_read_from_commas_or_spaces_and_shown_without_passwords(tmp_path):
    env = {"POP_ENV": "testing", "POP_SECRET_KEY": "k",
           "POP_DATABASE_REPLICAS": "postgres://pop:secret@r1:5432/pop, postgresql://pop@r2/pop "
                                    "postgresql://pop@/pop?host=h1:5432&host=h2:5432&password=x,"}
    settings = Settings.from_env(env, instance_path=tmp_path)
    assert settings.database_replicas == (
        "postgresql+psycopg://pop:secret@r1:5432/pop", "postgresql+psycopg://pop@r2/pop",
        "postgresql+psycopg://pop@/pop?host=h1:5432&host=h2:5432&password=x")
    assert settings.replica_max_lag == 30
    assert public_url(settings.database_replicas[0]) == "postgresql+psycopg://pop@r1:5432/pop"
    assert public_url(settings.database_replicas[2]) == "postgresql+psycopg://pop@/pop?host=h1%3A5432&host=h2%3A5432"
    with pytest.raises(ConfigurationError, match="PostgreSQL URL") as refused:
        Settings.from_env({**env, "POP_DATABASE_REPLICAS": "sqlite:///secret.db"}, instance_path=tmp_path)
    assert "secret" not in str(refused.value)
    with pytest.raises(ConfigurationError, match="DATABASE_URL must be PostgreSQL"):
        create_app(make_settings(f"sqlite:///{tmp_path}/pop.sqlite3", tmp_path,
                                 database_replicas=("postgresql+psycopg://pop@r1/pop",)))
