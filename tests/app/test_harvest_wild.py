"""What real partners do that a well-behaved test feed never does, over real HTTP, on SQLite and PostgreSQL:
pages that do not answer the request, lists shorter than announced, dates in every dialect, partners too slow
to finish, and failures before a run could start. After each: the run's status says what happened, nothing
the partner published is lost, and nothing stored can stop the next run."""
from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.cli import cli
from app.harvesting import harvest_partner
from store.clock import utcnow
from store.models import HarvestRun, Partner
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import OAI, Fault, PartnerRecord, PartnerServer, ScriptedPartner
from tests.harvest.records import joconde_notices, pages_of, pop_record, published

NOTICES = joconde_notices(9)

RESPONSE_DATE_ONLY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="%s">'
                      b"<responseDate>2026-01-02T03:04:05Z</responseDate>"
                      b'<request verb="ListRecords">http://partner/oai</request></OAI-PMH>\n' % OAI.encode())
DOCTYPE_ONLY = RESPONSE_DATE_ONLY.replace(b"\n<OAI-PMH", b'\n<!DOCTYPE OAI-PMH [<!ENTITY x "y">]>\n<OAI-PMH')


def good_pages(size: int = 3) -> list[list[PartnerRecord]]:
    return pages_of([pop_record(n) for n in NOTICES], size)


def everything() -> dict:
    return {n.ref: published(n) for n in NOTICES}


def list_requests(partner: ScriptedPartner, since: int = 0) -> list[dict]:
    return [r for r in partner.requests[since:] if r.get("verb") == "ListRecords"]


NON_ANSWERS = {
    "response-date-only": lambda: Fault("body", body=RESPONSE_DATE_ONLY),
    "doctype-and-response-date-only": lambda: Fault("body", body=DOCTYPE_ONLY),
    "get-record-element": lambda: Fault("replace", replace=(b"ListRecords>", b"GetRecord>")),
    "list-identifiers-element": lambda: Fault("replace", replace=(b"ListRecords>", b"ListIdentifiers>")),
    "html": lambda: Fault("body", body=b"<html><body>Maintenance</body></html>"),
    "empty-body": lambda: Fault("body", body=b""),
}


@pytest.mark.parametrize("fault", NON_ANSWERS.values(), ids=NON_ANSWERS.keys())
def test_a_page_that_does_not_answer_fails_the_run_resumably_never_ends_it_as_a_success(harvester, fault):
    partner = ScriptedPartner(good_pages(), faults={"page:1": [fault() for _ in range(4)]})  # 4 attempts
    with PartnerServer(partner) as url:
        harvester.add(url)
        report = harvester.run()
        assert report.status == "failed"
        assert report.error.startswith("gave up on ListRecords after 4 attempts: ")
        assert set(harvester.store()) == {n.ref for n in NOTICES[:3]}
        assert len(list_requests(partner)) == 5  # page 0, then page 1 four times
        before = len(partner.requests)
        again = harvester.run()  # the partner answers again: the failed run goes on from its checkpoint
    assert (again.status, again.resumed_from) == ("succeeded", report.run_id), again.error
    assert harvester.store() == everything()
    assert list_requests(partner, before)[0] == {"verb": "ListRecords", "resumptionToken": "|~1"}
    assert (again.counters.created, again.counters.unchanged) == (6, 0)


def test_a_page_that_once_does_not_answer_is_retried(harvester):
    partner = ScriptedPartner(good_pages(), faults={"page:2": [NON_ANSWERS["doctype-and-response-date-only"]()]})
    with PartnerServer(partner) as url:
        harvester.add(url)
        report = harvester.run()
    assert report.status == "succeeded", report.error
    assert harvester.store() == everything()


