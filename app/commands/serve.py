"""`pop serve`: the app under gunicorn."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .common import one_line_errors, pop


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn worker processes.")
@one_line_errors
def serve(host: str, port: int, workers: int):
    """Serve the app with gunicorn (the production server)."""
    pop()  # the settings were checked when the app was built
    root = Path(__file__).resolve().parent.parent.parent
    args = ["gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers), "--chdir", str(root),
            "--access-logfile", "-", "--timeout", "120",
            "--worker-class", "gthread", "--threads", "4",  # a long export download must not look like a hung worker
            "wsgi:app"]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


commands = [serve]
