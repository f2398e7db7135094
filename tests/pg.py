"""Find or start a PostgreSQL server for the tests."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
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


def _free_port() -> int:
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


@contextmanager
def _throwaway_cluster() -> Iterator[str]:
    bindir = _binaries()
    if bindir is None:
        raise PostgresUnavailable("no server on 127.0.0.1:5432 and no initdb to start one (apt-get install postgresql)")
    datadir = tempfile.mkdtemp(prefix="pop-pg-")
    port = _free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(datadir, "postgres")
    subprocess.run([*prefix, f"{bindir}/initdb", "-D", datadir, "-U", "postgres", "-A", "trust"],
                   check=True, capture_output=True)
    subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", datadir, "-w", "-l", f"{datadir}/log",
                    "-o", f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        for _ in range(50):
            if _answers(url):
                break
            time.sleep(0.1)
        yield url
    finally:
        subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(datadir, ignore_errors=True)
