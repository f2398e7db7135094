"""IIIF benchmark: the image probe against a local image server, then manifests from one gunicorn worker.

    python bench/iiif.py [--size 5000] [--database URL] [--rounds 2] [--worker-class sync]

1. A store of `--size` demo notices (`pop demo load --seed 1`, SQLite in a temporary folder unless `--database`
   names one) whose images live on a local image server (POP_IMAGE_BASE_URL): it answers every path with one of
   a few Pillow-made JPEGs of known sizes (noise, so each weighs more than the probe's first 64 KB), honours one
   byte range, and counts requests and bytes sent.
2. The probe (store.images.pending_images → harvest.image_probe.probe_all → record_probes, as `pop images probe`
   runs them): images/s, requests and bytes per image (median, mean; the probe's own count and the server's),
   and whether every measured size is the one served.
3. One gunicorn worker serving wsgi:app; a keep-alive HTTP/1.1 client (http.client, as bench/oai_harvest.py)
   asks every manifest once (uncached: the worker builds each), then `--rounds` more times (cached), then
   /healthz as many times in the same run: the physical limit of one worker and this client. Requests per
   second, and per CPU second of the worker (what a shared, busy machine does not blur); the worker's RSS is
   sampled every 0.2 s (first tenth of each phase vs its peak).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.oai_harvest import RssSampler, _free_port  # noqa: E402

SIZES = ((1200, 900), (900, 1200), (2000, 1500), (640, 480))  # the images served, chosen by a hash of the path


def _jpeg(size: tuple[int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


class ImageServer:
    """Answers GET /any/path.jpg with one of SIZES' JPEGs (the same for the same path), one byte range honoured."""

    def __init__(self):
        self.files = [_jpeg(size) for size in SIZES]
        self.requests = self.sent = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                data = server.files[server.index(self.path)]
                match = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
                start, end = (int(match[1]), min(int(match[2]), len(data) - 1)) if match else (0, len(data) - 1)
                self.send_response(206 if match else 200)
                if match:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(end - start + 1))
                self.end_headers()
                sent = 0
                try:
                    for offset in range(start, end + 1, 16 * 1024):
                        chunk = data[offset:min(offset + 16 * 1024, end + 1)]
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                with server._lock:
                    server.requests += 1
                    server.sent += sent

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @staticmethod
    def index(path: str) -> int:
        return hashlib.blake2b(path.split("?")[0].encode(), digest_size=2).digest()[0] % len(SIZES)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _env(database: str, images: ImageServer) -> dict[str, str]:
    return {"DATABASE_URL": database, "POP_SECRET_KEY": "bench-secret", "POP_ENV": "production",
            "POP_BASE_URL": "http://127.0.0.1", "POP_IMAGE_BASE_URL": images.url, "PYTHONPATH": str(ROOT)}


def build_store(database: str, size: int, images: ImageServer) -> None:
    import subprocess

    env = {**os.environ, **_env(database, images)}
    for args in (["db", "upgrade"], ["demo", "load", "--size", str(size), "--seed", "1"]):
        subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def probe(database: str, images: ImageServer) -> dict:
    """Probe every image of the store, as `pop images probe` does, keeping each probe's own cost."""
    from urllib.parse import urlsplit

    from formats.format import RenderOptions
    from harvest.addresses import AddressPolicy
    from harvest.image_probe import MEASURED, probe_all
    from store.db import Database
    from store.images import pending_images, record_probes

    db = Database(database, RenderOptions(image_base=images.url))
    policy = AddressPolicy(allowed_hosts=(urlsplit(images.url).netloc,))
    probes, cursor, started = [], None, time.perf_counter()
    while True:
        with db.session() as session:
            pending = pending_images(session, 500, images.url, cursor)
        batch = list(probe_all(pending.urls, policy=policy))
        with db.session() as session:
            record_probes(session, batch)
        probes += batch
        cursor = pending.cursor
        if pending.done:
            break
    elapsed = time.perf_counter() - started
    db.dispose()
    measured = [p for p in probes if p.status == MEASURED]
    wrong = sum((p.width, p.height) != SIZES[images.index(urlsplit(p.url).path)] for p in measured)
    return {"images": len(probes), "measured": len(measured), "wrong_sizes": wrong, "seconds": elapsed,
            "requests_median": statistics.median(p.requests for p in probes),
            "requests_mean": statistics.fmean(p.requests for p in probes),
            "kb_median": statistics.median(p.bytes_read for p in probes) / 1024,
            "kb_mean": statistics.fmean(p.bytes_read for p in probes) / 1024,
            "server_requests_per_image": images.requests / len(probes),
            "server_kb_per_image": images.sent / len(probes) / 1024,
            "file_kb_mean": statistics.fmean(len(f) for f in images.files) / 1024}


