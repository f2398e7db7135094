"""Who may use the admin API: bearer tokens (store/tokens.py), their scopes, and a brake on guessing.

Every request needs `Authorization: Bearer <token>`: none, or an unknown or revoked token, is a 401; a
`read` token asking for a change (any method but GET, HEAD, OPTIONS) is a 403. A client address that sent
`POP_ADMIN_AUTH_FAILURES` wrong tokens within a minute gets 429 (with `Retry-After`) for everything until the
oldest of them is a minute old — a right token included, or the 429s would tell a guesser when it guessed.
The count is per process (each worker keeps its own window) and keyed by `request.remote_addr`: behind a
reverse proxy that is the proxy, unless the app is wrapped in werkzeug's ProxyFix (docs/admin-api.md).
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from typing import Callable

from flask import Flask, current_app, request

from store.tokens import authenticate

from .. import pop
from .admin_http import problem

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXTENSION = "pop.admin_throttle"


class FailureThrottle:
    """At most `limit` failures per `window` seconds per client (a sliding window of failure times), in
    memory bounded by `max_clients` (the clients that failed longest ago are forgotten first)."""

    def __init__(self, limit: int, window: float = 60.0, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.max_clients, self.clock = limit, window, max_clients, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers run requests of one process side by side

    def _recent(self, client: str, now: float) -> deque[float] | None:
        failures = self._failures.get(client)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if failures is not None and not failures:
            del self._failures[client]
            return None
        return failures

    def retry_after(self, client: str) -> int | None:
        """Whole seconds before `client` may try again, or None when it may now."""
        if self.limit <= 0:
            return None
        with self._lock:
            now = self.clock()
            failures = self._recent(client, now)
            if failures is None or len(failures) < self.limit:
                return None
            return max(1, math.ceil(failures[-self.limit] + self.window - now))

    def failed(self, client: str) -> None:
        if self.limit <= 0:
            return
        with self._lock:
            now = self.clock()
            failures = self._recent(client, now) or self._failures.setdefault(client, deque())
            failures.append(now)
            self._failures.move_to_end(client)
            while len(failures) > self.limit:  # older ones no longer decide anything
                failures.popleft()
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)


def init_throttle(app: Flask) -> None:
    app.extensions[EXTENSION] = FailureThrottle(app.extensions["pop"].settings.admin_auth_failures)


def _unauthorized(detail: str, error: str | None = None):
    challenge = 'Bearer realm="pop-admin"' + (f', error="{error}"' if error else "")
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def check_request():
    """A before_request hook: None to let the request through, or the problem that refuses it."""
    throttle: FailureThrottle = current_app.extensions[EXTENSION]
    client = request.remote_addr or "unknown"
    wait = throttle.retry_after(client)
    if wait is not None:
        return problem(429, f"too many wrong tokens from {client}; try again in {wait} s",
                       headers={"Retry-After": str(wait)})
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return _unauthorized("send Authorization: Bearer <token> (create one with `pop token create`)")
    with pop().db.session() as session:
        token = authenticate(session, value)
    if token is None:
        throttle.failed(client)
        return _unauthorized("unknown or revoked token", "invalid_token")
    if request.method not in READ_METHODS and not token.may_change:
        return problem(403, f"token {token.name!r} has the {token.scope} scope: it may read, not change "
                            "(create an admin token with `pop token create NAME --scope admin`)")
    return None
