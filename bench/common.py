"""Helpers shared by the benchmarks: throwaway PostgreSQL databases, running `pop`, measuring a child's peak RSS."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("POP_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def fresh_database(name: str, keep: bool = False) -> Iterator[str]:
    """A new, migrated PostgreSQL database; dropped afterwards unless `keep`."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    run_pop(url, "db", "upgrade")
    try:
        yield url
    finally:
        if not keep:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pop_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "POP_SECRET_KEY": "bench", "POP_ENV": "production"})
    return env


def run_pop(url: str, *args: str) -> tuple[float, str]:
    """Run `pop ARGS` against `url`; return (seconds, stdout). Raises on failure."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=pop_env(url),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"pop {' '.join(args)} failed ({result.returncode}): {result.stdout[-500:]}")
    return elapsed, result.stdout


def peak_rss_of_children_mib() -> float:
    """Largest peak RSS among the children waited for so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measured_child(command: list[str], **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command in a child of a fresh helper process, so its peak RSS is its own: (seconds, MiB, result)."""
    wrapper = [sys.executable, "-c",
               "import resource,subprocess,sys,json;"
               "r=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.DEVNULL,text=True);"
               "print(json.dumps([r.returncode,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,r.stdout]))",
               *command]
    started = time.perf_counter()
    result = subprocess.run(wrapper, stdout=subprocess.PIPE, text=True, **kwargs)
    elapsed = time.perf_counter() - started
    import json

    code, rss_kib, stdout = json.loads(result.stdout)
    if code:
        raise SystemExit(f"{' '.join(command)} failed ({code}): {stdout[-500:]}")
    return elapsed, rss_kib / 1024, subprocess.CompletedProcess(command, code, stdout, "")
