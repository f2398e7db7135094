"""Find or start a PostgreSQL server for the tests; `throwaway_cluster()` starts one of a test's own (outage
tests stop and restart it); `scratch_database()` makes a database of a test's own on a server."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import psycopg


class PostgresUnavailable(RuntimeError):
    pass


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _binaries() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


@contextmanager
def ensure_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL to the `postgres` database of a server we may create databases on."""
    url = os.environ.get("POP_TEST_DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        if not _answers(url):
            raise PostgresUnavailable(f"POP_TEST_DATABASE_URL does not answer: {url}")
        yield url
        return
    local = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    if _answers(local):
        yield local
        return
    with _throwaway_cluster() as url:
        yield url


class Cluster:
    """A PostgreSQL cluster of our own, in a temporary folder on a free port, that a test may stop and start
    again (outages) without touching any other server. As root, its binaries run as the postgres user.
    `standby_of`: a streaming replica of that (started) cluster instead of a new one: `pg_basebackup -R`
    copies it and writes the `primary_conninfo` and `standby.signal` that make it follow."""

    def __init__(self, standby_of: "Cluster | None" = None) -> None:
        bindir = _binaries()
        if bindir is None:
            raise PostgresUnavailable("no initdb to start a PostgreSQL cluster (apt-get install postgresql)")
        self.bindir = bindir
        self.datadir = tempfile.mkdtemp(prefix="pop-pg-")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            self._prefix = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.datadir, "postgres")
        if standby_of is None:
            command = [f"{bindir}/initdb", "-D", self.datadir, "-U", "postgres", "-A", "trust"]
        else:  # initdb's trust lines cover replication connections from 127.0.0.1
            command = [f"{bindir}/pg_basebackup", "-D", self.datadir, "-h", "127.0.0.1", "-p", str(standby_of.port),
                       "-U", "postgres", "-R", "-X", "stream", "-c", "fast"]
        subprocess.run([*self._prefix, *command], check=True, capture_output=True)

    def start(self) -> None:
        """Start the server and wait until it answers."""
        subprocess.run([*self._prefix, f"{self.bindir}/pg_ctl", "-D", self.datadir, "-w", "-l", f"{self.datadir}/log",
                        "-o", f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True)
        for _ in range(50):
            if _answers(self.url):
                return
            time.sleep(0.1)

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (`immediate`: like a crash, connections cut, recovery at the next start)."""
        subprocess.run([*self._prefix, f"{self.bindir}/pg_ctl", "-D", self.datadir, "-m", mode, "stop"],
                       capture_output=True)

    def execute(self, statement: str) -> tuple | None:
        """Run one SQL statement (autocommit) and return its first row, if any."""
        with psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchone() if cursor.description else None

    def wait_replayed(self, primary: "Cluster", timeout: float = 30) -> None:
        """Wait until this standby has replayed everything `primary` has written so far."""
        target = primary.execute("SELECT pg_current_wal_lsn()")[0]
        deadline = time.monotonic() + timeout
        while not self.execute(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby on port {self.port} has not replayed {target}")
            time.sleep(0.05)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.datadir, ignore_errors=True)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A started `Cluster`, removed afterwards."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@contextmanager
def _throwaway_cluster() -> Iterator[str]:
    if _binaries() is None:
        raise PostgresUnavailable("no server on 127.0.0.1:5432 and no initdb to start one (apt-get install postgresql)")
    with throwaway_cluster() as cluster:
        yield cluster.url


@contextmanager
def scratch_database(server: str, prefix: str) -> Iterator[str]:
    """A new empty database on `server` (a URL of its `postgres` database, as `ensure_server` yields), named
    `prefix` and a random suffix; dropped after, even with connections still open to it."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
