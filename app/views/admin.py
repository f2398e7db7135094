"""The admin API (/api/admin): partners, their runs and quarantined records, for administrators' scripts.

flask-smorest builds the OpenAPI document (/api/admin/openapi.json) from the marshmallow schemas below.
Every route needs `Authorization: Bearer <token>` (tokens from `pop token create`, kept as sha256).
Errors are RFC 7807 problems (`application/problem+json`); an invalid body is a 422 whose `errors` maps
each field to its messages. Starting a run only queues it: `pop worker` runs it, never the web request.
"""
from __future__ import annotations

from dataclasses import replace

from flask import Flask, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate, validates
from werkzeug.exceptions import HTTPException

from formats.bases import BASES
from harvest.client import OAIClient
from harvest.mappings import MAPPINGS
from harvest.partner import InvalidPartner, PartnerConfig, check_config, check_remote
from harvest.schedule import IntervalError, format_interval, parse_interval

from store.models import Partner
from store.partners import (PartnerNotFound, delete_partner, get_partner, get_run, list_issues, list_partners,
                            list_runs, partner_exists, queue_run, save_partner, to_config)
from store.tokens import authenticate

from .. import pop
from ..harvesting import client_settings

blueprint = Blueprint("admin", __name__, url_prefix="/api/admin",
                      description="Partners harvested into POP, their runs and quarantined records.")


# --- schemas ------------------------------------------------------------------------------------------
class PartnerSchema(Schema):
    name = fields.String(dump_only=True, metadata={"description": "Also the partner's OAI set and notices' source."})
    url = fields.Url(schemes={"http", "https"}, require_tld=False, metadata={"description": "OAI-PMH base URL."})
    metadata_prefix = fields.String(validate=validate.Length(min=1, max=64))
    base = fields.String(validate=validate.OneOf(list(BASES)), metadata={"description": "Target POP base."})
    mapping = fields.String(validate=validate.OneOf(list(MAPPINGS)), metadata={"description": "Default: the prefix's."})
    sets = fields.List(fields.String(validate=validate.Length(min=1)), metadata={"description": "Empty: everything."})
    every = fields.String(allow_none=True, metadata={"description": "Schedule: 30m, 12h, 1d, 1w; null: by hand."})
    enabled = fields.Boolean()
    notes = fields.String()
    granularity = fields.String(dump_only=True)
    next_run_at = fields.DateTime(dump_only=True)
    created = fields.DateTime(dump_only=True)
    updated = fields.DateTime(dump_only=True)

    @validates("every")
    def _every(self, value, **_):
        if value is not None:
            try:
                parse_interval(value)
            except IntervalError as error:
                raise ValidationError(str(error)) from None


class PartnerCreateSchema(PartnerSchema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,62}$",
                         error="1-63 lowercase letters, digits or hyphens, starting with a letter or digit."))
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    metadata_prefix = fields.String(required=True, validate=validate.Length(min=1, max=64))
    base = fields.String(required=True, validate=validate.OneOf(list(BASES)))


class RunRequestSchema(Schema):
    full = fields.Boolean(load_default=False, metadata={"description": "Everything, not only what changed."})


class RunSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued | running | succeeded | failed | interrupted"})
    full = fields.Boolean()
    started = fields.DateTime()
    finished = fields.DateTime(allow_none=True)
    from_date = fields.String(data_key="from", allow_none=True)
    response_date = fields.String(allow_none=True)
    pages = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    deleted = fields.Integer()
    quarantined = fields.Integer()
    error = fields.String(allow_none=True)


class IssueSchema(Schema):
    id = fields.Integer()
    identifier = fields.String(allow_none=True)
    reason = fields.String()
    raw = fields.String(allow_none=True, metadata={"description": "The record's XML as received."})
    created = fields.DateTime()


class IssueQuerySchema(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0), metadata={"description": "Last id seen."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


def _dump_partner(row: Partner) -> dict:
    data = {key: getattr(row, key) for key in ("name", "url", "metadata_prefix", "base", "mapping", "sets",
                                               "enabled", "notes", "granularity", "next_run_at", "created",
                                               "updated")}
    data["every"] = format_interval(row.interval_seconds) if row.interval_seconds else None
    return data


# --- authentication and errors ------------------------------------------------------------------------
def _problem(status: int, title: str, detail: str, errors: dict | None = None, headers: dict | None = None):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return body, status, {"Content-Type": "application/problem+json", **(headers or {})}


@blueprint.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _problem(401, "Unauthorized", "send Authorization: Bearer <token> (create one with `pop token create`)",
                        headers={"WWW-Authenticate": 'Bearer realm="pop-admin"'})
    with pop().db.session() as session:
        if authenticate(session, token.strip()) is None:
            return _problem(401, "Unauthorized", "unknown or revoked token",
                            headers={"WWW-Authenticate": 'Bearer realm="pop-admin", error="invalid_token"'})
    return None


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "view_args"}:
        errors = {field: messages for location in errors.values() for field, messages in location.items()}
    detail = data.get("message") or ("invalid request: see errors" if errors else error.description)
    return _problem(error.code or 500, error.name, detail, errors)


