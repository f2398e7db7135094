"""OAI-PMH harvest benchmark: POP's /oai against the `oaipmh` package's own BatchingServer, same notices, same
PostgreSQL database, same run, each served by one gunicorn worker and harvested over raw HTTP.

    python bench/oai_harvest.py load --database postgresql://postgres@127.0.0.1/pop_bench_oai --size 1000000
    python bench/oai_harvest.py run  --database postgresql://postgres@127.0.0.1/pop_bench_oai [--peer-seconds 120]

`load` writes notices through the store's own write path (store.notices.write_notices: validation, renditions,
COPY on PostgreSQL), copies of the eight bases' real sample notices under distinct REFs, producers and titles,
5,000 per datestamp second (ties on datestamp exercise the (datestamp, id) keyset). It does not need
`pop demo load`, so it is reproducible on its own.

`run` reports, for each server: records/s over the whole harvest (the peer: over --peer-seconds, as it
slows down with depth), the latency of the first page and of the page at 90 % depth, and the worker's
RSS (sampled every 0.2 s; first tenth vs peak, to show it stays flat).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT.parent / "shared" / "pop-bases" / "samples"
T0 = datetime(2025, 1, 1)
_REFS = {"joconde": "B{:010d}", "merimee": "PA{:08d}", "palissy": "PM{:08d}", "memoire": "AP{:08d}",
         "mnr": "MNR{:06d}", "museo": "M{:04d}", "autor": "OR{:07d}", "enluminures": "D-{:07d}"}
_LIMITS = {"museo": 10_000, "mnr": 1_000_000}


def _generate(size: int):
    from formats.bases import BASES, get_base

    samples = {b: json.loads((SAMPLES / f"{b}-1.json").read_text(encoding="utf-8")) for b in BASES}
    counters = dict.fromkeys(BASES, 0)
    names = list(BASES)
    for i in range(size):
        base = names[i % len(names)]
        if counters[base] >= _LIMITS.get(base, 10**9) - 1:
            base = "joconde"
        number = counters[base]
        counters[base] += 1
        spec = get_base(base)
        raw = dict(samples[base])
        title = next(code for code in spec.title_fields if code in spec.field_map)
        raw.update(REF=_REFS[base].format(number), PRODUCTEUR=spec.producers[number % len(spec.producers)])
        raw[title] = f"{raw.get(title) or base} n° {number}"
        yield spec, raw


def load(database: str, size: int, batch: int) -> None:
    from sqlalchemy import func, select

    from store.db import Database
    from store.migrate import upgrade
    from store.models import NoticeRow
    from store.notices import write_notices
    from formats.notice import validate_notice

    upgrade(database)
    db = Database(database)
    with db.session() as session:
        present = session.execute(select(func.count()).select_from(NoticeRow)).scalar_one()
    if present >= size:
        print(f"{present} notices already loaded")
        return
    started = time.perf_counter()
    notices, written = [], 0
    for spec, raw in _generate(size):
        notices.append(validate_notice(spec, raw))
        if len(notices) == batch:
            with db.session() as session:
                write_notices(session, notices, now=T0 + timedelta(seconds=written // batch))
            written += len(notices)
            notices = []
            rate = written / (time.perf_counter() - started)
            print(f"\r{written:>9} notices, {rate:,.0f}/s", end="", file=sys.stderr, flush=True)
    if notices:
        with db.session() as session:
            write_notices(session, notices, now=T0 + timedelta(seconds=written // batch + 1))
        written += len(notices)
    print(f"\nloaded {written} notices in {time.perf_counter() - started:,.0f} s")


def multiply(database: str, factor: int) -> None:
    """Copy the notices up to factor times as many, in SQL (bench/copies.py: REFs of each base's pattern,
    renditions rewritten inside their frames): reaching 1M notices through the write path takes ~30 min on the
    shared bench machine; copies cost the same to serve."""
    import psycopg

    from bench.copies import copy_up_to

    url = database.replace("postgresql+psycopg://", "postgresql://", 1)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        count = connection.execute("SELECT count(*) FROM notice").fetchone()[0]
    copy_up_to(url, count * factor)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE notice")
        connection.execute("VACUUM ANALYZE rendition")
    print(f"multiplied ×{factor} in {time.perf_counter() - started:,.0f} s")


# --- the peer: oaipmh.server.BatchingServer over the same database, through a minimal adapter -----------------
class PeerAdapter:
    """The IBatchingOAIPMH interface pyoai's BatchingServer drives: batches by (cursor, batch_size), i.e.
    OFFSET/LIMIT; metadata as the dict its oai_dc writer expects, read from our stored oai_dc rendition."""

    def __init__(self, database: str):
        from store.db import Database

        self.db = Database(database)

    def identify(self):
        from oaipmh import common

        return common.Identify("POP (peer)", "http://127.0.0.1/oai", "2.0", ["pop@culture.gouv.fr"],
                               T0, "persistent", "YYYY-MM-DDThh:mm:ssZ", ["identity"])

    def listMetadataFormats(self, identifier=None):
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/")]

    def listSets(self, cursor=0, batch_size=10):
        from oaipmh import error

        raise error.NoSetHierarchyError("no sets in the peer adapter")

    def _rows(self, cursor: int, batch_size: int, metadata: bool):
        from sqlalchemy import text

        query = text(
            "SELECT n.base, n.ref, n.datestamp, n.deleted, r.packed FROM notice n "
            "LEFT JOIN rendition r ON r.notice_id = n.id AND r.format = 'oai_dc' "
            "WHERE r.notice_id IS NOT NULL OR n.deleted ORDER BY n.datestamp, n.id OFFSET :cursor LIMIT :limit")
        with self.db.engine.connect() as connection:
            return connection.execute(query, {"cursor": cursor, "limit": batch_size}).all()

    def _record(self, row, with_metadata: bool):
        from lxml import etree
        from oaipmh import common

        header = common.Header(None, f"oai:pop.culture.gouv.fr:{row.base}:{row.ref}", row.datestamp,
                               [row.base], row.deleted)
        if not with_metadata:
            return header
        fields: dict[str, list[str]] = {}
        if row.packed:
            for element in etree.fromstring(self.db.packer.unpack(row.packed)):
                fields.setdefault(etree.QName(element).localname, []).append(element.text or "")
        return header, common.Metadata(None, fields), None

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):
        return [self._record(row, False) for row in self._rows(cursor, batch_size, False)]

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None, cursor=0, batch_size=10):
        return [self._record(row, True) for row in self._rows(cursor, batch_size, True)]

    def getRecord(self, metadataPrefix, identifier):
        raise NotImplementedError


def peer_app(environ, start_response):
    """WSGI app of the peer (served by gunicorn: `oai_harvest:peer_app`)."""
    from urllib.parse import parse_qs

    global _PEER
    if "_PEER" not in globals():
        from oaipmh.metadata import MetadataRegistry
        from oaipmh.server import BatchingServer, oai_dc_writer

        registry = MetadataRegistry()
        registry.registerWriter("oai_dc", oai_dc_writer)
        _PEER = BatchingServer(PeerAdapter(os.environ["DATABASE_URL"]), registry,
                               resumption_batch_size=int(os.environ.get("PEER_BATCH", "100")))
    query = environ.get("QUERY_STRING", "")
    if environ["REQUEST_METHOD"] == "POST":
        query = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
    kw = {key: values[0] for key, values in parse_qs(query).items()}
    body = _PEER.handleRequest(kw)
    start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


# --- harvesting over raw HTTP ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(target: str, chdir: Path, env: dict, stderr=None) -> tuple[subprocess.Popen, str]:
    """One gunicorn worker serving `target`; its logs (one JSON line per OAI request) to `stderr` (default: ours)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir),
         "--timeout", "600", "--log-level", "warning", target],
        env={**os.environ, **env}, start_new_session=True, stderr=stderr)
    import requests

    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/oai?verb=Identify", timeout=5)
            return process, f"http://127.0.0.1:{port}/oai"
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


class RssSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.master = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self.running = True

    def run(self):
        while self.running:
            try:
                rss = sum(p.memory_info().rss for p in self.master.children(recursive=True))
                self.samples.append((time.perf_counter(), rss))
            except Exception:
                pass
            time.sleep(0.2)


_TOKEN = __import__("re").compile(rb"<resumptionToken[^>]*>([^<]*)</resumptionToken>")


class RawHttp:
    """A keep-alive HTTP/1.1 connection (the standard library's http.client): the lightest client, so the
    client's own cost, on the same cores as the servers, weighs as little as possible on the figures."""

    def __init__(self, url: str):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self.path = parts.path
        self.connection = __import__("http.client").client.HTTPConnection(parts.hostname, parts.port, timeout=600)

    def get(self, params: dict) -> bytes:
        from urllib.parse import urlencode

        self.connection.request("GET", f"{self.path}?{urlencode(params)}")
        return self.connection.getresponse().read()


def _page(session: RawHttp, url: str, params: dict) -> tuple[bytes, float]:
    started = time.perf_counter()
    body = session.get(params)
    return body, time.perf_counter() - started


def _median_latency(session, url: str, params: dict, times: int = 5) -> float:
    return sorted(_page(session, url, params)[1] for _ in range(times))[times // 2]


def harvest(url: str, prefix: str, budget: float | None, total_hint: int, sampler: RssSampler,
            verb: str = "ListRecords") -> dict:
    """Follow the resumption tokens of a ListRecords (or ListIdentifiers: `verb`) to the end or to `budget` s."""
    session = RawHttp(url)
    params = {"verb": verb, "metadataPrefix": prefix}
    item = b"<record>" if verb == "ListRecords" else b"<header"
    first_params, deep_params = dict(params), None
    records, pages, started = 0, 0, time.perf_counter()
    while params:
        body, _ = _page(session, url, params)
        records += body.count(item)
        pages += 1
        match = _TOKEN.search(body)
        token = match.group(1).decode() if match else ""
        params = {"verb": verb, "resumptionToken": token} if token else None
        if deep_params is None and records >= 0.9 * total_hint and params:
            deep_params = dict(params)
        if budget is not None and time.perf_counter() - started > budget:
            break
    elapsed = time.perf_counter() - started
    rss = [value for _, value in sampler.samples]
    return {"records": records, "pages": pages, "seconds": elapsed, "records_per_s": records / elapsed,
            "rss_first_tenth_mb": max(rss[: max(1, len(rss) // 10)]) / 2**20 if rss else None,
            "rss_peak_mb": max(rss) / 2**20 if rss else None,
            "first_params": first_params, "deep_params": deep_params, "session": session, "complete": not params}


def _estimated_full_rate(session, url: str, prefix: str, total: int) -> float:
    """A whole harvest of the peer takes hours (OFFSET pages cost more with depth), so it is estimated: the
    latency of one page at the middle of each tenth of the list (midpoint rule) times the number of pages."""
    from oaipmh.server import decodeResumptionToken, encodeResumptionToken

    body, _ = _page(session, url, {"verb": "ListRecords", "metadataPrefix": prefix})
    kw, first_cursor = decodeResumptionToken(_TOKEN.search(body).group(1).decode())
    page = first_cursor  # records per page
    latencies = [_page(session, url, {"verb": "ListRecords",
                                      "resumptionToken": encodeResumptionToken(kw, int(total * (d + 0.5) / 10))})[1]
                 for d in range(10)]
    print(f"peer page latency per tenth of the list (s): {[round(x, 3) for x in latencies]}", flush=True)
    return total / (sum(latencies) / len(latencies) * (total / page))


def run(args) -> None:
    from sqlalchemy import func, select

    from store.db import Database
    from store.models import NoticeRow

    db = Database(args.database)
    with db.session() as session:
        total = session.execute(select(func.count()).select_from(NoticeRow)).scalar_one()
    db.dispose()
    env = {"DATABASE_URL": args.database, "POP_SECRET_KEY": "bench-secret", "POP_ENV": "production",
           "POP_BASE_URL": "http://127.0.0.1", "PEER_BATCH": str(args.peer_batch), "PYTHONPATH": str(ROOT)}
    results = {}
    for name, target, chdir, budget in (("pop", "wsgi:app", ROOT, None),
                                        ("oaipmh BatchingServer", "oai_harvest:peer_app", ROOT / "bench",
                                         args.peer_seconds)):
        process, url = _start(target, chdir, env)
        sampler = RssSampler(process.pid)
        sampler.start()
        try:
            result = harvest(url, args.prefix, budget, total, sampler)
            session = result.pop("session")
            first = _median_latency(session, url, result.pop("first_params"))
            deep_params = result.pop("deep_params")
            if deep_params is None:  # the peer did not get that far: ask its 90 %-depth page directly
                from oaipmh.server import decodeResumptionToken, encodeResumptionToken

                token = _TOKEN.search(_page(session, url, {"verb": "ListRecords", "metadataPrefix": args.prefix})[0])
                kw, _ = decodeResumptionToken(token.group(1).decode())
                deep_params = {"verb": "ListRecords", "resumptionToken": encodeResumptionToken(kw, int(total * 0.9))}
            deep = _median_latency(session, url, deep_params)
            result.update(first_page_s=first, deep_page_s=deep, deep_over_first=deep / first)
            if not result["complete"]:
                result["estimated_full_records_per_s"] = _estimated_full_rate(session, url, args.prefix, total)
        finally:
            sampler.running = False
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        results[name] = result
        print(f"{name}: {json.dumps(result, default=str)}", flush=True)
    ours, peer = results["pop"], results["oaipmh BatchingServer"]
    print(f"\nnotices in store: {total}")
    print("| server | records | records/s | first page (s) | page at 90 % (s) | deep/first | RSS first tenth → peak (MB) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['records']:,}{'' if r['complete'] else ' (time-boxed)'} | {r['records_per_s']:,.0f} | "
              f"{r['first_page_s']:.3f} | {r['deep_page_s']:.3f} | {r['deep_over_first']:.2f} | "
              f"{r['rss_first_tenth_mb']:.0f} → {r['rss_peak_mb']:.0f} |")
    print(f"\nthroughput ratio pop / peer: {ours['records_per_s'] / peer['records_per_s']:.1f}× over the peer's "
          f"first {args.peer_seconds:.0f} s; {ours['records_per_s'] / peer['estimated_full_records_per_s']:.1f}× "
          f"over a whole harvest (peer estimated at {peer['estimated_full_records_per_s']:,.0f} records/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load")
    p_load.add_argument("--database", required=True)
    p_load.add_argument("--size", type=int, default=1_000_000)
    p_load.add_argument("--batch", type=int, default=5_000)
    p_load.add_argument("--copies", type=int, default=1,
                        help="write size/copies notices through the store, then copy them in SQL up to size")
    p_run = sub.add_parser("run")
    p_run.add_argument("--database", required=True)
    p_run.add_argument("--prefix", default="oai_dc")
    p_run.add_argument("--peer-seconds", type=float, default=120)
    p_run.add_argument("--peer-batch", type=int, default=100)
    args = parser.parse_args()
    if args.command == "load":
        load(args.database, args.size // args.copies, args.batch)
        if args.copies > 1:
            multiply(args.database, args.copies)
    else:
        run(args)


if __name__ == "__main__":
    main()
