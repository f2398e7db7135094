"""A hostile partner, page by page: after each run the store holds exactly what the partner published, and
the quarantine exactly the bad records (with reason and raw XML). Real HTTP, SQLite and PostgreSQL."""
from __future__ import annotations

import time

import pytest

from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import Fault, PartnerRecord, PartnerServer, ScriptedPartner, retry_after_date
from tests.harvest.records import deleted_record, identifier, joconde_notices, pages_of, pop_record, published

NOTICES = joconde_notices(9)


def good_pages(size: int = 3) -> list[list[PartnerRecord]]:
    return pages_of([pop_record(n) for n in NOTICES], size)


def everything() -> dict:
    return {n.ref: published(n) for n in NOTICES}


def run_against(harvester, partner: ScriptedPartner, **kwargs):
    with PartnerServer(partner) as url:
        harvester.add(url)
        return harvester.run(**kwargs)


@pytest.mark.parametrize("fault", [
    lambda: Fault("status", 503, {"Retry-After": "1"}),
    lambda: Fault("status", 429, {"Retry-After": retry_after_date(1)}),
    lambda: Fault("status", 500),
    lambda: Fault("sleep", seconds=1.6),  # past the client's 1 s timeout
    lambda: Fault("reset"),
    lambda: Fault("truncate"),
], ids=["503-retry-after-seconds", "429-retry-after-http-date", "500", "timeout", "reset", "truncated"])
def test_transient_faults_are_retried_and_nothing_is_lost(harvester, fault):
    partner = ScriptedPartner(good_pages(), faults={"page:1": [fault(), fault()]})
    report = run_against(harvester, partner)
    assert report.status == "succeeded", report.error
    assert harvester.store() == everything()
    assert harvester.issues() == []
    assert report.counters.created == 9
    assert sum(1 for r in partner.requests if r.get("resumptionToken") == "|~1") == 3


@pytest.mark.parametrize("retry_after", [lambda: "2", lambda: retry_after_date(2)], ids=["seconds", "http-date"])
def test_retry_after_is_waited_for(harvester, retry_after):
    partner = ScriptedPartner(good_pages(), faults={"page:0": [Fault("status", 503, {"Retry-After": retry_after()})]})
    started = time.monotonic()
    report = run_against(harvester, partner)
    assert report.status == "succeeded"
    assert time.monotonic() - started >= 1.5


def test_hidden_gzip_is_read(harvester):
    partner = ScriptedPartner(good_pages(), faults={f"page:{i}": [Fault("hidden-gzip")] for i in range(3)})
    report = run_against(harvester, partner)
    assert report.status == "succeeded"
    assert harvester.store() == everything()
    assert len([r for r in partner.requests if r.get("verb") == "ListRecords"]) == 3


def test_a_partner_that_stays_down_fails_the_run_with_a_clear_error_and_keeps_what_was_stored(harvester):
    partner = ScriptedPartner(good_pages(), faults={"page:2": [Fault("status", 502)] * 4})
    with PartnerServer(partner) as url:
        harvester.add(url)
        report = harvester.run()
        assert report.status == "failed"
        assert report.error == "gave up on ListRecords after 4 attempts: HTTP 502"
        assert set(harvester.store()) == {n.ref for n in NOTICES[:6]}
        # the partner is back: the next run resumes the failed one from its last committed page; what was
        # stored is neither fetched again nor duplicated
        before = len(partner.requests)
        again = harvester.run()
    assert again.status == "succeeded"
    assert harvester.store() == everything()
    assert (again.counters.created, again.counters.unchanged) == (3, 0)
    assert [r.get("resumptionToken") for r in partner.requests[before:] if r.get("verb") == "ListRecords"] == ["|~2"]
    assert [run.status for run in harvester.runs()] == ["failed", "succeeded"]
    assert harvester.runs()[0].error == report.error


def _broken(notice, payload: bytes) -> PartnerRecord:
    record = pop_record(notice)
    record.metadata = record.metadata.replace(f"{notice.fields['TICO']}".encode(), payload)
    return record


@pytest.mark.parametrize("payload, reason", [
    (b"chapiteau \x0c form feed", "not well-formed XML"),
    ("chapiteau sculpté".encode("latin-1"), "not well-formed XML"),
    (b"&lol9;", "not well-formed XML"),
], ids=["invalid-character", "wrong-encoding", "entity-bomb"])
def test_broken_records_are_quarantined_and_the_rest_of_the_page_is_stored(harvester, payload, reason):
    pages = good_pages()
    bad = NOTICES[4]
    pages[1][1] = _broken(bad, payload)
    bomb = (b'<!DOCTYPE OAI-PMH [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)))
                       for i in range(2, 10)) + b"]>\n")
    partner = ScriptedPartner(pages, page_prefix={1: bomb} if payload == b"&lol9;" else {})
    report = run_against(harvester, partner)
    assert report.status == "succeeded"
    expected = everything()
    del expected[bad.ref]
    assert harvester.store() == expected
    [issue] = harvester.issue_rows()
    assert issue.identifier == identifier(bad.ref)
    assert issue.reason.startswith(reason)
    assert identifier(bad.ref) in issue.raw and "<pop:notice" in issue.raw
    assert (report.counters.created, report.counters.quarantined) == (8, 1)


