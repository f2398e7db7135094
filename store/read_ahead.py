"""Read-ahead for OAI-PMH lists: the next page of a list, read from the database while the page before it is
sent and the harvester reads it, so that the next request finds its rows waiting.

A harvester cannot ask for page N+1 before it has read page N to its end (the token is the last element), so
a worker that reads each page when asked leaves the database idle while it writes the page, and itself idle
while the database reads the next one. `ReadAhead` holds the reads started for the pages most likely asked
next (store/oai.py starts one when it reads a full page: the page after its last item sent), by key, for a
short while. A page found here is the rows a read at that moment would have given, read a few milliseconds
earlier: the list's `until` is frozen in its token and every notice in the window is committed by then
(`POP_OAI_COMMIT_LAG`, docs/oaipmh.md), so the same rows, but for a notice changed in between — served as it
was, and again, changed, by the next incremental harvest, as with any harvest a moment earlier.

Only PostgreSQL reads ahead (reads run in threads, each on a pooled connection of its own). A read that
failed, or is not asked for within `lifetime` seconds, is dropped: the request reads its page itself.
Per process (each gunicorn worker its own threads): a list whose pages go to another node or worker reads
ahead for nothing (one page read twice), so a cluster behind a round-robin balancer may turn it off
(`POP_OAI_READ_AHEAD`).
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Hashable, Sequence

SIZE = 8  # reads kept at most (each holds a page of rows once done)
LIFETIME = 30.0  # seconds a read waits for its request
THREADS = 2  # reading threads of a process, shared by its apps
_threads: dict[int, ThreadPoolExecutor] = {}  # by process id: a forked process makes its own
_threads_lock = threading.Lock()


def _reader_threads() -> ThreadPoolExecutor:
    with _threads_lock:
        executor = _threads.get(os.getpid())
        if executor is None:
            executor = _threads[os.getpid()] = ThreadPoolExecutor(THREADS, thread_name_prefix="pop-oai-read-ahead")
        return executor


class ReadAhead:
    """Reads started ahead of their requests, by key, least recent dropped beyond `size`; thread-safe."""

    def __init__(self, size: int = SIZE, lifetime: float = LIFETIME):
        self.size, self.lifetime = size, lifetime
        self.started = self.used = 0  # reads started, and found by their request (tests, docs/benchmarks.md)
        self._reads: OrderedDict[Hashable, tuple[float, Future]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, key: Hashable, read: Callable[[], Sequence[Any]]) -> None:
        """Run `read()` in a thread, for the request of `key` (unless one already runs for it)."""
        now = time.monotonic()
        with self._lock:
            if key in self._reads:
                return
            while self._reads and (len(self._reads) >= self.size or next(iter(self._reads.values()))[0] < now):
                self._reads.popitem(last=False)
            self._reads[key] = (now + self.lifetime, _reader_threads().submit(read))
            self.started += 1

    def take(self, key: Hashable) -> Sequence[Any] | None:
        """The rows read ahead for `key` (waiting for a read still running), once; None when there are none,
        they are too old, or the read failed (the caller reads them itself, and meets the error if it lasts)."""
        with self._lock:
            found = self._reads.pop(key, None)
        if found is None or found[0] < time.monotonic():
            return None
        try:
            rows = found[1].result()
        except Exception:  # noqa: BLE001 - the request's own read raises it, if it is not a passing one
            return None
        with self._lock:
            self.used += 1
        return rows

    def settle(self) -> None:
        """Wait for the reads started to end (tests: a read ahead that has run, whatever the machine's load)."""
        with self._lock:
            running = [future for _, future in self._reads.values()]
        for future in running:
            future.exception()

    def clear(self) -> None:
        """Forget every read (those running finish in their thread, and are dropped)."""
        with self._lock:
            self._reads.clear()
