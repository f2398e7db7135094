"""Streaming exports over HTTP vs PostgreSQL's COPY (the physical limit) vs datasette (the peer), same notices.

    python bench/export_stream.py --database pop_bench_export --size 100000 [--load] [--keep]

1. (`--load`) `pop demo load --size N --seed 1` into the PostgreSQL database (created and migrated if missing);
2. our server (`pop serve`, gunicorn, one worker) streams every base as CSV, then as JSON Lines, over HTTP
   (unfiltered URLs with no snapshot built: the live stream); the worker's RSS is sampled all along;
3. `COPY (SELECT fields->>'CODE', … one column per published field … ORDER BY datestamp, id) TO STDOUT WITH CSV`
   per base, read through psycopg — the same rows and columns, serialized by PostgreSQL itself;
4. a SQLite copy of the same public notices (one table per base, the CSV columns) served by `datasette serve`,
   fetched as `/{db}/{base}.csv?_stream=on&_size=max` — what reusers know.
Prints a Markdown table: MB, seconds, MB/s, records/s, peak RSS of the serving process.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import psycopg
import requests  # only to wait for the servers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from formats.bases import BASES, get_base  # noqa: E402
from formats.notice import public_view  # noqa: E402
from formats.tabular import row_encoder  # noqa: E402

ADMIN_URL = os.environ.get("POP_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def pop_env(url: str, export_dir: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "POP_SECRET_KEY": "bench", "POP_ENV": "production",
            "POP_EXPORT_DIR": export_dir, "PYTHONPATH": str(ROOT)}


def ensure_database(name: str) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RssSampler:
    """Peak RSS of a process tree (the server and its workers), sampled every 50 ms."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                # the largest single process: gunicorn's worker, or datasette itself
                rss = max(p.memory_info().rss for p in [self.process, *self.process.children(recursive=True)])
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def __enter__(self) -> "RssSampler":
        self.peak = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


def fetch_all(urls: list[str]) -> tuple[int, float]:
    """Download each URL fully with curl (a light client: the server, not the client, should be the limit on
    a shared machine); return (bytes, seconds)."""
    total = 0
    started = time.perf_counter()
    for url in urls:
        result = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}", url],
                                stdout=subprocess.PIPE, text=True, check=True)
        total += int(result.stdout)
    return total, time.perf_counter() - started


def best(runs: list[tuple[int, float]]) -> tuple[int, float]:
    return min(runs, key=lambda run: run[1])


def copy_all(url: str, bases: list[str]) -> tuple[int, float]:
    total = 0
    started = time.perf_counter()
    with psycopg.connect(url) as connection:
        cursor = connection.cursor()
        for name in bases:
            columns = ", ".join(f"fields->>'{f.code}'" for f in get_base(name).published_fields)
            sql = (f"COPY (SELECT {columns} FROM notice WHERE base = '{name}' AND NOT deleted "
                   "ORDER BY datestamp, id) TO STDOUT WITH (FORMAT csv, HEADER)")
            with cursor.copy(sql) as copy:
                for data in copy:
                    total += len(data)
    return total, time.perf_counter() - started


def build_sqlite(url: str, path: Path, bases: list[str]) -> None:
    """The same public notices, one table per base with the CSV columns (text), for datasette."""
    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    with psycopg.connect(url) as connection:
        for name in bases:
            base = get_base(name)
            columns = [f.code for f in base.published_fields]
            encode = row_encoder(base, columns)
            target.execute(f'CREATE TABLE "{name}" ({", ".join(f"[{c}] TEXT" for c in columns)})')
            insert = f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(columns))})'
            cursor = connection.cursor(name=f"sqlite_{name}")
            cursor.execute("SELECT fields FROM notice WHERE base = %s AND NOT deleted ORDER BY datestamp, id",
                           (name,))
            while rows := cursor.fetchmany(5000):
                target.executemany(insert, [encode(public_view(base, fields)) for (fields,) in rows])
            cursor.close()
    target.commit()
    target.close()


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        return dict(connection.execute(
            "SELECT base, count(*) FROM notice WHERE NOT deleted GROUP BY base").fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="pop_bench_export")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--load", action="store_true", help="load demo notices up to --size first")
    parser.add_argument("--keep", action="store_true", help="keep the database (default: drop it)")
    parser.add_argument("--sqlite", type=Path, help="reuse this SQLite copy for datasette (built if missing)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds; each measure keeps its best round (the machine is shared)")
    args = parser.parse_args()

    url = ensure_database(args.database)
    workdir = Path(tempfile.mkdtemp(prefix="pop-bench-export-"))
    env = pop_env(url, str(workdir / "exports"))
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    if args.load:
        subprocess.run([sys.executable, "-m", "app", "demo", "load", "--size", str(args.size), "--seed", "1"],
                       cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
    per_base = counts(url)
    records = sum(per_base.values())
    bases = [name for name in BASES if per_base.get(name)]
    print(f"{records} notices in {args.database}", file=sys.stderr)
    sqlite_path = args.sqlite or workdir / "pop.db"
    if not sqlite_path.exists():
        build_sqlite(url, sqlite_path, bases)
    port, peer_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    datasette = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(sqlite_path), "--port", str(peer_port),
         "--setting", "max_csv_mb", "0", "--setting", "sql_time_limit_ms", "600000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    measures: dict[str, list[tuple[int, float]]] = {}
    peaks: dict[str, int] = {}
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        wait_for(f"http://127.0.0.1:{peer_port}/-/versions.json")
        for _ in range(args.repeat):  # interleaved, so a busy moment of the machine hits every contender
            for fmt in ("csv", "jsonl"):
                label = f"POP `/exports/{{base}}.{fmt}` (HTTP, live stream)"
                with RssSampler(server.pid) as rss:
                    measures.setdefault(label, []).append(
                        fetch_all([f"http://127.0.0.1:{port}/exports/{name}.{fmt}" for name in bases]))
                peaks[label] = max(peaks.get(label, 0), rss.peak)
                print(label, measures[label][-1], rss.peak, file=sys.stderr)
            label = "PostgreSQL `COPY (SELECT fields->>… ) TO STDOUT WITH CSV`"
            measures.setdefault(label, []).append(copy_all(url, bases))
            print(label, measures[label][-1], file=sys.stderr)
            label = "datasette `/{db}/{table}.csv?_stream=on&_size=max` (SQLite copy)"
            with RssSampler(datasette.pid) as rss:
                measures.setdefault(label, []).append(
                    fetch_all([f"http://127.0.0.1:{peer_port}/{sqlite_path.stem}/{name}.csv?_stream=on&_size=max"
                               for name in bases]))
            peaks[label] = max(peaks.get(label, 0), rss.peak)
    finally:
        for process in (server, datasette):
            process.terminate()
            process.wait()
    results = [(label, *best(runs), peaks.get(label)) for label, runs in measures.items()]
    print(f"rounds: {measures}, peaks: {peaks}", file=sys.stderr)

    print(f"\n{records:,} notices, {len(bases)} bases\n")
    print("| what | MB | s | MB/s | records/s | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, size, seconds, peak in results:
        print(f"| {label} | {size / 1e6:.1f} | {seconds:.1f} | {size / 1e6 / seconds:.1f} | "
              f"{records / seconds:,.0f} | {peak / 2**20:.0f} |" if peak else
              f"| {label} | {size / 1e6:.1f} | {seconds:.1f} | {size / 1e6 / seconds:.1f} | "
              f"{records / seconds:,.0f} | – |")

    shutil.rmtree(workdir, ignore_errors=True)
    if not args.keep:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
