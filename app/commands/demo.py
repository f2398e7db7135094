"""`pop demo load`."""
from __future__ import annotations

import sys
from functools import partial

import click

from store.bulk import prepared_batches, write_batches
from store.demo import demo_batches, prepare_demo_batch

from .common import one_line_errors, pop


@click.group("demo")
def demo():
    """Demo data."""


@demo.command("load")
@click.option("--size", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many notices, spread over the eight bases.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same notices.")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes preparing notices (default: one per core; 0: none).")
@one_line_errors
def demo_load(size: int, seed: int, batch_size: int, workers: int | None):
    """Generate realistic notices for all eight bases and store them (deterministic for a seed)."""
    tasks = demo_batches(size, seed=seed, batch_size=batch_size)
    db = pop().db
    db.dispose()  # worker processes are forked: they must not inherit open connections
    with click.progressbar(length=size, label="demo notices", file=sys.stderr) as bar:
        prepare = partial(prepare_demo_batch, renderers=db.renderers)  # workers render as the store would
        total = write_batches(db, prepared_batches(prepare, tasks, workers), progress=bar.update)
    click.echo(total.line())


commands = [demo]
