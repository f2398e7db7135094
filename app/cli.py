"""The `pop` command line. Every command exits non-zero with a one-line reason on failure."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from flask.cli import ScriptInfo
from sqlalchemy.exc import OperationalError, ProgrammingError

from formats.bases import BASES, UnknownBase, get_base

from . import create_app, pop
from .settings import ConfigurationError


@click.group(name="pop")
def cli():
    """POP Open Data Server: harvest, publish (OAI-PMH) and export POP's heritage notices.

    Configuration comes from the environment (DATABASE_URL, POP_SECRET_KEY, …): see docs/configuration.md.
    """


def _current_app():
    """The app the command works on: Flask's test runner passes one; otherwise it is built once, here."""
    root = click.get_current_context().find_root()
    if isinstance(root.obj, ScriptInfo):
        return root.obj.load_app()
    if "pop.app" not in root.meta:
        root.meta["pop.app"] = create_app()
    return root.meta["pop.app"]


def one_line_errors(command):
    """Run a command inside the app, turning the failures a user can fix into `Error: …` and a non-zero exit."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with _current_app().app_context():
                return command(*args, **kwargs)
        except (UnknownBase, ConfigurationError, ValueError) as error:
            raise click.ClickException(str(error)) from None
        except (OperationalError, ProgrammingError) as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise click.ClickException(f"database error: {reason} (is the database up and `pop db upgrade` run?)")

    return wrapper


def base_option(function):
    return click.option("--base", "base_name", required=True, type=click.Choice(list(BASES)),
                        help="The POP base the notices belong to.")(function)


# --- pop db -------------------------------------------------------------------------------------------------
@cli.group()
def db():
    """The database schema."""


@db.command("upgrade")
@one_line_errors
def db_upgrade():
    """Create or migrate the database schema to the latest version."""
    from .migrate import head_revision, upgrade

    upgrade(pop().settings.database_url)
    click.echo(f"database at revision {head_revision()}")


# --- pop demo -----------------------------------------------------------------------------------------------
@cli.group()
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
    from .bulk import prepared_batches, write_batches
    from .demo import demo_batches, prepare_demo_batch

    tasks = demo_batches(size, seed=seed, batch_size=batch_size)
    db = pop().db
    db.dispose()  # worker processes are forked: they must not inherit open connections
    with click.progressbar(length=size, label="demo notices", file=sys.stderr) as bar:
        total = write_batches(db, prepared_batches(prepare_demo_batch, tasks, workers), progress=bar.update)
    click.echo(total.line())


# --- pop import ---------------------------------------------------------------------------------------------
@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@base_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv"]),
              help="File format (default: from the file name: .jsonl, .json, .csv, optionally .gz).")
@click.option("--partial", is_flag=True,
              help="Store the valid notices even if some are rejected (default: a file with any rejection stores nothing).")
@one_line_errors
def import_command(file: Path, base_name: str, fmt: str | None, partial: bool):
    """Import notices from FILE into a base; prints created / updated / unchanged / rejected, then each rejection."""
    from .importer import ImportError_, import_file

    with click.progressbar(length=0, label=f"importing {file.name}", file=sys.stderr,
                           show_pos=True, show_percent=False) as bar:
        try:
            summary = import_file(pop().db, file, get_base(base_name), fmt=fmt, partial=partial,
                                  progress=bar.update)
        except ImportError_ as error:
            raise click.ClickException(str(error)) from None
    click.echo(summary.line())
    for ref, reason in summary.rejected:
        click.echo(f"rejected {ref or '-'}: {reason}")
    if summary.unlisted_rejections:
        click.echo(f"… and {summary.unlisted_rejections} more rejections")
    if summary.rejected_count:
        if not partial:
            click.echo("nothing was stored: fix the rejected records, or pass --partial", err=True)
        sys.exit(1)


# --- pop notice ---------------------------------------------------------------------------------------------
@cli.group()
def notice():
    """Single notices."""


@notice.command("delete")
@click.argument("base_name", metavar="BASE", type=click.Choice(list(BASES)))
@click.argument("refs", metavar="REF...", nargs=-1, required=True)
@one_line_errors
def notice_delete(base_name: str, refs: tuple[str, ...]):
    """Delete notices, leaving tombstones that OAI-PMH publishes as deleted records."""
    from .store import delete_notices

    with pop().db.session() as session:
        summary = delete_notices(session, base_name, refs)
    click.echo(f"deleted: {summary.deleted}, already deleted: {summary.unchanged}, "
               f"rejected: {summary.rejected_count}")
    for ref, reason in summary.rejected:
        click.echo(f"rejected {ref}: {reason}")
    if summary.rejected:
        sys.exit(1)


# --- pop serve ----------------------------------------------------------------------------------------------
@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn worker processes.")
@one_line_errors
def serve(host: str, port: int, workers: int):
    """Serve the app with gunicorn (the production server)."""
    pop()  # the settings were checked when the app was built
    root = Path(__file__).resolve().parent.parent
    args = ["gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers), "--chdir", str(root),
            "--access-logfile", "-", "--timeout", "120",
            "--worker-class", "gthread", "--threads", "4",  # a long export download must not look like a hung worker
            "wsgi:app"]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


def main() -> None:
    cli.main(prog_name="pop")


def _register_areas() -> None:
    from .commands import register

    register(cli)


_register_areas()
