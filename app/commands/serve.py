"""`pop serve`: the app under gunicorn."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .common import one_line_errors, pop

ROOT = Path(__file__).resolve().parent.parent.parent

# gunicorn's largest request line (its default is 4094): an OAI-PMH GET carrying a long argument then reaches
# the app, which answers it in OAI-PMH terms (badArgument past POP_OAI_MAX_ARGUMENT_BYTES), not with an HTML 414.
LIMIT_REQUEST_LINE = 8190


def gunicorn_args(host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line of `pop serve` (after `python -m`); tests start the same server with it."""
    return ["gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers), "--chdir", str(ROOT),
            "--access-logfile", "-", "--timeout", "120",
            "--worker-class", "gthread", "--threads", "4",  # a long export download must not look like a hung worker
            "--limit-request-line", str(LIMIT_REQUEST_LINE),
            "wsgi:app"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn worker processes.")
@one_line_errors
def serve(host: str, port: int, workers: int):
    """Serve the app with gunicorn (the production server)."""
    pop()  # the settings were checked when the app was built
    os.execvp(sys.executable, [sys.executable, "-m", *gunicorn_args(host, port, workers)])


commands = [serve]
