"""A harvest run: pages from the client, mapped into notices, committed page by page through a storage.

The storage (`HarvestStorage`, implemented in SQL by store/harvest_storage.py) commits each page's notices,
tombstones, quarantined records, counters and the next checkpoint in ONE transaction. So a run killed at
any point resumes from its last committed page — nothing lost, nothing applied twice — and its counters
end where an uninterrupted run's would.

Rules: `from` = first responseDate of the last successful run minus an overlap, at the partner's
granularity (a full run has no `from`); `badResumptionToken` mid-run restarts the current window (same
`from`, same set), not the world; a token that comes back is a loop and fails the run; a run of empty
pages that still carry tokens fails the run after `max_empty_pages`.
"""
from __future__ import annotations

import ctypes
import json
import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Callable, Protocol, Sequence

from formats.bases import Base, get_base
from formats.notice import Fingerprint, InvalidNotice, Notice, fingerprint, validate_notice
from formats.outcomes import Tally

from .client import BadResumptionToken, HarvestError, OAIClient
from .mappings import Mapping, MappingError, get_mapping, map_record, ref_from_identifier
from .page import Page, RawRecord
from .partner import PartnerConfig
from .schedule import SECONDS, incremental_from


log = logging.getLogger("pop.harvest")


@dataclass(frozen=True)
class Checkpoint:
    """Where a run stands: which of the partner's sets, and the token of the next page (None: its first)."""

    set_index: int = 0
    token: str | None = None

    def encode(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | None) -> "Checkpoint":
        if not text:
            return cls()
        data = json.loads(text)
        return cls(set_index=int(data.get("set_index", 0)), token=data.get("token") or None)


@dataclass
class Counters(Tally):
    """A run's tally of notices (the store's counts, added page by page), with its pages and quarantine."""

    pages: int = 0
    quarantined: int = 0

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged + self.deleted + self.quarantined

    def line(self) -> str:
        return (f"created: {self.created}, updated: {self.updated}, unchanged: {self.unchanged}, "
                f"deleted: {self.deleted}, quarantined: {self.quarantined}")


@dataclass
class RunState:
    run_id: int
    from_date: str | None
    response_date: str | None
    checkpoint: Checkpoint
    counters: Counters
    full: bool = False
    resumed: bool = False


@dataclass(frozen=True)
class Issue:
    """A record the run could not store, with the reason and the XML as received."""

    identifier: str | None
    reason: str
    raw: str | None


@dataclass
class PageOutcome:
    """What one page asks of the store, once mapped: the last word on each REF wins."""

    notices: list[Notice] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)  # REFs
    source_datestamps: dict[str, str] = field(default_factory=dict)  # REF → partner's datestamp
    issues: list[Issue] = field(default_factory=list)
    records: dict[str, RawRecord] = field(default_factory=dict)  # REF → its record (to quarantine conflicts)
    # REF → the notice's canonical JSON and hashes, computed with the mapping (in the reader: off the
    # process that writes)
    prints: dict[str, Fingerprint] = field(default_factory=dict)


class HarvestStorage(Protocol):
    """What a run needs from the store. Every method is its own transaction."""

    def last_success_response_date(self, partner: PartnerConfig) -> str | None: ...

    def resumable_run(self, partner: PartnerConfig) -> RunState | None:
        """A run of this partner that was killed or interrupted (never a failed or succeeded one)."""

    def start_run(self, partner: PartnerConfig, *, full: bool, from_date: str | None) -> RunState: ...

    def set_granularity(self, partner: PartnerConfig, granularity: str) -> None: ...

    def commit_page(self, run: RunState, partner: PartnerConfig, outcome: PageOutcome,
                    checkpoint: Checkpoint, response_date: str | None) -> Counters:
        """Store the page's notices, tombstones and issues, add to the counters, save the checkpoint
        (and the run's first responseDate), atomically. REFs another source owns become issues."""

    def finish_run(self, run: RunState, partner: PartnerConfig, status: str, error: str | None) -> None: ...


@dataclass(frozen=True)
class RunOptions:
    overlap_seconds: int = 300
    max_empty_pages: int = 10
    max_window_restarts: int = 3
    # Where the next page is fetched, parsed and mapped while the current one is committed: "process" (a
    # forked reader process: parsing and validation run on another core, beside the database writes) or
    # "thread" (one process; what a test with in-memory doubles wants).
    reader: str = "thread"


@dataclass
class RunReport:
    run_id: int
    status: str  # succeeded | failed | interrupted
    counters: Counters
    error: str | None = None
    from_date: str | None = None
    resumed: bool = False
    seconds: float = 0.0  # how long the run took, Identify to the last commit

    @property
    def records_per_second(self) -> float:
        return self.counters.records / self.seconds if self.seconds else 0.0


