"""ListRecords against its limit, and the disk a notice takes: one run, one database of demo notices.

    python bench/oai_scale.py load --database postgresql://postgres@127.0.0.1/pop_bench_scale --size 100000
    python bench/oai_scale.py load --database …/pop_bench_scale_1m --size 1000000 --seed-size 100000
    python bench/oai_scale.py run  --database …/pop_bench_scale [--page-sizes 100 500 1000] [--rounds 3] \
        [--app before=/tmp/before --app after=.]

`load` writes `--seed-size` notices with `pop demo load` (the store's write path: validation, the four
renditions, COPY), then copies them in SQL up to `--size` with bench/copies.py (REFs rewritten in the fields
and inside the renditions, timestamps whole days earlier, every other column as it is): a million through the
renderers takes ~25 min on the shared bench machine, and copies cost the same to store and to serve.

`run` first VACUUMs (ANALYZE) the notice and rendition tables and reports what they take on disk (heap,
TOAST, indexes; the whole database), per notice. Then, for each round and each page size: one gunicorn
sync worker serving the app with `POP_OAI_PAGE_SIZE` set to it, harvested whole (ListRecords, `oai_dc`) by
one keep-alive `http.client` connection; right after, in the same round, the limit: `COPY (SELECT` the
same renditions, same rows, same order`) TO STDOUT` read by psycopg (the faster of the planner's plan and of
one backend sorting in memory). It reports records/s of both and their
ratio, the worker's CPU per record, the latency of the first page and of the page at 90 % depth (medians of
11 re-sends of each, alternately: a re-sent token returns the same page), the worker's RSS (peak in the first
tenth of the harvest → peak), the load average. Rounds repeat the whole set: on a shared machine, take the best.

`--app NAME=DIR` serves another checkout (e.g. `git archive HEAD | tar -x -C /tmp/before`); repeated, each
is served in turn within every round, so code before and after a change is measured by the same client on the
same database in the same minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.full_size import LIMIT_QUERY  # noqa: E402 - an oai_dc ListRecords' renditions, in its order
from bench.oai_harvest import RawHttp, RssSampler, _TOKEN, _start  # noqa: E402


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- load -------------------------------------------------------------------------------------------------
def load(database: str, size: int, seed_size: int, seed: int) -> None:
    url = _plain(database)
    from bench.common import ADMIN_URL

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:  # made when missing, kept when there
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url) as connection:
        present = connection.execute("SELECT to_regclass('notice') IS NOT NULL").fetchone()[0] and \
            connection.execute("SELECT count(*) FROM notice").fetchone()[0]
    if present:
        print(f"{present} notices already there: nothing loaded")
        return
    env = {**os.environ, "DATABASE_URL": database, "POP_SECRET_KEY": "bench", "POP_ENV": "production"}
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "demo", "load", "--size", str(seed_size), "--seed", str(seed)],
                   cwd=ROOT, env=env, check=True)
    print(f"pop demo load --size {seed_size}: {time.perf_counter() - started:,.0f} s")
    if size > seed_size:
        from bench.copies import copy_up_to

        started = time.perf_counter()
        copy_up_to(url, size)
        print(f"copied up to {size} in SQL (bench/copies.py): {time.perf_counter() - started:,.0f} s")


# --- disk -------------------------------------------------------------------------------------------------
def disk(url: str) -> dict:
    """After VACUUM ANALYZE: bytes of each table's heap, TOAST (with its index) and indexes; the database."""
    with psycopg.connect(url, autocommit=True) as connection:
        for table in ("notice", "rendition"):
            connection.execute(f"VACUUM ANALYZE {table}")
        notices = connection.execute("SELECT count(*) FROM notice").fetchone()[0]
        sizes = {}
        for table in ("notice", "rendition"):
            heap, toast, indexes, total = connection.execute(
                "SELECT pg_relation_size(c.oid), coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0), "
                "pg_indexes_size(c.oid), pg_total_relation_size(c.oid) FROM pg_class c WHERE c.oid = %s::regclass",
                (table,)).fetchone()
            sizes[table] = {"heap": heap, "toast": toast, "indexes": indexes, "total": total}
        index_sizes = dict(connection.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
            "WHERE indrelid IN ('notice'::regclass, 'rendition'::regclass) ORDER BY 2 DESC").fetchall())
        database = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        formats = connection.execute(
            "SELECT format, count(*), avg(octet_length(packed))::int, avg(pg_column_size(packed))::int "
            "FROM rendition GROUP BY format ORDER BY format").fetchall()
    return {"notices": notices, "tables": sizes, "indexes": index_sizes, "database": database,
            "renditions": [{"format": f, "rows": n, "bytes": b, "stored": s} for f, n, b, s in formats]}


