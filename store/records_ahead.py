"""Read-ahead for harvesters that walk a list one GetRecord at a time: Europeana's Metis asks ListIdentifiers,
then a GetRecord of each identifier in the list's order, so every record costs it a request and the worker a
database round trip.

GetRecord's statement also names the notice after the one it reads in its base's list order ((datestamp, id):
the order of ListIdentifiers with the base's set). A GetRecord of that notice next is a walk down the list: it
reads the notice with the `batch` notices after it, in one statement (store/oai.py), and the requests of those
are answered from the rows kept here, without a round trip; the last notice of a batch is only expected, so
that its GetRecord reads the next batch. A GetRecord of anything else (random access, another order) costs what
it did: one statement, one row.

A row kept here is the notice as it was read, up to `lifetime` seconds before its GetRecord (after that it is
dropped, and read again): a notice changed in that while is sent as it was, and sent again, changed, by the
next incremental harvest — as if the harvester had asked for it those seconds earlier. Per process, for every
database alike (keyed by the engine, the base and the format); bounded: at most `walks` walks at once, each its
one expected notice and one batch of rows. Walks whose requests go to several workers (a balancer without
affinity) are seen by none of them: each GetRecord is read alone, as without read-ahead.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Hashable, Sequence

BATCH = 64  # notices read with the first of a batch (a GetRecord of the next ones needs no statement)
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
        """The position of the notice read before `ref` when `ref` was its successor (a walk arrives at it),
        once; None if `ref` was not expected, or no longer."""
        with self._lock:
            found = self._expected.pop((scope, ref), None)
        return found[1] if found is not None and found[0] >= time.monotonic() else None

    def expect(self, scope: Scope, ref: str, after: Position) -> None:
        """`ref` follows the notice at `after` (just read): a GetRecord of it would be a walk."""
        with self._lock:
            self._expected[(scope, ref)] = (time.monotonic() + self.lifetime, after)
            self._expected.move_to_end((scope, ref))
            while len(self._expected) > self.walks:
                self._expected.popitem(last=False)

    def keep(self, scope: Scope, rows: Sequence[Any], ref_of, position_of) -> None:
        """The rows of a batch after the one asked for: all kept but the last, which is expected (its
        GetRecord reads the next batch); a batch that is not full is the end of its list."""
        deadline = time.monotonic() + self.lifetime
        full = len(rows) >= self.batch
        kept = rows[:-1] if full else rows
        with self._lock:
            self.batches += 1
            for row in kept:
                self._rows[(scope, ref_of(row))] = (deadline, row)
                self._rows.move_to_end((scope, ref_of(row)))
            while len(self._rows) > self.walks * self.batch:
                self._rows.popitem(last=False)
        if full and len(rows) > 1:
            self.expect(scope, ref_of(rows[-1]), position_of(rows[-2]))

    def clear(self) -> None:
        with self._lock:
            self._expected.clear()
            self._rows.clear()
