"""Fixtures for harvest tests against the store: an app with short harvest timeouts, and a `harvester`
that registers partners, runs them and reads back what the store and the quarantine hold.

The test partners listen on 127.0.0.1, which the address rules of partner URLs refuse (harvest/addresses.py): the
harvest app allows loopback explicitly (LOOPBACK), as an operator would allow an internal network."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app import create_app
from app.harvesting import harvest_partner
from store.partners import save_partner
from store.models import HarvestIssue, HarvestRun, NoticeRow
from formats.bases import get_base
from formats.notice import public_view
from harvest.partner import parse_config

from ..conftest import make_settings

FAST = dict(harvest_timeout=1.0, harvest_max_attempts=4, harvest_backoff=0.05, harvest_max_retry_after=3.0,
            harvest_overlap=300, harvest_max_empty_pages=3)
LOOPBACK = dict(harvest_allowed_networks=(ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")))


@dataclass
class Harvester:
    app: object

    @property
    def db(self):
        return self.app.extensions["pop"].db

    def add(self, url: str, name: str = "museum", prefix: str = "pop", base: str = "joconde", sets=(), every=None):
        with self.db.session() as session:
            save_partner(session, parse_config(name, url, prefix, base, sets=sets, every=every))
        return name

    def run(self, name: str = "museum", full: bool = False):
        return harvest_partner(self.db, self.app.extensions["pop"].settings, name, full=full)

    def store(self, source: str = "museum") -> dict[str, object]:
        """REF → published fields, or "deleted", of the notices this source owns."""
        with self.db.session() as session:
            rows = session.execute(select(NoticeRow).where(NoticeRow.source == source)).scalars().all()
            return {row.ref: "deleted" if row.deleted else public_view(get_base(row.base), row.fields) for row in rows}

    def rows(self, source: str = "museum") -> dict[str, NoticeRow]:
        with self.db.session() as session:
            return {row.ref: row for row in
                    session.execute(select(NoticeRow).where(NoticeRow.source == source)).scalars()}

    def issues(self, run_id: int | None = None) -> list[tuple[str | None, str]]:
        with self.db.session() as session:
            query = select(HarvestIssue).order_by(HarvestIssue.id)
            if run_id is not None:
                query = query.where(HarvestIssue.run_id == run_id)
            return [(i.identifier, i.reason) for i in session.execute(query).scalars()]

    def issue_rows(self) -> list[HarvestIssue]:
        with self.db.session() as session:
            return list(session.execute(select(HarvestIssue).order_by(HarvestIssue.id)).scalars())

    def runs(self) -> list[HarvestRun]:
        with self.db.session() as session:
            return list(session.execute(select(HarvestRun).order_by(HarvestRun.id)).scalars())


@pytest.fixture
def harvest_app(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path, **FAST, **LOOPBACK))
    app.config["TESTING"] = True
    yield app
    app.extensions["pop"].db.dispose()


@pytest.fixture
def harvester(harvest_app) -> Harvester:
    return Harvester(harvest_app)


@pytest.fixture
def no_dns(monkeypatch) -> dict[str, list[str]]:
    """The system resolver answers numeric hosts and the names the test puts in the returned dict (name → its
    addresses), nothing else: no test asks a DNS server anything, and a name the code forgot to pin fails."""
    real, names = socket.getaddrinfo, {}

    def resolve(host, port, *args, **kwargs):
        if host in names:
            return [info for address in names[host] for info in real(address, port, *args, **kwargs)]
        try:
            ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            try:
                socket.inet_aton(str(host))  # 127.1, 0x7f000001: numbers the system reads without DNS
            except OSError:
                raise socket.gaierror(socket.EAI_NONAME, f"tests resolve no names ({host})") from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return names
