"""Measuring images: their media type and pixel size (what a IIIF Canvas needs), reading as few bytes as we can.

One image is one HTTP GET with `Range: bytes=0-65535`, read as a stream and closed after those bytes whatever the
server sends (a server that ignores Range and answers 200 with the whole body costs us no more); Pillow reads the
header lazily (`Image.open` decodes no pixel), so the first bytes are enough for JPEG, PNG, GIF, WebP and most
TIFFs. Only when the header lies further (large EXIF/XMP segments before a JPEG's frame header) is the request
repeated with a larger range, up to `max_header_bytes`.

What the world sends is hostile, and every outcome is a `Probe` value, never an exception:
- `measured`: the width, height and media type, with the file's size when the server says it;
- `failed`: a reason that will not change by asking again (HTTP 404, text/html, truncated, a decompression bomb
  — more than Pillow's `Image.MAX_IMAGE_PIXELS` —, a header beyond the bound, a redirect loop);
- `unreachable`: timeouts, resets, 5xx and 429 after `max_attempts` with backoff (store/images.py asks again later);
- `refused`: the address rules of partner URLs (harvest/addresses.py), checked at every redirect hop, each
  connection pinned to the address checked; the operator's image base is allowed by its host (the caller's
  `AddressPolicy`).

`probe_all` runs many probes with a small thread pool and at most `per_host` requests at once per host.
"""
from __future__ import annotations

import io
import random
import struct
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import requests
from PIL import Image, UnidentifiedImageError

from .addresses import AddressPolicy, AddressRefused, PinnedAdapter, Unresolvable

USER_AGENT = "POP-Open-Data-Server-image-probe/0.1 (+https://pop.culture.gouv.fr; IIIF manifests)"
MEASURED, FAILED, UNREACHABLE, REFUSED = "measured", "failed", "unreachable", "refused"
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRIED = {429, 500, 502, 503, 504}
# We compare sizes to MAX_IMAGE_PIXELS ourselves and answer `failed`; Pillow's warning would only be noise.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


@dataclass(frozen=True)
class ProbeSettings:
    first_bytes: int = 64 * 1024  # the first range asked
    max_header_bytes: int = 1024 * 1024  # the farthest an image's header may lie
    timeout: float = 10.0  # seconds, connect and each read
    max_attempts: int = 3
    backoff: float = 0.5  # first wait, doubled at each attempt, with jitter
    max_redirects: int = 5
    per_host: int = 2  # requests at once to one host
    workers: int = 8  # requests at once in all
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Probe:
    """What one image's probe found, and what it cost."""

    url: str
    status: str  # MEASURED, FAILED, UNREACHABLE or REFUSED
    reason: str | None = None
    media_type: str | None = None
    width: int | None = None
    height: int | None = None
    size: int | None = None  # bytes of the whole file, when the server says
    requests: int = 0
    bytes_read: int = 0


class _Fault(Exception):
    """A probe's end, with its status and reason."""

    def __init__(self, status: str, reason: str, retry: bool = True):
        super().__init__(reason)
        self.status, self.reason, self.retry = status, reason, retry


def _size_from(response: requests.Response) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length", "")
    return int(length) if response.status_code == 200 and length.isdigit() else None


