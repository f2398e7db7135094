"""The OAI-PMH client: one request at a time, surviving what real partners do.

- 503 and 429 honour `Retry-After` (seconds or an HTTP date), capped by `max_retry_after`;
- timeouts, connection resets, truncated bodies and other 5xx are retried with bounded exponential
  backoff; after `max_attempts` the request fails with `HarvestError` saying what happened last;
- a gzip body is read whether or not the partner says so (hidden gzip), and every body is bounded
  (`max_response_bytes`, after decompression too) and must arrive whole within `page_deadline` seconds;
- a response that does not answer the request (no element of the verb asked, nor an <error>) is a broken
  page, retried like a truncated one;
- a descriptive User-Agent, and a timeout on every request;
- redirects are followed by hand, at most `max_redirects`, and with an address policy (`addresses`, for partner
  URLs that came through the web: harvest/addresses.py) every fetch and every hop is admitted first and connects
  to the address that was checked;
- a `deadline` bounds everything one client asks (the admin API's remote check answers within seconds);
- credentials go as HTTP basic auth (`auth`), to the partner's own origin only, never in a URL or a message.
Pages are read by `page.read_page`: records that are not well-formed come back with their problem.
"""
from __future__ import annotations

import os
import random
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.models import PreparedRequest

from .addresses import AddressPolicy, AddressRefused, PinnedAdapter, Unresolvable
from .page import BrokenPage, Page, read_page
from .urls import basic_auth, split_credentials

USER_AGENT = "POP-Open-Data-Server-harvester/0.1 (+https://pop.culture.gouv.fr; OAI-PMH harvester)"


class HarvestError(RuntimeError):
    """A harvest cannot go on: the message says why, in one line."""


class OAIError(HarvestError):
    """The partner answered with an OAI-PMH error."""

    def __init__(self, code: str, message: str = ""):
        self.code, self.message = code, message
        super().__init__(f"partner answered OAI-PMH error {code}" + (f": {message}" if message else ""))

    def __reduce__(self):  # picklable, so a reader process can raise it in the run's process
        return type(self), (self.code, self.message)


class BadResumptionToken(OAIError):
    pass


class RefusedAddress(HarvestError):
    """The address policy refuses a URL the client was to fetch: the partner's, or where it redirected."""


@dataclass(frozen=True)
class ClientSettings:
    timeout: float = 60.0  # seconds, connect and read
    max_attempts: int = 6  # per request
    backoff: float = 2.0  # first wait, doubled at each attempt, with jitter
    max_backoff: float = 120.0
    max_retry_after: float = 600.0  # a longer Retry-After is cut to this
    max_response_bytes: int = 64 * 1024 * 1024
    page_deadline: float = 300.0  # seconds for a whole response to arrive, however slowly it trickles
    user_agent: str = USER_AGENT
    max_redirects: int = 5  # each hop admitted like the URL itself
    deadline: float | None = None  # seconds for everything one client asks, from its first request; None: unbounded
    addresses: AddressPolicy | None = None  # None: any address (a URL an operator gave); else checked on every fetch


@dataclass(frozen=True)
class Identify:
    repository_name: str
    granularity: str  # "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ"
    earliest_datestamp: str | None
    response_date: str | None


