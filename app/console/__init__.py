"""The administrators' console: server-rendered pages under /admin/ for partners, their runs and quarantine,
and the store's overview, with charts drawn server-side (app/console/charts.py). No JavaScript is needed.

Sign-in takes an admin API token (store/tokens.py): its scope decides what the console allows (`read`: see,
`admin`: change). The session is Flask's signed cookie (HttpOnly, SameSite=Strict, Secure over https or when
POP_CONSOLE_SECURE_COOKIE says so) holding the token's digest, never the token; the token is looked up again on
every request, so revoking it ends its sessions at once. Every form carries a CSRF token (Flask-WTF's
CSRFProtect, app-wide; the JSON admin API and /oai, which take no cookies, are exempt). Wrong tokens count in
the admin API's throttle (app/views/admin_auth.py).

Views read through store/console.py and change through store/partners.py; a run asked for here is queued for
`pop worker`, never run inside the request.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from store.console import NoticeCounts, notice_counts

from ..extensions import guarded_cache

blueprint = Blueprint("console", __name__, url_prefix="/admin", template_folder="../templates",
                      static_folder="../static", static_url_path="/static")
csrf = CSRFProtect()


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over https (or always, by setting).
    A request without the cookie (every OAI, IIIF, export or API request) costs no signer, and one whose session
    was never touched no cookie settings."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and ("HTTP_COOKIE" not in request.environ
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


def cached_counts(db_session: Session) -> NoticeCounts:
    """The notices per base and source, from the app's cache (POP_CACHE_URL: shared by every node, the key
    carries the store version) until the next write; a failing cache is skipped a while, as for /oai."""
    cache = guarded_cache(current_app)
    return notice_counts(db_session, cache, on_cache_error=cache.guard.failed)


def register(app: Flask) -> None:
    from ..views import admin, oai
    from . import auth, overview, partners, runs  # noqa: F401  (routes)

    settings = app.extensions["pop"].settings
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_SECURE=settings.console_secure_cookie,
                      PERMANENT_SESSION_LIFETIME=settings.console_session_hours * 3600)
    app.session_interface = ConsoleSessionInterface()
    csrf.init_app(app)
    # bearer tokens and OAI requests carry no cookie a forged form could ride on
    csrf.exempt(admin.blueprint)
    csrf.exempt(oai.blueprint)
    # CSRFProtect's own check runs for every request, only to find a GET exempt: here it runs for the
    # methods it checks (the same check, the same order: after the app's other before_request functions)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def _csrf_protect() -> None:
        if request.method in app.config["WTF_CSRF_METHODS"] and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)

    app.register_blueprint(blueprint)
