"""Signing in and out of the console, and who is signed in.

A session holds the sha256 of the token it was opened with (the token itself never leaves the sign-in request)
and is checked against the token table on every request: a revoked token, or a session older than
POP_CONSOLE_SESSION_HOURS, sends the visitor back to sign-in. Wrong tokens count in the admin API's
per-address throttle, so the console is no easier to guess through than the API.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf.csrf import CSRFError
from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from store.console import token_by_digest, token_digest
from store.tokens import TokenInfo, authenticate

from .. import pop
from ..views.admin_auth import EXTENSION, FailureThrottle
from . import blueprint

OPEN = frozenset({"console.sign_in", "console.static"})  # what a signed-out visitor may see


def current_token() -> TokenInfo:
    return g.console_token


def require_admin() -> None:
    """A change needs an `admin` token: a `read` token gets a 403 page."""
    if not current_token().may_change:
        abort(403)


@blueprint.before_request
def _signed_in():
    g.console_token = None
    digest = session.get("token")
    if digest:
        with pop().db.session() as db_session:
            g.console_token = token_by_digest(db_session, digest)
        if g.console_token is None:
            session.clear()  # revoked since: the session ends with it
    if g.console_token is None and request.endpoint not in OPEN:
        return redirect(url_for("console.sign_in", next=_local(request.full_path)))
    return None


@blueprint.app_context_processor
def _globals():
    return {"console_token": g.get("console_token")}


def _local(target: str | None) -> str | None:
    """Only a path of the console is a place to go back to after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin/") or target.startswith("//"):
        return None
    return target.rstrip("?")


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    target = _local(request.values.get("next"))
    if request.method == "GET":
        return render_template("console/sign_in.html", next=target, error=None)
    throttle: FailureThrottle = current_app.extensions[EXTENSION]
    client = request.remote_addr or "unknown"
    wait = throttle.retry_after(client)
    if wait is not None:
        error = f"Too many wrong tokens from your address: try again in {wait} seconds."
        return render_template("console/sign_in.html", next=target, error=error), 429, {"Retry-After": str(wait)}
    value = request.form.get("token", "").strip()
    with pop().db.session() as db_session:
        token = authenticate(db_session, value) if value else None
    if token is None:
        throttle.failed(client)
        return render_template("console/sign_in.html", next=target, error="Unknown or revoked token."), 401
    session.clear()  # a new session for a new sign-in (and a new CSRF secret)
    session["token"] = token_digest(value)
    session.permanent = True  # expires after POP_CONSOLE_SESSION_HOURS
    return redirect(target or url_for("console.overview"))


@blueprint.post("/sign-out")
def sign_out():
    session.clear()
    return redirect(url_for("console.sign_in"))


@blueprint.errorhandler(403)
def _forbidden(error):
    return render_template("console/error.html", title="Not allowed",
                           message="Your token has the read scope: it may look, not change. Sign in with an "
                                   "admin token to change partners."), 403


@blueprint.errorhandler(CSRFError)
def _forged(error: CSRFError):
    """A form without its CSRF token (or with a stale one): 400, changing nothing."""
    return render_template("console/error.html", title="Form refused",
                           message=f"{error.description} Reload the page and send the form again."), 400


@blueprint.errorhandler(404)
def _missing(error):
    return render_template("console/error.html", title="Not found", message=error.description), 404
