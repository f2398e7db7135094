"""What every command area shares: the app a command works on, one-line errors, common options.
Imports no area, so each area imports it without a cycle."""
from __future__ import annotations

import functools

import click
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy.exc import OperationalError, ProgrammingError

from formats.bases import BASES, UnknownBase

from .. import Pop, create_app, pop
from ..settings import ConfigurationError

__all__ = ["base_option", "one_line_errors", "pop", "Pop"]


def _current_app() -> Flask:
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