def test_invalid_records_are_quarantined_with_the_reason(harvester):
    pages = good_pages()
    wrong_ref = pop_record(NOTICES[1])
    wrong_ref.metadata = wrong_ref.metadata.replace(NOTICES[1].ref.encode(), b"not-a-ref")
    wrong_ref.identifier = identifier("not-a-ref")
    unknown_field = pop_record(NOTICES[7])
    unknown_field.metadata = unknown_field.metadata.replace(b"</pop:notice>", b'<pop:field name="NOPE">x</pop:field></pop:notice>')
    pages[0][1], pages[2][1] = wrong_ref, unknown_field
    report = run_against(harvester, ScriptedPartner(pages))
    assert report.status == "succeeded"
    assert set(harvester.store()) == {n.ref for n in NOTICES} - {NOTICES[1].ref, NOTICES[7].ref}
    assert harvester.issues() == [
        (identifier("not-a-ref"), "invalid notice: REF: 'not-a-ref' is not a joconde reference (expected ^[0-9A-Z]{11}$)"),
        (identifier(NOTICES[7].ref), "invalid notice: NOPE: is not a field of this base."),
    ]
    assert all('<pop:field name="REF">' in row.raw for row in harvester.issue_rows())


def test_a_token_loop_stops_the_run(harvester):
    partner = ScriptedPartner(good_pages(2), tokens={2: "|~1"})
    report = run_against(harvester, partner)
    assert report.status == "failed"
    assert report.error == "resumption token loop: the partner sent '|~1' again"
    assert set(harvester.store()) == {n.ref for n in NOTICES[:6]}
    assert len([r for r in partner.requests if r.get("verb") == "ListRecords"]) == 3


def test_an_empty_page_with_a_token_is_followed(harvester):
    pages = good_pages()
    pages.insert(1, [])
    report = run_against(harvester, ScriptedPartner(pages))
    assert report.status == "succeeded"
    assert harvester.store() == everything()


def test_endless_empty_pages_with_tokens_fail_the_run(harvester):
    pages = good_pages()
    pages[1:1] = [[] for _ in range(5)]
    report = run_against(harvester, ScriptedPartner(pages))
    assert report.status == "failed"
    assert report.error == "4 empty pages in a row that still carry a resumption token"
    assert set(harvester.store()) == {n.ref for n in NOTICES[:3]}


def test_deleted_headers_become_tombstones(harvester):
    partner = ScriptedPartner(good_pages())
    with PartnerServer(partner) as url:
        harvester.add(url)
        assert harvester.run().counters.created == 9
        partner.pages.append([deleted_record(NOTICES[0].ref, "2026-01-03T00:00:00Z"),
                              deleted_record(NOTICES[5].ref, "2026-01-03T00:00:00Z"),
                              deleted_record("000PE999999", "2026-01-03T00:00:00Z")])  # never had it
        report = harvester.run()  # incremental: only the deletions are newer than the last run
    assert report.status == "succeeded"
    assert report.from_date == "2026-01-02T02:59:05Z"  # responseDate of the first run minus 5 minutes
    assert (report.counters.deleted, report.counters.unchanged) == (2, 1)
    expected = everything()
    expected[NOTICES[0].ref] = expected[NOTICES[5].ref] = "deleted"
    assert harvester.store() == expected
    assert harvester.issues() == []


def test_a_partner_never_overwrites_nor_deletes_another_sources_notice(harvester):
    from store.notices import write_notices

    local = joconde_notices(2, start=100, title="local")
    with harvester.db.session() as session:
        write_notices(session, local)
    pages = good_pages()
    pages[0].append(pop_record(joconde_notices(1, start=100, title="partner")[0]))  # same REF as local[0]
    pages[2].append(deleted_record(local[1].ref, "2026-01-03T00:00:00Z"))
    report = run_against(harvester, ScriptedPartner(pages))
    assert report.status == "succeeded"
    assert harvester.store("local") == {n.ref: published(n) for n in local}
    assert harvester.issues() == [
        (identifier(local[0].ref), "conflict: REF is owned by local imports; 'museum' may not change it"),
        (identifier(local[1].ref), "conflict: REF is owned by local imports; 'museum' may not change it"),
    ]
    assert report.counters.quarantined == 2


def test_bad_resumption_token_mid_run_restarts_the_window_not_the_world(harvester):
    partner = ScriptedPartner(good_pages(), faults={"page:2": [Fault("bad-token")]})
    report = run_against(harvester, partner)
    assert report.status == "succeeded"
    assert harvester.store() == everything()
    assert (report.counters.created, report.counters.unchanged) == (9, 6)
    first_pages = [r for r in partner.requests if r.get("metadataPrefix")]
    assert len(first_pages) == 2 and all("from" not in r for r in first_pages)


def test_several_sets_are_harvested_one_after_the_other_and_a_restart_stays_in_its_set(harvester):
    records = [pop_record(n, sets=("paintings",) if i < 5 else ("sculptures",)) for i, n in enumerate(NOTICES)]
    partner = ScriptedPartner(pages_of(records, 2), sets=("paintings", "sculptures"),
                              faults={"page:1": [Fault("bad-token")]})
    with PartnerServer(partner) as url:
        harvester.add(url, sets=("paintings", "sculptures"))
        report = harvester.run()
    assert report.status == "succeeded", report.error
    assert harvester.store() == everything()
    first_pages = [r.get("set") for r in partner.requests if r.get("metadataPrefix")]
    # paintings, paintings again (the restarted window: a bad token on its second page), then sculptures
    assert first_pages == ["paintings", "paintings", "sculptures"]
    assert (report.counters.created, report.counters.unchanged) == (9, 2)
