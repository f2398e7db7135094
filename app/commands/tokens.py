"""`pop token create`: bearer tokens for the admin API."""
from __future__ import annotations

import click

from store.tokens import create_token

from .common import one_line_errors, pop


@click.group("token")
def token():
    """Bearer tokens for the admin API."""


@token.command("create")
@click.argument("name")
@one_line_errors
def token_create(name):
    """Create a token named NAME and print it once (only its sha256 is kept)."""
    with pop().db.session() as session:
        value = create_token(session, name)
    click.echo(value)
    click.echo(f"token {name!r} created; it is shown only this once", err=True)


commands = [token]
