"""Checkpoints: a run killed at any point (SIGKILL of a `pop harvest run` process, or an interrupt raised
mid-run) resumes from its last committed page and ends in the state an uninterrupted run reaches: same
notices, same counters, nothing fetched from the start again."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import Fault, PartnerServer, ScriptedPartner
from tests.harvest.records import deleted_record, identifier, joconde_notices, pages_of, pop_record, published

from app.harvesting import harvest_partner

ROOT = Path(__file__).resolve().parents[2]
NOTICES = joconde_notices(18)


def partner_pages():
    pages = pages_of([pop_record(n) for n in NOTICES], 3)
    pages[4].append(deleted_record(NOTICES[0].ref))  # a deletion after the notice was created
    return pages


def expected_store():
    store = {n.ref: published(n) for n in NOTICES}
    store[NOTICES[0].ref] = "deleted"
    return store


def wait_for_pages(harvester, pages: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = harvester.runs()
        if runs and runs[-1].pages >= pages:
            return
        time.sleep(0.1)
    raise AssertionError(f"the run did not reach page {pages}")


def assert_like_an_uninterrupted_run(harvester, report):
    assert report.status == "succeeded", report.error
    assert report.resumed
    assert harvester.store() == expected_store()
    counters = report.counters
    assert (counters.pages, counters.created, counters.updated, counters.unchanged, counters.deleted,
            counters.quarantined) == (6, 18, 0, 0, 1, 0)
    rows = harvester.rows()
    assert all(row.source_identifier == identifier(ref) for ref, row in rows.items())
    assert [run.status for run in harvester.runs()] == ["succeeded"]


@pytest.mark.parametrize("killed_after", [1, 4])
def test_a_killed_run_resumes_from_its_last_committed_page(harvester, database_url, killed_after, tmp_path):
    partner = ScriptedPartner(partner_pages(), faults={f"page:{killed_after}": [Fault("sleep", seconds=30)]})
    with PartnerServer(partner) as url:
        harvester.add(url)
        env = {**os.environ, "DATABASE_URL": database_url, "POP_ENV": "testing", "POP_SECRET_KEY": "x",
               "POP_HARVEST_TIMEOUT": "60", "POP_HARVEST_ALLOWED_NETWORKS": "127.0.0.0/8"}  # the partner's loopback
        process = subprocess.Popen([sys.executable, "-m", "app", "harvest", "run", "museum"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_pages(harvester, killed_after)
            while len([r for r in partner.requests if r.get("verb") == "ListRecords"]) <= killed_after:
                time.sleep(0.05)  # the process is now waiting for the next page: kill it there
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            process.kill()
        assert harvester.runs()[-1].status == "running"  # it never knew it died
        requests_before = len(partner.requests)
        report = harvester.run()
    assert_like_an_uninterrupted_run(harvester, report)
    resumed = [r for r in partner.requests[requests_before:] if r.get("verb") == "ListRecords"]
    assert resumed[0] == {"verb": "ListRecords", "resumptionToken": f"|~{killed_after}"}
    assert len(resumed) == 6 - killed_after


def test_an_interrupted_run_resumes_from_its_last_committed_page(harvester):
    partner = ScriptedPartner(partner_pages())

    def interrupt(counters, page):
        if counters.pages == 2:
            raise KeyboardInterrupt

    with PartnerServer(partner) as url:
        harvester.add(url)
        app = harvester.app
        with pytest.raises(KeyboardInterrupt):
            harvest_partner(harvester.db, app.extensions["pop"].settings, "museum", progress=interrupt)
        [run] = harvester.runs()
        assert (run.status, run.pages, run.created) == ("interrupted", 2, 6)
        requests_before = len(partner.requests)
        report = harvester.run()
    assert_like_an_uninterrupted_run(harvester, report)
    resumed = [r.get("resumptionToken") for r in partner.requests[requests_before:] if r.get("verb") == "ListRecords"]
    assert resumed == ["|~2", "|~3", "|~4", "|~5"]


def test_a_run_interrupted_between_two_sets_resumes_with_the_next_set(harvester):
    records = [pop_record(n, sets=("paintings",) if i < 6 else ("sculptures",)) for i, n in enumerate(NOTICES)]
    partner = ScriptedPartner(pages_of(records, 3), sets=("paintings", "sculptures"))

    def interrupt(counters, page):
        if counters.pages == 2:  # the last page of "paintings"
            raise KeyboardInterrupt

    with PartnerServer(partner) as url:
        harvester.add(url, sets=("paintings", "sculptures"))
        with pytest.raises(KeyboardInterrupt):
            harvest_partner(harvester.db, harvester.app.extensions["pop"].settings, "museum", progress=interrupt)
        requests_before = len(partner.requests)
        report = harvester.run()
    assert report.status == "succeeded" and report.resumed
    assert harvester.store() == {n.ref: published(n) for n in NOTICES}
    resumed = [r for r in partner.requests[requests_before:] if r.get("verb") == "ListRecords"]
    assert [r.get("set") or r.get("resumptionToken") for r in resumed] == \
        ["sculptures", "|sculptures~1", "|sculptures~2", "|sculptures~3"]


def test_a_failed_run_is_resumed_in_its_window_and_the_next_from_covers_it(harvester):
    partner = ScriptedPartner(partner_pages())
    with PartnerServer(partner) as url:
        harvester.add(url)
        assert harvester.run().status == "succeeded"  # responseDate 2026-01-02T03:04:05Z
        partner.now = "2026-01-03T03:04:05Z"
        partner.pages.extend(pages_of([pop_record(n, "2026-01-03T00:00:00Z")
                                       for n in joconde_notices(6, start=100)], 2))
        partner.faults["page:1"] = [Fault("status", 500)] * 4
        failed = harvester.run()
        assert (failed.status, failed.from_date) == ("failed", "2026-01-02T02:59:05Z")
        partner.now = "2026-01-04T03:04:05Z"  # a day later, the partner is back
        before = len(partner.requests)
        resumed = harvester.run()
        assert (resumed.status, resumed.from_date, resumed.resumed_from) == ("succeeded", failed.from_date,
                                                                             failed.run_id)
        assert [r.get("resumptionToken") for r in partner.requests[before:] if r.get("verb") == "ListRecords"] \
            == ["2026-01-02T02:59:05Z|~1", "2026-01-02T02:59:05Z|~2"]
        assert (resumed.counters.created, resumed.counters.unchanged) == (4, 0)
        # the window went on from the failed run's first page: the next `from` is that page's responseDate
        assert harvester.run().from_date == "2026-01-03T02:59:05Z"
    assert [run.status for run in harvester.runs()] == ["succeeded", "failed", "succeeded", "succeeded"]


def test_a_full_run_does_not_resume_a_failed_one(harvester):
    partner = ScriptedPartner(partner_pages(), faults={"page:3": [Fault("status", 500)] * 4})
    with PartnerServer(partner) as url:
        harvester.add(url)
        assert harvester.run().status == "failed"
        before = len(partner.requests)
        full = harvester.run(full=True)
    assert (full.status, full.resumed, full.resumed_from) == ("succeeded", False, None)
    assert [r for r in partner.requests[before:] if r.get("verb") == "ListRecords"][0].get("metadataPrefix") == "pop"
    assert harvester.store() == expected_store()
