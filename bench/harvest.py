"""Benchmark: harvest N notices (`pop` and `oai_dc`) from a local OAI-PMH provider into PostgreSQL, and, in
the same run, a bare Sickle loop over the same feed (fetch + parse, store nothing) as the peer.

    python bench/harvest.py --count 200000 [--repeat 3] [--prefix oai_dc] [--page-size 100] [--database-url …]

The provider is a static one written here: a separate process serving ListRecords pages built from one
pre-rendered record (the real Joconde sample in `pop`, or an oai_dc record) with the REF and title changed
per record — fast, so the harvester, not the provider, is timed. The harvester runs as `pop harvest run` in
a child process; the RSS of its process tree (the run's process and its reader process) is sampled (peak,
and at each quarter of the run: flat means it does not grow with the number of records). Then
`pop renditions render` renders the rendering backlog the harvest left (timed apart: the harvest stores the
notices, /oai serves them from then on; the worker renders them between runs).

Two times are reported for the harvester: the wall time of the whole `pop harvest run` process (interpreter
start and imports included, ~1.5 s), and the run alone, Identify to its last commit, which
is what the peer's time is (an in-process loop); the CLI prints it (`N records in S s`). With `--repeat N`, each side runs N rounds (the harvester
into a clean store each time) and the best round of each is compared.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OAI_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            '<responseDate>2026-01-02T03:04:05Z</responseDate><request verb="{verb}">http://bench/oai</request>')


def templates() -> dict[str, str]:
    """One record per prefix with @REF@ and @N@ placeholders."""
    from formats.bases import get_base
    from formats.notice import Notice, validate_notice
    from formats.registry import get_format, public_notice

    raw = json.loads((ROOT.parent / "shared/pop-bases/samples/joconde-1.json").read_text(encoding="utf-8"))
    notice = validate_notice(get_base("joconde"), raw)
    notice = Notice(base="joconde", ref="@REF@", fields={**notice.fields, "REF": "@REF@", "TICO": "chapiteau @N@"})
    pop_xml = get_format("pop").render(public_notice(notice))
    dc_xml = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>chapiteau @N@</dc:title>'
              '<dc:creator>Anonyme</dc:creator><dc:type>chapiteau</dc:type><dc:date>XIIe siècle</dc:date>'
              '<dc:description>Chapiteau à décor de feuillages, pierre calcaire.</dc:description>'
              '<dc:coverage>Valence, musée</dc:coverage><dc:rights>© musée de Valence</dc:rights></oai_dc:dc>')
    header = ('<record><header><identifier>oai:bench.example:joconde:@REF@</identifier>'
              '<datestamp>2026-01-01T00:00:00Z</datestamp><setSpec>joconde</setSpec></header><metadata>')
    return {prefix: header + xml + "</metadata></record>" for prefix, xml in (("pop", pop_xml), ("oai_dc", dc_xml))}


def serve(port_queue, count: int, page_size: int) -> None:
    records = templates()
    pages = (count + page_size - 1) // page_size

    def page(prefix: str, index: int) -> bytes:
        template = records[prefix]
        start = index * page_size
        body = "".join(template.replace("@REF@", f"BH{n:09d}").replace("@N@", str(n))
                       for n in range(start, min(count, start + page_size)))
        token = (f'<resumptionToken completeListSize="{count}" cursor="{start}">{prefix}~{index + 1}</resumptionToken>'
                 if index + 1 < pages else "<resumptionToken/>")
        return (OAI_HEAD.format(verb="ListRecords") + f"<ListRecords>{body}{token}</ListRecords></OAI-PMH>").encode()

    def identify() -> bytes:
        return (OAI_HEAD.format(verb="Identify") + "<Identify><repositoryName>bench</repositoryName>"
                "<baseURL>http://bench/oai</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>a@b.c</adminEmail>"
                "<earliestDatestamp>2026-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
                "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>").encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are two writes: with Nagle's algorithm on, a keep-alive client's delayed ACK
        # stalls every response by 40 ms (real servers set TCP_NODELAY too).
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_GET(self):
            params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            if params.get("verb") == "Identify":
                body = identify()
            elif "resumptionToken" in params:
                prefix, index = params["resumptionToken"].split("~")
                body = page(prefix, int(index))
            else:
                body = page(params.get("metadataPrefix", "pop"), 0)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_port)
    server.serve_forever()


def sickle_peer(url: str, prefix: str) -> tuple[int, float]:
    from sickle import Sickle

    started = time.perf_counter()
    count = 0
    for record in Sickle(url, max_retries=3).ListRecords(metadataPrefix=prefix, ignore_deleted=False):
        record.header.identifier  # parsed like a harvester would need it
        count += 1
    return count, time.perf_counter() - started


def harvester(url: str, prefix: str, database_url: str, name: str, render: bool = True) -> dict:
    import psutil

    env = {**os.environ, "DATABASE_URL": database_url, "POP_ENV": "testing", "POP_SECRET_KEY": "bench"}
    pop = [sys.executable, "-m", "app"]
    subprocess.run([*pop, "harvest", "add", name, "--url", url, "--prefix", prefix, "--base", "joconde", "--no-check"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    process = subprocess.Popen([*pop, "harvest", "run", name], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    watched = psutil.Process(process.pid)
    samples = []
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            samples.append((time.perf_counter() - started, sum(p.memory_info().rss for p in tree)))
        except psutil.NoSuchProcess:
            break
        time.sleep(0.25)
    elapsed = time.perf_counter() - started
    summary = process.stdout.read().strip()
    if process.returncode:
        raise SystemExit(f"harvest failed: {summary}")
    quarters = [max((rss for t, rss in samples if t <= elapsed * q), default=0) / 2**20 for q in (0.25, 0.5, 0.75, 1)]
    # the run as `pop harvest run` timed it ("N records in S s"): no interpreter start, no exit
    timing, _, summary = summary.rpartition("\n")
    run_seconds = float(timing.split(" records in ")[1].split(" s")[0])
    render_started = time.perf_counter()
    rendered = subprocess.run([*pop, "renditions", "render"], cwd=ROOT, env=env, check=True, capture_output=True,
                              text=True).stdout.strip() if render else "not rendered (not the last round)"
    return {"seconds": elapsed, "run_seconds": float(run_seconds), "summary": summary, "render_seconds": time.perf_counter() - render_started,
            "rendered": rendered, "peak_rss_mb": max(rss for _, rss in samples) / 2**20,
            "rss_by_quarter_mb": [round(q, 1) for q in quarters]}


def clean(database_url: str) -> None:
    """An empty store again (a new round, or the next prefix, harvests the same REFs)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE rendition, harvest_issue, harvest_run, partner, notice CASCADE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--prefix", action="append", choices=["pop", "oai_dc"])
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of both the peer and the harvester (each into a clean store); the best "
                             "time of each is reported, the backlog rendered after the last round")
    parser.add_argument("--database-url", default=None, help="default: a throwaway pop_bench_harvest_* database")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from store.migrate import upgrade

    admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    db_name = f"pop_bench_harvest_{uuid.uuid4().hex[:6]}"
    database_url = args.database_url
    admin = None
    if database_url is None:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{db_name}"'))
        database_url = admin_url.rsplit("/", 1)[0] + f"/{db_name}"
    upgrade(database_url)

    ports = multiprocessing.Queue()
    provider = multiprocessing.Process(target=serve, args=(ports, args.count, args.page_size), daemon=True)
    provider.start()
    url = f"http://127.0.0.1:{ports.get(timeout=30)}/oai"
    try:
        for prefix in args.prefix or ["pop", "oai_dc"]:
            peers, runs = [], []
            for round_ in range(args.repeat):
                if round_:
                    clean(database_url)
                peers.append(sickle_peer(url, prefix))
                runs.append(harvester(url, prefix, database_url, f"bench-{prefix.replace('_', '-')}",
                                      render=round_ == args.repeat - 1))
            peer_count, peer_seconds = min(peers, key=lambda peer: peer[1])
            result = min(runs, key=lambda run: run["seconds"])
            print(json.dumps({
                "prefix": prefix, "records": args.count, "page_size": args.page_size, "rounds": args.repeat,
                "harvester_seconds": round(result["seconds"], 1),
                "harvester_records_per_s": round(args.count / result["seconds"]),
                "peer_sickle_seconds": round(peer_seconds, 1), "peer_records": peer_count,
                "peer_records_per_s": round(peer_count / peer_seconds),
                "ratio_to_peer": round(result["seconds"] / peer_seconds, 2),
                # the run alone (started → finished, as recorded), like the peer's loop: no interpreter start
                "harvester_run_seconds": round(result["run_seconds"], 1),
                "run_ratio_to_peer": round(result["run_seconds"] / peer_seconds, 2),
                "all_harvester_seconds": [round(run["seconds"], 1) for run in runs],
                "all_peer_seconds": [round(peer[1], 1) for peer in peers],
                "harvester_peak_rss_mb": round(max(run["peak_rss_mb"] for run in runs), 1),
                "harvester_rss_by_quarter_mb": result["rss_by_quarter_mb"],
                "summary": result["summary"],
                "backlog_render_seconds": round(runs[-1]["render_seconds"], 1), "backlog": runs[-1]["rendered"],
            }), flush=True)
            # the second prefix writes the same REFs: a new partner would conflict, so start clean
            clean(database_url)
    finally:
        provider.terminate()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