def test_a_list_shorter_than_announced_makes_the_run_incomplete_not_a_success(harvester, runner_for):
    partner = ScriptedPartner(good_pages(), tokens={1: None})  # announces 9, ends after the second page
    with PartnerServer(partner) as url:
        harvester.add(url)
        report = harvester.run()
        assert report.status == "incomplete"
        assert report.error == "the partner announced 9 records (completeListSize), the list ended after 6"
        assert set(harvester.store()) == {n.ref for n in NOTICES[:6]}
        show = runner_for(["harvest", "show", "museum"]).output
        assert f"#{report.run_id} incomplete" in show and "error: the partner announced 9 records" in show
        result = runner_for(["harvest", "run", "museum"])  # still short: not a success for the CLI either
        assert result.exit_code == 1
        assert result.output.splitlines()[-1] == ("Error: the partner announced 9 records (completeListSize), "
                                                  "the list ended after 6")
        partner.tokens.clear()  # the partner is whole again
        again = harvester.run()
    # an incomplete run is not a success: the next run is not incremental from it
    assert (again.status, again.from_date) == ("succeeded", None)
    assert harvester.store() == everything()
    metrics = harvester.app.test_client().get("/metrics").get_data(as_text=True)
    assert 'pop_harvest_runs_total{outcome="incomplete",partner="museum"}' in metrics


def test_incompleteness_is_told_per_set_and_survives_a_resume(harvester):
    records = [pop_record(n, sets=("paintings",) if i < 5 else ("sculptures",)) for i, n in enumerate(NOTICES)]
    partner = ScriptedPartner(pages_of(records, 2), sets=("paintings", "sculptures"), tokens={1: None},
                              faults={"page:1": [Fault("status", 500)] * 4})  # then page 1 of sculptures fails
    with PartnerServer(partner) as url:
        harvester.add(url, sets=("paintings", "sculptures"))
        first = harvester.run()  # paintings: page 0, page 1 fails four times
        assert first.status == "failed"
        second = harvester.run()  # resumed: paintings ends short after page 1, then sculptures (short too)
    assert second.status == "incomplete"
    assert second.error == ("set paintings: the partner announced 5 records (completeListSize), the list ended "
                            "after 4; set sculptures: the partner announced 4 records (completeListSize), the list "
                            "ended after 3")
    assert set(harvester.store()) == {n.ref for n in NOTICES} - {NOTICES[4].ref, NOTICES[8].ref}


@pytest.mark.parametrize("response_date, expected_from", [
    ("2023-03-30T16:02:12+05:45", "2023-03-30T10:12:12Z"),  # 10:17:12 UTC, minus the 5 minutes of overlap
    ("2023-03-30T16:02:12.345678Z", "2023-03-30T15:57:12Z"),
    ("2023-03-30", "2023-03-29T23:55:00Z"),
    ("2023-03-30 16:02:12", "2023-03-30T15:57:12Z"),
    ("2O23-03-30T16:02:12Z", None),  # a typo: ignored (logged), the next run is full, but it runs
], ids=["offset", "fraction", "day", "space", "typo"])
def test_a_response_date_in_any_dialect_never_stops_the_next_run(harvester, response_date, expected_from, caplog):
    partner = ScriptedPartner(good_pages(), now=response_date)
    with PartnerServer(partner) as url, caplog.at_level(logging.WARNING, "pop.harvest"):
        harvester.add(url)
        assert harvester.run().status == "succeeded"
        again = harvester.run()
    assert (again.status, again.from_date) == ("succeeded", expected_from), again.error
    assert [run.status for run in harvester.runs()] == ["succeeded", "succeeded"]
    if expected_from is None:
        assert any(record.msg == "harvest.bad_date" for record in caplog.records)


def test_a_date_stored_by_an_older_version_does_not_stop_the_next_run(harvester):
    partner = ScriptedPartner(good_pages())
    with PartnerServer(partner) as url:
        harvester.add(url)
        harvester.run()
        with harvester.db.session() as session:
            session.execute(update(HarvestRun).values(response_date="2023-03-30T16:02:12+05:45 (IST)"))
        again = harvester.run()
    assert (again.status, again.from_date) == ("succeeded", None)


def test_datestamps_are_kept_in_utc_whatever_their_dialect(harvester):
    pages = good_pages()
    stamps = ["2026-01-01T10:00:00+02:00", "2026-01-01T10:00:00.5Z", "2026-01-01", "yesterday"]
    for record, stamp in zip(pages[0] + pages[1], stamps):
        record.datestamp = stamp
    with PartnerServer(ScriptedPartner(pages)) as url:
        harvester.add(url)
        report = harvester.run()
    assert report.status == "succeeded"
    assert harvester.store() == everything()
    rows = harvester.rows()
    assert [rows[n.ref].source_datestamp for n in NOTICES[:4]] == [
        "2026-01-01T08:00:00Z", "2026-01-01T10:00:00Z", "2026-01-01", None]


