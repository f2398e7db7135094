"""Which addresses a partner's URL may reach, and connecting only to the address that was checked (SSRF).

A partner URL that came through the web (the admin API) is untrusted: whoever holds a token could otherwise make
POP fetch its own loopback services, the cloud's metadata address (169.254.169.254) or the private network.
`AddressPolicy.admit(url)` resolves the URL's host — every address it resolves to — and refuses the URL when one of
them is loopback, private (RFC 1918, fc00::/7, site-local), link-local, unspecified, multicast, reserved or
otherwise not publicly routable, IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) judged by that
address — unless the operator allows its network (POP_HARVEST_ALLOWED_NETWORKS) or its host
(POP_HARVEST_ALLOWED_HOSTS). The client admits the URL of every fetch and of every redirect hop.

`PinnedAdapter` then makes requests connect to the admitted address itself, while the Host header, TLS SNI and
the certificate check keep the name: a DNS answer that changes between the check and the connection (DNS
rebinding) cannot move the connection elsewhere. An HTTP proxy configured in the environment connects on its own:
the names are still checked, but not what the proxy resolves (docs/operations.md, "Partner URLs and SSRF").
"""
from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host, port) → the addresses it resolves to, as text; tests pass one that never asks a DNS server
Resolver = Callable[[str, int], list[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052's well-known prefix: the IPv4 address is the last 32 bits


class AddressRefused(ValueError):
    """The URL may not be fetched: its host is, or resolves to, an address the policy refuses."""


class Unresolvable(LookupError):
    """The URL's host has no address (or gave none in the time left): the partner cannot be reached."""


@dataclass(frozen=True)
class Destination:
    """Where one fetch connects: the URL's host and port as requests' connection pools key them, and the
    admitted address the connection is pinned to."""

    host: str
    port: int
    address: str


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4
    2002:AABB:CCDD::), None for others. Teredo (2001::/32) needs no unwrapping: the whole prefix is refused."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def refusal(address: Address) -> str | None:
    """What kind of non-public address `address` is ("loopback", "private"…), None for a public one."""
    embedded = embedded_ipv4(address)
    if embedded is not None:  # judged by the IPv4 address it reaches, not by the prefix that carries it
        return refusal(embedded)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private or getattr(address, "is_site_local", False):
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:  # shared address space (100.64/10) and the like
        return "non-public"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolves `host` to (IPv4 and IPv6), in its order of preference."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def _within(timeout: float | None, resolve: Resolver, host: str, port: int) -> list[str]:
    """`resolve(host, port)`, given up on after `timeout` seconds: getaddrinfo has no timeout of its own, and a web
    request must not wait for a slow resolver. The abandoned lookup ends in its daemon thread."""
    if timeout is None:
        return resolve(host, port)
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["addresses"] = resolve(host, port)
        except Exception as error:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=work, name="pop-resolve", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.0))
    if thread.is_alive():
        raise Unresolvable(f"{host}: no DNS answer within {timeout:.1f} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["addresses"]  # type: ignore[return-value]


def _host_port(entry: str) -> tuple[str, int | None]:
    """An allowed-host entry, `name`, `name:port`, `[v6]` or `[v6]:port`, as (host, port or None)."""
    parts = urlsplit(f"//{entry.strip()}")
    return (parts.hostname or "").rstrip("."), parts.port


@dataclass(frozen=True)
class AddressPolicy:
    """The address rules of partner URLs that came through the web: public addresses only, plus the networks and
    hosts the operator allows. A host allowed by name may resolve to any address (the operator vouches for it)."""

    allowed_networks: tuple[Network, ...] = ()
    allowed_hosts: tuple[str, ...] = ()  # `name` (any port) or `name:port`, as POP_HARVEST_ALLOWED_HOSTS lists them
    resolve: Resolver = system_resolver

    def _host_allowed(self, host: str, port: int) -> bool:
        for entry in self.allowed_hosts:
            allowed_host, allowed_port = _host_port(entry)
            if allowed_host == host and allowed_port in (None, port):
                return True
        return False

    def _network_allowed(self, address: Address) -> bool:
        embedded = embedded_ipv4(address)
        return any(address in network or (embedded is not None and embedded in network)
                   for network in self.allowed_networks)

    def admit(self, url: str, *, timeout: float | None = None) -> Destination:
        """Where `url` may be fetched: its host resolved, every address checked. Raises AddressRefused (the
        rules forbid it) or Unresolvable (no address within `timeout` seconds)."""
        try:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            raise AddressRefused(f"{url!r} is not a URL POP can read") from None
        name = parts.hostname or ""
        host = name.rstrip(".")
        if port is None or not host:
            raise AddressRefused("only http(s) URLs with a host are fetched")
        try:
            addresses = [ipaddress.ip_address(host)]
            literal = True
        except ValueError:
            addresses, literal = self._resolved(name, port, timeout), False
        if not self._host_allowed(host, port):
            for address in addresses:
                kind = refusal(address)
                if kind is not None and not self._network_allowed(address):
                    where = f"{name} is" if literal else f"{name} resolves to {address}:"
                    raise AddressRefused(
                        f"{where} not a public address ({kind}); POP fetches partners at public addresses only, "
                        "unless POP_HARVEST_ALLOWED_NETWORKS or POP_HARVEST_ALLOWED_HOSTS allow it")
        # the host as requests' connection pools know it (a final dot kept), so the pin is found
        return Destination(name, port, str(addresses[0]))

    def _resolved(self, host: str, port: int, timeout: float | None) -> list[Address]:
        try:
            found = _within(timeout, self.resolve, host, port)
            addresses = [ipaddress.ip_address(text) for text in found]
        except Unresolvable:
            raise
        except (OSError, UnicodeError, ValueError) as error:
            raise Unresolvable(f"cannot resolve {host} ({type(error).__name__}: {error})") from None
        if not addresses:
            raise Unresolvable(f"{host} resolves to no address")
        return addresses


class _Pinned:
    """A urllib3 connection that opens its socket to `pinned_address` — urllib3 resolves `_dns_host`, so it is
    swapped for the address while the socket opens — and otherwise keeps its name: the Host header (written
    before), TLS SNI and the certificate check (after) all see the name."""

    pinned_address: str | None = None

    def _new_conn(self):
        if self.pinned_address is None:  # never admitted: refuse rather than let DNS pick (requests: ConnectionError)
            raise OSError(f"no admitted address for {self.host}:{self.port}")
        name, self._dns_host = self._dns_host, self.pinned_address
        try:
            return super()._new_conn()
        finally:
            self._dns_host = name


class _PinnedHTTPConnection(_Pinned, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, HTTPSConnection):
    pass


def _pinned_pool(base: type[HTTPConnectionPool], connection: type,
                 pins: dict[tuple[str, int], str]) -> type[HTTPConnectionPool]:
    class PinnedPool(base):  # type: ignore[valid-type, misc]
        ConnectionCls = connection

        def _new_conn(self):
            new = super()._new_conn()
            new.pinned_address = pins.get((self.host, self.port))
            return new

    PinnedPool.__name__ = f"Pinned{base.__name__}"
    return PinnedPool


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose new connections go to the address admitted for their (host, port) — `pin` it
    before each request — never to whatever DNS answers at connection time."""

    def __init__(self, *args, **kwargs):
        self.pins: dict[tuple[str, int], str] = {}  # before super().__init__: it builds the pool manager
        super().__init__(*args, **kwargs)

    def pin(self, destination: Destination) -> None:
        self.pins[(destination.host, destination.port)] = destination.address

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _pinned_pool(HTTPConnectionPool, _PinnedHTTPConnection, self.pins),
            "https": _pinned_pool(HTTPSConnectionPool, _PinnedHTTPSConnection, self.pins)}
