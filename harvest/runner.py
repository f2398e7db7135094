"""A harvest run: pages from the client, mapped into notices, committed page by page through a storage.

The storage (`HarvestStorage`, implemented in SQL by store/harvest_storage.py) commits each page's notices,
tombstones, quarantined records, counters and the next checkpoint in ONE transaction. So a run killed at
any point resumes from its last committed page — nothing lost, nothing applied twice — and its counters
end where an uninterrupted run's would.

Rules: `from` = first responseDate of the last successful run minus an overlap, at the partner's
granularity (a full run has no `from`); a run killed, interrupted or FAILED is resumed by the next one from
its last committed page, in the same window (same `from`), unless the next one is asked to be full;
`badResumptionToken` mid-run restarts the current window (same `from`, same set), not the world; a token that
comes back is a loop and fails the run; a run of empty pages that still carry tokens fails the run after
`max_empty_pages`; a run fails when it passes its deadline. A list that ends with fewer records than the
partner announced (completeListSize) makes the run `incomplete`, which is not a success. Whatever goes wrong,
once the storage answers there is a run row saying why.
"""
from __future__ import annotations

import json
import logging
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from typing import Callable, Protocol

from formats.bases import Base, UnknownBase, get_base
from formats.outcomes import Tally

from .client import BadResumptionToken, HarvestError, OAIClient
from .dates import utc_date
from .mappings import Mapping, MappingError, get_mapping
from .page import Page
from .partner import PartnerConfig
from .reader import Issue, PageOutcome, map_page, reader_executor, stop_reader  # noqa: F401  (re-exported)
from .schedule import SECONDS, incremental_from


log = logging.getLogger("pop.harvest")

# A run's status: running, then succeeded | incomplete | failed | interrupted (queued: asked for, not started)
RESUMABLE = ("running", "interrupted", "failed")


@dataclass(frozen=True)
class Checkpoint:
    """Where a run stands: which of the partner's sets, and the token of the next page (None: its first);
    with the tally of the current list (records received, the partner's last completeListSize) and the lists
    that ended short of what was announced, so a resumed run still knows whether it is complete."""

    set_index: int = 0
    token: str | None = None
    listed: int = 0
    announced: int | None = None
    short: tuple[str, ...] = ()

    @property
    def position(self) -> tuple[int, str | None]:
        """The page it names (what the reader reads), whatever the tallies."""
        return self.set_index, self.token

    def encode(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | None) -> "Checkpoint":
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(set_index=int(data.get("set_index", 0)), token=data.get("token") or None,
                       listed=int(data.get("listed", 0)), announced=data.get("announced"),
                       short=tuple(data.get("short", ())))
        except (ValueError, TypeError, AttributeError):
            # Nothing stored may stop a run: a checkpoint that cannot be read restarts the window
            log.warning("harvest.bad_checkpoint", extra={"checkpoint": text[:200]})
            return cls()


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
    status: str = "running"
    resumed_from: int | None = None  # the failed run this one goes on with (a run row of its own)


class HarvestStorage(Protocol):
    """What a run needs from the store. Every method is its own transaction."""

    def last_success_response_date(self, partner: PartnerConfig) -> str | None: ...

    def last_run(self, partner: PartnerConfig) -> RunState | None:
        """The partner's latest run that started (with its status), or None when there is none or when what
        is harvested changed since it started (nothing of it may then be resumed)."""

    def resume_run(self, partner: PartnerConfig, run: RunState) -> RunState:
        """Take a killed or interrupted run up again, in its own row."""

    def start_run(self, partner: PartnerConfig, *, full: bool, from_date: str | None,
                  continues: RunState | None = None) -> RunState:
        """A new run (or the queued one). `continues`: a failed run whose window, first responseDate and
        checkpoint it takes over."""

    def set_granularity(self, partner: PartnerConfig, granularity: str) -> None: ...

    def commit_page(self, run: RunState, partner: PartnerConfig, outcome: PageOutcome,
                    checkpoint: Checkpoint, response_date: str | None) -> Counters:
        """Store the page's notices, tombstones and issues, add to the counters, save the checkpoint
        (and the run's first responseDate), atomically. REFs another source owns become issues; an issue
        the run already holds (same record, same reason: a restarted window) is not stored twice."""

    def finish_run(self, run: RunState, partner: PartnerConfig, status: str, error: str | None) -> None:
        """Record the outcome and schedule the partner's next run (sooner, with backoff, after failures)."""


