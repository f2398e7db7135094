"""`pop token create|list|revoke`: bearer tokens for the admin API (docs/admin-api.md)."""
from __future__ import annotations

import click

from store.tokens import SCOPES, create_token, list_tokens, revoke_token

from .common import one_line_errors, pop


@click.group("token")
def token():
    """Bearer tokens for the admin API."""


@token.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), default="admin", show_default=True,
              help="read: the admin API's reads only; admin: changes too.")
@one_line_errors
def token_create(name, scope):
    """Create a token named NAME and print it once (only its sha256 is kept)."""
    with pop().db.session() as session:
        value = create_token(session, name, scope)
    click.echo(value)
    click.echo(f"token {name!r} ({scope}) created; it is shown only this once", err=True)


@token.command("list")
@one_line_errors
def token_list():
    """Every token: name, scope, created, last used, revoked (never the token itself)."""
    with pop().db.session() as session:
        tokens = list_tokens(session)
    if not tokens:
        click.echo("no tokens (create one with `pop token create NAME`)")
        return
    click.echo("name\tscope\tcreated\tlast used\trevoked")
    for info in tokens:
        last_used = f"{info.last_used:%Y-%m-%d %H:%M}" if info.last_used else "never"
        click.echo(f"{info.name}\t{info.scope}\t{info.created:%Y-%m-%d %H:%M}\t{last_used}\t"
                   f"{'yes' if info.revoked else 'no'}")


@token.command("revoke")
@click.argument("name")
@one_line_errors
def token_revoke(name):
    """Revoke the token named NAME: the admin API refuses it (401) from the next request on."""
    with pop().db.session() as session:
        revoke_token(session, name)
    click.echo(f"token {name!r} revoked")


commands = [token]
