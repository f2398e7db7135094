"""Find or start a Redis for the tests (as tests/pg.py does for PostgreSQL): POP_TEST_REDIS_URL, else the
machine's on 127.0.0.1:6379, else one started from the `redis-server` binary on a free port, stopped after."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

from .pg import free_port

DEFAULT_URL = "redis://127.0.0.1:6379/0"


class RedisUnavailable(RuntimeError):
    pass


def _answers(url: str, timeout: float = 0.5) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=timeout).ping()
    except redis.RedisError:
        return False
    return True


@contextmanager
def ensure_redis() -> Iterator[str]:
    """Yield the URL of a Redis that answers; RedisUnavailable when there is none and none can be started."""
    url = os.environ.get("POP_TEST_REDIS_URL", DEFAULT_URL)
    if _answers(url):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisUnavailable(f"no Redis answers at {url} and there is no redis-server to start one "
                               "(apt-get install redis-server, or set POP_TEST_REDIS_URL)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not _answers(url, timeout=0.2):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RedisUnavailable(f"the redis-server started on port {port} does not answer")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=5)


@contextmanager
def prefixed_redis(label: str) -> Iterator[tuple[str, str]]:
    """(URL, a key prefix of its own) of a Redis from `ensure_redis`; the prefix's keys are deleted after."""
    import redis

    with ensure_redis() as url:
        prefix = f"pop-{label}-{uuid.uuid4().hex[:8]}:"
        try:
            yield url, prefix
        finally:
            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)
