"""What the app answers when a request fails outside the protocols' own errors — in one place, per area
(the path prefix: `/oai`, `/api/`, `/exports`, the rest of the site). docs/operations.md says it for operators.

- The database is unreachable (refused or lost connections, an exhausted pool, a locked SQLite file): 503 with
  `Retry-After` (`POP_RETRY_AFTER`), flow control that harvesters and scripts wait out. `/oai` answers a short
  text/plain message, as OAI-PMH flow control allows; `/api/` and `/exports` an `application/problem+json`.
- Any other exception: 500, logged with its traceback (`request.failed`); a problem+json under `/api/` and
  `/exports`, a short text/plain message elsewhere: never Werkzeug's HTML page. Under tests (`TESTING`, unless
  `PROPAGATE_EXCEPTIONS` is False) an unexpected exception propagates, as Flask's own handling would.
- HTTP errors (404, 405, the admin API's problems) keep their handlers; under `/oai` they answer as text too.
Blueprint handlers run first (Flask looks them up before the app's), so the admin API's `HTTPException` handler
and the exports' `ExportProblem` handler compose with these: neither catches a database or unexpected error.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy import exc as sa
from werkzeug.exceptions import HTTPException

from .metrics import SERVER_ERRORS, UNAVAILABLE

log = logging.getLogger("pop.errors")

_PROBLEM_AREAS = ("api", "exports")


def area(path: str) -> str:
    """The area a path belongs to, for the shape of its error answers and the metrics' labels."""
    if path == "/oai" or path.startswith("/oai/"):
        return "oai"
    if path.startswith("/api/"):
        return "api"
    if path == "/exports" or path.startswith("/exports/"):
        return "exports"
    return "site"


def database_unavailable(error: BaseException) -> bool:
    """An error of reaching the database, not of the statement: worth a retry later, not a bug report.
    (psycopg and sqlite3 both raise OperationalError for refused, reset and locked; a pool timeout is ours.)"""
    if isinstance(error, (sa.OperationalError, sa.InterfaceError, sa.TimeoutError)):
        return True
    return isinstance(error, sa.DBAPIError) and error.connection_invalidated


def _answer(where: str, status: int, title: str, detail: str, headers: dict[str, str]) -> Response:
    if where in _PROBLEM_AREAS:
        response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail})
        response.mimetype = "application/problem+json"
    else:
        response = Response(f"{status} {title}: {detail}\n", mimetype="text/plain")
    response.status_code = status
    response.headers.update(headers)
    return response


def unavailable(where: str, reason: str, detail: str) -> Response:
    """503 + Retry-After in the shape of `where` (an area); `reason` labels the metric ("database", "overload")."""
    retry_after = current_app.extensions["pop"].settings.retry_after
    UNAVAILABLE.labels(area=where, reason=reason).inc()
    return _answer(where, 503, "Service Unavailable", f"{detail}; retry in {retry_after} seconds",
                   {"Retry-After": str(retry_after)})


def _database_error(error: sa.SQLAlchemyError):
    if not database_unavailable(error):
        return _unexpected(error)
    where = area(request.path)
    cause = getattr(error, "orig", None) or error  # the driver's own error says what happened
    log.warning("database.unavailable", extra={"area": where, "path": request.path, "error": type(cause).__name__,
                                               "detail": str(cause).strip().splitlines()[0][:200] if str(cause) else ""})
    return unavailable(where, "database", "the database is unavailable")


def _propagates() -> bool:
    propagate = current_app.config.get("PROPAGATE_EXCEPTIONS")
    return bool(current_app.testing or current_app.debug) if propagate is None else bool(propagate)


def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _http_error(error)
    if _propagates():
        raise error
    where = area(request.path)
    SERVER_ERRORS.labels(area=where).inc()
    log.error("request.failed", exc_info=error, extra={"area": where, "method": request.method,
                                                       "path": request.path, "error": type(error).__name__})
    request_id = getattr(g, "request_id", None)
    return _answer(where, 500, "Internal Server Error",
                   f"an unexpected error occurred; it was logged (request id {request_id})", {})


def _http_error(error: HTTPException):
    if area(request.path) != "oai":
        return error  # its own page, or the handler of its blueprint
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return _answer("oai", error.code or 500, error.name, error.description or error.name, headers)


def register_error_handlers(app: Flask) -> None:
    """Called by `create_app`, before the views' blueprints (whose own handlers still come first)."""
    app.register_error_handler(sa.SQLAlchemyError, _database_error)
    app.register_error_handler(Exception, _unexpected)
