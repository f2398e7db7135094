"""Command groups of each area (`pop export …`, `pop harvest …`), one module each, one line each here.

A module exposes `commands`: a list of click commands or groups added to `pop`.
"""
from __future__ import annotations

from importlib import import_module

import click

AREAS: tuple[str, ...] = ("oai", "harvest", "export")


def register(cli: click.Group) -> None:
    for area in AREAS:
        for command in import_module(f"{__package__}.{area}").commands:
            cli.add_command(command)
