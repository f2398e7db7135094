"""The run's reader: fetches a page at a checkpoint, maps its records into notices, tombstones and issues
(`map_page`, pure), and does it beside the run — in a thread, or in a process forked for the run that also
reads the next page ahead — so network, XML parsing and validation overlap the database writes.

The run (harvest/runner.py) asks for pages by checkpoint and commits them; only commits advance a run, so a
page read ahead and never asked for is simply dropped.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Callable, Sequence

from formats.bases import Base, get_base
from formats.notice import Fingerprint, InvalidNotice, Notice, fingerprint, validate_notice
from formats.registry import get_format

from .client import OAIClient
from .dates import utc_datestamp
from .mappings import Mapping, MappingError, get_mapping, map_record, ref_from_identifier
from .page import Page, RawRecord
from .partner import PartnerConfig
from .refs import MINT, mint_scheme
from .provenance import Origin, public_base_url

if TYPE_CHECKING:
    from .runner import Checkpoint


@dataclass(frozen=True)
class Issue:
    """A record the run could not store, with the reason and the XML as received."""

    identifier: str | None
    reason: str
    raw: str | None


@dataclass
class PageOutcome:
    """What one page asks of the store, once mapped: the last word on each REF wins.

    For a partner whose REFs POP mints (`minted`), notices carry a provisional REF and every key below is a
    source identifier instead of a REF, deletions too: the store (store/minted_refs.py) assigns the REFs,
    re-keys the page and computes the prints."""

    minted: bool = False
    notices: list[Notice] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)  # REFs
    source_datestamps: dict[str, str] = field(default_factory=dict)  # REF → partner's datestamp, in UTC
    issues: list[Issue] = field(default_factory=list)
    records: dict[str, RawRecord] = field(default_factory=dict)  # REF → its record (to quarantine conflicts)
    # REF → the notice's canonical JSON and hashes, computed with the mapping (in the reader: off the
    # process that writes)
    prints: dict[str, Fingerprint] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)  # REF → where its record comes from (provenance)


def map_page(records: Sequence[RawRecord], partner: PartnerConfig, base: Base, mapping: Mapping) -> PageOutcome:
    """Records → notices to write, REFs to delete, issues to quarantine (pure)."""
    minted = partner.refs == MINT
    provisional = mint_scheme(base).provisional if minted else None
    outcome = PageOutcome(minted=minted)
    actions: dict[str, tuple[str, Notice | None, RawRecord]] = {}
    base_url = public_base_url(partner.url)
    known = get_format(partner.metadata_prefix) or get_format(partner.mapping_name)
    namespace = known.namespace if known else None  # for a record whose metadata has no namespace
    for record in records:
        if record.problem:
            outcome.issues.append(Issue(record.identifier, record.problem, record.raw))
            continue
        if not record.identifier:
            outcome.issues.append(Issue(None, "record has no identifier", record.raw))
            continue
        # the page's key of the record: its REF, or its source identifier when POP mints the REF
        ref = record.identifier if minted else ref_from_identifier(record.identifier, base)
        if record.deleted:
            actions.pop(ref, None)
            actions[ref] = ("delete", None, record)
            continue
        try:
            if record.metadata is None:
                raise MappingError("record has no metadata")
            fields = map_record(mapping, record.metadata, base, record.identifier, provisional)
            notice = validate_notice(base, fields, source=partner.name, source_identifier=record.identifier,
                                     licence=partner.licence)
        except MappingError as error:
            outcome.issues.append(Issue(record.identifier, f"cannot map: {error}", record.raw))
            continue
        except InvalidNotice as error:
            outcome.issues.append(Issue(record.identifier, f"invalid notice: {error.reason}", record.raw))
            continue
        key = ref if minted else notice.ref
        actions.pop(key, None)
        actions[key] = ("upsert", notice, record)
    for ref, (action, notice, record) in actions.items():
        outcome.records[ref] = record
        # Provenance only: a datestamp that is not a date is dropped, never a reason to refuse the record
        datestamp = utc_datestamp(record.datestamp)
        if datestamp:
            outcome.source_datestamps[ref] = datestamp
        if action == "delete":
            outcome.deletions.append(ref)
        else:
            outcome.notices.append(notice)
            if not minted:  # a minted REF changes the fields: the store prints those notices
                outcome.prints[ref] = fingerprint(base, notice.fields)
            outcome.origins[ref] = Origin(base_url, record.namespace or namespace, record.provenance)
    return outcome


def read_and_map(client: OAIClient, partner: PartnerConfig, base: Base, mapping: Mapping, from_date: str | None,
                 at: "Checkpoint") -> tuple[Page, PageOutcome]:
    """Fetch the page at a checkpoint and map its records."""
    sets: tuple[str | None, ...] = partner.sets or (None,)
    page = client.list_records(token=at.token, metadata_prefix=partner.metadata_prefix, from_=from_date,
                               set_spec=sets[at.set_index])
    return page, map_page(page.records, partner, base, mapping)


_reader: Callable[["Checkpoint"], tuple[Page, PageOutcome]] | None = None  # in a reader process
_reading: ThreadPoolExecutor | None = None  # where a reader process reads (one thread: one HTTP session)
# The pages read ahead (by position) and not yet asked for, in the order of the chain; the chain's last read
# and its checkpoint; the tokens of the chain so far. Shared by the process's two threads, under _lock.
AHEAD = 2
_ahead: dict[tuple, Future] = {}
_last: tuple[Future, "Checkpoint"] | None = None
_tokens_read: set[str] = set()
_lock = threading.RLock()


def _start_reader(client: OAIClient, partner: PartnerConfig, from_date: str | None, parent: int) -> None:
    global _reader, _reading
    _die_with(parent)
    _reader = partial(read_and_map, client, partner, get_base(partner.base), get_mapping(partner.mapping_name),
                      from_date)
    _reading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="harvest-read")


def _die_with(parent: int) -> None:
    """A reader must not outlive its run's process (killed with SIGKILL, say): it holds copies of the run's
    file descriptors, the partner's lock among them. On Linux the kernel kills it when the parent dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the reader then ends when its call queue closes
        pass
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def _read_one(at: "Checkpoint") -> tuple[Page, PageOutcome]:
    page, outcome = _reader(at)
    return page.detach(), outcome


