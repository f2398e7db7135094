"""Bulk loads: the CPU work of preparing notices (generation, validation, hashing, rendering) runs in worker
processes while this process writes the prepared batches, one transaction each, in order.

On 2 cores this is what keeps `pop demo load` of a million notices within a small factor of a bare COPY.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from typing import Callable, Iterable, Iterator, TypeVar

from formats.notice import Notice
from formats.registry import render_all

from .db import Database
from .store import PreparedNotice, WriteSummary, backlog_query, row_to_notice, store_rendered, write_notices

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
        if progress:
            progress(len(batch))
    return total


# --- the rendering backlog, rendered by worker processes ------------------------------------------------
def _backlog_reads(db: Database, batch_size: int) -> Iterator[list[tuple[str, Notice]]]:
    """The backlog in id order, a batch at a time, each notice with the fields hash it was read with."""
    after = 0
    while True:
        with db.session() as session:
            rows = session.scalars(backlog_query(after, batch_size)).all()
            batch = [(row.fields_hash, row_to_notice(row)) for row in rows]
        if not batch:
            return
        after = batch[-1][1].id
        yield batch


def _render_batch(batch: list[tuple[str, Notice]]) -> list[tuple[str, int, dict[str, str]]]:
    """In a worker process (pure): every rendition of each notice."""
    return [(fields_hash, notice.id, render_all(notice)) for fields_hash, notice in batch]


def render_backlog_in_parallel(db: Database, *, batch_size: int = 500, workers: int | None = None,
                               progress: Callable[[int], None] | None = None) -> int:
    """`store.render_pending` with the rendering done by `workers` processes (default: one per core) while
    this one stores what they rendered, batch by batch. A notice written again between its read and the
    store of its renditions (its fields hash moved) is left in the backlog for the next call, as is one
    being written right then (SKIP LOCKED). Returns how many notices were rendered."""
    db.dispose()  # worker processes are forked: they must not inherit open connections
    done = 0
    for rendered in prepared_batches(_render_batch, _backlog_reads(db, batch_size), workers):
        with db.session() as session:
            stored = store_rendered(session, rendered)
        done += stored
        if progress:
            progress(stored)
    return done
