"""Answers kept in a shared cache until the next write. Their keys carry the store version (store_state.version,
bumped in the transaction of every write that changes what is published or counted: store/notices.bump_state),
so a write on any node makes every node's next read miss, and entries of old versions just expire. Callers read
the version *before* computing, so an entry is never older than its key.

The cache is an optimisation, never a dependency: a `get` or `set` that raises (Redis down, a timeout) is reported
to `on_error(operation, error)` and the answer is computed from the database as if nothing were cached. `cache` is
anything with `get(key)` and `set(key, value, timeout=…)` (flask-caching's, cachelib's); values are pickled by
the Redis backend, so they are plain data.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_log = logging.getLogger("pop.store.cache")


def cached(cache: Any, key: str, compute: Callable[[], T], *, timeout: int,
           on_error: Callable[[str, Exception], None] | None = None) -> T:
    """The value kept under `key`, else `compute()` (then kept for `timeout` seconds). A failing cache is
    reported to `on_error` (default: a warning in the log)."""
    on_error = on_error or _log_error
    try:
        value = cache.get(key)
    except Exception as error:  # noqa: BLE001 - whatever the cache raises, the database still answers
        on_error("get", error)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=timeout)
        except Exception as error:  # noqa: BLE001 - as above: the value is computed, only not kept
            on_error("set", error)
    return value


def _log_error(operation: str, error: Exception) -> None:
    _log.warning("cache.error", extra={"operation": operation, "error": type(error).__name__})
