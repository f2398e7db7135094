"""`pop export build` with the Parquet and GeoJSON snapshots vs without them, same notices, same run;
and DuckDB reading a whole base's Parquet vs its CSV.

    python bench/export_build.py --size 100000                       # SQLite, loaded by `pop demo load`
    python bench/export_build.py --database pop_bench_build --size 1000000 --load [--keep] [--repeat 2]
    python bench/export_build.py --database-url URL --size N         # a store already loaded

1. the notices: into a fresh SQLite store, `pop demo load --size N --seed 1`; into a fresh PostgreSQL database
   (`--database NAME --load`), `pop demo load` of `--demo` notices (100,000 at most by default), then copies of
   them made in SQL up to N — distinct REFs (in the row and in its fields) and datestamps, the same fields
   otherwise: encoders pay per notice what they pay for the originals, and a 1M load through the write path
   takes most of an hour on the shared machine; `VACUUM ANALYZE`d;
2. builds (`--force`), each in its own process (its peak RSS is its own): the registry without the formats
   added for reusers' tools (Parquet, GeoJSON) — CSV, JSON Lines and JSON with their .gz twins, what the build
   wrote before — then every format of the registry; `--repeat R` alternates them R times, best of each;
3. DuckDB: `SELECT count(*), count(DISTINCT REF)` and a `GROUP BY` over the biggest base, from its .parquet
   and from its .csv (`read_csv(…, all_varchar=true)`), best of three each.
Prints a Markdown table, with the load average before and after.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTRA = ("parquet", "geojson")  # what this benchmark measures the cost of


def child(mode: str, url: str, directory: str) -> None:
    """One build in this process; prints its seconds, CPU seconds (this process's: the database's are the same
    in both modes) and peak RSS (MB)."""
    from formats.bases import BASES
    from protocols.export import writers
    from store.db import Database
    from store.exports.snapshots import build_snapshots

    if mode == "without":
        for name in EXTRA:
            writers.EXPORT_FORMATS.pop(name, None)  # type: ignore[attr-defined]
    db = Database(url)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    build_snapshots(db, directory, list(BASES), force=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{seconds:.2f} {usage.ru_utime + usage.ru_stime - cpu:.2f} {usage.ru_maxrss / 1024:.0f}")


def run(mode: str, url: str, directory: Path) -> tuple[float, float, float]:
    shutil.rmtree(directory, ignore_errors=True)  # the disk holds one build of each mode at a time
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--database-url", url, "--work", str(directory)],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def load_postgresql(name: str, size: int, demo: int) -> str:
    """A fresh database holding `size` notices: `demo` written by `pop demo load`, the rest copied in SQL."""
    import psycopg

    from bench.common import ADMIN_URL, database_url, run_pop

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    run_pop(url, "db", "upgrade")
    seconds, _ = run_pop(url, "demo", "load", "--size", str(min(demo, size)), "--seed", "1")
    print(f"pop demo load --size {min(demo, size)}: {seconds:.0f} s", file=sys.stderr, flush=True)
    copy_up_to(url, size)
    return url


def copy_up_to(url: str, size: int) -> None:
    """Copy the notices of `url` (in SQL) until it holds `size`: distinct REFs (the row's and the one in its
    fields) and datestamps, the same fields otherwise; then `VACUUM ANALYZE`."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        top, count = connection.execute("SELECT max(id), count(*) FROM notice").fetchone()
        copies = -(-size // count) - 1  # enough copies, the last one cut to reach `size`
        if copies > 0:
            connection.execute(
                "INSERT INTO notice (id, base, ref, fields, producer, producer_slug, source, source_identifier, "
                "source_datestamp, content_hash, fields_hash, created, datestamp, deleted, rendered, licence, "
                "source_base_url, source_namespace, source_provenance) "
                "SELECT o.id + k * %(top)s, o.base, o.ref || 'K' || k, "
                "jsonb_set(o.fields, '{REF}', to_jsonb(o.ref || 'K' || k)), o.producer, o.producer_slug, o.source, "
                "o.source_identifier, o.source_datestamp, o.content_hash, o.fields_hash, o.created, "
                "o.datestamp + k * interval '1 day', o.deleted, o.rendered, o.licence, o.source_base_url, "
                "o.source_namespace, o.source_provenance "
                "FROM notice o, generate_series(1, %(copies)s) k WHERE o.id <= %(top)s "
                "ORDER BY k, o.id LIMIT %(rest)s",
                {"top": top, "copies": copies, "rest": size - count})
            connection.execute("SELECT setval(pg_get_serial_sequence('notice', 'id'), (SELECT max(id) FROM notice))")
            connection.execute("UPDATE store_state SET version = version + 1")
        connection.execute("VACUUM ANALYZE notice")
    print(f"copied up to {size}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def duckdb_ratio(directory: Path, repeat: int = 3) -> tuple[str, float, float]:
    import duckdb

    base = max((p for p in directory.glob("*.csv")), key=lambda p: p.stat().st_size).stem
    queries = {
        "parquet": f"read_parquet('{directory}/{base}.parquet')",
        "csv": f"read_csv('{directory}/{base}.csv', all_varchar=true, header=true)",
    }
    times: dict[str, float] = {}
    for _ in range(repeat):
        for fmt, source in queries.items():
            connection = duckdb.connect()
            started = time.perf_counter()
            connection.execute(f"SELECT count(*), count(DISTINCT REF) FROM {source}").fetchall()
            connection.execute(f"SELECT PRODUCTEUR, count(*) FROM {source} GROUP BY 1").fetchall()
            elapsed = time.perf_counter() - started
            times[fmt] = min(times.get(fmt, elapsed), elapsed)
            connection.close()
    return base, times["parquet"], times["csv"]


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url", help="a store already loaded")
    parser.add_argument("--database", help="a PostgreSQL database (under POP_BENCH_ADMIN_URL's server)")
    parser.add_argument("--load", action="store_true", help="(re)create --database and load --size notices")
    parser.add_argument("--demo", type=int, default=100_000, help="notices written by pop demo load (--load)")
    parser.add_argument("--keep", action="store_true", help="keep --database after the run (default: dropped)")
    parser.add_argument("--repeat", type=int, default=1, help="builds of each mode, alternated; best kept")
    parser.add_argument("--work")
    parser.add_argument("--child", choices=("with", "without"))
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.database_url, args.work)
    work = Path(args.work or tempfile.mkdtemp(prefix="pop-bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.database:
        from bench.common import database_url

        url = load_postgresql(args.database, args.size, args.demo) if args.load else database_url(args.database)
    elif args.database_url:
        url = args.database_url
    else:
        url = f"sqlite:///{work}/pop.sqlite3"
        env = {**os.environ, "DATABASE_URL": url, "POP_SECRET_KEY": "bench", "POP_ENV": "production"}
        subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], check=True, env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "app", "demo", "load", "--size", str(args.size), "--seed", "1"],
                       check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    load_before = _load_average()
    rounds: dict[str, list[tuple[float, float, float]]] = {"without": [], "with": []}
    try:
        for _ in range(args.repeat):
            for mode in ("without", "with"):
                rounds[mode].append(result := run(mode, url, work / mode))
                print(f"{mode}: {result[0]:.1f} s, {result[1]:.1f} s CPU, {result[2]:.0f} MB", file=sys.stderr,
                      flush=True)
        base, parquet, csv = duckdb_ratio(work / "with")
        sizes = {p.name: p.stat().st_size for p in (work / "with").iterdir() if p.suffix in (".parquet", ".csv")}
    finally:
        if args.database and not args.keep:
            import psycopg

            from bench.common import ADMIN_URL

            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    best = {mode: min(r[0] for r in results) for mode, results in rounds.items()}
    cpu = {mode: min(r[1] for r in results) for mode, results in rounds.items()}
    rss = {mode: max(r[2] for r in results) for mode, results in rounds.items()}
    print(f"load average before {load_before}, after {_load_average()}; {args.repeat} round(s), best of each")
    print("| notices | build without Parquet/GeoJSON | with | ratio | CPU without | with | ratio | "
          "peak RSS without | with |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.size:,} | {best['without']:.1f} s | {best['with']:.1f} s | "
          f"**{best['with'] / best['without']:.2f}×** | {cpu['without']:.1f} s | {cpu['with']:.1f} s | "
          f"{cpu['with'] / cpu['without']:.2f}× | {rss['without']:.0f} MB | {rss['with']:.0f} MB |")
    print("rounds: " + "; ".join(f"{mode} " + ", ".join(f"{s:.1f} s ({c:.1f} s CPU, {m:.0f} MB)" for s, c, m in results)
                                 for mode, results in rounds.items()))
    print(f"\nDuckDB over {base} ({sizes[base + '.parquet'] / 2**20:.1f} MiB Parquet, "
          f"{sizes[base + '.csv'] / 2**20:.1f} MiB CSV), best of 3: Parquet {parquet * 1000:.0f} ms, "
          f"CSV {csv * 1000:.0f} ms (CSV/Parquet {csv / parquet:.1f}×)")

if __name__ == "__main__":
    main()
