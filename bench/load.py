"""Benchmark: `pop demo load` against a plain COPY of the same rows into PostgreSQL (the physical limit).

For each size N: load N demo notices with `pop demo load` into an empty, migrated database (timed, peak RSS of
the process), dump exactly the rows it wrote (notice and rendition) with COPY TO, empty the tables, and time a
plain COPY FROM of those rows into the same indexed tables. Reports both, and the ratio.

    python bench/load.py                 # 100,000 and 1,000,000 notices
    python bench/load.py --sizes 20000   # a quick run
    python bench/load.py --keep          # keep pop_bench_load_N for bench/export_stream.py --database
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import fresh_database, measured_child, pop_env, ROOT  # noqa: E402

TABLES = ("notice", "rendition")


def copy_limit(url: str, workdir: Path) -> tuple[float, int]:
    """Dump the loaded rows, empty the tables, COPY them back; returns (seconds of COPY FROM, bytes)."""
    size = 0
    with psycopg.connect(url) as connection:
        for table in TABLES:
            with open(workdir / f"{table}.copy", "wb") as handle, connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} TO STDOUT") as copy:
                    for chunk in copy:
                        handle.write(chunk)
            size += (workdir / f"{table}.copy").stat().st_size
        connection.execute("TRUNCATE rendition, notice")
        connection.commit()
        started = time.perf_counter()
        for table in TABLES:
            with open(workdir / f"{table}.copy", "rb") as handle, connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
        connection.commit()
        return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true",
                        help="keep the databases (pop_bench_load_N), e.g. for bench/export_stream.py")
    args = parser.parse_args()
    print("| notices | pop demo load (s) | notices/s | peak RSS (MiB) | COPY of the same rows (s) | rows' size (MiB) | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        with fresh_database(f"pop_bench_load_{size}", keep=args.keep) as url, tempfile.TemporaryDirectory() as tmp:
            seconds, rss, _ = measured_child(
                [sys.executable, "-m", "app", "demo", "load", "--size", str(size), "--seed", str(args.seed)],
                cwd=ROOT, env=pop_env(url))
            copy_seconds, size_bytes = copy_limit(url, Path(tmp))
            print(f"| {size:,} | {seconds:.1f} | {size / seconds:,.0f} | {rss:.0f} | {copy_seconds:.1f} | "
                  f"{size_bytes / 2**20:,.0f} | {seconds / copy_seconds:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
