"""Several nodes, several workers (docs/deployment.md): two app servers (the gunicorn of `pop serve`) and two
`pop worker` processes, all real processes, over one PostgreSQL database and one Redis, with partners (real
HTTP servers) due at once.

- every partner is harvested exactly once per due time: one run row per partner and due time, and one
  ListRecords list asked of the partner (its own request log);
- a write seen through one node is seen through the other: Identify's earliestDatestamp, ListSets and
  completeListSize, first cached on both nodes over the empty store, then after harvests, a partner registered
  through one node, runs queued through the other, a licence changed through one;
- a resumption token one node issued is honoured by the other, page after page.

Redis: POP_TEST_REDIS_URL, the machine's on 6379, or one started from redis-server; without any, the test fails
(tests/redis_server.py). The cache keys have this test's own prefix, deleted after.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
from sqlalchemy import func, select

from app.commands.serve import gunicorn_args
from protocols.oaipmh.dates import format_datestamp
from store.db import Database
from store.models import HarvestRun, NoticeRow, Partner
from store.tokens import create_token

from ..harvest.oai_partner import PartnerServer, ScriptedPartner
from ..harvest.records import joconde_notices, pages_of, pop_record
from ..pg import free_port, scratch_database
from ..redis_server import RedisUnavailable, ensure_redis
from .oai_xml import NS, OAI, parse

ROOT = Path(__file__).resolve().parents[2]
FIRST, LATER = "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"  # partner datestamps: the first records, new ones
PER_PARTNER, NEW_PER_PARTNER = 6, 2
POLL = 1  # POP_WORKER_POLL of the workers
# After the last run a worker may still be waiting for a partner's lock (up to 2 s, store/locks.py): what it does
# once it has it must be seen before the runs are counted.
SETTLE = POLL + 2 + 1.5

pytestmark = pytest.mark.slow


@pytest.fixture
def database(postgres_server, worker_id) -> Iterator[str]:
    """A fresh PostgreSQL database of this test's own, migrated once by `pop db upgrade` (as a deployment does
    before starting its nodes), dropped after."""
    with scratch_database(postgres_server, f"pop_multinode_{worker_id}") as url:
        subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "POP_ENV": "production", "POP_SECRET_KEY": "x", "DATABASE_URL": url})
        yield url


@pytest.fixture
def redis_prefix() -> Iterator[tuple[str, str]]:
    """(URL, key prefix of this test's own) of a Redis; the prefix's keys are deleted after."""
    import redis

    try:
        with ensure_redis() as url:
            prefix = f"pop-multinode-{uuid.uuid4().hex[:8]}:"
            yield url, prefix
            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)
    except RedisUnavailable as error:
        pytest.fail(f"this test needs a Redis: {error}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self) -> str:
        return f"--- {self.name} ---\n" + self.log.read_text(errors="replace")[-3000:]


@contextmanager
def processes(folder: Path) -> Iterator[Callable[..., Process]]:
    """`start(name, args, env)` runs a command of this checkout, its output in a file; all stopped after."""
    started: list[Process] = []

    def start(name: str, args: list[str], env: dict[str, str]) -> Process:
        log = folder / f"{name}.log"
        with log.open("wb") as output:  # the child keeps its own copy of the file
            popen = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env={**os.environ, **env},
                                     stdout=output, stderr=subprocess.STDOUT)
        started.append(Process(name, popen, log))
        return started[-1]

    try:
        yield start
    finally:
        for process in started:
            process.popen.terminate()
        for process in started:
            try:
                process.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.popen.kill()


class Node:
    """One app server, read over HTTP."""

    def __init__(self, url: str, token: str):
        self.url, self.http = url, requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def oai(self, **params: str):
        response = self.http.get(f"{self.url}/oai", params=params, timeout=30)
        assert response.status_code == 200, response.text[:500]
        return parse(response.content)

    def earliest(self) -> str:
        return self.oai(verb="Identify").findtext("oai:Identify/oai:earliestDatestamp", namespaces=NS)

    def set_specs(self) -> set[str]:
        return {spec.text for spec in self.oai(verb="ListSets").iterfind(".//oai:setSpec", NS)}

    def list_size(self) -> int:
        """completeListSize of ListIdentifiers (0: noRecordsMatch)."""
        root = self.oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
        token = root.find(".//oai:resumptionToken", NS)
        if token is not None:
            return int(token.get("completeListSize"))
        return len(root.findall(".//oai:header", NS))

    def admin(self, method: str, path: str, body: dict) -> dict:
        response = self.http.request(method, f"{self.url}/api/admin{path}", json=body, timeout=30)
        assert response.status_code in (200, 201, 202), response.text[:500]
        return response.json()


def wait_until(condition: Callable[[], bool], what: str, logs: Callable[[], str], timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s\n{logs()}"
        time.sleep(0.2)


def test_two_nodes_and_two_workers_harvest_each_partner_once_and_serve_one_store(database, redis_prefix,
                                                                               tmp_path):
    redis_url, prefix = redis_prefix
    db = Database(database)
    with db.session() as session:
        token = create_token(session, "multinode")
    names = ("musee-a", "musee-b", "musee-c", "musee-d")
    partners = {name: ScriptedPartner(pages_of([pop_record(n, FIRST) for n in joconde_notices(
        PER_PARTNER, start=1000 * i, title=name)], 4)) for i, name in enumerate(names)}
    # What every node and worker is given (docs/deployment.md): the same database, key, public URL (renditions
    # stored by workers and rendered by nodes are the same bytes), cache and prefix.
    common = {"POP_ENV": "production", "DATABASE_URL": database, "POP_SECRET_KEY": "one-key-for-every-node",
              "POP_BASE_URL": "http://pop.example", "POP_CACHE_URL": redis_url, "POP_CACHE_KEY_PREFIX": prefix,
              "POP_EXPORT_DIR": str(tmp_path / "exports"),
              "POP_HARVEST_ALLOWED_NETWORKS": "127.0.0.0/8",  # the partners are on loopback
              "POP_WORKER_PROBE_IMAGES": "false", "POP_WORKER_POLL": str(POLL)}
    with ExitStack() as stack:
        urls = {name: stack.enter_context(PartnerServer(partner)) for name, partner in partners.items()}
        start = stack.enter_context(processes(tmp_path))
        ports = free_port(), free_port()
        node_env = {**common, "POP_OAI_PAGE_SIZE": "5",
                    "POP_OAI_COMMIT_LAG": "0"}  # lists in this test follow writes at once
        servers = [start(f"node-{n}", gunicorn_args("127.0.0.1", port, 1), node_env) for n, port in zip("ab", ports)]
        workers: list[Process] = []
        everything = [*servers]
        logs = lambda: "\n".join(p.tail() for p in everything)  # noqa: E731
        a, b = (Node(f"http://127.0.0.1:{port}", token) for port in ports)
        for node in (a, b):
            wait_until(lambda: _ready(node), f"{node.url}/readyz ok", logs)

        # The empty store, cached by both nodes (its earliestDatestamp is "now": nothing to cache)
        assert a.list_size() == b.list_size() == 0
        assert a.set_specs() == b.set_specs()

        # 1. Three partners registered through node A, due at once; then two workers start
        for name in names[:3]:
            a.admin("POST", "/partners", {"name": name, "url": urls[name], "metadata_prefix": "pop",
                                          "base": "joconde", "every": "1d"})
        workers += [start(f"worker-{n}", ["app", "worker"], common) for n in (1, 2)]
        everything += workers
        wait_until(lambda: _finished(db, {name: 1 for name in names[:3]}), "a run of each partner", logs)
        time.sleep(SETTLE)
        assert _runs(db) == {name: ["succeeded"] for name in names[:3]}, logs()
        for name in names[:3]:
            assert _lists_asked(partners[name]) == [{}], name

        total = 3 * PER_PARTNER
        for node in (a, b):
            assert node.list_size() == total
            assert node.earliest() == _earliest(db)
            assert {f"partner:{name}" for name in names[:3]} <= node.set_specs()

        # 2. New records at every partner, runs queued through node A, a fourth partner registered through B
        for name in names:
            partners[name].pages.append([pop_record(n, LATER) for n in joconde_notices(
                NEW_PER_PARTNER, start=1000 * names.index(name) + 500, title=name)])
        for name in names[:3]:
            a.admin("POST", f"/partners/{name}/runs", {})
        b.admin("POST", "/partners", {"name": names[3], "url": urls[names[3]], "metadata_prefix": "pop",
                                      "base": "joconde", "every": "1d"})
        wait_until(lambda: _finished(db, {**{name: 2 for name in names[:3]}, names[3]: 1}),
                   "the queued runs and the new partner's", logs)
        time.sleep(SETTLE)
        assert _runs(db) == {**{name: ["succeeded"] * 2 for name in names[:3]}, names[3]: ["succeeded"]}, logs()
        for name in names[:3]:
            first, second = _lists_asked(partners[name])
            assert first == {} and second.keys() == {"from"}, name  # the second run is incremental
        assert _lists_asked(partners[names[3]]) == [{}]

        total = 3 * (PER_PARTNER + NEW_PER_PARTNER) + PER_PARTNER + NEW_PER_PARTNER
        assert _notices(db) == total
        for node in (a, b):
            assert node.list_size() == total
            assert f"partner:{names[3]}" in node.set_specs()
            assert node.earliest() == _earliest(db)

        # 3. A list harvested across both nodes, each page asked of the other node with its token
        seen, cursor, root = [], 0, a.oai(verb="ListRecords", metadataPrefix="oai_dc")
        while True:
            seen += [h.text for h in root.iterfind(".//oai:header/oai:identifier", NS)]
            token = root.find(".//oai:resumptionToken", NS)
            if token is None or not token.text:
                break
            assert int(token.get("completeListSize")) == total and int(token.get("cursor")) == cursor
            cursor += 5
            root = (b if cursor // 5 % 2 else a).oai(verb="ListRecords", resumptionToken=token.text)
            assert root.find(f"{OAI}error") is None, parse_error(root)
        assert len(seen) == len(set(seen)) == total

        # 4. A write made through node A (every partner's licence: its notices' datestamps move), read on B
        before = b.earliest()
        time.sleep(1)  # datestamps are whole seconds
        for name in names:
            a.admin("PATCH", f"/partners/{name}", {"licence": "CC-BY-4.0"})
        assert b.earliest() == a.earliest() == _earliest(db) > before
        for node in (a, b):
            ready = node.http.get(f"{node.url}/readyz", timeout=10).json()
            assert ready["status"] == "ok" and ready["cache"] == {"state": "ok", "backend": "redis"}, ready
        for process in everything:
            assert process.popen.poll() is None, process.tail()
    db.dispose()


def parse_error(root) -> str:
    error = root.find(f"{OAI}error")
    return f"{error.get('code')}: {error.text}" if error is not None else ""


def _ready(node: Node) -> bool:
    try:
        return node.http.get(f"{node.url}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _runs(db: Database) -> dict[str, list[str]]:
    """Partner name → the statuses of its runs, oldest first."""
    with db.session() as session:
        rows = session.execute(select(Partner.name, HarvestRun.status).join(HarvestRun, HarvestRun.partner_id
                                                                            == Partner.id).order_by(HarvestRun.id))
        runs: dict[str, list[str]] = {}
        for name, status in rows:
            runs.setdefault(name, []).append(status)
        return runs


def _finished(db: Database, expected: dict[str, int]) -> bool:
    """Whether each partner has at least as many ended runs as `expected` says (more: checked after)."""
    runs = _runs(db)
    return all(sum(s not in ("queued", "running") for s in runs.get(name, ())) >= count
               for name, count in expected.items())


def _lists_asked(partner: ScriptedPartner) -> list[dict[str, str]]:
    """The lists a partner was asked for: the arguments of each ListRecords without a resumption token, besides
    the verb and prefix."""
    return [{k: v for k, v in r.items() if k not in ("verb", "metadataPrefix")} for r in partner.requests
            if r.get("verb") == "ListRecords" and "resumptionToken" not in r]


def _earliest(db: Database) -> str:
    with db.session() as session:
        return format_datestamp(session.execute(select(func.min(NoticeRow.datestamp))).scalar_one())


def _notices(db: Database) -> int:
    with db.session() as session:
        return session.execute(select(func.count()).select_from(NoticeRow)).scalar_one()
