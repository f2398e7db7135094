"""Benchmark: every page of the console (/admin/) with 100 partners and 10,000 runs in PostgreSQL.

Rows are generated in SQL (100 partners, 100 runs each, 2,000 quarantined records in the busiest partner's
last run, 200,000 notices of which 100,000 belong to partners), then each page is fetched N times through
the app (Flask's test client, signed in with an admin token, the in-process cache as in production without
Redis) and the median and p95 of the wall time are printed per page, with the median CPU time of the app's
process (what a request costs the app whatever the machine's load; PostgreSQL's share is in the wall time).
The "after a write" lines bump the store version before each request (what any write does: the cached
notice counts are counted again), "after a run" forgets the drawn charts (a new run changes their figures).

    .venv/bin/python -m bench.console [--repeat 30] [--keep] [--wide]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import psycopg

from .common import fresh_database

BUDGET_MS = 200.0
BUMP = "UPDATE store_state SET version = version + 1 WHERE id = 1"
# --wide: fields of ~1.4 kB a notice (the mean JSON size of the demo notices), a 313 MB heap instead of 36 MB:
# what a sequential count reads after a write in a real store
WIDE = ("jsonb_build_object('REF', 'R' || n, 'TICO', repeat('Chapiteau sculpté ', 10), "
        "'DESC', repeat('Description de l''objet, ', 45), 'DENO', jsonb_build_array('chapiteau'))")

ROWS = """
INSERT INTO partner (name, url, metadata_prefix, sets, base, mapping, interval_seconds, enabled, notes, created,
                     updated, next_run_at, full_next)
SELECT 'partner-' || lpad(n::text, 3, '0'), 'https://oai' || n || '.example/oai', 'pop', '[]', 'joconde', 'pop',
       86400, n % 10 <> 0, '', now(), now(), now() + interval '1 day', false
FROM generate_series(1, 100) AS n;

INSERT INTO harvest_run (partner_id, status, "full", started, finished, pages, created, updated, unchanged, deleted,
                         quarantined)
SELECT p.id, CASE WHEN r = 100 AND p.id % 7 = 0 THEN 'failed' WHEN r = 100 AND p.id % 11 = 0 THEN 'incomplete'
                  ELSE 'succeeded' END,
       r = 1, now() - (101 - r) * interval '1 day', now() - (101 - r) * interval '1 day' + (r % 17 + 3) * interval '1 minute',
       r % 9 + 1, (r * 37) % 500, (r * 53) % 300, 1000, r % 5, r % 13
FROM partner p CROSS JOIN generate_series(1, 100) AS r;

INSERT INTO harvest_issue (run_id, partner_id, identifier, reason, raw, created)
SELECT (SELECT max(id) FROM harvest_run WHERE partner_id = 1), 1, 'oai:oai1.example:' || n,
       CASE WHEN n % 3 = 0 THEN 'broken XML: mismatched tag' ELSE 'invalid notice: TICO: missing' END,
       '<record><header><identifier>oai:oai1.example:' || n || '</identifier><datestamp>2026-01-01</datestamp>'
       || '</header><metadata>' || repeat('<x>text</x>', 50) || '</metadata></record>', now()
FROM generate_series(1, 2000) AS n;

INSERT INTO notice (base, ref, fields, producer, producer_slug, source, content_hash, fields_hash, created, datestamp,
                    deleted, rendered)
SELECT (ARRAY['joconde','merimee','palissy','memoire','mnr','museo','autor','enluminures'])[n % 8 + 1],
       'R' || lpad(n::text, 9, '0'), {fields}, 'producer', 'producer',
       CASE WHEN n % 2 = 0 THEN 'local' ELSE 'partner-' || lpad((n % 100 + 1)::text, 3, '0') END,
       md5(n::text), md5(n::text), now(), now(), n % 50 = 0, n % 40 <> 0
FROM generate_series(1, 200000) AS n;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--wide", action="store_true", help="notices of ~1.4 kB of fields (else empty fields)")
    options = parser.parse_args()
    with fresh_database("pop_bench_console", keep=options.keep) as url:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
            connection.execute(ROWS.replace("{fields}", WIDE if options.wide else "'{}'"))
            connection.execute("VACUUM ANALYZE")  # what autovacuum does to a live store: visibility maps, statistics
        measure(url, options.repeat)


def measure(url: str, repeat: int) -> None:
    from sqlalchemy import text

    from app import create_app
    from app.console import charts
    from app.settings import Settings
    from store.tokens import create_token

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env({"DATABASE_URL": url, "POP_SECRET_KEY": "bench", "POP_ENV": "production",
                                      "POP_EXPORT_DIR": str(Path(folder) / "exports")}, instance_path=folder)
        app = create_app(settings)
        db = app.extensions["pop"].db
        with db.session() as session:
            token = create_token(session, "bench", "admin")
            run_id = session.execute(text("SELECT max(id) FROM harvest_run WHERE partner_id = 1")).scalar_one()

        def write() -> None:
            with db.session() as session:
                session.execute(text(BUMP))

        def new_run() -> None:
            for drawn in (charts._records_svg, charts._duration_svg, charts._bases_svg):
                drawn.cache_clear()
        client = app.test_client()
        import re
        form = client.get("/admin/sign-in").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert client.post("/admin/sign-in", data={"token": token, "csrf_token": csrf}).status_code == 302
        issue_after = 1000
        pages = {  # name: (path, what happens before each request, untimed)
            "overview": ("/admin/", None),
            "overview, after a write": ("/admin/", write),
            "partners": ("/admin/partners/", None),
            "partners, after a write": ("/admin/partners/", write),
            "partners sorted, filtered": ("/admin/partners/?sort=last_run&order=desc&status=attention", None),
            "partner (charts, 100 runs)": ("/admin/partners/partner-001", None),
            "partner, after a run": ("/admin/partners/partner-001", new_run),
            "edit form": ("/admin/partners/partner-001/edit", None),
            "delete confirmation": ("/admin/partners/partner-001/delete", None),
            "run (2,000 issues, page 1)": (f"/admin/partners/partner-001/runs/{run_id}", None),
            "run, keyset page 21": (f"/admin/partners/partner-001/runs/{run_id}?after={issue_after}", None),
            "run, filtered by reason": (f"/admin/partners/partner-001/runs/{run_id}?reason=broken+XML:+mismatched+tag",
                                        None),
            "issues CSV (2,000)": (f"/admin/partners/partner-001/runs/{run_id}/issues.csv", None),
        }
        print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7}  status")
        worst = 0.0
        for name, (path, before) in pages.items():
            times, cpu = [], []
            for _ in range(repeat + 2):
                if before is not None:
                    before()
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                response.get_data()
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            times = sorted(times[2:])  # the first two warm caches and templates
            median, p95 = statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]
            worst = max(worst, p95)
            print(f"{name:32} {median:10.1f} {p95:8.1f} {statistics.median(cpu[2:]):7.1f}  "
                  f"{'ok' if p95 < BUDGET_MS else 'OVER BUDGET'}")
        db.dispose()
        print(f"worst p95: {worst:.1f} ms (budget {BUDGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