def map_page(records: Sequence[RawRecord], partner: PartnerConfig, base: Base, mapping: Mapping) -> PageOutcome:
    """Records → notices to write, REFs to delete, issues to quarantine (pure)."""
    outcome = PageOutcome()
    actions: dict[str, tuple[str, Notice | None, RawRecord]] = {}
    for record in records:
        if record.problem:
            outcome.issues.append(Issue(record.identifier, record.problem, record.raw))
            continue
        if not record.identifier:
            outcome.issues.append(Issue(None, "record has no identifier", record.raw))
            continue
        ref = ref_from_identifier(record.identifier, base)
        if record.deleted:
            actions.pop(ref, None)
            actions[ref] = ("delete", None, record)
            continue
        try:
            if record.metadata is None:
                raise MappingError("record has no metadata")
            fields = map_record(mapping, record.metadata, base, record.identifier)
            notice = validate_notice(base, fields, source=partner.name, source_identifier=record.identifier)
        except MappingError as error:
            outcome.issues.append(Issue(record.identifier, f"cannot map: {error}", record.raw))
            continue
        except InvalidNotice as error:
            outcome.issues.append(Issue(record.identifier, f"invalid notice: {error.reason}", record.raw))
            continue
        actions.pop(notice.ref, None)
        actions[notice.ref] = ("upsert", notice, record)
    for ref, (action, notice, record) in actions.items():
        outcome.records[ref] = record
        if record.datestamp:
            outcome.source_datestamps[ref] = record.datestamp
        if action == "delete":
            outcome.deletions.append(ref)
        else:
            outcome.notices.append(notice)
            outcome.prints[ref] = fingerprint(base, notice.fields)
    return outcome


def run_partner(
    partner: PartnerConfig,
    client: OAIClient,
    storage: HarvestStorage,
    *,
    full: bool = False,
    options: RunOptions = RunOptions(),
    progress: Callable[[Counters, Page], None] | None = None,
) -> RunReport:
    """Harvest one partner: resume its interrupted run, or start a new (incremental or full) one."""
    started = time.monotonic()
    base = get_base(partner.base)
    mapping = get_mapping(partner.mapping_name)
    granularity = partner.granularity or SECONDS
    identify_error = None
    try:
        granularity = client.identify().granularity
        storage.set_granularity(partner, granularity)
    except HarvestError as error:
        identify_error = f"Identify failed: {error}"

    run = storage.resumable_run(partner)
    if run is None:
        last = None if full else storage.last_success_response_date(partner)
        run = storage.start_run(partner, full=full,
                                from_date=incremental_from(last, options.overlap_seconds, granularity))
    log.info("harvest.start", extra={"partner": partner.name, "run": run.run_id, "resumed": run.resumed,
                                     "from": run.from_date})
    if identify_error:
        log.warning("harvest.failed", extra={"partner": partner.name, "run": run.run_id, "error": identify_error})
        storage.finish_run(run, partner, "failed", identify_error)
        return RunReport(run.run_id, "failed", run.counters, identify_error, run.from_date, run.resumed,
                         time.monotonic() - started)
    try:
        counters = _pages(partner, client, storage, run, base, mapping, options, progress)
    except HarvestError as error:
        log.warning("harvest.failed", extra={"partner": partner.name, "run": run.run_id, "error": str(error)})
        storage.finish_run(run, partner, "failed", str(error))
        return RunReport(run.run_id, "failed", run.counters, str(error), run.from_date, run.resumed,
                         time.monotonic() - started)
    except KeyboardInterrupt:
        storage.finish_run(run, partner, "interrupted", "interrupted; the next run resumes from the last page")
        raise
    except Exception as error:  # a bug or the database: keep the run's outcome, then let it surface
        storage.finish_run(run, partner, "failed", f"internal error: {type(error).__name__}: {error}")
        raise
    storage.finish_run(run, partner, "succeeded", None)
    log.info("harvest.succeeded",
             extra={"partner": partner.name, "run": run.run_id, "counters": asdict(counters)})
    return RunReport(run.run_id, "succeeded", counters, None, run.from_date, run.resumed, time.monotonic() - started)


def read_and_map(client: OAIClient, partner: PartnerConfig, base: Base, mapping: Mapping, from_date: str | None,
                 at: Checkpoint) -> tuple[Page, PageOutcome]:
    """Fetch the page at a checkpoint and map its records."""
    sets: tuple[str | None, ...] = partner.sets or (None,)
    page = client.list_records(token=at.token, metadata_prefix=partner.metadata_prefix, from_=from_date,
                               set_spec=sets[at.set_index])
    return page, map_page(page.records, partner, base, mapping)


_reader: Callable[[Checkpoint], tuple[Page, PageOutcome]] | None = None  # in a reader process
_ahead: tuple[Checkpoint, Future] | None = None  # the page the reader process reads before it is asked for
_reading: ThreadPoolExecutor | None = None  # where a reader process reads (one thread: one HTTP session)
_tokens_read: set[str] = set()  # the tokens of the chain of pages read so far


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


