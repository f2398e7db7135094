"""The HTTP edges of the admin API: every error as an RFC 9457 problem (`application/problem+json`), request
bodies read strictly (no body, a body that is not JSON, a body too large: 4xx, never a default), routing
errors under /api/admin answered as problems too, and the OpenAPI document declaring each of those answers.

flask-smorest builds the document; `AdminApi` makes it describe what the API really sends: problems under
their own media type, one declared response per status an operation can give (`problems(...)`), and no
catch-all `default`, so a client — or schemathesis in tests/app/test_admin_schemathesis.py — can hold every
answer to the document.
"""
from __future__ import annotations

import http
import json
from typing import Any, Callable

from flask import Flask, request
from flask_smorest import Api, Blueprint, abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from .admin_schemas import NAME_PATTERN, ProblemSchema

PROBLEM = "application/problem+json"
PREFIX = "/api/admin"
MAX_BODY_BYTES = 64 * 1024  # a partner's configuration is a few hundred bytes

# What may answer each kind of operation, besides its success (the document lists exactly these).
READ = (401, 429, 503)  # 503: the database is unreachable (app/errors.py)
NAMED = (*READ, 404)  # a route with a partner's name (and a run id) in its path
BODY = (400, 403, 413, 415, 422)  # a change: a read-only token is refused, a body is read

HEADERS = {
    401: {"WWW-Authenticate": {"description": "`Bearer realm=\"pop-admin\"`", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds before trying again.", "schema": {"type": "integer"}}},
    503: {"Retry-After": {"description": "Seconds before trying again.", "schema": {"type": "integer"}}},
}


def problem(status: int, detail: str, errors: dict | None = None, headers: dict | None = None):
    """A problem document as a Flask response tuple."""
    body: dict[str, Any] = {"type": "about:blank", "title": http.HTTPStatus(status).phrase, "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    return body, status, {"Content-Type": PROBLEM, **(headers or {})}


def _field_errors(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages ({"json": {"sets": {0: [...]}}}) as one level: {"sets.0": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            for name, texts in _field_errors(value, f"{path}.{key}" if path else str(key)).items():
                flat.setdefault(name, []).extend(texts)
    elif isinstance(messages, (list, tuple)) and all(isinstance(text, str) for text in messages):
        flat[path or "_schema"] = list(messages)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            for name, texts in _field_errors(value, path).items():
                flat.setdefault(name, []).extend(texts)
    else:
        flat[path or "_schema"] = [str(messages)]
    return flat


def http_problem(error: HTTPException):
    """Any HTTP error raised under /api/admin (`abort`, webargs, routing) as a problem; validation messages
    become `errors`, one entry per field, whatever location they came from."""
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "view_args", "path"}:
        messages = {field: texts for location in messages.values()
                    for field, texts in (location.items() if isinstance(location, dict) else [("_schema", location)])}
    errors = _field_errors(messages) if messages else None
    status = error.code or 500
    detail = data.get("message") or ("invalid request: see errors" if errors else error.description or "")
    headers = dict(data.get("headers") or {})
    if status == 405:
        headers.update(error.get_headers())
        headers.pop("Content-Type", None)
    return problem(status, detail, errors, headers)


class JsonBodyParser(FlaskParser):
    """webargs' parser, strict about bodies: an operation that takes one gets a JSON object or a 4xx saying
    what is wrong — not an empty change (no body), not a default (a form or text body), not a 500 (JSON
    that does not parse, or nests past the interpreter's recursion limit)."""

    def load_json(self, req, schema):
        data = req.get_data(cache=True)
        if len(data) > MAX_BODY_BYTES:
            abort(413, message=f"the body is larger than {MAX_BODY_BYTES} bytes")
        if not data.strip():
            abort(400, message="a JSON body is required (send {} to change nothing)")
        if not is_json_request(req):
            abort(415, message="send the body as application/json")
        try:
            return core.parse_json(data)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            abort(400, message=f"the body is not valid JSON: {error}"[:300])


class AdminBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()

    def problems(self, *statuses: int) -> Callable:
        """Declare in the document that an operation may answer these statuses, each with a problem."""
        def decorate(function):
            for status in sorted(set(statuses)):
                function = self.alt_response(status, response=http.HTTPStatus(status).name)(function)
            return function
        return decorate


class PartnerName(BaseConverter):
    """`<partner:name>`: a path segment that can be a partner's name (harvest/partner.py NAME)."""

    regex = NAME_PATTERN.strip("^$")


class AdminApi(Api):
    """flask-smorest's Api, describing problems as they are sent, and without its app-wide error handler:
    only the admin API answers in problems (its blueprint's handler, `http_problem`)."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # no catch-all: each operation lists what it may answer

    def _register_error_handlers(self):
        pass

    def register_blueprint(self, blp, **options):
        # converters first: a blueprint's rules are built, and documented, when it is registered
        self._app.url_map.converters["partner"] = PartnerName
        self.register_converter(PartnerName, lambda converter: {"type": "string", "pattern": NAME_PATTERN})
        super().register_blueprint(blp, **options)

    def _register_responses(self):
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response = {"description": status.phrase,
                        "content": {PROBLEM: {"schema": self.ERROR_SCHEMA}}}
            if status in HEADERS:
                response["headers"] = HEADERS[status]
            self.spec.components.response(status.name, response, lazy=True)


def answer_routing_errors(app: Flask) -> None:
    """Unknown paths and methods under /api/admin are problems too: routing fails before any blueprint
    is chosen, so the blueprint's handler never sees them; the routing exception waits in the request
    until dispatch, which lets an app-wide before_request answer it first."""

    @app.before_request
    def _admin_routing_problem():
        error = request.routing_exception
        if (isinstance(error, HTTPException) and (error.code or 0) >= 400
                and (request.path == PREFIX or request.path.startswith(PREFIX + "/"))):
            return http_problem(error)
        return None
