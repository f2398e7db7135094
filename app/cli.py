"""The `pop` command line: the group, and the command areas it is made of (app/commands/, one module each).
Every command exits non-zero with a one-line reason on failure."""
from __future__ import annotations

from importlib import import_module

import click

# Areas in the order `pop --help` lists them. A module exposes `commands`: click commands or groups.
AREAS: tuple[str, ...] = ("db", "demo", "notices", "serve", "renditions", "harvest", "tokens", "export", "images")


@click.group(name="pop")
def cli():
    """POP Open Data Server: harvest, publish (OAI-PMH) and export POP's heritage notices.

    Configuration comes from the environment (DATABASE_URL, POP_SECRET_KEY, …): see docs/configuration.md.
    """


for _area in AREAS:
    for _command in import_module(f"app.commands.{_area}").commands:
        cli.add_command(_command)


def main() -> None:
    cli.main(prog_name="pop")