def print_disk(report: dict) -> None:
    """MiB as pg_size_pretty shows them; per notice in bytes (the issue's "8.4 KB" is 839 MiB / 100,000)."""
    n = report["notices"]
    mib = lambda value: f"{value / 2**20:,.0f}"  # noqa: E731
    print(f"\nnotices: {n:,}")
    print("| relation | heap (MiB) | TOAST (MiB) | indexes (MiB) | total (MiB) | bytes / notice |")
    print("|---|---:|---:|---:|---:|---:|")
    both = 0
    for table, s in report["tables"].items():
        both += s["total"]
        print(f"| {table} | {mib(s['heap'])} | {mib(s['toast'])} | {mib(s['indexes'])} | {mib(s['total'])} | "
              f"{s['total'] / n:,.0f} |")
    print(f"| notice + rendition | | | | {mib(both)} | **{both / n:,.0f}** |")
    print(f"| whole database | | | | {mib(report['database'])} | {report['database'] / n:,.0f} |")
    print("\n| index | MiB |\n|---|---:|")
    for name, size in report["indexes"].items():
        print(f"| {name} | {size / 2**20:,.1f} |")
    print("\n| rendition | rows | bytes (avg) | stored (avg) |\n|---|---:|---:|---:|")
    for r in report["renditions"]:
        print(f"| {r['format']} | {r['rows']:,} | {r['bytes']:,} | {r['stored']:,} |")


# --- speed ------------------------------------------------------------------------------------------------
# The planner's own plan (parallel hash join and sort, on an idle machine the fastest), and one backend alone
# with room to sort in memory (often faster on a busy one): the limit is the faster of the two, each round.
_LIMIT_SESSIONS = {"default": (), "serial": ("SET jit = off", "SET work_mem = '512MB'",
                                             "SET max_parallel_workers_per_gather = 0")}