def manifest_paths(database: str, image_base: str) -> list[str]:
    """The manifest path of every notice with a measured image."""
    from sqlalchemy import select

    from store.db import Database
    from store.iiif import ILLUSTRATED_BASES
    from store.images import notice_image_urls
    from store.models import ImageRow, NoticeRow

    db = Database(database)
    with db.session() as session:
        measured = set(session.execute(select(ImageRow.url).where(ImageRow.status == "measured")).scalars())
        rows = session.execute(select(NoticeRow).where(NoticeRow.base.in_(ILLUSTRATED_BASES),
                                                       NoticeRow.deleted.is_(False))).scalars()
        paths = [f"/iiif/{row.base}/{row.ref}/manifest" for row in rows
                 if measured.intersection(notice_image_urls(row, image_base))]
    db.dispose()
    return paths


class Client:
    """One keep-alive HTTP/1.1 connection (reopened by http.client when a sync worker closes it)."""

    def __init__(self, port: int):
        import http.client

        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, path: str) -> tuple[int, bytes]:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return response.status, response.read()


def _cpu(sampler: RssSampler) -> float:
    """CPU seconds the worker has used (user + system): requests per CPU second hold on a busy machine."""
    return sum(sum(p.cpu_times()[:2]) for p in sampler.master.children(recursive=True))


def _phase(client: Client, paths: list[str], sampler: RssSampler) -> dict:
    first = len(sampler.samples)
    cpu, started = _cpu(sampler), time.perf_counter()
    volume = 0
    for path in paths:
        status, body = client.get(path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status} {body[:200]!r}")
        volume += len(body)
    elapsed, cpu = time.perf_counter() - started, _cpu(sampler) - cpu
    time.sleep(0.25)  # one more RSS sample
    rss = [value for _, value in sampler.samples[first:]] or [0]
    return {"requests": len(paths), "per_s": len(paths) / elapsed,
            "per_cpu_s": len(paths) / cpu if cpu else float("nan"), "kb_mean": volume / len(paths) / 1024,
            "rss_first_mb": max(rss[: max(1, len(rss) // 10)]) / 2**20, "rss_peak_mb": max(rss) / 2**20}


def serve_manifests(database: str, images: ImageServer, paths: list[str], rounds: int, worker_class: str) -> dict:
    import subprocess

    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", worker_class, "--bind",
         f"127.0.0.1:{port}", "--chdir", str(ROOT), "--timeout", "600", "--log-level", "warning", "wsgi:app"],
        env={**os.environ, **_env(database, images)}, start_new_session=True)
    try:
        client = Client(port)
        for _ in range(300):
            try:
                client.get("/healthz")
                break
            except OSError:
                client = Client(port)
                time.sleep(0.1)
        sampler = RssSampler(process.pid)
        sampler.start()
        time.sleep(0.5)
        phases = {"manifests, uncached (first request of each)": _phase(client, paths, sampler)}
        phases[f"manifests, cached ({rounds} rounds)"] = _phase(client, paths * rounds, sampler)
        phases["/healthz (same worker, same client)"] = _phase(client, ["/healthz"] * len(paths), sampler)
        sampler.running = False
        return phases
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5000, help="demo notices (default 5000)")
    parser.add_argument("--database", help="an empty database URL (default: SQLite in a temporary folder)")
    parser.add_argument("--rounds", type=int, default=2, help="cached rounds over every manifest (default 2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    args = parser.parse_args()
    images = ImageServer()
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or f"sqlite:///{folder}/pop.sqlite3"
        started = time.perf_counter()
        build_store(database, args.size, images)
        print(f"store: {args.size} demo notices in {time.perf_counter() - started:.0f} s", flush=True)
        report = probe(database, images)
        paths = manifest_paths(database, images.url)
        phases = serve_manifests(database, images, paths, args.rounds, args.worker_class)
    images.close()
    print(f"\n{database.split(':')[0]}, {args.size} demo notices, {len(paths)} manifests, "
          f"gunicorn --workers 1 --worker-class {args.worker_class}\n")
    print("| probe | images | measured (wrong size) | images/s | requests per image (median, mean) | "
          "KB read per image (median, mean) | server: requests, KB sent per image | mean file KB |")
    print("|---|---|---|---|---|---|---|---|")
    r = report
    print(f"| local image server | {r['images']:,} | {r['measured']:,} ({r['wrong_sizes']}) | "
          f"{r['images'] / r['seconds']:,.0f} | {r['requests_median']:.0f}, {r['requests_mean']:.2f} | "
          f"{r['kb_median']:.1f}, {r['kb_mean']:.1f} | {r['server_requests_per_image']:.2f}, "
          f"{r['server_kb_per_image']:.1f} | {r['file_kb_mean']:.0f} |")
    print("\n| phase | requests | per second | per worker CPU second | mean KB | RSS first tenth → peak (MB) |")
    print("|---|---|---|---|---|---|")
    for name, p in phases.items():
        print(f"| {name} | {p['requests']:,} | {p['per_s']:,.0f} | {p['per_cpu_s']:,.0f} | {p['kb_mean']:.1f} | "
              f"{p['rss_first_mb']:.0f} → {p['rss_peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
