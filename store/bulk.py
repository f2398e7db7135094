"""Bulk loads: the CPU work of preparing notices (generation, validation, hashing, rendering) runs in worker
processes while this process writes the prepared batches, one transaction each, in order. A task that renders
carries the store's renderers (`Database.renderers`, e.g. `functools.partial(prepare_batch, renderers=…)`):
worker processes render with the deployment's options, not the defaults.

On 2 cores this is what keeps `pop demo load` of a million notices within a small factor of a bare COPY.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from typing import Callable, Iterable, Iterator, TypeVar

from .db import Database
from .notices import PreparedNotice, WriteSummary, write_notices
from .packing import ensure_dictionaries

Task = TypeVar("Task")


def prepared_batches(prepare_batch: Callable[[Task], list], tasks: Iterable[Task],
                     workers: int | None = None) -> Iterator[list]:
    """Yield `prepare_batch(task)` for each task, in order, computed by `workers` processes (0: in-process)."""
    if workers is None:
        workers = os.cpu_count() or 1
    if workers <= 0:
        yield from map(prepare_batch, tasks)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    window: deque = deque()
    with context.Pool(workers) as pool:
        # At most 2 batches per worker in flight: results never pile up faster than they are written,
        # so memory stays flat whatever the size (Pool.imap would queue every task's result).
        for task in tasks:
            window.append(pool.apply_async(prepare_batch, (task,)))
            if len(window) >= 2 * workers:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


def write_batches(db: Database, batches: Iterable[list[PreparedNotice]],
                  progress: Callable[[int], None] | None = None) -> WriteSummary:
    """Write each batch in its own transaction; returns the sum of what they did."""
    total = WriteSummary()
    for batch in batches:
        with db.session() as session:
            total.add(write_notices(session, batch))
        ensure_dictionaries(db.engine, db.renderers.prefixes, db.packer)  # once a format has enough renditions
        if progress:
            progress(len(batch))
    ensure_dictionaries(db.engine, db.renderers.prefixes, db.packer, force=True)
    return total
