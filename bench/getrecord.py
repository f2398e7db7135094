"""GetRecord and IIIF manifests against the floor of one gunicorn worker (`/healthz` on the same worker, same
run), and `/healthz` of the code before (a git worktree) in the same run.

    python bench/getrecord.py load --database postgresql://postgres@127.0.0.1/pop_bench_getrecord --size 100000
    python bench/getrecord.py run  --database postgresql://postgres@127.0.0.1/pop_bench_getrecord \\
        [--baseline /tmp/pop_base] [--requests 3000] [--repeat 3]

`load` makes a fresh database with `pop demo load --size N --seed 1` whose images live on a local image server
(bench/iiif.py's: Pillow-made JPEGs of known sizes), and probes up to `--probe-limit` of them, so that the
notices linking those images have manifests. The image server is only needed while probing: `run` serves the
manifests with the same `POP_IMAGE_BASE_URL`, read back from the image table.

`run` starts one gunicorn worker (`--workers` N: N of them; sync, or `--worker-class gthread` with 4 threads as
`pop serve` runs it: it keeps connections alive, where a sync worker closes each after its answer) on the code
of this tree (and one on `--baseline`, a worktree of the commit to compare with, if given) and asks, with
keep-alive `http.client` connections (bench/iiif.py's client: the lightest, so that the client's own cost on the
shared cores weighs least), `--repeat` rounds of:

- `/healthz`, `--requests` times (one client): the floor of the app on its worker; and the same of a bare WSGI
  callable (two bytes, no Flask) under the same gunicorn worker class: the floor of gunicorn and the client;
- GetRecord `oai_dc` of random live identifiers, `--requests` times by one client, then by 8 clients at once
  (threads, each its own connection; one sync worker answers one at a time);
- GetRecord `oai_dc` of `--requests` consecutive identifiers of Joconde's list, in its order, by one client:
  Metis' walk (ListIdentifiers of a set, then a GetRecord of each), which store/records_ahead.py reads in
  batches; and another stretch by 8 clients at once, client k asking the k-th, (k+8)-th… (harvester threads
  sharing one queue of identifiers);
- IIIF manifests: a third of the illustrated notices asked once each (uncached: the worker builds them), then
  those again twice (cached: the worker's check and a byte copy; `POP_IIIF_CACHE_MB` must hold a third);
- GetRecord's statement alone, by psycopg from this process on one held connection (no app, no HTTP): the
  round trip every random GetRecord waits for, so the best GetRecord / `/healthz` ratio one round trip allows.

Per phase: requests per second and per CPU second of the worker (what a busy machine blurs least), and the best
of the rounds; the ratios GetRecord / `/healthz` are taken within a round. The load average is printed with the
figures: the machine is shared.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.iiif import Client, ImageServer, manifest_paths  # noqa: E402
from bench.oai_harvest import _free_port  # noqa: E402

CLIENTS = 8
BLOCKS = 4  # turns of each phase, servers alternating
REPOSITORY_IDENTIFIER = "pop.culture.gouv.fr"


def _env(database: str, image_base: str, root: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database, "POP_SECRET_KEY": "bench-secret", "POP_ENV": "production",
            "POP_BASE_URL": "http://127.0.0.1", "POP_IMAGE_BASE_URL": image_base,
            "POP_REPOSITORY_IDENTIFIER": REPOSITORY_IDENTIFIER, "PYTHONPATH": str(root)}


# --- load ---------------------------------------------------------------------------------------------------
def load(database: str, size: int, probe_limit: int) -> None:
    import psycopg

    from bench.common import ADMIN_URL

    name = urlsplit(database).path.lstrip("/")
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    images = ImageServer()
    env = _env(database, images.url, ROOT)
    started = time.perf_counter()
    for args in (["db", "upgrade"], ["demo", "load", "--size", str(size), "--seed", "1"]):
        subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    print(f"{size:,} demo notices in {time.perf_counter() - started:,.0f} s", flush=True)
    started = time.perf_counter()
    probed = _probe(database, images.url, probe_limit)
    print(f"{probed:,} images probed in {time.perf_counter() - started:,.0f} s", flush=True)
    images.close()
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _probe(database: str, image_base: str, limit: int) -> int:
    from harvest.addresses import AddressPolicy
    from harvest.image_probe import probe_all
    from store.db import Database
    from store.images import pending_images, record_probes

    db = Database(database)
    policy = AddressPolicy(allowed_hosts=(urlsplit(image_base).netloc,))
    cursor, probed = None, 0
    while probed < limit:
        with db.session() as session:
            pending = pending_images(session, min(500, limit - probed), image_base, cursor)
        batch = list(probe_all(pending.urls, policy=policy))
        with db.session() as session:
            record_probes(session, batch)
        probed, cursor = probed + len(batch), pending.cursor
        if pending.done:
            break
    db.dispose()
    return probed


# The floor under every app: a WSGI callable that answers 200 with two bytes, under the same gunicorn worker
# and asked by the same client (gunicorn's parsing and writing, the kernel, the client: no Flask, no app code).
BARE_WSGI = ('''def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
''')


def bare_server(worker_class: str) -> Server:
    folder = Path(tempfile.mkdtemp(prefix="pop-bare-wsgi-"))
    (folder / "bare_wsgi.py").write_text(BARE_WSGI)
    return Server("bare WSGI app", folder, {**os.environ, "PYTHONPATH": str(folder)}, worker_class, "bare_wsgi:app")


# --- run ----------------------------------------------------------------------------------------------------
def _image_base(database: str) -> str:
    from sqlalchemy import select

    from store.db import Database
    from store.models import ImageRow

    db = Database(database)
    with db.session() as session:
        url = session.execute(select(ImageRow.url).limit(1)).scalar_one()
    db.dispose()
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _walk(database: str, count: int, seed: int, base: str = "joconde") -> list[str]:
    """`count` GetRecord paths of one base's list, in its order from a random place in it: what Metis asks after
    its ListIdentifiers of the base's set (every notice of the list: tombstones too)."""
    from sqlalchemy import text

    from store.db import Database

    db = Database(database)
    with db.engine.connect() as connection:
        refs = connection.execute(text(
            "SELECT n.ref FROM notice n LEFT JOIN rendition r ON r.notice_id = n.id AND r.format = 'oai_dc' "
            "WHERE n.base = :base AND (r.notice_id IS NOT NULL OR n.deleted) ORDER BY n.datestamp, n.id"),
            {"base": base}).scalars().all()
    db.dispose()
    start = random.Random(seed).randrange(max(1, len(refs) - count))
    return [f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:{REPOSITORY_IDENTIFIER}:{base}:{ref}"
            for ref in refs[start:start + count]]


