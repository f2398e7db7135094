"""The OAI-PMH client against real HTTP: what it sends, what it survives, when it gives up."""
from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest

from harvest.client import ClientSettings, HarvestError, OAIClient, OAIError, retry_after_seconds

from .oai_partner import Fault, PartnerRecord, PartnerServer, ScriptedPartner

FAST = ClientSettings(timeout=1, max_attempts=3, backoff=0.01, max_retry_after=2)


def partner(**kwargs) -> ScriptedPartner:
    records = [PartnerRecord(f"oai:x:{i}", "2026-01-01", b"<x/>") for i in range(4)]
    return ScriptedPartner([records[:2], records[2:]], **kwargs)


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None


def test_sends_a_descriptive_user_agent_and_reads_identify():
    scripted = partner(granularity="YYYY-MM-DD")
    with PartnerServer(scripted) as url:
        identify = OAIClient(url, FAST).identify()
    assert identify.granularity == "YYYY-MM-DD"
    assert scripted.user_agents[0].startswith("POP-Open-Data-Server-harvester/")


def test_gives_up_after_its_budget_with_the_last_reason():
    waits = []
    scripted = partner(faults={"page:0": [Fault("status", 503, {"Retry-After": "1"})] * 5})
    with PartnerServer(scripted) as url:
        with pytest.raises(HarvestError, match=r"^gave up on ListRecords after 3 attempts: HTTP 503$"):
            OAIClient(url, FAST, sleep=waits.append).list_records(metadata_prefix="pop")
    assert waits == [1.0, 1.0]


def test_a_long_retry_after_is_capped():
    waits = []
    scripted = partner(faults={"page:0": [Fault("status", 429, {"Retry-After": "86400"})]})
    with PartnerServer(scripted) as url:
        OAIClient(url, FAST, sleep=waits.append).list_records(metadata_prefix="pop")
    assert waits == [2.0]


def test_a_response_larger_than_the_limit_is_refused():
    with PartnerServer(partner()) as url:
        client = OAIClient(url, ClientSettings(max_response_bytes=500, max_attempts=1))
        with pytest.raises(HarvestError, match="larger than 500 bytes"):
            client.list_records(metadata_prefix="pop")


def test_a_gzip_bomb_is_refused_once_decompressed():
    from harvest.client import _gunzip

    with pytest.raises(HarvestError, match="once decompressed"):
        _gunzip(gzip.compress(b" " * 10_000_000), 1_000_000)


def test_oai_errors_are_raised_and_no_records_match_is_an_empty_page():
    with PartnerServer(partner()) as url:
        client = OAIClient(url, FAST)
        with pytest.raises(OAIError, match="cannotDisseminateFormat"):
            client.list_records(metadata_prefix="marc")
        assert client.list_records(metadata_prefix="pop", from_="2030-01-01").records == []


def test_an_http_error_that_is_not_transient_fails_at_once():
    scripted = partner(faults={"Identify": [Fault("status", 404)]})
    with PartnerServer(scripted) as url:
        with pytest.raises(HarvestError, match="HTTP 404"):
            OAIClient(url, FAST).identify()
    assert len(scripted.requests) == 1


def test_a_response_that_trickles_hits_the_page_deadline():
    import time

    scripted = partner(faults={"page:0": [Fault("trickle", seconds=0.05)] * 2})
    settings = ClientSettings(timeout=1, max_attempts=2, backoff=0.01, page_deadline=0.5)
    started = time.monotonic()
    with PartnerServer(scripted) as url:
        with pytest.raises(HarvestError, match=r"^gave up on ListRecords after 2 attempts: no complete response "
                                               r"within 0.5 s \(POP_HARVEST_PAGE_DEADLINE\)$"):
            OAIClient(url, settings).list_records(metadata_prefix="pop")
    assert time.monotonic() - started < 3  # each read came within the timeout: only the deadline stops it