def _read_one(at: Checkpoint) -> tuple[Page, PageOutcome]:
    page, outcome = _reader(at)
    return page.detach(), outcome


def _read_detached(at: Checkpoint) -> tuple[Page, PageOutcome]:
    """In the reader process: the page at `at` and its outcome, without lxml trees, to be pickled back. Once
    a page is read, the next one (same set, its resumption token) is read ahead while the run commits this
    one: the reader is never idle waiting to be asked. A page read ahead but asked for at another
    checkpoint (a window restarted) is dropped; an error while reading it ahead is raised when it is asked."""
    global _ahead
    if _ahead is not None and _ahead[0] == at:
        reading = _ahead[1]
    else:
        reading = _reading.submit(_read_one, at)
        _tokens_read.clear()  # a new chain of pages (the run's first, a new set, a restarted window)
    _ahead = None
    page, outcome = reading.result()
    if page.token and page.token not in _tokens_read:  # never read ahead into a token loop
        _tokens_read.add(page.token)
        following = Checkpoint(at.set_index, page.token)
        _ahead = (following, _reading.submit(_read_one, following))
    return page, outcome


def _reader_executor(options: RunOptions, client: OAIClient, partner: PartnerConfig, base: Base, mapping: Mapping,
                     from_date: str | None) -> tuple[Executor, Callable[[Checkpoint], tuple[Page, PageOutcome]]]:
    if options.reader == "process" and "fork" in multiprocessing.get_all_start_methods():
        # fork: the reader inherits the client as it is (settings, session, log callback), nothing to rebuild
        executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_start_reader, initargs=(client, partner, from_date, os.getpid()))
        return executor, _read_detached
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"harvest-{partner.name}")
    return executor, partial(read_and_map, client, partner, base, mapping, from_date)


def _pages(partner: PartnerConfig, client: OAIClient, storage: HarvestStorage, run: RunState, base: Base,
           mapping: Mapping, options: RunOptions, progress) -> Counters:
    """Fetch, map, commit, page after page. The next page is fetched and mapped by a reader (a process or a
    thread, `RunOptions.reader`) while the current one is committed (network, XML parsing and validation
    overlap the database); only commits advance the checkpoint, so a prefetched page that is never committed
    is simply fetched again on resume."""
    sets: tuple[str | None, ...] = partner.sets or (None,)
    checkpoint = run.checkpoint
    seen = {checkpoint.token} if checkpoint.token else set()
    empty_streak = restarts = 0
    counters = run.counters
    executor, fetch = _reader_executor(options, client, partner, base, mapping, run.from_date)
    try:
        pending: Future | None = executor.submit(fetch, checkpoint) if checkpoint.set_index < len(sets) else None
        while pending is not None:
            try:
                page, outcome = pending.result()
            except BadResumptionToken as error:
                if checkpoint.token is None:
                    raise
                restarts += 1
                if restarts > options.max_window_restarts:
                    raise HarvestError(f"badResumptionToken {restarts} times; giving up ({error})") from None
                # Restart the window: the same `from` and set, from its first page. Records already
                # stored come back as unchanged.
                checkpoint, seen, empty_streak = Checkpoint(checkpoint.set_index), set(), 0
                pending = executor.submit(fetch, checkpoint)
                continue
            problem = None
            if page.token:
                if page.token in seen:
                    problem = f"resumption token loop: the partner sent {page.token!r} again"
                seen.add(page.token)
                empty_streak = 0 if page.records else empty_streak + 1
                if empty_streak > options.max_empty_pages:
                    problem = f"{empty_streak} empty pages in a row that still carry a resumption token"
                following = Checkpoint(checkpoint.set_index, page.token) if problem is None else checkpoint
            else:
                following = Checkpoint(checkpoint.set_index + 1, None)
                seen, empty_streak = set(), 0
            more = problem is None and following.set_index < len(sets)
            pending = executor.submit(fetch, following) if more else None
            # The page's records are what the partner published: they are stored even when the page ends
            # the run (a loop); the checkpoint then stays on this page.
            try:
                counters = storage.commit_page(run, partner, outcome, following, page.response_date)
            except BaseException:
                if pending is not None:
                    pending.cancel()
                raise
            run.counters, run.checkpoint = counters, following
            if run.response_date is None:
                run.response_date = page.response_date
            log.debug("harvest.page",
                      extra={"partner": partner.name, "run": run.run_id, "counters": asdict(counters)})
            if progress:
                progress(counters, page)
            if problem:
                raise HarvestError(problem)
            checkpoint = following
    finally:
        _stop(executor)
    return counters


def _stop(executor: Executor) -> None:
    """Stop the reader now: a prefetch in flight is not waited for. A reader process is terminated and
    reaped before the run returns, so nothing it inherited (the partner's lock file) outlives the run."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
