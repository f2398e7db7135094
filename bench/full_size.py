"""POP at its real size, once (issue 17): a PostgreSQL database of N notices (4,500,000 by default), served by one
gunicorn sync worker and harvested whole, then exported; what each step takes in time, disk and memory.

    python bench/full_size.py                     # 4,500,000 notices: hours, tens of GB (checked first)
    python bench/full_size.py --size 200000 [--seed-size 100000] [--jobs 2] [--getrecord-seconds 20] [--keep]

1. **load**: `pop demo load --size S --seed 1` (S = --seed-size: the eight bases in the demo's proportions), then
   copies of those notices made in SQL up to N by bench/copies.py (each base as `store.demo.generator.shares(N)`
   says; new ids, REFs of each base's pattern, in the fields and inside the renditions too, datestamps k days
   earlier; columns read from store/models at run time; indexes dropped and rebuilt; checked), --jobs
   connections at once; then `VACUUM ANALYZE`.
2. **serve**: one gunicorn sync worker (bench/oai_harvest.py's `_start`; its request logs to a file), harvested
   over keep-alive `http.client` (`RawHttp`): a whole ListRecords `oai_dc` (records/s, first page and 90 %-depth
   page, median of 5 re-sends each) and, its limit, a `COPY` of the same renditions in the same order; a whole
   ListIdentifiers; GetRecord `oai_dc` of random live notices for --getrecord-seconds, one client (each answer
   checked: no error, its REF inside), and `/healthz` as long (the worker's floor).
3. **export**: `pop export build` (every format, plain and gzipped), in its own process: time, peak RSS, bytes.
4. **sizes** (after VACUUM): pg_database_size, and heap, TOAST and indexes of the notice table and of each table
   referencing it; per notice.

Peak RSS, sampled every 0.2 s per phase (psutil): the server's worker, this process (the client), this
database's PostgreSQL backends (their sum and the largest; a backend's RSS counts the shared buffers it touched,
so the private part, RSS − shared, is given too); `pop demo load` and `pop export build` report their own peak.
Before anything, free disk is checked against --disk-margin (2.5) × the estimate, and again once the seed's
size per notice is measured; the export build is skipped (its reason reported) when its files would leave less
than --disk-floor (10 GB) free, and if any file system written to falls under that floor during the run, the
database and the files are dropped and the run stops (exit 3): the PostgreSQL server is shared. Prints phase times with the load average, a JSON summary and a Markdown table; the
database (and the export files) are dropped at the end unless --keep.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import ADMIN_URL, fresh_database, measured_child, pop_env  # noqa: E402
from bench.copies import copy_up_to, tables  # noqa: E402
from bench.oai_harvest import RawHttp, _median_latency, _start, harvest  # noqa: E402

REPOSITORY = "pop.culture.gouv.fr"
# Bytes a notice before the seed is measured: the database (renditions packed: 4.3 kB at 100k), the export files.
ESTIMATE = {"database": 4_400, "exports": 5_000}
# An oai_dc ListRecords' rows in its order (store/oai.py): the limit a harvest is measured against.
LIMIT_QUERY = ("SELECT r.packed FROM notice n LEFT JOIN rendition r ON r.notice_id = n.id AND r.format = 'oai_dc' "
               "WHERE r.notice_id IS NOT NULL OR n.deleted OR NOT n.rendered ORDER BY n.datestamp, n.id")


# --- measuring --------------------------------------------------------------------------------------------------
class Peaks(threading.Thread):
    """Per phase, the peak RSS (MB) of the server's worker, this process and the database's backends; `samples`:
    the worker's, in the shape bench/oai_harvest.py's `harvest` reads."""

    def __init__(self, database: str, postmaster: int | None):
        super().__init__(daemon=True)
        self.database, self.phase, self.server = database, "", None
        self.postmaster = psutil.Process(postmaster) if postmaster else None
        self.me = psutil.Process()
        self.peaks: dict[str, dict[str, float]] = {}
        self.samples: list[tuple[float, int]] = []
        self.running, self.ticks, self.groups = True, 0, {}

    def _backends(self) -> list[psutil.Process]:
        if self.postmaster is None:
            return []
        titled = {p.pid: " ".join(p.cmdline()) + " " for p in self.postmaster.children()}
        ours = {pid for pid, title in titled.items() if f" {self.database} " in title}
        return [psutil.Process(pid) for pid, title in titled.items()
                if pid in ours or any(f"parallel worker for PID {o} " in title for o in ours)]

    def _sample(self) -> None:
        if not self.phase:  # before the first phase
            return
        peaks = self.peaks.setdefault(self.phase, {})
        if self.ticks % 10 == 0 or (self.server is None) == ("server" in self.groups):  # listing costs most
            self.groups = {"postgres": self._backends()}
            if self.server is not None:
                self.groups.update(server=self.server.children(recursive=True), client=[self.me])
        self.ticks += 1
        for group, processes in self.groups.items():
            memory = []
            for process in processes:
                try:
                    memory.append(process.memory_info())
                except psutil.Error:  # gone meanwhile
                    pass
            for key, value in ((f"{group}_mb", sum(m.rss for m in memory)),
                               (f"{group}_largest_mb", max((m.rss for m in memory), default=0)),
                               (f"{group}_private_mb", sum(m.rss - m.shared for m in memory))):
                peaks[key] = max(peaks.get(key, 0), value / 2**20)
            if group == "server":
                self.samples.append((time.perf_counter(), sum(m.rss for m in memory)))

    def run(self) -> None:
        while self.running:
            try:
                self._sample()
            except psutil.Error:
                pass
            time.sleep(0.2)


class Phases:
    """Wall time and load average of each phase, which also names the phase the RSS peaks belong to."""

    def __init__(self, peaks: Peaks):
        self.peaks, self.seconds, self.loads = peaks, {}, {}

    @contextmanager
    def __call__(self, name: str):
        self.peaks.phase = name
        print(f"{name} …", file=sys.stderr, flush=True)
        before, started = os.getloadavg()[0], time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - started
        self.loads[name] = (before, os.getloadavg()[0])
        print(f"{name}: {self.seconds[name]:,.1f} s (load average {before:.1f} → {os.getloadavg()[0]:.1f})",
              file=sys.stderr, flush=True)


# --- disk -----------------------------------------------------------------------------------------------------
def check_disk(need: dict[Path, int], margin: float, what: str) -> None:
    """Refuse (SystemExit) unless each file system has `margin` × what will be written on it."""
    by_device: dict[int, tuple[Path, int]] = {}
    for path, size in need.items():
        while not path.exists():  # a --work folder still to make
            path = path.parent
        device = path.stat().st_dev
        by_device[device] = (by_device.get(device, (path, 0))[0], by_device.get(device, (path, 0))[1] + size)
    for path, size in by_device.values():
        free = shutil.disk_usage(path).free
        if free < margin * size:
            raise SystemExit(f"refusing to run: {what} needs about {size / 1e9:,.1f} GB on the file system of "
                             f"{path}, which has {free / 1e9:,.1f} GB free; {margin:g}× the estimate "
                             f"({margin * size / 1e9:,.1f} GB) is required (--disk-margin, or a smaller --size)")


class DiskWatch(threading.Thread):
    """The last guard of a machine whose PostgreSQL others use too: once a watched file system has less than
    `floor` bytes free, the bench database is dropped, the export files removed and this process ends (exit 3),
    before PostgreSQL itself could run out of room for its WAL."""

    def __init__(self, paths: list[Path], floor: float, database: str, work: Path):
        super().__init__(daemon=True)
        self.paths, self.floor, self.database, self.work = paths, floor, database, work

    def run(self) -> None:
        while True:
            for path in self.paths:
                free = shutil.disk_usage(path).free
                if free < self.floor:
                    print(f"\nABORTED: {free / 1e9:.1f} GB free on the file system of {path}, under --disk-floor "
                          f"({self.floor / 1e9:g} GB): dropping {self.database} and the export files",
                          file=sys.stderr, flush=True)
                    for child in psutil.Process().children(recursive=True):
                        try:
                            child.kill()
                        except psutil.Error:
                            pass
                    shutil.rmtree(self.work / "exports", ignore_errors=True)
                    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                        admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                    os._exit(3)
            time.sleep(1)


def disk_needs(size: int, seed: int, per_notice: dict[str, float], data_dir: Path | None, work: Path) -> dict:
    database = (size + seed) * per_notice["database"] * 1.2 + 2e9  # the seed's copy, index builds' sorts, WAL
    needs = {work: int(size * per_notice["exports"])}
    if data_dir is not None:
        needs[data_dir] = needs.get(data_dir, 0) + int(database)
    return needs


def sizes(url: str, tables: list[str]) -> dict:
    """pg_database_size, and per table heap, TOAST (with its index), indexes, total (bytes)."""
    report: dict = {}
    with psycopg.connect(url) as connection:
        report["database"] = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        for table in tables:
            row = connection.execute(
                "SELECT pg_relation_size(t.oid), coalesce(pg_total_relation_size(nullif(t.reltoastrelid, 0)), 0), "
                "pg_indexes_size(t.oid), pg_total_relation_size(t.oid) FROM pg_class t WHERE t.oid = %s::regclass",
                [table]).fetchone()
            report[table] = dict(zip(("heap", "toast", "indexes", "total"), row))
    return report


# --- serve --------------------------------------------------------------------------------------------------
def identifiers(url: str, count: int) -> list[tuple[str, str]]:
    """About `count` random live notices, (base, REF)."""
    with psycopg.connect(url) as connection:
        low, high = connection.execute("SELECT min(id), max(id) FROM notice").fetchone()
        ids = random.Random(1).sample(range(low, high + 1), min(count, high - low + 1))
        rows = connection.execute("SELECT base, ref FROM notice WHERE id = ANY(%s) AND NOT deleted", [ids]).fetchall()
    random.Random(2).shuffle(rows)
    return rows


def timed(ask, seconds: float) -> dict:
    """Call `ask` over and over for `seconds`: requests, seconds, per second."""
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        ask()
        done += 1
    return {"requests": done, "seconds": elapsed, "per_s": done / elapsed}


def copy_limit(url: str) -> dict:
    """The renditions a whole oai_dc ListRecords sends, in its order, written by PostgreSQL (COPY) and read."""
    try:
        with psycopg.connect(url) as connection, connection.cursor() as cursor:
            rows, size, started = 0, 0, time.perf_counter()
            with cursor.copy(f"COPY ({LIMIT_QUERY}) TO STDOUT") as copy:
                for chunk in copy:
                    rows, size = rows + bytes(chunk).count(b"\n"), size + len(chunk)
            seconds = time.perf_counter() - started
    except psycopg.Error as error:  # the schema moved under the query: say so, measure the rest
        return {"error": str(error).splitlines()[0]}
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "mb": size / 1e6}


def serve(url: str, total: int, seconds: float, peaks: Peaks, phases: Phases, work: Path) -> dict:
    env = {**pop_env(url), "POP_BASE_URL": "http://127.0.0.1", "POP_REPOSITORY_IDENTIFIER": REPOSITORY,
           "PYTHONPATH": str(ROOT)}
    log = open(work / "server.log", "wb")
    process, endpoint = _start("wsgi:app", ROOT, env, stderr=log)
    peaks.server = psutil.Process(process.pid)
    result: dict = {}
    try:
        with phases("ListRecords oai_dc (whole)"):
            peaks.samples.clear()
            records = harvest(endpoint, "oai_dc", None, total, peaks)
            session = records.pop("session")
            first = _median_latency(session, endpoint, records.pop("first_params"))
            deep = _median_latency(session, endpoint, records.pop("deep_params"))
            result["ListRecords"] = {**records, "first_page_s": first, "deep_page_s": deep,
                                     "deep_over_first": deep / first}
        with phases("COPY of the same renditions"):
            result["copy_limit"] = copy_limit(url)
        with phases("ListIdentifiers oai_dc (whole)"):
            headers = harvest(endpoint, "oai_dc", None, total, peaks, verb="ListIdentifiers")
            for name in ("session", "first_params", "deep_params", "rss_first_tenth_mb"):
                headers.pop(name)
            result["ListIdentifiers"] = headers
        chosen = itertools.cycle(identifiers(url, int(max(1000, 2000 * seconds))))
        client, health = RawHttp(endpoint), RawHttp(endpoint.replace("/oai", "/healthz"))

        def get_record() -> None:
            base, ref = next(chosen)
            body = client.get({"verb": "GetRecord", "metadataPrefix": "oai_dc",
                               "identifier": f"oai:{REPOSITORY}:{base}:{ref}"})
            if b"<error" in body or ref.encode() not in body:
                raise SystemExit(f"GetRecord {base}:{ref}: {body[:500]!r}")

        for _ in range(200):  # warm-up, as bench/getrecord.py does: the worker's first requests of a kind
            get_record()
            health.get({})
        with phases("GetRecord oai_dc"):
            result["GetRecord"] = timed(get_record, seconds)
        with phases("/healthz"):
            result["healthz"] = timed(lambda: health.get({}), seconds)
        result["GetRecord"]["over_healthz"] = result["GetRecord"]["per_s"] / result["healthz"]["per_s"]
    finally:
        peaks.server = None
        os.killpg(process.pid, 15)
        process.wait(timeout=60)
        log.close()
    return result


def export(url: str, work: Path, size: int, floor: float, phases: Phases) -> dict:
    """`pop export build` in its own process: time, peak RSS, files; skipped, with the reason, when the export
    files' estimate would leave less than `floor` free (the measures before it are kept)."""
    need, free = size * ESTIMATE["exports"] * 1.1, shutil.disk_usage(work).free
    if free - need < floor:
        print(f"pop export build skipped: about {need / 1e9:,.1f} GB of files, {free / 1e9:,.1f} GB free",
              file=sys.stderr, flush=True)
        return {"skipped": f"about {need / 1e9:,.1f} GB of export files, {free / 1e9:,.1f} GB free"}
    exports = work / "exports"
    with phases("pop export build"):
        seconds, rss, _ = measured_child([sys.executable, "-m", "app", "export", "build"], cwd=ROOT,
                                         env={**pop_env(url), "POP_EXPORT_DIR": str(exports)})
    files = [p for p in exports.rglob("*") if p.is_file()]
    return {"seconds": seconds, "peak_rss_mb": rss, "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "gzip_bytes": sum(p.stat().st_size for p in files if p.suffix == ".gz")}


# --- the run ------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=4_500_000, help="notices at the end (default 4,500,000)")
    parser.add_argument("--seed-size", type=int, default=100_000, help="notices written by pop demo load")
    parser.add_argument("--database", default="pop_bench_full", help="its name (created, dropped unless --keep)")
    parser.add_argument("--jobs", type=int, default=2, help="connections copying at once (default 2)")
    parser.add_argument("--getrecord-seconds", type=float, default=20)
    parser.add_argument("--disk-margin", type=float, default=2.5)
    parser.add_argument("--disk-floor", type=float, default=10,
                        help="GB that must stay free on each file system written to; below it the run drops its "
                             "database and files and stops (default 10)")
    parser.add_argument("--work", help="folder of the export files and the server's log (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the export files")
    args = parser.parse_args()
    seed_size = min(args.seed_size, args.size)
    work = Path(args.work or tempfile.gettempdir())
    with psycopg.connect(ADMIN_URL) as admin:
        data_dir, backend = admin.execute("SELECT current_setting('data_directory'), pg_backend_pid()").fetchone()
        local = Path(data_dir).exists()  # a server elsewhere: neither its disk nor its processes are ours to see
        postmaster = psutil.Process(backend).ppid() if local else None
    data_dir = Path(data_dir) if local else None
    check_disk(disk_needs(args.size, seed_size, ESTIMATE, data_dir, work), args.disk_margin,
               f"{args.size:,} notices (estimated at {ESTIMATE['database']:,} + {ESTIMATE['exports']:,} B each)")
    work = work if args.work else Path(tempfile.mkdtemp(prefix="pop-full-size-", dir=work))
    work.mkdir(parents=True, exist_ok=True)
    DiskWatch([path for path in (data_dir, work) if path is not None], args.disk_floor * 1e9, args.database,
              work).start()
    peaks = Peaks(args.database, postmaster)
    peaks.start()
    phases = Phases(peaks)
    summary: dict = {"notices": args.size, "seed": seed_size, "jobs": args.jobs, "cpus": os.cpu_count()}
    started = time.perf_counter()
    try:
        with fresh_database(args.database, keep=args.keep) as url:
            with phases(f"load: pop demo load --size {seed_size}"):
                seconds, rss, _ = measured_child([sys.executable, "-m", "app", "demo", "load", "--size",
                                                  str(seed_size), "--seed", "1"], cwd=ROOT, env=pop_env(url))
            summary["demo_load"] = {"seconds": seconds, "notices_per_s": seed_size / seconds, "peak_rss_mb": rss}
            measured = sizes(url, [])["database"] / seed_size
            check_disk(disk_needs(args.size, 0, {**ESTIMATE, "database": measured}, data_dir, work),
                       args.disk_margin, f"{args.size:,} notices (the seed measured: {measured:,.0f} B each)")
            if args.size > seed_size:
                summary["copies"] = copy_up_to(url, args.size, args.jobs, phases)
            with phases("load: VACUUM ANALYZE"), psycopg.connect(url, autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE")
            notice, _, dependents = tables()
            summary["sizes"] = sizes(url, [notice.name] + [table.name for table, _ in dependents])
            summary["oai"] = serve(url, args.size, args.getrecord_seconds, peaks, phases, work)
            summary["export"] = export(url, work, args.size, args.disk_floor * 1e9, phases)
    finally:
        peaks.running = False
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    summary.update(phases=phases.seconds, load_averages=phases.loads, total_seconds=time.perf_counter() - started,
                   peaks=peaks.peaks)
    print(json.dumps(summary, indent=1, default=str))
    report(summary)


def report(s: dict) -> None:
    """The Markdown tables of a run's summary: the measures, then each phase's time."""
    n, oai, size, export = s["notices"], s["oai"], s["sizes"], s["export"]
    records, limit, headers, demo = oai["ListRecords"], oai["copy_limit"], oai["ListIdentifiers"], s["demo_load"]
    serving = [p for p in s["phases"] if p.startswith(("List", "GetRecord", "/healthz"))]

    def peak(key: str, phases: list[str] = serving) -> str:
        return f"{max(s['peaks'].get(p, {}).get(key, 0) for p in phases):,.0f}"

    def mb(value: float) -> str:
        return f"{value / 1e6:,.0f} MB"

    ratio = f"{records['records_per_s'] / limit['rows_per_s']:.0%}" if "rows_per_s" in limit else limit["error"]
    loading = sum(v for k, v in s["phases"].items() if k.startswith("load"))
    rows = [
        ("notices", f"{n:,}: {s['seed']:,} by `pop demo load`, the rest copied in SQL "
                    f"(copy rounds: {s.get('copies', {}).get('copies', 0)})"),
        ("load (demo load, copies, indexes, checks, VACUUM ANALYZE)", f"{loading:,.0f} s"),
        ("… of which `pop demo load`", f"{demo['seconds']:,.0f} s ({demo['notices_per_s']:,.0f} notices/s), "
                                       f"peak RSS {demo['peak_rss_mb']:,.0f} MB"),
        ("ListRecords oai_dc, whole harvest", f"{records['seconds']:,.0f} s for {records['records']:,} records: "
                                              f"**{records['records_per_s']:,.0f} records/s**"),
        ("… `COPY` of the same renditions (limit)", f"{limit.get('rows_per_s', 0):,.0f} rows/s: "
                                                    f"ListRecords at {ratio}"),
        ("… first page / page at 90 %", f"{records['first_page_s'] * 1e3:.0f} / {records['deep_page_s'] * 1e3:.0f} ms "
                                        f"(deep/first {records['deep_over_first']:.2f})"),
        ("… worker RSS, first tenth → peak", f"{records['rss_first_tenth_mb']:,.0f} → "
                                             f"{records['rss_peak_mb']:,.0f} MB"),
        ("ListIdentifiers, whole", f"{headers['seconds']:,.0f} s: **{headers['records_per_s']:,.0f} headers/s**"),
        ("GetRecord oai_dc, random notices, 1 client", f"**{oai['GetRecord']['per_s']:,.0f} req/s**; /healthz "
                                                       f"{oai['healthz']['per_s']:,.0f}/s (ratio "
                                                       f"{oai['GetRecord']['over_healthz']:.2f})"),
        ("`pop export build` (every format)", f"skipped: {export['skipped']}" if "skipped" in export else
         f"{export['seconds']:,.0f} s, peak RSS {export['peak_rss_mb']:,.0f} MB; {export['files']} files, "
         f"{mb(export['bytes'])} ({mb(export['gzip_bytes'])} gzipped), {export['bytes'] / n / 1e3:.1f} KB a notice"),
        ("database (pg_database_size)", f"{mb(size['database'])}, **{size['database'] / n / 1e3:.2f} KB a notice**"),
    ] + [(f"… {table}: heap / TOAST / indexes", f"{mb(t['heap'])} / {mb(t['toast'])} / {mb(t['indexes'])}: "
                                                 f"{t['total'] / n / 1e3:.2f} KB a notice")
         for table, t in size.items() if table != "database"] + [
        ("peak RSS serving: worker / client", f"{peak('server_mb')} / {peak('client_mb')} MB"),
        ("… PostgreSQL backends: sum / largest / private", f"{peak('postgres_mb')} / {peak('postgres_largest_mb')} / "
                                                           f"{peak('postgres_private_mb')} MB"),
        ("PostgreSQL backends copying, sum / private", f"{peak('postgres_mb', ['load: copies'])} / "
                                                      f"{peak('postgres_private_mb', ['load: copies'])} MB"),
        ("PostgreSQL backends exporting, sum / private", f"{peak('postgres_mb', ['pop export build'])} / "
                                                        f"{peak('postgres_private_mb', ['pop export build'])} MB"),
        ("whole run", f"{s['total_seconds'] / 60:,.1f} min"),
    ]
    print("\n| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print("\n| phase | s | load average before → after |\n|---|---:|---|")
    for name, seconds in s["phases"].items():
        before, after = s["load_averages"][name]
        print(f"| {name} | {seconds:,.1f} | {before:.1f} → {after:.1f} |")


if __name__ == "__main__":
    main()