def test_an_identify_that_cannot_be_parsed_says_why():
    scripted = partner(faults={"Identify": [Fault("replace", replace=(b"Scripted partner", b"Scripted \x01"))] * 3})
    with PartnerServer(scripted) as url:
        with pytest.raises(HarvestError, match=r"^gave up on Identify after 3 attempts: not well-formed XML: "):
            OAIClient(url, FAST).identify()


def test_a_page_that_does_not_answer_is_retried_then_given_up_on():
    scripted = partner(faults={"page:0": [Fault("replace", replace=(b"ListRecords>", b"GetRecord>"))] * 3})
    with PartnerServer(scripted) as url:
        with pytest.raises(HarvestError, match=r"^gave up on ListRecords after 3 attempts: the response has no "
                                               r"<ListRecords> element \(it has <GetRecord>\)$"):
            OAIClient(url, FAST).list_records(metadata_prefix="pop")
    assert len(scripted.requests) == 3


def test_credentials_in_the_url_go_as_basic_auth_to_the_partner_alone():
    import base64

    elsewhere, scripted = partner(), partner()
    with PartnerServer(elsewhere) as other, PartnerServer(scripted) as url:
        client = OAIClient(url.replace("http://", "http://harvester:p%40ss@"), FAST)
        assert client.base_url == url  # the URL it holds, and may put in a message, has no credentials
        client.identify()
        scripted.faults["Identify"] = [Fault("status", 307, {"Location": f"{other}?verb=Identify"})]
        client.identify()
    assert scripted.authorizations == ["Basic " + base64.b64encode(b"harvester:p@ss").decode()] * 2
    assert elsewhere.authorizations == [None]  # another port is another origin


def test_redirects_are_followed_a_bounded_number_of_times():
    scripted = partner()
    with PartnerServer(scripted) as url:
        scripted.faults["Identify"] = [Fault("status", 302, {"Location": url + "?verb=Identify"})] * 10
        with pytest.raises(HarvestError, match="^partner redirected more than 5 times$"):
            OAIClient(url, FAST).identify()
    assert len(scripted.requests) == 6


def test_a_deadline_bounds_everything_the_client_asks():
    import time

    scripted = partner(faults={"Identify": [Fault("sleep", seconds=3)] * 3})
    started = time.monotonic()
    with PartnerServer(scripted) as url:
        with pytest.raises(HarvestError, match="timed out"):
            OAIClient(url, ClientSettings(timeout=10, max_attempts=3, backoff=0.01, deadline=0.5)).identify()
    assert time.monotonic() - started < 1.5


def test_a_proxy_from_the_environment_is_used_and_no_proxy_honoured(monkeypatch):
    """The environment is read once per client (not per page), and still decides: HTTP_PROXY carries the
    requests of a partner it applies to, NO_PROXY exempts a partner."""
    proxy = partner()
    with PartnerServer(proxy) as proxy_url:
        monkeypatch.setenv("HTTP_PROXY", proxy_url.rsplit("/", 1)[0])
        monkeypatch.setenv("NO_PROXY", "")
        # the partner's name resolves nowhere: only the proxy can answer for it
        page = OAIClient("http://partner.invalid/oai", FAST).list_records(metadata_prefix="pop")
        assert [r.identifier for r in page.records] == ["oai:x:0", "oai:x:1"]
        assert len(proxy.user_agents) == 1
        direct = partner()
        with PartnerServer(direct) as url:
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            OAIClient(url, FAST).list_records(metadata_prefix="pop")
        assert len(direct.user_agents) == 1 and len(proxy.user_agents) == 1


def test_credentials_never_come_from_a_netrc(monkeypatch, tmp_path):
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login someone password secret\n")
    (tmp_path / ".netrc").chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    scripted = partner()
    with PartnerServer(scripted) as url:
        OAIClient(url, FAST).list_records(metadata_prefix="pop")
    assert scripted.authorizations == [None]
