"""The app's side of a harvest run: the harvester's settings from the app's (the address rules of partner URLs
included), and outcomes in /metrics. The CLI (`pop harvest run`, `pop worker`) and the admin API's remote check go
through here."""
from __future__ import annotations

from dataclasses import replace

from harvest.addresses import AddressPolicy
from harvest.client import ClientSettings
from harvest.runner import RunOptions, RunReport
from store.db import Database
from store.harvest_storage import harvest_partner as _harvest_partner

from .metrics import HARVEST_RECORDS, HARVEST_RUNS
from .settings import Settings


def address_policy(settings: Settings) -> AddressPolicy:
    """What partners registered through the web may reach: public addresses, and what the operator allows."""
    return AddressPolicy(allowed_networks=settings.harvest_allowed_networks,
                         allowed_hosts=settings.harvest_allowed_hosts)


def client_settings(settings: Settings) -> ClientSettings:
    """The harvester's settings. They carry the address rules; a partner whose URL an operator gave drops them
    (harvest.partner.partner_client)."""
    return ClientSettings(timeout=settings.harvest_timeout, max_attempts=settings.harvest_max_attempts,
                          backoff=settings.harvest_backoff, max_retry_after=settings.harvest_max_retry_after,
                          max_response_bytes=settings.harvest_max_response_bytes,
                          page_deadline=settings.harvest_page_deadline, addresses=address_policy(settings))


def check_settings(settings: Settings, *, trusted_url: bool = False) -> ClientSettings:
    """The admin API's remote check, inside a web request: POP_HARVEST_CHECK_DEADLINE seconds in all, one attempt
    per request, no Retry-After waited for; the address rules unless an operator gave the URL."""
    deadline = settings.harvest_check_deadline
    return replace(client_settings(settings), max_attempts=1, max_retry_after=0.0, deadline=float(deadline),
                   timeout=min(settings.harvest_timeout, deadline),
                   page_deadline=min(settings.harvest_page_deadline, deadline),
                   addresses=None if trusted_url else address_policy(settings))


def run_options(settings: Settings) -> RunOptions:
    return RunOptions(overlap_seconds=settings.harvest_overlap, max_empty_pages=settings.harvest_max_empty_pages,
                      run_deadline=settings.harvest_run_deadline, reader=settings.harvest_reader)


def harvest_partner(db: Database, settings: Settings, name: str, *, full: bool = False, progress=None,
                    log=None, if_due: bool = False) -> RunReport:
    """Run one partner now (resuming its interrupted or failed run if any), holding its lock; count the outcome
    (succeeded, incomplete, failed) in /metrics. `if_due`: only if still due once the lock is held (workers;
    else store.partners.PartnerNotDue)."""
    report = _harvest_partner(db, name, client_settings(settings), run_options(settings), full=full,
                              progress=progress, log=log, if_due=if_due)
    HARVEST_RUNS.labels(name, report.status).inc()
    for result in ("created", "updated", "unchanged", "deleted", "quarantined"):
        HARVEST_RECORDS.labels(name, result).inc(getattr(report.counters, result))
    return report
