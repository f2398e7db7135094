"""`pop harvest add|list|show|run`, `pop worker`."""
from __future__ import annotations

import sys
import time

import click

from formats.bases import BASES
from harvest.partner import InvalidPartner, check_remote, parse_config, partner_client
from harvest.refs import IDENTIFIER, REF_POLICIES
from harvest.schedule import format_interval
from harvest.urls import display_url

from store.backlog import render_pending
from store.images import probe_pending, rewind
from store.clock import utcnow
from store.locks import PartnerBusy
from store.partners import (PartnerNotDue, PartnerNotFound, due_partners, get_partner, list_issues, list_partners,
                            list_runs, partner_exists, save_partner)

from ..harvesting import client_settings, harvest_partner
from .common import one_line_errors, pop
from .images import address_policy, probe_settings


def _fail(error: Exception) -> None:
    raise click.ClickException(str(error)) from None


@click.group()
def harvest():
    """Partner OAI-PMH repositories harvested into POP."""


@harvest.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The partner's OAI-PMH base URL, at any address (the admin API's address "
                                          "rules are for URLs from the web); credentials in it are stored apart.")
@click.option("--prefix", "metadata_prefix", required=True, help="metadataPrefix to harvest (pop, oai_dc, lido).")
@click.option("--base", "base_name", required=True, type=click.Choice(list(BASES)), help="Target POP base.")
@click.option("--set", "sets", multiple=True, help="A set to harvest (repeatable; default: everything).")
@click.option("--every", help="Schedule: 30m, 12h, 1d, 1w (default: only by hand).")
@click.option("--mapping", default="", help="Mapping to read records with (default: the prefix's).")
@click.option("--refs", type=click.Choice(REF_POLICIES), default=IDENTIFIER, show_default=True,
              help="Where REFs come from: the records' OAI identifiers, or minted by POP for each new identifier "
                   "(partners whose identifiers are not POP REFs).")
@click.option("--licence", default=None,
              help="The partner's metadata licence: an SPDX id (CC-BY-NC-SA-4.0) or a URI (default: none, the "
                   "rights its records state).")
@click.option("--notes", default="")
@click.option("--no-check", is_flag=True, help="Do not ask the partner (Identify, formats, sets) before saving.")
@one_line_errors
def add(name, url, metadata_prefix, base_name, sets, every, mapping, refs, licence, notes, no_check):
    """Register partner NAME (checks that it answers, offers the format and has the sets)."""
    db, settings = pop().db, pop().settings
    try:
        config = parse_config(name, url, metadata_prefix, base_name, mapping=mapping, sets=sets, every=every,
                              notes=notes, refs=refs, licence=licence, trusted_url=True)
        with db.session() as session:
            if partner_exists(session, name):
                raise InvalidPartner({"name": [f"a partner named {name!r} exists"]})
        granularity = None
        if not no_check:
            client = partner_client(config, client_settings(settings))
            try:
                granularity = check_remote(config, client)
            finally:
                client.close()
    except InvalidPartner as error:
        _fail(error)
    with db.session() as session:
        save_partner(session, config, granularity=granularity)
    shown = display_url(config.url, config.credentials)  # credentials masked: a terminal's scrollback is a log too
    click.echo(f"partner {name} added: {shown} ({metadata_prefix} → {base_name}), "
               f"{format_interval(config.interval_seconds)}"
               + (", REFs minted by POP" if config.refs != IDENTIFIER else "")
               + (f", licence {config.licence}" if config.licence else ""))


@harvest.command("list")
@one_line_errors
def list_command():
    """Partners, their schedule and their last run."""
    with pop().db.session() as session:
        rows = list_partners(session)
        if not rows:
            click.echo("no partners (add one with `pop harvest add`)")
        for row in rows:
            runs = list_runs(session, row, limit=1)
            last = f"{runs[0].status} {runs[0].started:%Y-%m-%d %H:%M}" if runs else "never run"
            state = "" if row.enabled else " (disabled)"
            click.echo(f"{row.name}{state}\t{row.metadata_prefix} → {row.base}\t"
                       f"{format_interval(row.interval_seconds)}\t{last}\t{display_url(row.url, row.credentials)}")


