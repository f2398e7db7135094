"""`pop export build`: the full snapshots of every base, in every format, gzipped, with a manifest."""
from __future__ import annotations

import sys

import click

from formats.bases import BASES

from protocols.export.snapshot import BuildInProgress
from store.exports.snapshots import build_snapshots

from .common import one_line_errors, pop


@click.group("export")
def export():
    """Bulk exports (CSV, JSON Lines, JSON) served at /exports/."""


@export.command("build")
@click.option("--base", "base_names", multiple=True, type=click.Choice(list(BASES)),
              help="Only these bases (repeatable; default: all).")
@click.option("--force", is_flag=True, help="Rewrite the snapshots even of unchanged bases.")
@one_line_errors
def export_build(base_names: tuple[str, ...], force: bool):
    """Write full snapshots of each base (every format, plain and gzipped) into POP_EXPORT_DIR, atomically,
    with manifest.json. Bases whose published notices did not change since the last build are not rewritten.
    One build at a time per directory; a build removes what a killed one left behind."""
    settings = pop().settings
    with click.progressbar(length=0, label="exporting notices", file=sys.stderr,
                           show_pos=True, show_percent=False) as bar:
        try:
            results = build_snapshots(pop().db, settings.export_dir, base_names or list(BASES), force=force,
                                      progress=bar.update)
        except BuildInProgress as error:
            raise click.ClickException(str(error)) from None
        except OSError as error:
            raise click.ClickException(
                f"cannot write snapshots in {settings.export_dir} (POP_EXPORT_DIR): {error.strerror or error}") from None
    for result in results:
        click.echo(f"{result.base}: {'built' if result.built else 'unchanged'} ({result.records} notices)")
    built = sum(r.built for r in results)
    click.echo(f"built: {built}, unchanged: {len(results) - built}, directory: {settings.export_dir}")


commands = [export]
