"""`pop import`, `pop notice delete`: notices in and out of the store by hand."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from formats.bases import BASES, get_base
from store.importer import FORMATS, ImportError_, import_file
from store.notices import delete_notices

from .common import base_option, one_line_errors, pop


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@base_option
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
              help="File format (default: from the file name: .jsonl, .json, .csv, optionally .gz).")
@click.option("--partial", is_flag=True,
              help="Store the valid notices even if some are rejected (default: a file with any rejection stores nothing).")
@one_line_errors
def import_command(file: Path, base_name: str, fmt: str | None, partial: bool):
    """Import notices from FILE into a base; prints created / updated / unchanged / rejected, then each rejection."""
    with click.progressbar(length=0, label=f"importing {file.name}", file=sys.stderr,
                           show_pos=True, show_percent=False) as bar:
        try:
            summary = import_file(pop().db, file, get_base(base_name), fmt=fmt, partial=partial,
                                  progress=bar.update)
        except ImportError_ as error:
            raise click.ClickException(str(error)) from None
    click.echo(summary.line())
    for rejection in summary.rejected:
        click.echo(f"rejected {rejection.ref or '-'}: {rejection.reason}")
    if summary.unlisted_rejections:
        click.echo(f"… and {summary.unlisted_rejections} more rejections")
    if summary.rejected_count:
        if not partial:
            click.echo("nothing was stored: fix the rejected records, or pass --partial", err=True)
        sys.exit(1)


@click.group("notice")
def notice():
    """Single notices."""


@notice.command("delete")
@click.argument("base_name", metavar="BASE", type=click.Choice(list(BASES)))
@click.argument("refs", metavar="REF...", nargs=-1, required=True)
@one_line_errors
def notice_delete(base_name: str, refs: tuple[str, ...]):
    """Delete notices, leaving tombstones that OAI-PMH publishes as deleted records."""
    with pop().db.session() as session:
        summary = delete_notices(session, base_name, refs)
    click.echo(f"deleted: {summary.deleted}, already deleted: {summary.unchanged}, "
               f"rejected: {summary.rejected_count}")
    for rejection in summary.rejected:
        click.echo(f"rejected {rejection.ref}: {rejection.reason}")
    if summary.rejected:
        sys.exit(1)


commands = [import_command, notice]