@dataclass(frozen=True)
class RunOptions:
    overlap_seconds: int = 300
    max_empty_pages: int = 10
    max_window_restarts: int = 3
    run_deadline: float = 6 * 3600.0  # seconds from Identify; then the run fails, resumably
    # Where the next page is fetched, parsed and mapped while the current one is committed: "process" (a
    # forked reader process: parsing and validation run on another core, beside the database writes) or
    # "thread" (one process; what a test with in-memory doubles wants).
    reader: str = "thread"


@dataclass
class RunReport:
    run_id: int
    status: str  # succeeded | incomplete | failed | interrupted
    counters: Counters
    error: str | None = None
    from_date: str | None = None
    resumed: bool = False
    seconds: float = 0.0  # how long the run took, Identify to the last commit
    resumed_from: int | None = None

    @property
    def records_per_second(self) -> float:
        return self.counters.records / self.seconds if self.seconds else 0.0


def _open_run(partner: PartnerConfig, storage: HarvestStorage, full: bool, options: RunOptions,
              granularity: str) -> RunState:
    """Resume the partner's killed, interrupted or failed run, or start a new (incremental or full) one."""
    last = storage.last_run(partner)
    if last is not None and last.status in ("running", "interrupted") and (last.full or not full):
        return storage.resume_run(partner, last)
    if last is not None and last.status == "failed" and not full:
        if last.checkpoint.position != (0, None):  # it committed pages: go on from there, in its window
            return storage.start_run(partner, full=last.full, from_date=last.from_date, continues=last)
        # It committed none: a new run starts where it started (no success since, so the same `from`)
        full = last.full
    since = None if full else storage.last_success_response_date(partner)
    return storage.start_run(partner, full=full, from_date=incremental_from(since, options.overlap_seconds,
                                                                            granularity))


def run_partner(
    partner: PartnerConfig,
    client: OAIClient,
    storage: HarvestStorage,
    *,
    full: bool = False,
    options: RunOptions = RunOptions(),
    progress: Callable[[Counters, Page], None] | None = None,
) -> RunReport:
    """Harvest one partner: resume its interrupted or failed run, or start a new (incremental or full) one."""
    started = time.monotonic()
    granularity = partner.granularity or SECONDS
    problem = None
    try:
        granularity = client.identify().granularity
        storage.set_granularity(partner, granularity)
    except HarvestError as error:
        problem = f"Identify failed: {error}"
    run = _open_run(partner, storage, full, options, granularity)
    log.info("harvest.start", extra={"partner": partner.name, "run": run.run_id, "resumed": run.resumed,
                                     "resumed_from": run.resumed_from, "from": run.from_date})

    def report(status: str, error: str | None) -> RunReport:
        return RunReport(run.run_id, status, run.counters, error, run.from_date, run.resumed,
                         time.monotonic() - started, run.resumed_from)

    try:
        if problem:
            raise HarvestError(problem)
        base, mapping = _configured(partner)
        _pages(partner, client, storage, run, base, mapping, options, progress,
               deadline=started + options.run_deadline)
    except HarvestError as error:
        reason = str(error)
        log.warning("harvest.failed", extra={"partner": partner.name, "run": run.run_id, "error": reason})
        storage.finish_run(run, partner, "failed", reason)
        return report("failed", reason)
    except KeyboardInterrupt:
        storage.finish_run(run, partner, "interrupted", "interrupted; the next run resumes from the last page")
        raise
    except Exception as error:  # a bug or the database: keep the run's outcome, then let it surface
        storage.finish_run(run, partner, "failed", f"internal error: {type(error).__name__}: {error}")
        raise
    if run.checkpoint.short:
        reason = "; ".join(run.checkpoint.short)
        log.warning("harvest.incomplete", extra={"partner": partner.name, "run": run.run_id, "error": reason})
        storage.finish_run(run, partner, "incomplete", reason)
        return report("incomplete", reason)
    storage.finish_run(run, partner, "succeeded", None)
    log.info("harvest.succeeded",
             extra={"partner": partner.name, "run": run.run_id, "counters": asdict(run.counters)})
    return report("succeeded", None)