def _read_detached(at: "Checkpoint") -> tuple[Page, PageOutcome]:
    """In the reader process: the page at `at` and its outcome, without lxml trees, to be pickled back. The
    pages that follow (same set, by their resumption tokens) are read ahead, up to AHEAD of them, while the run
    commits this one: the reader is not idle when the run takes longer over one page than over the next. A
    page asked for at another checkpoint (a window restarted, a new set) starts a new chain, and what was read
    ahead is dropped; an error while reading a page ahead is raised when that page is asked for."""
    global _last
    with _lock:
        while _ahead and at.position in _ahead:  # pages of the chain before the one asked for are not wanted
            position, reading = next(iter(_ahead.items()))
            del _ahead[position]
            if position == at.position:
                break
            reading.cancel()
        else:
            reading = None
        if reading is None:  # a new chain of pages (the run's first, a new set, a restarted window)
            for stale in _ahead.values():
                stale.cancel()
            _ahead.clear()
            _tokens_read.clear()
            reading = _reading.submit(_read_one, at)
            _last = (reading, at)
            reading.add_done_callback(_extend)
        _extend()
    return reading.result()


def _extend(_done: Future | None = None) -> None:
    """Read the page after the chain's last one, when that one is read, had a token not seen in this chain
    (never read ahead into a token loop) and fewer than AHEAD pages wait to be asked for. Called when a read
    ends (in the reading thread) and when a page is taken."""
    global _last
    with _lock:
        if _last is None or not _last[0].done() or len(_ahead) >= AHEAD:
            return
        done, at = _last
        if done.cancelled() or done.exception() is not None:
            return
        token = done.result()[0].token
        if not token or token in _tokens_read:
            return
        _tokens_read.add(token)
        following = type(at)(at.set_index, token)  # only its position matters to the reader
        reading = _reading.submit(_read_one, following)
        _ahead[following.position] = reading
        _last = (reading, following)
    reading.add_done_callback(_extend)


def reader_executor(kind: str, client: OAIClient, partner: PartnerConfig, base: Base, mapping: Mapping,
                    from_date: str | None) -> tuple[Executor, Callable[["Checkpoint"], tuple[Page, PageOutcome]]]:
    """Where the run's pages are read ("process" or "thread") and the function that reads one."""
    if kind == "process" and "fork" in multiprocessing.get_all_start_methods():
        # fork: the reader inherits the client as it is (settings, session, log callback), nothing to rebuild
        executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_start_reader, initargs=(client, partner, from_date, os.getpid()))
        return executor, _read_detached
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"harvest-{partner.name}")
    return executor, partial(read_and_map, client, partner, base, mapping, from_date)


def stop_reader(executor: Executor) -> None:
    """Stop the reader now: a prefetch in flight is not waited for. A reader process is terminated and
    reaped before the run returns, so nothing it inherited (the partner's lock file) outlives the run."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