def _identifiers(database: str, count: int, seed: int) -> list[str]:
    """`count` random live notices that have an oai_dc rendition, as GetRecord paths."""
    from sqlalchemy import text

    from store.db import Database

    db = Database(database)
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT n.base, n.ref FROM notice n JOIN rendition r ON r.notice_id = n.id AND r.format = 'oai_dc' "
            "WHERE NOT n.deleted")).all()
    db.dispose()
    chosen = random.Random(seed).sample(rows, min(count, len(rows)))
    return [f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:{REPOSITORY_IDENTIFIER}:{base}:{ref}"
            for base, ref in chosen]


class Server:
    """One gunicorn sync worker serving wsgi:app from `root` (its working directory too: `python -m` puts the
    working directory first on sys.path, before PYTHONPATH and --chdir)."""

    def __init__(self, name: str, root: Path, env: dict[str, str], worker_class: str = "sync", app: str = "wsgi:app",
                 workers: int = 1):
        import psutil

        self.name, self.port = name, _free_port()
        self.log = tempfile.TemporaryFile()  # the worker's logs (one JSON line per OAI request): written, not shown
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class,
             *(["--threads", "4"] if worker_class == "gthread" else []), "--bind",
             f"127.0.0.1:{self.port}", "--chdir", str(root), "--timeout", "600", "--log-level", "warning",
             app], env=env, cwd=root, start_new_session=True, stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(600):
            try:
                Client(self.port).get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.log.seek(0)
            raise SystemExit(f"{name} did not start: {self.log.read()[-2000:]!r}")
        self.master = psutil.Process(self.process.pid)

    def cpu(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self.master.children(recursive=True))

    def rss_mb(self) -> float:
        return sum(p.memory_info().rss for p in self.master.children(recursive=True)) / 2**20

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def _check(path: str, status: int, body: bytes) -> None:
    if status != 200 or (path.startswith("/oai") and b"<error" in body):
        raise SystemExit(f"{path}: HTTP {status} {body[:300]!r}")


