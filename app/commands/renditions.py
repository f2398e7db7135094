"""`pop renditions rebuild|render|pack`: the stored renditions, the rendering backlog (store/backlog.py) and how
renditions are packed (store/packing.py)."""
from __future__ import annotations

import sys

import click

from formats.bases import BASES
from formats.registry import FORMATS
from store.backlog import backlog_size, rebuild_renditions, render_in_parallel
from store.packing import MIN_SAMPLES, train_and_repack

from .common import one_line_errors, pop


@click.group("renditions")
def renditions():
    """The notices' stored renditions in each metadata format (what OAI-PMH serves)."""


@renditions.command("rebuild")
@click.option("--base", "base_name", type=click.Choice(list(BASES)), help="Only this base (default: all).")
@click.option("--format", "prefix", type=click.Choice(list(FORMATS)), help="Only this format (default: all).")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
@one_line_errors
def rebuild(base_name: str | None, prefix: str | None, batch_size: int):
    """Re-render renditions; notices whose output changed get a new datestamp (harvesters re-fetch them)."""
    bases = [base_name] if base_name else list(BASES)
    with click.progressbar(length=0, label="re-rendering", file=sys.stderr, show_pos=True,
                           show_percent=False) as bar:
        summary = rebuild_renditions(pop().db, bases, [prefix] if prefix else None, batch_size=batch_size,
                                     progress=bar.update)
    click.echo(summary.line())


@renditions.command("render")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes rendering notices (default: one per core; 0: none, this process renders).")
@one_line_errors
def render(batch_size: int, workers: int | None):
    """Render the rendering backlog: notices stored without their renditions (harvests defer them; `pop worker`
    renders them between runs). Datestamps do not move: /oai already serves these notices, rendered on read."""
    db = pop().db
    with db.session() as session:
        pending = backlog_size(session)
    with click.progressbar(length=pending, label="rendering", file=sys.stderr, show_pos=True) as bar:
        done = render_in_parallel(db, batch_size=batch_size, workers=workers, progress=bar.update)
    click.echo(f"rendered: {done}")


@renditions.command("pack")
@click.option("--format", "prefixes", multiple=True, type=click.Choice(list(FORMATS)),
              help="Only this format (repeatable; default: all).")
@one_line_errors
def pack(prefixes: tuple[str, ...]):
    """Train a new compression dictionary of each format on a sample of its stored renditions, and repack them
    all with it (after the store has grown or changed much; a store trains its first ones by itself)."""
    db = pop().db
    repacked = train_and_repack(db.engine, db.packer, prefixes or db.renderers.prefixes, only_missing=False)
    for prefix in prefixes or db.renderers.prefixes:
        if prefix in repacked:
            click.echo(f"{prefix}: {repacked[prefix]} renditions repacked")
        else:
            click.echo(f"{prefix}: fewer than {MIN_SAMPLES} renditions, left as they are")


commands = [renditions]
