"""`pop db upgrade`."""
from __future__ import annotations

import click

from store.migrate import head_revision, upgrade

from .common import one_line_errors, pop


@click.group("db")
def db():
    """The database schema."""


@db.command("upgrade")
@one_line_errors
def db_upgrade():
    """Create or migrate the database schema to the latest version."""
    upgrade(pop().settings.database_url)
    click.echo(f"database at revision {head_revision()}")


commands = [db]
