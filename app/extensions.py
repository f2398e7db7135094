"""Flask extensions and per-process resources, created unbound here and attached in the factory.

- `cache`: flask-caching (Redis when `POP_CACHE_URL` says so, else in-process). A cache is an optimisation,
  never a dependency: `CacheGuard` is what the OAI repository reports cache failures to (logged, counted in
  `pop_cache_errors_total`), and it leaves a failing cache alone for a few seconds so that a dead Redis costs
  one short timeout now and then, not one per request. `cache_state()` is what /readyz says of it.
- `ConcurrencyLimit`: a per-process bound on concurrent work (OAI-PMH lists), whose slots are released when
  a streamed response closes.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from flask_caching import Cache

from .metrics import CACHE_ERRORS
from .settings import Settings

cache = Cache()
log = logging.getLogger("pop.cache")

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def init_cache(app: Flask, settings: Settings) -> None:
    if settings.cache_url and settings.cache_url.startswith(_REDIS_SCHEMES):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        timeout = settings.cache_socket_timeout_ms / 1000
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.cache_url,
                  "CACHE_KEY_PREFIX": settings.cache_key_prefix,
                  # redis-py retries ten times with backoff by default: seconds per call on a dead server.
                  "CACHE_OPTIONS": {"socket_timeout": timeout, "socket_connect_timeout": timeout,
                                    "retry": Retry(NoBackoff(), 0)}}
        backend = "redis"
    elif settings.env == "testing":
        config = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
        backend = "none"
    else:
        config = {"CACHE_TYPE": "SimpleCache"}
        backend = "in-process"
    config["CACHE_DEFAULT_TIMEOUT"] = 3600
    # One Cache object serves every app of the process (tests build many): each app keeps its own backend,
    # and its own guard.
    cache.init_app(app, config=config)
    app.extensions["pop.cache_guard"] = CacheGuard(backend)


class CacheGuard:
    """The health of one app's cache, as its users see it: after a failure, `available()` is false for
    `pause` seconds (the cache is skipped, answers are computed without it), then the cache is tried again."""

    def __init__(self, backend: str, pause: float = 5.0):
        self.backend = backend
        self.pause = pause
        self._skip_until = 0.0

    def available(self) -> bool:
        return time.monotonic() >= self._skip_until

    def failed(self, operation: str, error: Exception) -> None:
        """A cache call raised: log it (structured), count it, and leave the cache alone for a while."""
        CACHE_ERRORS.labels(operation=operation).inc()
        log.warning("cache.error", extra={"operation": operation, "error": type(error).__name__,
                                          "detail": str(error)[:200], "backend": self.backend,
                                          "skipped_for_seconds": self.pause})
        self._skip_until = time.monotonic() + self.pause


class GuardedCache:
    """The cache as the OAI repository (store/oai.py) sees it: skipped while its guard says it failed."""

    def __init__(self, backend: Any, guard: CacheGuard):
        self.backend = backend
        self.guard = guard

    def get(self, key: str) -> Any:
        return self.backend.get(key) if self.guard.available() else None

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        if self.guard.available():
            self.backend.set(key, value, timeout=timeout)


def guarded_cache(app: Flask) -> GuardedCache:
    return GuardedCache(cache, app.extensions["pop.cache_guard"])


def cache_state(app: Flask) -> dict:
    """What /readyz reports of the cache: its backend and whether it answers now (a read of a missing key)."""
    guard: CacheGuard = app.extensions["pop.cache_guard"]
    try:
        cache.get("readyz:probe")
    except Exception as error:  # noqa: BLE001 - any failure of the probe is "unavailable"
        return {"state": "unavailable", "backend": guard.backend, "error": type(error).__name__}
    return {"state": "ok", "backend": guard.backend}


class ConcurrencyLimit:
    """At most `size` holders at once in this process; `try_acquire` never waits (the caller answers 503)."""

    def __init__(self, size: int):
        self.size = size
        self._slots = threading.BoundedSemaphore(size)

    def try_acquire(self) -> "Slot | None":
        return Slot(self._slots) if self._slots.acquire(blocking=False) else None


class Slot:
    """One acquired slot; `release()` may be called any number of times (a streamed body's `finally` and the
    response's close both call it), the semaphore is released once."""

    def __init__(self, semaphore: threading.BoundedSemaphore):
        self._semaphore = semaphore
        self._lock = threading.Lock()
        self._held = True

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._semaphore.release()