@harvest.command("show")
@click.argument("name")
@click.option("--runs", "run_count", default=5, show_default=True, help="How many recent runs to show.")
@one_line_errors
def show(name, run_count):
    """A partner's configuration, its recent runs and the last run's quarantined records."""
    with pop().db.session() as session:
        try:
            row = get_partner(session, name)
        except PartnerNotFound as error:
            _fail(error)
        click.echo(f"name: {row.name}\nurl: {display_url(row.url, row.credentials)}\n"
                   f"prefix: {row.metadata_prefix}\nmapping: {row.mapping}\n"
                   f"base: {row.base}\nsets: {', '.join(row.sets) or '(all)'}\n"
                   f"schedule: {format_interval(row.interval_seconds)}\nenabled: {'yes' if row.enabled else 'no'}\n"
                   f"granularity: {row.granularity or '(not yet known)'}\n"
                   f"refs: {row.refs}\nlicence: {row.licence or '(none: the rights its records state)'}\n"
                   f"next run: {row.next_run_at or '-'}\nnotes: {row.notes}")
        runs = list_runs(session, row, limit=run_count)
        click.echo("runs:" if runs else "runs: none")
        for run in runs:
            click.echo(f"  #{run.id} {run.status} started {run.started:%Y-%m-%d %H:%M:%S}"
                       f"{' (full)' if run.full else ''} from {run.from_date or '-'}: pages: {run.pages}, "
                       f"created: {run.created}, updated: {run.updated}, unchanged: {run.unchanged}, "
                       f"deleted: {run.deleted}, quarantined: {run.quarantined}"
                       + (f"\n    error: {run.error}" if run.error else ""))
        if runs:
            for issue in list_issues(session, runs[0].id, limit=20):
                click.echo(f"  quarantined {issue.identifier or '-'}: {issue.reason}")


@harvest.command("run")
@click.argument("name")
@click.option("--full", is_flag=True, help="Harvest everything, not only what changed since the last run.")
@one_line_errors
def run(name, full):
    """Harvest partner NAME now, with a progress display and a summary."""
    db, settings = pop().db, pop().settings
    with db.session() as session:
        try:
            get_partner(session, name)
        except PartnerNotFound as error:
            _fail(error)
    bar = click.progressbar(length=0, label=f"harvesting {name}", file=sys.stderr, show_pos=True,
                            show_percent=False, item_show_func=lambda line: line)

    def progress(counters, page):
        if page.complete_list_size and not bar.length:
            bar.length = page.complete_list_size
        bar.update(len(page.records), f"pages: {counters.pages}, quarantined: {counters.quarantined}")

    try:
        with bar:
            report = harvest_partner(db, settings, name, full=full, progress=progress,
                                     log=lambda message: click.echo(f"\n{name}: {message}", err=True))
    except (PartnerNotFound, PartnerBusy) as error:
        _fail(error)
    resumed = (f" (resumed failed run #{report.resumed_from})" if report.resumed_from
               else " (resumed an interrupted run)" if report.resumed else "")
    click.echo(f"{report.counters.records:,} records in {report.seconds:.1f} s "
               f"({report.records_per_second:,.0f} records/s)")
    click.echo(f"run #{report.run_id} {report.status}{resumed}, from {report.from_date or 'the beginning'}: "
               f"{report.counters.line()}")
    if report.error:
        raise click.ClickException(report.error)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due now, then stop.")
@one_line_errors
def worker(once):
    """Run due and queued harvests, in a loop. Several workers share the partners safely."""
    db, settings = pop().db, pop().settings
    image_cursor = None
    while True:
        with db.session() as session:
            names = due_partners(session, utcnow())
        for name in names:
            try:
                report = harvest_partner(db, settings, name, if_due=True)
            except PartnerBusy:
                continue  # another worker has it
            except PartnerNotDue:
                continue  # another worker has just run it (while this one waited for its lock)
            except PartnerNotFound:
                continue  # deleted meanwhile
            except Exception as error:  # noqa: BLE001 - one partner's failure must not stop the worker
                # The run row says why and the partner's schedule moved on (store/harvest_storage.py)
                click.echo(f"{name}: run failed: {type(error).__name__}: {error}", err=True)
                continue
            click.echo(f"{name}: run #{report.run_id} {report.status}: {report.counters.line()}"
                       + (f" ({report.error})" if report.error else ""))
        # Between runs, the renditions that harvests deferred: at most POP_WORKER_POLL seconds of it at a
        # time, so due partners wait no longer than they would have anyway.
        rendered = render_pending(db, budget=None if once else settings.worker_poll)
        if rendered:
            click.echo(f"renditions: {rendered} notices rendered")
        # Then the images that wait for their size (IIIF), within the same kind of budget; the scan's cursor
        # stays with this worker, so later loops only read the notices written since (store/images.py)
        probed = 0
        if settings.worker_probe_images:
            found = probe_pending(db, budget=None if once else settings.worker_poll, cursor=image_cursor,
                                  settings=probe_settings(settings), policy=address_policy(settings))
            image_cursor = rewind(found.cursor) if found.done else found.cursor
            probed = found.probed
            if probed:
                click.echo(f"images: {probed} probed ({found.statuses})", err=True)
        if once:
            return
        if not rendered and not probed:
            time.sleep(settings.worker_poll)


commands = [harvest, worker]