def copy_limit(url: str) -> dict:
    """The same renditions as the harvest, same order, written by PostgreSQL itself and read by psycopg."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(f"SELECT count(*) FROM ({LIMIT_QUERY}) q").fetchone()[0]
    rates = {}
    for name, settings in _LIMIT_SESSIONS.items():
        with psycopg.connect(url) as connection, connection.cursor() as cursor:
            for statement in settings:
                connection.execute(statement)
            started = time.perf_counter()
            with cursor.copy(f"COPY ({LIMIT_QUERY}) TO STDOUT") as copy:
                for _chunk in copy:
                    pass
            rates[name] = rows / (time.perf_counter() - started)
    best = max(rates, key=rates.get)
    return {"rows": rows, "rows_per_s": rates[best], "plan": best, "rates": rates}


def _latencies(session: RawHttp, first: dict, deep: dict, times: int = 11) -> tuple[float, float]:
    """Median latency of the first page and of the page at 90 %, asked alternately (a re-sent token returns the
    same page): a burst of the machine's other work falls on both alike."""
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(times):
        for params, seen in ((first, timings[0]), (deep, timings[1])):
            started = time.perf_counter()
            session.get(params)
            seen.append(time.perf_counter() - started)
    return tuple(sorted(seen)[times // 2] for seen in timings)


def harvest(url: str, app_root: Path, page_size: int, total: int) -> dict:
    env = {"DATABASE_URL": url, "POP_SECRET_KEY": "bench-secret", "POP_ENV": "production",
           "POP_BASE_URL": "http://127.0.0.1", "POP_OAI_PAGE_SIZE": str(page_size), "PYTHONPATH": str(app_root)}
    here = os.getcwd()
    os.chdir(app_root)  # `python -m gunicorn` puts its working directory first on sys.path, before PYTHONPATH
    try:
        process, endpoint = _start("wsgi:app", app_root, env, stderr=subprocess.DEVNULL)  # its log: a line a page
    finally:
        os.chdir(here)
    sampler = RssSampler(process.pid)
    sampler.start()
    try:
        session = RawHttp(endpoint)
        params = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        first, deep = dict(params), None
        records = pages = 0
        worker = sampler.master.children()[0]  # the one sync worker: its CPU per record, load or not
        cpu = sum(worker.cpu_times()[:2])
        started = time.perf_counter()
        while params:
            body = session.get(params)
            records += body.count(b"<record>")
            pages += 1
            match = _TOKEN.search(body, max(0, body.rfind(b"<resumptionToken")))  # at the end: not a scan
            params = {"verb": "ListRecords", "resumptionToken": match.group(1).decode()} if match and match.group(1) \
                else None
            if deep is None and params and records >= 0.9 * total:
                deep = dict(params)
        seconds = time.perf_counter() - started
        cpu = sum(worker.cpu_times()[:2]) - cpu
        rss = [value for _, value in sampler.samples]
        first_s, deep_s = _latencies(session, first, deep)
    finally:
        sampler.running = False
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return {"page_size": page_size, "records": records, "pages": pages, "seconds": seconds,
            "records_per_s": records / seconds, "worker_cpu_us": cpu / records * 1e6, "first_page_s": first_s, "deep_page_s": deep_s,
            "deep_over_first": deep_s / first_s,
            "rss_first_tenth_mb": max(rss[: max(1, len(rss) // 10)]) / 2**20,
            "rss_peak_mb": max(rss) / 2**20}


def run(args) -> None:
    url = _plain(args.database)
    apps = dict(spec.split("=", 1) for spec in args.app) if args.app else {"this": str(ROOT)}
    print(f"load average at start: {os.getloadavg()}", flush=True)
    report = disk(url)
    print_disk(report)
    total = report["notices"]
    print("\n| round | code | page size | records | records/s | worker CPU (µs/record) | COPY rows/s (plan) | ratio | "
          "first page (s) | page at 90 % (s) | deep/first | worker RSS (MB) | load avg (1 min) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    best: dict[tuple[str, int], dict] = {}
    for round_ in range(1, args.rounds + 1):
        for page_size in args.page_sizes:
            for name, app_root in apps.items():  # the checkouts in turn, each with the limit right after it
                result = harvest(args.database, Path(app_root).resolve(), page_size, total)
                limit = copy_limit(url)
                result.update(copy_rows_per_s=limit["rows_per_s"], copy_plan=limit["plan"],
                              ratio=result["records_per_s"] / limit["rows_per_s"], load=os.getloadavg()[0])
                if (name, page_size) not in best or result["ratio"] > best[name, page_size]["ratio"]:
                    best[name, page_size] = result
                print(f"| {round_} | {name} | {page_size} | {result['records']:,} | {result['records_per_s']:,.0f} | "
                      f"{result['worker_cpu_us']:.1f} | "
                      f"{limit['rows_per_s']:,.0f} ({limit['plan']}) | {result['ratio']:.1%} | "
                      f"{result['first_page_s']:.4f} | {result['deep_page_s']:.4f} | {result['deep_over_first']:.2f} | "
                      f"{result['rss_first_tenth_mb']:.0f} → {result['rss_peak_mb']:.0f} | {result['load']:.2f} |",
                      flush=True)
    print(f"\nload average at end: {os.getloadavg()}")
    print("best round of each code and page size (by ratio):")
    for (name, page_size), result in best.items():
        print(f"  {name} {page_size}: "
              f"{json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()})}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load")
    p_load.add_argument("--database", required=True)
    p_load.add_argument("--size", type=int, default=100_000)
    p_load.add_argument("--seed-size", type=int, help="demo-load this many, then copy them in SQL up to --size")
    p_load.add_argument("--seed", type=int, default=1)
    p_run = sub.add_parser("run")
    p_run.add_argument("--database", required=True)
    p_run.add_argument("--page-sizes", type=int, nargs="+", default=[100, 500, 1000])
    p_run.add_argument("--rounds", type=int, default=2)
    p_run.add_argument("--app", action="append", metavar="NAME=DIR",
                       help="serve this checkout (repeat: each in turn in every round); default: the bench's own")
    p_disk = sub.add_parser("disk")
    p_disk.add_argument("--database", required=True)
    args = parser.parse_args()
    if args.command == "load":
        load(args.database, args.size, args.seed_size or args.size, args.seed)
    elif args.command == "disk":
        print_disk(disk(_plain(args.database)))
    else:
        run(args)


if __name__ == "__main__":
    main()