def _partner_or_404(session, name: str) -> Partner:
    try:
        return get_partner(session, name)
    except PartnerNotFound as error:
        abort(404, message=str(error))


def _check(config, *, remote: bool = True) -> str | None:
    """Check a configuration, the partner included; 422 with field errors when it does not fit."""
    try:
        check_config(config)
        if not remote:
            return None
        # a web request waits for it: a few quick attempts, not the harvester's patience
        client = OAIClient(config.url, replace(client_settings(pop().settings), max_attempts=2, backoff=0.5,
                                               max_retry_after=5.0, timeout=min(pop().settings.harvest_timeout, 15.0)))
        try:
            return check_remote(config, client)
        finally:
            client.close()
    except InvalidPartner as error:
        abort(422, errors={"json": {("every" if k == "interval" else k): v for k, v in error.errors.items()}})


# --- routes -------------------------------------------------------------------------------------------
@blueprint.route("/partners")
class Partners(MethodView):
    @blueprint.response(200, PartnerSchema(many=True))
    def get(self):
        """Every partner."""
        with pop().db.session() as session:
            return [_dump_partner(row) for row in list_partners(session)]

    @blueprint.arguments(PartnerCreateSchema)
    @blueprint.response(201, PartnerSchema)
    def post(self, data):
        """Register a partner: checked against the partner itself (Identify, format offered, sets exist)."""
        every = data.pop("every", None)
        config = PartnerConfig(sets=tuple(data.pop("sets", ())), interval_seconds=parse_interval(every) if every
                               else None, **data)
        with pop().db.session() as session:
            if partner_exists(session, config.name):
                abort(409, message=f"a partner named {config.name!r} exists")
        granularity = _check(config)
        with pop().db.session() as session:
            return _dump_partner(save_partner(session, config, granularity=granularity))


@blueprint.route("/partners/<name>")
class PartnerResource(MethodView):
    @blueprint.response(200, PartnerSchema)
    def get(self, name):
        """One partner."""
        with pop().db.session() as session:
            return _dump_partner(_partner_or_404(session, name))

    @blueprint.arguments(PartnerSchema)
    @blueprint.response(200, PartnerSchema)
    def patch(self, data, name):
        """Change a partner; the partner is checked again when its URL, prefix or sets change."""
        with pop().db.session() as session:
            config = to_config(_partner_or_404(session, name))
        changes = dict(data)
        if "sets" in changes:
            changes["sets"] = tuple(changes["sets"])
        if "every" in changes:
            every = changes.pop("every")
            changes["interval_seconds"] = parse_interval(every) if every else None
        updated = replace(config, **changes)
        remote = any(key in changes for key in ("url", "metadata_prefix", "sets"))
        granularity = _check(updated, remote=remote)
        with pop().db.session() as session:
            row = _partner_or_404(session, name)
            return _dump_partner(save_partner(session, updated, granularity=granularity, existing=row))

    @blueprint.response(204)
    def delete(self, name):
        """Forget a partner, its runs and their quarantine (its notices stay, owned by its name)."""
        with pop().db.session() as session:
            delete_partner(session, _partner_or_404(session, name))


@blueprint.route("/partners/<name>/runs")
class Runs(MethodView):
    @blueprint.response(200, RunSchema(many=True))
    def get(self, name):
        """The partner's recent runs (newest first) with their counters."""
        with pop().db.session() as session:
            return list_runs(session, _partner_or_404(session, name), limit=100)

    @blueprint.arguments(RunRequestSchema)
    @blueprint.response(202, RunSchema)
    def post(self, data, name):
        """Queue a run; a worker (`pop worker`) starts it. Asking twice keeps one queued run."""
        with pop().db.session() as session:
            return queue_run(session, _partner_or_404(session, name), full=data["full"])


@blueprint.route("/partners/<name>/runs/<int:run_id>")
class RunResource(MethodView):
    @blueprint.response(200, RunSchema)
    def get(self, name, run_id):
        """One run."""
        with pop().db.session() as session:
            run = get_run(session, _partner_or_404(session, name), run_id)
            if run is None:
                abort(404, message=f"partner {name!r} has no run {run_id}")
            return run


@blueprint.route("/partners/<name>/runs/<int:run_id>/issues")
class Issues(MethodView):
    @blueprint.arguments(IssueQuerySchema, location="query")
    @blueprint.response(200, IssueSchema(many=True))
    def get(self, query, name, run_id):
        """The records a run quarantined, with the reason and the raw XML; page with `after` and `limit`."""
        with pop().db.session() as session:
            if get_run(session, _partner_or_404(session, name), run_id) is None:
                abort(404, message=f"partner {name!r} has no run {run_id}")
            return list_issues(session, run_id, after_id=query["after"], limit=query["limit"])


class _AdminApi(Api):
    """flask-smorest's Api, without its app-wide error handler: only the admin API answers in JSON problems."""

    def _register_error_handlers(self):
        pass


def register(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "POP admin API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/admin")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = _AdminApi(app, spec_kwargs={"info": {"description": __doc__}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    api.register_blueprint(blueprint)
