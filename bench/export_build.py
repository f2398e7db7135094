"""`pop export build` with the Parquet (and any GeoJSON) snapshots vs without them, same notices, same run;
and DuckDB reading a whole base's Parquet vs its CSV.

    python bench/export_build.py --size 100000 [--database-url URL] [--work DIR]

1. `pop demo load --size N --seed 1` into a fresh SQLite store (or `--database-url`, already loaded);
2. two builds (`--force`), each in its own process (its peak RSS is its own): every format of the registry,
   then the registry without the formats added for reusers' tools (Parquet, GeoJSON) — CSV, JSON Lines and
   JSON with their .gz twins, what the build wrote before;
3. DuckDB: `SELECT count(*), count(DISTINCT REF)` and a `GROUP BY` over the biggest base, from its
   .parquet and from its .csv (`read_csv(…, all_varchar=true)`).
Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTRA = ("parquet", "geojson")  # what this benchmark measures the cost of


def child(mode: str, url: str, directory: str) -> None:
    """One build in this process; prints seconds and peak RSS (MB)."""
    from formats.bases import BASES
    from protocols.export import writers
    from store.db import Database
    from store.exports.snapshots import build_snapshots

    if mode == "without":
        for name in EXTRA:
            writers.EXPORT_FORMATS.pop(name, None)  # type: ignore[attr-defined]
    db = Database(url)
    started = time.perf_counter()
    build_snapshots(db, directory, list(BASES), force=True)
    seconds = time.perf_counter() - started
    print(f"{seconds:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def run(mode: str, url: str, directory: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--database-url", url, "--work", directory],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    return float(out[0]), float(out[1])


def duckdb_ratio(directory: Path) -> tuple[str, float, float]:
    import duckdb

    base = max((p for p in directory.glob("*.csv")), key=lambda p: p.stat().st_size).stem
    queries = {
        "parquet": f"read_parquet('{directory}/{base}.parquet')",
        "csv": f"read_csv('{directory}/{base}.csv', all_varchar=true, header=true)",
    }
    times = {}
    for fmt, source in queries.items():
        connection = duckdb.connect()
        started = time.perf_counter()
        connection.execute(f"SELECT count(*), count(DISTINCT REF) FROM {source}").fetchall()
        connection.execute(f"SELECT PRODUCTEUR, count(*) FROM {source} GROUP BY 1").fetchall()
        times[fmt] = time.perf_counter() - started
    return base, times["parquet"], times["csv"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--work")
    parser.add_argument("--child", choices=("with", "without"))
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.database_url, args.work)
    work = Path(args.work or tempfile.mkdtemp(prefix="pop-bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{work}/pop.sqlite3"
    env = {**os.environ, "DATABASE_URL": url, "POP_SECRET_KEY": "bench", "POP_ENV": "production",
           "POP_EXPORT_DIR": str(work / "exports")}
    if not args.database_url:
        subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], check=True, env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "app", "demo", "load", "--size", str(args.size), "--seed", "1"],
                       check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    without = run("without", url, str(work / "without"))
    with_ = run("with", url, str(work / "with"))
    base, parquet, csv = duckdb_ratio(work / "with")
    print(f"| notices | build without Parquet/GeoJSON | with | ratio | peak RSS without | with |")
    print("|---|---|---|---|---|---|")
    print(f"| {args.size:,} | {without[0]:.1f} s | {with_[0]:.1f} s | {with_[0] / without[0]:.2f}× | "
          f"{without[1]:.0f} MB | {with_[1]:.0f} MB |")
    print(f"\nDuckDB over {base}: Parquet {parquet * 1000:.0f} ms, CSV {csv * 1000:.0f} ms "
          f"(CSV/Parquet {csv / parquet:.1f}×)")


if __name__ == "__main__":
    main()
