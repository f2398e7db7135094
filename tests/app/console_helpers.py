"""What the console's tests share: an app that may harvest loopback partners (the admin API's address rules
refuse them otherwise), tokens, and a signed-in test client."""
from __future__ import annotations

import re

from app import create_app
from app.cli import cli
from app.settings import SETTINGS

from ..conftest import make_settings
from ..harvest.fixtures import FAST

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def loopback_allowed() -> dict:
    """The setting that lets partners at 127.0.0.1 through the address rules, read by its own parser."""
    return {declared.attribute: declared.parse(declared.variable, "127.0.0.0/8")
            for declared in SETTINGS if declared.variable == "POP_HARVEST_ALLOWED_NETWORKS"}


def console_app(database_url: str, tmp_path, **overrides):
    app = create_app(make_settings(database_url, tmp_path, **FAST, **loopback_allowed(), **overrides))
    app.config["TESTING"] = True
    return app


def create_token(app, name: str, scope: str = "admin") -> str:
    result = app.test_cli_runner().invoke(cli, ["token", "create", name, "--scope", scope])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


def sign_in(client, token: str):
    """Sign `client` in; returns the CSRF token of its new session."""
    form = client.get("/admin/sign-in").get_data(as_text=True)
    response = client.post("/admin/sign-in", data={"token": token, "csrf_token": csrf_of(form)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_of(client.get("/admin/").get_data(as_text=True))