def _read_header(data: bytes) -> tuple[str | None, int, int] | None:
    """(media type, width, height) from an image's first bytes; None when they do not hold the header."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return Image.MIME.get(image.format or ""), image.width, image.height
    except Image.DecompressionBombError as error:
        raise _Fault(FAILED, f"decompression bomb: {error}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        return None



class Prober:
    """Probes images one by one with its own HTTP session (one per thread: `probe_all`)."""

    def __init__(self, settings: ProbeSettings = ProbeSettings(), policy: AddressPolicy = AddressPolicy()):
        self.settings, self.policy = settings, policy
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self.adapter = PinnedAdapter()
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        self.requests = self.bytes_read = 0

    def probe(self, url: str) -> Probe:
        self.requests = self.bytes_read = 0
        try:
            return self._measure(url)
        except _Fault as fault:
            return Probe(url, fault.status, fault.reason, requests=self.requests, bytes_read=self.bytes_read)
        except Exception as error:  # noqa: BLE001 - an image is data: nothing it does may stop the probe
            return Probe(url, FAILED, f"unexpected: {type(error).__name__}: {error}"[:500],
                         requests=self.requests, bytes_read=self.bytes_read)

    def _measure(self, url: str) -> Probe:
        wanted = self.settings.first_bytes
        while True:
            data, media, size, whole = self._fetch(url, wanted)
            header = _read_header(data)
            if header is not None:
                mime, width, height = header
                if width * height > Image.MAX_IMAGE_PIXELS:
                    raise _Fault(FAILED, f"decompression bomb: {width}x{height} pixels, more than "
                                         f"{Image.MAX_IMAGE_PIXELS}")
                if width <= 0 or height <= 0:
                    raise _Fault(FAILED, f"no pixels: {width}x{height}")
                return Probe(url, MEASURED, None, mime or media, width, height, size,
                             self.requests, self.bytes_read)
            if whole:
                raise _Fault(FAILED, f"truncated or unreadable image ({len(data)} bytes)")
            if wanted >= self.settings.max_header_bytes:
                raise _Fault(FAILED, f"no image header in the first {wanted} bytes")
            wanted = min(wanted * 4, self.settings.max_header_bytes)

    def _fetch(self, url: str, wanted: int) -> tuple[bytes, str, int | None, bool]:
        """The first `wanted` bytes of the image (following redirects, retrying transient failures), its
        declared media type, its size if known, and whether they are the whole file."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._fetch_once(url, wanted)
            except _Fault as fault:
                if fault.status != UNREACHABLE or not fault.retry or attempt >= self.settings.max_attempts:
                    raise
                wait = self.settings.backoff * 2 ** (attempt - 1) * (0.5 + random.random() / 2)
                time.sleep(wait)

    def _fetch_once(self, url: str, wanted: int) -> tuple[bytes, str, int | None, bool]:
        seen: list[str] = []
        current = url
        while True:
            try:
                self.adapter.pin(self.policy.admit(current, timeout=self.settings.timeout))
            except AddressRefused as error:
                raise _Fault(REFUSED, str(error)) from None
            except Unresolvable as error:  # no address now: asked again after recheck_after, not in a loop
                raise _Fault(UNREACHABLE, str(error), retry=False) from None
            self.requests += 1
            try:
                response = self.session.get(current, headers={"Range": f"bytes=0-{wanted - 1}"}, stream=True,
                                            allow_redirects=False, timeout=self.settings.timeout)
            except requests.RequestException as error:
                raise _Fault(UNREACHABLE, f"{type(error).__name__}: {error}"[:300]) from None
            with response:
                if response.status_code in _REDIRECTS:
                    seen.append(current)
                    location = response.headers.get("Location")
                    if not location:
                        raise _Fault(FAILED, f"HTTP {response.status_code} without a Location")
                    current = urljoin(current, location)
                    if current in seen:
                        raise _Fault(FAILED, "redirect loop")
                    if len(seen) > self.settings.max_redirects:
                        raise _Fault(FAILED, f"more than {self.settings.max_redirects} redirects")
                    continue
                if response.status_code in _RETRIED:
                    raise _Fault(UNREACHABLE, f"HTTP {response.status_code}")
                if response.status_code not in (200, 206):
                    raise _Fault(FAILED, f"HTTP {response.status_code}")
                media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if not media.startswith("image/"):
                    raise _Fault(FAILED, f"not an image: {media or 'no Content-Type'}")
                data = self._read(response, wanted)
                size = _size_from(response)
                whole = len(data) < wanted or (size is not None and len(data) >= size)
                return data, media, size, whole

    def _read(self, response: requests.Response, wanted: int) -> bytes:
        """At most `wanted` bytes of the body, then stop: a server ignoring Range cannot make us read more."""
        chunks, got = [], 0
        try:
            for chunk in response.iter_content(chunk_size=min(wanted, 16 * 1024)):
                chunks.append(chunk[: wanted - got])
                got += len(chunks[-1])
                if got >= wanted:
                    break
        except requests.RequestException as error:
            raise _Fault(UNREACHABLE, f"read: {type(error).__name__}: {error}"[:300]) from None
        finally:
            self.bytes_read += got
        return b"".join(chunks)


def probe_all(urls: Iterable[str], settings: ProbeSettings = ProbeSettings(),
              policy: AddressPolicy = AddressPolicy()) -> Iterator[Probe]:
    """Probe every URL (results in the order of `urls`), `settings.workers` at once, `per_host` per host."""
    hosts: dict[str, threading.BoundedSemaphore] = {}
    lock = threading.Lock()
    local = threading.local()

    def one(url: str) -> Probe:
        host = (urlsplit(url).netloc or "").lower()
        with lock:
            gate = hosts.setdefault(host, threading.BoundedSemaphore(settings.per_host))
        prober = getattr(local, "prober", None)
        if prober is None:
            prober = local.prober = Prober(settings, policy)
        with gate:
            return prober.probe(url)

    with ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="image-probe") as pool:
        yield from pool.map(one, urls)
