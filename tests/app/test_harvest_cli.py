"""`pop harvest add|list|show|run`, `pop worker`, `pop token create`, and one run per partner at a time."""
from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy import select

from app.cli import cli
from store.backlog import backlog_size
from app.harvesting import harvest_partner
from store.locks import PartnerBusy, partner_lock
from store.partners import PartnerNotDue, get_partner, queue_run
from store.models import ApiToken, Partner
from tests.harvest.fixtures import harvest_app, harvester  # noqa: F401  (fixtures)
from tests.harvest.oai_partner import Fault, PartnerServer, ScriptedPartner
from tests.harvest.records import deleted_record, joconde_notices, pages_of, pop_record, published

NOTICES = joconde_notices(5)


@pytest.fixture
def runner(harvest_app):
    return harvest_app.test_cli_runner()


@pytest.fixture
def partner_url():
    partner = ScriptedPartner(pages_of([pop_record(n) for n in NOTICES], 2), prefixes=("pop", "oai_dc"),
                              sets=("paintings",))
    with PartnerServer(partner) as url:
        yield url


def test_add_checks_the_partner_then_run_harvests_it_with_a_summary(runner, harvester, partner_url):
    result = runner.invoke(cli, ["harvest", "add", "museum", "--url", partner_url, "--prefix", "pop",
                                 "--base", "joconde", "--every", "1d"])
    assert result.exit_code == 0, result.output
    assert result.output == f"partner museum added: {partner_url} (pop → joconde), 1d\n"
    result = runner.invoke(cli, ["harvest", "run", "museum"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == ("run #1 succeeded, from the beginning: created: 5, updated: 0, "
                                              "unchanged: 0, deleted: 0, quarantined: 0")
    assert harvester.store() == {n.ref: published(n) for n in NOTICES}
    listing = runner.invoke(cli, ["harvest", "list"]).output
    assert listing.startswith("museum\tpop → joconde\t1d\tsucceeded ")
    show = runner.invoke(cli, ["harvest", "show", "museum"]).output
    assert "granularity: YYYY-MM-DDThh:mm:ssZ" in show
    assert "#1 succeeded" in show and "created: 5" in show


@pytest.mark.parametrize("args, message", [
    (["--prefix", "lido"], "Error: metadata_prefix: 'lido' is not offered (offered: pop, oai_dc)"),
    (["--prefix", "marc21"], "Error: metadata_prefix: no mapping reads 'marc21' (known: pop, oai_dc, lido); name one with mapping"),
    (["--prefix", "pop", "--set", "sculptures"], "Error: sets: unknown set(s): sculptures"),
    (["--prefix", "pop", "--every", "often"], "Error: interval: cannot read interval 'often': use a number and a unit, e.g. 30m, 12h, 1d, 1w"),
])
def test_add_refuses_a_partner_that_does_not_fit_with_a_clear_error(runner, partner_url, args, message):
    result = runner.invoke(cli, ["harvest", "add", "museum", "--url", partner_url, "--base", "joconde", *args])
    assert result.exit_code == 1
    assert result.output.strip() == message


def test_add_refuses_an_unreachable_partner(runner):
    result = runner.invoke(cli, ["harvest", "add", "museum", "--url", "http://127.0.0.1:9/oai", "--prefix", "pop",
                                 "--base", "joconde"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: url: Identify failed: gave up on Identify after 4 attempts: connection failed")


def test_run_of_an_unknown_partner_fails_in_one_line(runner):
    result = runner.invoke(cli, ["harvest", "run", "nobody"])
    assert (result.exit_code, result.output) == (1, "Error: no partner named 'nobody'\n")


def test_a_failed_run_exits_non_zero_with_its_error(runner, harvester):
    partner = ScriptedPartner(pages_of([pop_record(n) for n in NOTICES], 2),
                              faults={"page:1": [Fault("status", 500)] * 4})
    with PartnerServer(partner) as url:
        harvester.add(url)
        result = runner.invoke(cli, ["harvest", "run", "museum"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Error: gave up on ListRecords after 4 attempts: HTTP 500"


def test_day_granularity_partners_get_a_date_as_from(harvester):
    partner = ScriptedPartner(pages_of([pop_record(n, "2026-01-01") for n in NOTICES], 2), granularity="YYYY-MM-DD")
    with PartnerServer(partner) as url:
        harvester.add(url)
        assert harvester.run().from_date is None
        partner.pages.append([deleted_record(NOTICES[2].ref, "2026-01-02")])
        report = harvester.run()
    assert report.from_date == "2026-01-02"  # 2026-01-02T03:04:05Z minus the overlap, as a day
    assert partner.requests[-1]["from"] == "2026-01-02"
    assert (report.counters.deleted, report.counters.records) == (1, 1)
    assert harvester.store()[NOTICES[2].ref] == "deleted"


def test_worker_once_runs_due_and_queued_partners_and_reschedules_them(runner, harvester, partner_url):
    harvester.add(partner_url, name="nightly", every="1d")
    harvester.add(partner_url, name="by-hand")
    harvester.add(partner_url, name="asked")
    with harvester.db.session() as session:
        queue_run(session, get_partner(session, "asked"))
    result = runner.invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    *runs, rendering = result.output.splitlines()
    assert [line.split(":")[0] for line in sorted(runs)] == ["asked", "nightly"]
    assert all("succeeded" in line for line in runs)
    assert rendering == "renditions: 5 notices rendered"  # what the runs stored, rendered before it stops
    with harvester.db.session() as session:
        nightly = session.execute(select(Partner).where(Partner.name == "nightly")).scalar_one()
        assert nightly.next_run_at is not None
        assert backlog_size(session) == 0
    assert runner.invoke(cli, ["worker", "--once"]).output == ""  # nothing is due any more


def test_one_run_per_partner_at_a_time(harvester, partner_url):
    harvester.add(partner_url)
    with partner_lock(harvester.db, "museum"):
        outcome = []
        thread = threading.Thread(target=lambda: outcome.append(_try_run(harvester)))
        thread.start()
        thread.join()
        assert outcome == ["busy"]
    assert harvester.run().status == "succeeded"


def test_a_worker_that_waited_for_the_lock_while_another_ran_the_partner_does_not_run_it_again(harvester,
                                                                                               partner_url):
    harvester.add(partner_url, every="1d")
    settings = harvester.app.extensions["pop"].settings
    assert harvest_partner(harvester.db, settings, "museum", if_due=True).status == "succeeded"
    # A second worker read the same due list before that run ended, and got the lock after it
    with pytest.raises(PartnerNotDue):
        harvest_partner(harvester.db, settings, "museum", if_due=True)
    with harvester.db.session() as session:
        queue_run(session, get_partner(session, "museum"))
    assert harvest_partner(harvester.db, settings, "museum", if_due=True).status == "succeeded"  # asked for: due
    assert harvester.run().status == "succeeded"  # `pop harvest run` runs it whenever asked
    assert [run.status for run in harvester.runs()] == ["succeeded"] * 3


def _try_run(harvester) -> str:
    try:
        harvest_partner(harvester.db, harvester.app.extensions["pop"].settings, "museum")
    except PartnerBusy:
        return "busy"
    return "ran"


def test_token_create_prints_the_token_once_and_keeps_only_its_hash(runner, harvester):
    result = runner.invoke(cli, ["token", "create", "ops"])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert len(token) >= 40
    with harvester.db.session() as session:
        row = session.execute(select(ApiToken)).scalar_one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.name == "ops"