class _Transient(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise _Transient(f"corrupt gzip body ({error})") from None
    if len(out) > limit:
        raise HarvestError(f"response larger than {limit} bytes once decompressed")
    return out


def _session(base_url: str) -> requests.Session:
    """A requests session that reads the environment once, for the partner's URL: its proxy (`HTTP_PROXY`,
    `HTTPS_PROXY`, `NO_PROXY`) and CA bundle (`REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`). requests would otherwise
    read them again, and look for a ~/.netrc, for every page (a twentieth of a reader's time on small records);
    credentials come from the partner's configuration, never from a netrc."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


class OAIClient:
    """Requests to one OAI-PMH base URL."""

    def __init__(self, base_url: str, settings: ClientSettings | None = None,
                 sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] | None = None,
                 auth: tuple[str, str] | None = None):
        # credentials written into the URL become basic auth: a URL the client holds (and may put in a message)
        # never carries them
        self.base_url, credentials = split_credentials(base_url)
        self.auth = auth or basic_auth(credentials)
        self.settings = settings or ClientSettings()
        self.sleep = sleep
        self.log = log or (lambda message: None)
        self.http = _session(self.base_url)
        self.http.headers.update({"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip",
                                  "Accept": "text/xml, application/xml"})
        self._pins: PinnedAdapter | None = None
        if self.settings.addresses is not None:
            self._pins = PinnedAdapter()
            self.http.mount("http://", self._pins)
            self.http.mount("https://", self._pins)
        self._ends: float | None = None  # the deadline's end, set by the first request

    def close(self) -> None:
        self.http.close()

    # --- one request, with retries ---------------------------------------------------------------------
    def _time_left(self) -> float | None:
        if self._ends is None:
            return None
        left = self._ends - time.monotonic()
        if left <= 0:
            raise HarvestError(f"no answer within {self.settings.deadline:g} s")
        return left

    def _same_origin(self, url: str) -> bool:
        """Credentials go to the partner's own scheme, host and port only (or its https on the same host)."""
        base, there = urlsplit(self.base_url), urlsplit(url)
        if base.hostname != there.hostname:
            return False
        return (base.scheme, base.port) == (there.scheme, there.port) or (
            there.scheme == "https" and there.port in (None, 443) and base.port in (None, 80))

    def _get(self, url: str, params: dict[str, str] | None) -> requests.Response:
        """One GET, redirects not followed; with an address policy, admitted first and pinned to the address
        that was checked."""
        left = self._time_left()
        target = PreparedRequest()
        try:
            target.prepare_url(url, params)  # the URL as requests sends it (IDNA host, quoted path)
        except requests.RequestException as error:
            raise HarvestError(f"cannot ask {split_credentials(url)[0]} ({type(error).__name__})") from None
        if self._pins is not None:
            try:
                self._pins.pin(self.settings.addresses.admit(target.url, timeout=left))
            except AddressRefused as error:
                raise RefusedAddress(str(error)) from None
            except Unresolvable as error:
                raise _Transient(str(error)) from None
        timeout = self.settings.timeout if left is None else min(self.settings.timeout, left)
        try:
            return self.http.get(target.url, timeout=timeout, stream=True, allow_redirects=False,
                                 auth=self.auth if self._same_origin(target.url) else None)
        except requests.Timeout:
            raise _Transient("timed out") from None
        except requests.ConnectionError as error:
            raise _Transient(f"connection failed ({type(error).__name__}: {str(error)[:120]})") from None
        except requests.RequestException as error:  # an invalid URL: asking again won't help
            raise HarvestError(f"cannot ask {split_credentials(url)[0]} ({type(error).__name__}: "
                               f"{str(error)[:120]})") from None

    def _follow(self, params: dict[str, str]) -> requests.Response:
        """The response at the end of the partner's redirects, each hop asked (and admitted) like the first."""
        url, query = self.base_url, params
        for hop in range(self.settings.max_redirects + 1):
            try:
                response = self._get(url, query)
            except RefusedAddress as error:
                if not hop:
                    raise
                raise RefusedAddress(f"partner redirected to {split_credentials(url)[0]}: {error}") from None
            if not response.is_redirect:
                return response
            url, query = urljoin(response.url, self.http.get_redirect_target(response)), None
            response.close()
            if urlsplit(url).scheme not in ("http", "https"):
                raise HarvestError("partner redirected to a URL that is not http(s)")
        raise HarvestError(f"partner redirected more than {self.settings.max_redirects} times")

    def _fetch(self, params: dict[str, str]) -> bytes:
        limit = self.settings.max_response_bytes
        started = time.monotonic()
        if self._ends is None and self.settings.deadline is not None:
            self._ends = started + self.settings.deadline
        response = self._follow(params)
        with response:
            if response.status_code in (429, 503):
                raise _Transient(f"HTTP {response.status_code}",
                                 retry_after_seconds(response.headers.get("Retry-After")))
            if response.status_code >= 500:
                raise _Transient(f"HTTP {response.status_code}")
            if response.status_code != 200:
                shown = split_credentials(response.url)[0]
                raise HarvestError(f"partner answered HTTP {response.status_code} for {shown}")
            body = bytearray()
            # requests' timeout is per socket read: a partner sending a byte every few seconds never trips it.
            # So the body is read as it arrives (read1: one read at a time, whatever came) against a
            # wall-clock deadline for the whole response (and the client's own deadline, if it has one).
            deadline = started + self.settings.page_deadline
            raw = response.raw
            try:
                while chunk := raw.read1(65536, decode_content=True):
                    body += chunk
                    if len(body) > limit:
                        raise HarvestError(f"response larger than {limit} bytes (POP_HARVEST_MAX_RESPONSE_BYTES)")
                    self._time_left()
                    if time.monotonic() > deadline:
                        raise _Transient(f"no complete response within {self.settings.page_deadline:g} s "
                                         "(POP_HARVEST_PAGE_DEADLINE)")
            except (requests.Timeout, urllib3.exceptions.ReadTimeoutError):
                raise _Transient("timed out while reading") from None
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                raise _Transient(f"connection broken while reading ({type(error).__name__})") from None
        data = bytes(body)
        if data[:2] == b"\x1f\x8b":  # gzip the partner did not declare (or declared twice)
            data = _gunzip(data, limit)
        return data

    def request(self, **params: str) -> Page:
        """One OAI-PMH request → a Page; OAI errors raise OAIError (noRecordsMatch is an empty page)."""
        params = {key: value for key, value in params.items() if value is not None}
        last = ""
        attempt = 0
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                page = read_page(self._fetch(params), params.get("verb", ""))
            except BrokenPage as error:
                problem: _Transient = _Transient(str(error))
            except _Transient as error:
                problem = error
            else:
                return self._check(page)
            last = str(problem)
            if attempt == self.settings.max_attempts:
                break
            wait = problem.wait
            if wait is None:
                wait = min(self.settings.max_backoff, self.settings.backoff * 2 ** (attempt - 1))
                wait *= 0.5 + random.random() / 2  # jitter: workers of several POPs don't retry in step
            wait = min(wait, self.settings.max_retry_after)
            if self._ends is not None and time.monotonic() + wait >= self._ends:
                break  # the deadline would pass while waiting
            self.log(f"{params.get('verb')}: {last}; retrying in {wait:.1f}s (attempt {attempt + 1} of "
                     f"{self.settings.max_attempts})")
            self.sleep(wait)
        raise HarvestError(f"gave up on {params.get('verb')} after {attempt} attempt{'s' if attempt > 1 else ''}: "
                           f"{last}")

    @staticmethod
    def _check(page: Page) -> Page:
        if page.error_code == "noRecordsMatch":
            page.token = None
            return page
        if page.error_code == "badResumptionToken":
            raise BadResumptionToken(page.error_code, page.error_message)
        if page.error_code:
            raise OAIError(page.error_code, page.error_message)
        return page

    # --- verbs ---------------------------------------------------------------------------------------
    def identify(self) -> Identify:
        page = self.request(verb="Identify")
        ns = "{http://www.openarchives.org/OAI/2.0/}"
        info = page.root.find(f"{ns}Identify") if page.root is not None else None
        if info is None:
            raise HarvestError("Identify answered without an <Identify> element")

        def text(tag: str) -> str | None:
            element = info.find(f"{ns}{tag}")
            return (element.text or "").strip() if element is not None else None

        granularity = text("granularity") or "YYYY-MM-DD"
        if granularity not in ("YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ"):
            raise HarvestError(f"Identify announces an unknown granularity {granularity!r}")
        return Identify(repository_name=text("repositoryName") or "", granularity=granularity,
                        earliest_datestamp=text("earliestDatestamp"), response_date=page.response_date)

    def _list(self, verb: str, tag: str, **params: str) -> Iterator[str]:
        ns = "{http://www.openarchives.org/OAI/2.0/}"
        seen: set[str] = set()
        page = self.request(verb=verb, **params)
        while True:
            if page.root is not None:
                for element in page.root.iter(f"{ns}{tag}"):
                    yield (element.text or "").strip()
            if not page.token:
                return
            if page.token in seen:
                raise HarvestError(f"{verb}: resumption token loop ({page.token!r} came back)")
            seen.add(page.token)
            page = self.request(verb=verb, resumptionToken=page.token)

    def metadata_prefixes(self) -> list[str]:
        return list(self._list("ListMetadataFormats", "metadataPrefix"))

    def set_specs(self) -> list[str]:
        try:
            return list(self._list("ListSets", "setSpec"))
        except OAIError as error:
            if error.code == "noSetHierarchy":
                return []
            raise

    def list_records(self, *, token: str | None = None, metadata_prefix: str | None = None,
                     from_: str | None = None, set_spec: str | None = None) -> Page:
        """One ListRecords page: the first of a list (prefix, from, set) or the next one (token)."""
        if token:
            return self.request(verb="ListRecords", resumptionToken=token)
        return self.request(verb="ListRecords", metadataPrefix=metadata_prefix, set=set_spec,
                            **{"from": from_})