def _configured(partner: PartnerConfig) -> tuple[Base, Mapping]:
    """The partner's base and mapping; a configuration that names what does not exist (any more) fails the
    run with the reason, like a partner's fault."""
    try:
        return get_base(partner.base), get_mapping(partner.mapping_name)
    except MappingError as error:
        raise HarvestError(f"configuration: {error}") from None
    except UnknownBase as error:
        raise HarvestError(f"configuration: {error}") from None


def _after(checkpoint: Checkpoint, page: Page, sets: tuple[str | None, ...]) -> Checkpoint:
    """The checkpoint after `page`: the next page of the list, or the next list once this one ended (noting
    it when it ended with fewer records than the partner announced)."""
    listed = checkpoint.listed + len(page.records)
    announced = page.complete_list_size if page.complete_list_size is not None else checkpoint.announced
    if page.token:
        return Checkpoint(checkpoint.set_index, page.token, listed, announced, checkpoint.short)
    short = checkpoint.short
    if announced is not None and listed < announced:
        spec = sets[checkpoint.set_index]
        short = (*short, (f"set {spec}: " if spec else "") +
                 f"the partner announced {announced} records (completeListSize), the list ended after {listed}")
    return Checkpoint(checkpoint.set_index + 1, None, short=short)


def _pages(partner: PartnerConfig, client: OAIClient, storage: HarvestStorage, run: RunState, base: Base,
           mapping: Mapping, options: RunOptions, progress, *, deadline: float) -> None:
    """Fetch, map, commit, page after page, into `run` (its counters and checkpoint). The next page is fetched
    and mapped by a reader (harvest/reader.py: a process or a thread, `RunOptions.reader`) while the current
    one is committed (network, XML parsing and validation overlap the database); only commits advance the
    checkpoint, so a prefetched page that is never committed is simply fetched again on resume."""
    sets: tuple[str | None, ...] = partner.sets or (None,)
    checkpoint = run.checkpoint
    seen = {checkpoint.token} if checkpoint.token else set()
    empty_streak = restarts = 0
    executor, fetch = reader_executor(options.reader, client, partner, base, mapping, run.from_date)
    try:
        pending: Future | None = executor.submit(fetch, checkpoint) if checkpoint.set_index < len(sets) else None
        while pending is not None:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                page, outcome = pending.result(timeout=remaining)
            except TimeoutError:
                pending.cancel()
                raise HarvestError(f"the run passed its deadline of {options.run_deadline:g} s "
                                   "(POP_HARVEST_RUN_DEADLINE); the next run resumes from its last page") from None
            except BadResumptionToken as error:
                if checkpoint.token is None:
                    raise
                restarts += 1
                if restarts > options.max_window_restarts:
                    raise HarvestError(f"badResumptionToken {restarts} times; giving up ({error})") from None
                # Restart the window: the same `from` and set, from its first page. Records already
                # stored come back as unchanged.
                checkpoint, seen, empty_streak = Checkpoint(checkpoint.set_index, short=checkpoint.short), set(), 0
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
            else:
                seen, empty_streak = set(), 0
            following = _after(checkpoint, page, sets) if problem is None else checkpoint
            more = problem is None and following.set_index < len(sets)
            pending = executor.submit(fetch, following) if more else None
            # The page's records are what the partner published: they are stored even when the page ends
            # the run (a loop); the checkpoint then stays on this page.
            # The responseDate in UTC, as `from` is computed from it; one that is not a date is dropped (logged)
            response_date = utc_date(page.response_date) if run.response_date is None else None
            try:
                counters = storage.commit_page(run, partner, outcome, following, response_date)
            except BaseException:
                if pending is not None:
                    pending.cancel()
                raise
            run.counters, run.checkpoint = counters, following
            run.response_date = run.response_date or response_date
            log.debug("harvest.page",
                      extra={"partner": partner.name, "run": run.run_id, "counters": asdict(counters)})
            if progress:
                progress(counters, page)
            if problem:
                raise HarvestError(problem)
            checkpoint = following
    finally:
        stop_reader(executor)
