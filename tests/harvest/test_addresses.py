"""The address rules of partner URLs (SSRF): which addresses are refused — before any connection — after DNS
resolution, and that the client connects to the address it checked, at every redirect hop.

No test here sends a packet anywhere but to the 127.0.0.1 servers it starts: refused URLs are refused at the check
(literal addresses, or names answered by a resolver the test passes), and the system's resolver is replaced by one
that refuses every name, so a name the code forgot to pin would fail instead of reaching a DNS server.
"""
from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
import time

import pytest

from harvest.addresses import AddressPolicy, AddressRefused, Unresolvable, refusal
from harvest.client import ClientSettings, OAIClient, RefusedAddress

from .fixtures import no_dns  # noqa: F401  (fixture)
from .oai_partner import Fault, PartnerServer, ScriptedPartner

REFUSED = ["127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "fe80::1",
           "fc00::1", "fd12:3456::1", "fec0::1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "240.0.0.1",
           "255.255.255.255", "100.64.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
           "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2001::1"]
PUBLIC = ["93.184.216.34", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"]


@pytest.fixture(autouse=True)
def _no_dns(no_dns):
    return no_dns


def url(address: str, port: int = 80) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}/oai"


@pytest.mark.parametrize("address", REFUSED)
def test_loopback_private_link_local_and_reserved_addresses_are_refused(address):
    assert refusal(ipaddress.ip_address(address)) is not None
    with pytest.raises(AddressRefused, match="not a public address"):
        AddressPolicy().admit(url(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_admitted_and_pinned(address):
    destination = AddressPolicy().admit(url(address, 8080))
    assert (destination.port, destination.address) == (8080, str(ipaddress.ip_address(address)))


def test_every_address_a_name_resolves_to_is_checked():
    resolves = {"partner.test": ["93.184.216.34", "10.0.0.1"], "public.test": ["2606:4700:4700::1111"]}
    policy = AddressPolicy(resolve=lambda host, port: resolves[host])
    with pytest.raises(AddressRefused, match=r"partner\.test resolves to 10\.0\.0\.1: not a public address"):
        policy.admit("https://partner.test/oai")
    assert policy.admit("https://public.test/oai").address == "2606:4700:4700::1111"
    assert AddressPolicy().admit("http://8.8.8.8./oai").host == "8.8.8.8."  # as requests' pools know it


def test_numeric_host_spellings_are_judged_by_the_address_they_reach():
    for host in ("2130706433", "0x7f000001", "127.1", "0177.0.0.1"):  # all 127.0.0.1 to the system's resolver
        with pytest.raises(AddressRefused, match="resolves to 127.0.0.1"):
            AddressPolicy().admit(f"http://{host}/oai")


def test_the_operator_allows_networks_and_hosts():
    policy = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("fd00::/8")),
                           allowed_hosts=("collections.intra", "10.9.9.9:8080"),
                           resolve=lambda host, port: ["10.1.2.3"])
    for allowed in (url("127.0.0.1"), url("::ffff:127.0.0.1"), url("fd00::5"), "http://collections.intra/oai",
                    "http://COLLECTIONS.intra.:81/oai", url("10.9.9.9", 8080)):
        policy.admit(allowed)
    for refused in (url("10.0.0.1"), url("10.9.9.9", 8081), url("::1"), "http://other.intra/oai"):
        with pytest.raises(AddressRefused):
            policy.admit(refused)


def test_a_name_that_does_not_resolve_in_time_is_unresolvable_not_refused():
    def slow(host, port):
        time.sleep(2)
        return ["93.184.216.34"]

    started = time.monotonic()
    with pytest.raises(Unresolvable, match="no DNS answer within"):
        AddressPolicy(resolve=slow).admit("http://slow.test/oai", timeout=0.2)
    assert time.monotonic() - started < 1
    with pytest.raises(Unresolvable, match="cannot resolve nowhere.test"):
        AddressPolicy().admit("http://nowhere.test/oai")  # the numeric-only resolver: no such name


# --- the client under the rules --------------------------------------------------------------------------
FAST = ClientSettings(timeout=2, max_attempts=1)


def loopback_only(port: int, resolve=None) -> ClientSettings:
    """Rules that allow one loopback host:port and nothing else of the machine."""
    return ClientSettings(timeout=2, max_attempts=1, addresses=AddressPolicy(
        allowed_hosts=(f"127.0.0.1:{port}", f"partner.test:{port}"), resolve=resolve or (lambda h, p: ["127.0.0.1"])))


def test_the_client_refuses_a_url_before_connecting():
    with PartnerServer(ScriptedPartner([[]])) as address:  # loopback, and not allowed
        client = OAIClient(address, ClientSettings(max_attempts=1, addresses=AddressPolicy()))
        with pytest.raises(RefusedAddress, match="127.0.0.1 is not a public address"):
            client.identify()
    assert client.http.adapters["http://"].pins == {}


def test_the_client_connects_to_the_address_it_checked_and_keeps_the_name():
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])  # a rebinding name: the second answer is refused
    policy = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),),
                           resolve=lambda host, port: next(answers))
    scripted = ScriptedPartner([[]])
    with PartnerServer(scripted) as address:
        port = int(address.rsplit(":", 1)[1].split("/")[0])
        client = OAIClient(f"http://partner.test:{port}/oai", ClientSettings(max_attempts=1, addresses=policy))
        # the system's resolver knows no partner.test: the connection went to the address checked
        assert client.identify().granularity == "YYYY-MM-DDThh:mm:ssZ"
        assert scripted.hosts == [f"partner.test:{port}"]  # and the request still names its host
        with pytest.raises(RefusedAddress, match="resolves to 10.0.0.1"):
            client.identify()  # every fetch is checked again
    assert len(scripted.requests) == 1


def test_every_redirect_hop_is_checked():
    with PartnerServer(ScriptedPartner([[]])) as elsewhere:  # another loopback port, not allowed
        redirecting = ScriptedPartner([[]], faults={"Identify": [Fault("status", 302, {"Location": elsewhere})]})
        with PartnerServer(redirecting) as address:
            port = int(address.rsplit(":", 1)[1].split("/")[0])
            with pytest.raises(RefusedAddress, match="127.0.0.1 is not a public address"):
                OAIClient(address, loopback_only(port)).identify()
            assert len(redirecting.requests) == 1


def test_a_redirect_within_the_allowed_host_is_followed():
    scripted = ScriptedPartner([[]])
    with PartnerServer(scripted) as address:
        port = int(address.rsplit(":", 1)[1].split("/")[0])
        moved = f"http://partner.test:{port}/oai?verb=Identify"
        scripted.faults["Identify"] = [Fault("status", 301, {"Location": moved})]
        assert OAIClient(address, loopback_only(port)).identify().repository_name == "Scripted partner"
        assert scripted.hosts == [f"127.0.0.1:{port}", f"partner.test:{port}"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_a_pinned_https_connection_sends_the_name_as_sni_and_checks_the_certificate_for_it(tmp_path, monkeypatch):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=partner.test", "-addext", "subjectAltName=DNS:partner.test"],
                   check=True, capture_output=True)
    names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda connection, name, _context: names.append(name)
    server = PartnerServer(ScriptedPartner([[]]))
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    with server as address:
        port = int(address.rsplit(":", 1)[1].split("/")[0])
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # it names partner.test, not 127.0.0.1; read by
        client = OAIClient(f"https://partner.test:{port}/oai", loopback_only(port))  # the client as it is made
        assert client.identify().repository_name == "Scripted partner"
    assert names == ["partner.test"]
