"""The OAI-PMH client: one request at a time, surviving what real partners do.

- 503 and 429 honour `Retry-After` (seconds or an HTTP date), capped by `max_retry_after`;
- timeouts, connection resets, truncated bodies and other 5xx are retried with bounded exponential
  backoff; after `max_attempts` the request fails with `HarvestError` saying what happened last;
- a gzip body is read whether or not the partner says so (hidden gzip), and every body is bounded
  (`max_response_bytes`, after decompression too) and must arrive whole within `page_deadline` seconds;
- a response that does not answer the request (no element of the verb asked, nor an <error>) is a broken
  page, retried like a truncated one;
- a descriptive User-Agent, and a timeout on every request.
Pages are read by `page.read_page`: records that are not well-formed come back with their problem.
"""
from __future__ import annotations

import random
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator

import requests
import urllib3

from .page import BrokenPage, Page, read_page

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


class OAIClient:
    """Requests to one OAI-PMH base URL."""

    def __init__(self, base_url: str, settings: ClientSettings | None = None,
                 sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] | None = None):
        self.base_url = base_url
        self.settings = settings or ClientSettings()
        self.sleep = sleep
        self.log = log or (lambda message: None)
        self.http = requests.Session()
        self.http.headers.update({"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip",
                                  "Accept": "text/xml, application/xml"})

    def close(self) -> None:
        self.http.close()

    # --- one request, with retries ---------------------------------------------------------------------
    def _fetch(self, params: dict[str, str]) -> bytes:
        limit = self.settings.max_response_bytes
        started = time.monotonic()
        try:
            response = self.http.get(self.base_url, params=params, timeout=self.settings.timeout, stream=True)
        except requests.Timeout:
            raise _Transient("timed out") from None
        except requests.ConnectionError as error:
            raise _Transient(f"connection failed ({type(error).__name__}: {str(error)[:120]})") from None
        except requests.RequestException as error:  # an invalid URL, a redirect loop: asking again won't help
            raise HarvestError(f"cannot ask {self.base_url} ({type(error).__name__}: {str(error)[:120]})") from None
        with response:
            if response.status_code in (429, 503):
                raise _Transient(f"HTTP {response.status_code}",
                                 retry_after_seconds(response.headers.get("Retry-After")))
            if response.status_code >= 500:
                raise _Transient(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise HarvestError(f"partner answered HTTP {response.status_code} for {response.url}")
            body = bytearray()
            # requests' timeout is per socket read: a partner sending a byte every few seconds never trips it.
            # So the body is read as it arrives (read1: one read at a time, whatever came) against a
            # wall-clock deadline for the whole response.
            deadline = started + self.settings.page_deadline
            raw = response.raw
            try:
                while chunk := raw.read1(65536, decode_content=True):
                    body += chunk
                    if len(body) > limit:
                        raise HarvestError(f"response larger than {limit} bytes (POP_HARVEST_MAX_RESPONSE_BYTES)")
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
            self.log(f"{params.get('verb')}: {last}; retrying in {wait:.1f}s (attempt {attempt + 1} of "
                     f"{self.settings.max_attempts})")
            self.sleep(wait)
        raise HarvestError(f"gave up on {params.get('verb')} after {self.settings.max_attempts} attempts: {last}")

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
