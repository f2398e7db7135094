"""Read-ahead for harvesters that walk a list one GetRecord at a time: Europeana's Metis asks ListIdentifiers,
then a GetRecord of each identifier in the list's order, so every record costs it a request and the worker a
database round trip.

GetRecord's statement also names the `WINDOW` notices after the one it reads in its base's list order
((datestamp, id): the order of ListIdentifiers with the base's set). A GetRecord of one of those next is a walk
down the list (the window lets a walk whose requests are spread over several workers, or sent by several
threads a little out of order, be seen by each worker): it reads the notices after the one that expected it, a
batch of `batch` and a window more, in one statement (store/oai.py). The requests of the batch's notices are
answered from the rows kept here, without a round trip, and the window after the batch is expected, so that the
GetRecord of one of those reads the next batch. A GetRecord of anything else (random access, another order)
costs what it did: one statement, one row (and the refs of its window).

A row kept here is the notice as it was read, up to `lifetime` seconds before its GetRecord (after that it is
dropped, and read again): a notice changed in that while is sent as it was, and sent again, changed, by the
next incremental harvest — as if the harvester had asked for it those seconds earlier. Per process, for every
database alike (keyed by the engine, the base and the format); bounded: at most `walks` walks at once, each its
one window of expected notices and one batch of rows. A walk spread over W workers is read by each of them, a
batch at a time: W reads of each notice, in batches, rather than one statement a record.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Hashable, Sequence

BATCH = 64  # notices kept from a walk's read (a GetRecord of them needs no statement)
WINDOW = 8  # notices after the one read whose GetRecord next is taken for a walk
LIFETIME = 10.0  # seconds a row read ahead may wait for its GetRecord
WALKS = 16  # walks followed at once in a process

Scope = Hashable  # what a walk is in: the database, the base, the format
Position = tuple[Any, Any]  # a notice's (datestamp, id): where its list goes on


class RecordsAhead:
    """The notices expected next (by scope and ref: the position of the notice before each) and the rows read
    ahead (by scope and ref); least recent dropped beyond their bounds; thread-safe."""

    def __init__(self, batch: int = BATCH, lifetime: float = LIFETIME, walks: int = WALKS):
        self.batch, self.lifetime, self.walks = batch, lifetime, walks
        self.batches = self.used = 0  # batches read, rows found by their GetRecord (tests, docs/benchmarks.md)
        self._expected: OrderedDict[tuple[Scope, str], tuple[float, Position]] = OrderedDict()
        self._rows: OrderedDict[tuple[Scope, str], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, scope: Scope, ref: str) -> Any | None:
        """The row read ahead for `ref` in `scope`, once; None if there is none or it is too old."""
        with self._lock:
            found = self._rows.pop((scope, ref), None)
            if found is None or found[0] < time.monotonic():
                return None
            self.used += 1
            return found[1]

    def walked_to(self, scope: Scope, ref: str) -> Position | None:
        """The position of the notice read before `ref` when `ref` was in its window (a walk arrives at it),
        once; None if `ref` was not expected, or no longer."""
        with self._lock:
            found = self._expected.pop((scope, ref), None)
        return found[1] if found is not None and found[0] >= time.monotonic() else None

    def expect(self, scope: Scope, refs: Sequence[str], after: Position) -> None:
        """`refs` follow the notice at `after` (just read): a GetRecord of one of them would be a walk."""
        deadline = time.monotonic() + self.lifetime
        with self._lock:
            for ref in refs:
                self._expected[(scope, ref)] = (deadline, after)
                self._expected.move_to_end((scope, ref))
            while len(self._expected) > self.walks * WINDOW:
                self._expected.popitem(last=False)

    def keep(self, scope: Scope, rows: Sequence[Any], asked: str, ref_of, position_of) -> None:
        """The rows of a walk's read (`asked` among them, answered now): the first `batch` kept, the window
        after them expected (a GetRecord of one of those reads on); fewer is the end of the list."""
        deadline = time.monotonic() + self.lifetime
        with self._lock:
            self.batches += 1
            for row in rows[:self.batch]:
                key = (scope, ref_of(row))
                if key[1] != asked:
                    self._rows[key] = (deadline, row)
                    self._rows.move_to_end(key)
            while len(self._rows) > self.walks * self.batch:
                self._rows.popitem(last=False)
        if len(rows) > self.batch:
            self.expect(scope, [ref_of(row) for row in rows[self.batch:] if ref_of(row) != asked],
                        position_of(rows[self.batch - 1]))

    def clear(self) -> None:
        with self._lock:
            self._expected.clear()
            self._rows.clear()