def _ask(server: Server, paths: list[str], clients: int) -> tuple[float, float]:
    """Every path asked once, by `clients` connections at once (each its share, in order): (seconds, CPU s)."""
    failures: list[BaseException] = []

    def ask(share: list[str]) -> None:
        client = Client(server.port)
        try:
            for path in share:
                _check(path, *client.get(path))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    cpu, started = server.cpu(), time.perf_counter()
    if clients == 1:
        ask(paths)
    else:
        threads = [threading.Thread(target=ask, args=(paths[n::clients],)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed, cpu = time.perf_counter() - started, server.cpu() - cpu
    if failures:
        raise SystemExit(f"{server.name}: {failures[0]}")
    return elapsed, cpu


def statement_alone(database: str, paths: list[str]) -> float:
    """GetRecord's one statement for each of `paths`, by psycopg on one held connection in autocommit (prepared):
    the database's round trip that every GetRecord waits for, with no app, no HTTP: statements a second."""
    import psycopg
    from sqlalchemy.dialects import postgresql

    from store.driver import compiled
    from store.oai import _GET_RECORD_AND_NEXT

    sql, literals = compiled(_GET_RECORD_AND_NEXT, postgresql.psycopg.dialect())
    keys = [path.rsplit(":", 2)[-2:] for path in paths]
    with psycopg.connect(database, autocommit=True) as connection, connection.cursor(binary=True) as cursor:
        for base, ref in keys[:200]:  # prepared after a few executions, as the worker's connections are
            cursor.execute(sql, {**literals, "base": base, "ref": ref, "prefix": "oai_dc"}).fetchall()
        started = time.perf_counter()
        for base, ref in keys:
            cursor.execute(sql, {**literals, "base": base, "ref": ref, "prefix": "oai_dc"}).fetchall()
        return len(keys) / (time.perf_counter() - started)


def phase(servers: list[Server], paths: list[str], clients: int = 1, blocks: int = BLOCKS) -> dict[str, dict]:
    """`paths` asked of every server, in `blocks` turns (server A a block, then B, then A the next…), so that
    what else the shared machine does weighs on each alike."""
    spent = {server.name: [0.0, 0.0] for server in servers}
    size = -(-len(paths) // blocks)
    for start in range(0, len(paths), size):
        for server in servers:
            elapsed, cpu = _ask(server, paths[start:start + size], clients)
            spent[server.name][0] += elapsed
            spent[server.name][1] += cpu
    return {server.name: {"per_s": len(paths) / spent[server.name][0],
                          "per_cpu_s": len(paths) / spent[server.name][1] if spent[server.name][1] else float("nan"),
                          "rss_mb": server.rss_mb()} for server in servers}


def run(args) -> None:
    image_base = _image_base(args.database)
    getrecords = _identifiers(args.database, args.requests, seed=1)
    manifests = manifest_paths(args.database, image_base)
    random.Random(2).shuffle(manifests)
    thirds = [manifests[n::args.repeat] for n in range(args.repeat)]
    print(f"{len(getrecords):,} GetRecord identifiers, {len(manifests):,} manifests; "
          f"gunicorn --workers {args.workers} --worker-class {args.worker_class}; "
          f"load average before: {os.getloadavg()[0]:.1f}",
          flush=True)
    servers = [Server("this tree", ROOT, _env(args.database, image_base, ROOT), args.worker_class,
                      workers=args.workers)]
    if args.baseline:
        baseline = Path(args.baseline).resolve()
        servers.append(Server(f"baseline ({_commit(baseline)})", baseline, _env(args.database, image_base, baseline),
                              args.worker_class, workers=args.workers))
    bare = bare_server(args.worker_class)
    rounds: list[dict[str, dict[str, dict]]] = []
    loads = []
    try:
        phase(servers, ["/healthz"] * 200 + getrecords[:200], blocks=1)  # warm up: imports, connections
        phase([bare], ["/healthz"] * 200, blocks=1)
        for n in range(args.repeat):
            measured = {"/healthz": phase([*servers, bare], ["/healthz"] * args.requests),
                        "GetRecord oai_dc, 1 client": phase(servers, getrecords),
                        f"GetRecord oai_dc, {CLIENTS} clients": phase(servers, getrecords, CLIENTS),
                        "GetRecord oai_dc, a walk down a list": phase(servers, _walk(args.database, args.requests, n)),
                        f"GetRecord oai_dc, a walk, {CLIENTS} clients": phase(
                            servers, _walk(args.database, args.requests, n + 100), CLIENTS),
                        "manifest, uncached (first request)": phase(servers, thirds[n]),
                        "manifest, cached (2 rounds)": phase(servers, thirds[n] * 2)}
            results = {server.name: {name: by_server[server.name] for name, by_server in measured.items()
                                     if server.name in by_server} for server in [*servers, bare]}
            statements = statement_alone(args.database, getrecords)
            results[bare.name]["GetRecord's statement alone"] = {"per_s": statements, "per_cpu_s": float("nan"),
                                                                 "rss_mb": 0.0}
            loads.append(os.getloadavg()[0])
            rounds.append(results)
            print(f"round {n + 1}: " + "; ".join(
                f"{name}: " + ", ".join(f"{phase_name} {p['per_s']:,.0f}/s" for phase_name, p in r.items())
                for name, r in results.items()), flush=True)
    finally:
        for server in [*servers, bare]:
            server.stop()
    report(rounds, loads, [server.name for server in servers], len(manifests))
    floor = [r[bare.name]["/healthz"]["per_s"] for r in rounds]
    print(f"bare WSGI app (the floor of gunicorn and the client), any path: {' / '.join(f'{x:,.0f}' for x in floor)}"
          f" req/s; per worker CPU s (best) {max(r[bare.name]['/healthz']['per_cpu_s'] for r in rounds):,.0f}")
    for name in [server.name for server in servers]:
        ratios = [r[name]["manifest, cached (2 rounds)"]["per_s"] / r[bare.name]["/healthz"]["per_s"] for r in rounds]
        print(f"  {name}: cached manifest / bare WSGI app per round: {' / '.join(f'{x:.2f}' for x in ratios)}")
    alone = [r[bare.name]["GetRecord's statement alone"]["per_s"] for r in rounds]
    print(f"GetRecord's statement alone (psycopg, one held connection, no app): "
          f"{' / '.join(f'{x:,.0f}' for x in alone)} statements/s, i.e. {' / '.join(f'{1e6 / x:.0f}' for x in alone)}"
          " µs a round trip")
    for name in [server.name for server in servers]:
        # a GetRecord is at least a /healthz plus the statement's round trip: the best ratio that allows
        best = [1 / (1 + r[name]["/healthz"]["per_s"] / r[bare.name]["GetRecord's statement alone"]["per_s"])
                for r in rounds]
        print(f"  {name}: best GetRecord / /healthz one round trip allows (/healthz time + round trip), per round: "
              f"{' / '.join(f'{x:.2f}' for x in best)}")


def _commit(root: Path) -> str:
    return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def report(rounds: list[dict], loads: list[float], names: list[str], manifests: int) -> None:
    print(f"\nload average during the rounds: {', '.join(f'{x:.1f}' for x in loads)}; "
          f"{manifests:,} manifests, a third per round\n")
    print("| server | phase | req/s per round | best | per worker CPU s (best) | best / /healthz best | "
          "worker RSS after (MB) |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        floor = max(r[name]["/healthz"]["per_s"] for r in rounds)
        for phase_name in rounds[0][name]:
            runs = [r[name][phase_name] for r in rounds]
            best = max(p["per_s"] for p in runs)
            each = " / ".join(f"{p['per_s']:,.0f}" for p in runs)
            print(f"| {name} | {phase_name} | {each} | {best:,.0f} | "
                  f"{max(p['per_cpu_s'] for p in runs):,.0f} | {best / floor:.2f} | {runs[-1]['rss_mb']:.0f} |")
    for phase_name in ("GetRecord oai_dc, 1 client", "GetRecord oai_dc, a walk down a list"):
        print(f"\nratios within each round ({phase_name} / /healthz):")
        for name in names:
            ratios = [r[name][phase_name]["per_s"] / r[name]["/healthz"]["per_s"] for r in rounds]
            print(f"  {name}: {' / '.join(f'{x:.2f}' for x in ratios)}")
    if len(names) > 1:
        ours = [r[names[0]]["/healthz"]["per_s"] / r[names[1]]["/healthz"]["per_s"] for r in rounds]
        print(f"/healthz, this tree / baseline, per round: {' / '.join(f'{x:.2f}' for x in ours)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load")
    p_load.add_argument("--database", required=True)
    p_load.add_argument("--size", type=int, default=100_000)
    p_load.add_argument("--probe-limit", type=int, default=15_000, help="images probed at most (default 15000)")
    p_run = sub.add_parser("run")
    p_run.add_argument("--database", required=True)
    p_run.add_argument("--baseline", help="a worktree of the commit to compare with (git worktree add)")
    p_run.add_argument("--requests", type=int, default=3000, help="requests per phase (default 3000)")
    p_run.add_argument("--repeat", type=int, default=3)
    p_run.add_argument("--workers", type=int, default=1,
                       help="gunicorn workers of each server (default 1; the bare app always has one)")
    p_run.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                       help="gunicorn worker class: sync (default) or gthread with 4 threads, as `pop serve` runs "
                            "(keep-alive: a sync worker closes the connection after each answer)")
    args = parser.parse_args()
    if args.command == "load":
        load(args.database, args.size, args.probe_limit)
    else:
        run(args)


if __name__ == "__main__":
    main()