def test_a_failure_before_the_run_is_a_failed_run_and_the_worker_moves_on_with_backoff(harvester, runner_for):
    with PartnerServer(ScriptedPartner(good_pages())) as url:
        harvester.add(url, every="1d")
        with harvester.db.session() as session:  # a mapping this version no longer has
            session.execute(update(Partner).values(mapping="marc21"))
        started = utcnow()
        result = runner_for(["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "museum: run #1 failed: " in result.output and "unknown mapping 'marc21'" in result.output
        [run] = harvester.runs()
        assert run.status == "failed" and run.error.startswith("configuration: unknown mapping 'marc21'")
        assert runner_for(["worker", "--once"]).output == ""  # not asked again at every poll
        with harvester.db.session() as session:
            next_run_at = session.execute(select(Partner.next_run_at)).scalar_one()
            assert started + timedelta(seconds=110) <= next_run_at <= utcnow() + timedelta(seconds=130)
            # a second failure in a row waits twice as long (4 minutes), never longer than the schedule
            session.execute(update(Partner).values(next_run_at=utcnow()))
        runner_for(["worker", "--once"])
        with harvester.db.session() as session:
            next_run_at = session.execute(select(Partner.next_run_at)).scalar_one()
        assert utcnow() + timedelta(seconds=230) <= next_run_at <= utcnow() + timedelta(seconds=250)


def test_a_partner_that_trickles_hits_the_page_deadline_and_the_run_fails_resumably(harvester):
    settings = dataclasses.replace(harvester.app.extensions["pop"].settings, harvest_page_deadline=1,
                                   harvest_max_attempts=2)
    partner = ScriptedPartner(good_pages(), faults={"page:1": [Fault("trickle", seconds=0.05)] * 2})
    with PartnerServer(partner) as url:
        harvester.add(url)
        report = harvest_partner(harvester.db, settings, "museum")
        assert report.status == "failed"
        assert report.error == ("gave up on ListRecords after 2 attempts: no complete response within 1 s "
                                "(POP_HARVEST_PAGE_DEADLINE)")
        again = harvester.run()
    assert (again.status, again.resumed_from) == ("succeeded", report.run_id)
    assert harvester.store() == everything()


def test_a_run_past_its_deadline_fails_and_the_next_one_resumes_it(harvester):
    settings = dataclasses.replace(harvester.app.extensions["pop"].settings, harvest_run_deadline=1)
    partner = ScriptedPartner(good_pages(), faults={"page:1": [Fault("sleep", seconds=0.6)] * 2,
                                                    "page:2": [Fault("sleep", seconds=0.6)] * 2})
    with PartnerServer(partner) as url:
        harvester.add(url)
        report = harvest_partner(harvester.db, settings, "museum")
        assert report.status == "failed"
        assert report.error == ("the run passed its deadline of 1 s (POP_HARVEST_RUN_DEADLINE); the next run "
                                "resumes from its last page")
        stored = len(harvester.store())
        assert stored < 9
        again = harvester.run()
    assert (again.status, again.resumed_from) == ("succeeded", report.run_id)
    assert again.counters.created == 9 - stored
    assert harvester.store() == everything()


def test_a_restarted_window_quarantines_a_record_once(harvester):
    pages = good_pages()
    broken = pop_record(NOTICES[1])
    broken.metadata = broken.metadata.replace(b"</pop:notice>", b'<pop:field name="NOPE">x</pop:field></pop:notice>')
    pages[0][1] = broken
    partner = ScriptedPartner(pages, faults={"page:2": [Fault("bad-token"), Fault("bad-token")]})
    with PartnerServer(partner) as url:
        harvester.add(url)
        report = harvester.run()
    assert report.status == "succeeded", report.error
    assert len(harvester.issues()) == 1
    assert report.counters.quarantined == 1


@pytest.fixture
def runner_for(harvest_app):
    runner = harvest_app.test_cli_runner()
    return lambda args: runner.invoke(cli, args)
