"""The admin API (/api/admin): partners, their runs and quarantined records, for administrators' scripts.

flask-smorest builds the OpenAPI document (/api/admin/openapi.json) from the marshmallow schemas of
app/views/admin_schemas.py; app/views/admin_http.py makes every error an RFC 9457 problem
(`application/problem+json`) and declares each in the document. Every route needs
`Authorization: Bearer <token>` (tokens from `pop token create`, kept as sha256). An invalid body is a 422
whose `errors` maps each field to its messages. Starting a run only queues it: `pop worker` runs it, never
the web request.
"""
from __future__ import annotations

from flask import Flask
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.exceptions import HTTPException

from harvest.client import OAIClient
from harvest.partner import InvalidPartner, check_config, check_remote, web_config
from harvest.schedule import format_interval, parse_interval
from harvest.urls import basic_auth, display_url

from store.models import Partner
from store.partners import (PartnerNotFound, delete_partner, get_partner, get_run, list_issues, list_partners,
                            list_runs, partner_exists, queue_run, save_partner, to_config)

from .. import pop
from ..harvesting import check_settings
from .admin_auth import check_request, init_throttle
from .admin_http import BODY, NAMED, READ, AdminApi, AdminBlueprint, answer_routing_errors, http_problem
from .admin_schemas import (MAX_ID, IssueQuerySchema, IssueSchema, PartnerCreateSchema, PartnerSchema,
                            RunRequestSchema, RunSchema)

blueprint = AdminBlueprint("admin", __name__, url_prefix="/api/admin",
                           description="Partners harvested into POP, their runs and quarantined records.")

# a partner's name in a path is what a name may be, and a run id fits in 64 bits: anything else is a 404
# problem from routing, never a query the database cannot run
PARTNER = "<partner:name>"
RUN = f"<int(max={MAX_ID}):run_id>"


def _dump_partner(row: Partner) -> dict:
    data = {key: getattr(row, key) for key in ("name", "metadata_prefix", "base", "mapping", "sets", "refs",
                                               "licence", "enabled", "notes", "granularity", "next_run_at",
                                               "created", "updated")}
    data["url"] = display_url(row.url, row.credentials)  # credentials are the partner's secret: masked
    data["every"] = format_interval(row.interval_seconds) if row.interval_seconds else None
    return data


# --- authentication and errors ------------------------------------------------------------------------
blueprint.before_request(check_request)  # tokens, their scopes: app/views/admin_auth.py


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return http_problem(error)


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
        # A web request waits for it: POP_HARVEST_CHECK_DEADLINE in all, under the address rules (SSRF) unless an
        # operator gave the URL, and a failure says nothing of why (an open port from a closed one): the log does
        client = OAIClient(config.url, check_settings(pop().settings, trusted_url=config.trusted_url),
                           auth=basic_auth(config.credentials))
        try:
            return check_remote(config, client, detailed=False)
        finally:
            client.close()
    except InvalidPartner as error:
        _invalid(error)


def _invalid(error: InvalidPartner):
    abort(422, errors={"json": {("every" if k == "interval" else k): v for k, v in error.errors.items()}})


# --- routes -------------------------------------------------------------------------------------------
@blueprint.route("/partners")
class Partners(MethodView):
    @blueprint.response(200, PartnerSchema(many=True))
    @blueprint.problems(*READ)
    def get(self):
        """Every partner."""
        with pop().db.session() as session:
            return [_dump_partner(row) for row in list_partners(session)]

    @blueprint.arguments(PartnerCreateSchema)
    @blueprint.response(201, PartnerSchema)
    @blueprint.problems(*READ, *BODY, 409)
    def post(self, data):
        """Register a partner: checked against the partner itself (Identify, format offered, sets exist)."""
        every = data.pop("every", None)
        # untrusted, its credentials kept apart (never answered)
        config = web_config(sets=tuple(data.pop("sets", ())), interval_seconds=parse_interval(every) if every
                            else None, **data)
        with pop().db.session() as session:
            if partner_exists(session, config.name):
                abort(409, message=f"a partner named {config.name!r} exists")
        granularity = _check(config)
        with pop().db.session() as session:
            return _dump_partner(save_partner(session, config, granularity=granularity))


@blueprint.route(f"/partners/{PARTNER}")
class PartnerResource(MethodView):
    @blueprint.response(200, PartnerSchema)
    @blueprint.problems(*NAMED)
    def get(self, name):
        """One partner."""
        with pop().db.session() as session:
            return _dump_partner(_partner_or_404(session, name))

    @blueprint.arguments(PartnerSchema)
    @blueprint.response(200, PartnerSchema)
    @blueprint.problems(*NAMED, *BODY)
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
        updated = web_config(config, **changes)  # an operator's URL stays trusted only while unchanged
        remote = any(key in changes for key in ("url", "metadata_prefix", "sets"))
        granularity = _check(updated, remote=remote)
        with pop().db.session() as session:
            row = _partner_or_404(session, name)
            try:
                return _dump_partner(save_partner(session, updated, granularity=granularity, existing=row))
            except InvalidPartner as error:  # its REF policy, once it owns notices
                _invalid(error)

    @blueprint.response(204)
    @blueprint.problems(*NAMED, 403)
    def delete(self, name):
        """Forget a partner, its runs and their quarantine (its notices stay, owned by its name)."""
        with pop().db.session() as session:
            delete_partner(session, _partner_or_404(session, name))


@blueprint.route(f"/partners/{PARTNER}/runs")
class Runs(MethodView):
    @blueprint.response(200, RunSchema(many=True))
    @blueprint.problems(*NAMED)
    def get(self, name):
        """The partner's recent runs (newest first) with their counters."""
        with pop().db.session() as session:
            return list_runs(session, _partner_or_404(session, name), limit=100)

    @blueprint.arguments(RunRequestSchema)
    @blueprint.response(202, RunSchema)
    @blueprint.problems(*NAMED, *BODY)
    def post(self, data, name):
        """Queue a run; a worker (`pop worker`) starts it. Asking twice keeps one queued run."""
        with pop().db.session() as session:
            return queue_run(session, _partner_or_404(session, name), full=data["full"])


@blueprint.route(f"/partners/{PARTNER}/runs/{RUN}")
class RunResource(MethodView):
    @blueprint.response(200, RunSchema)
    @blueprint.problems(*NAMED)
    def get(self, name, run_id):
        """One run."""
        with pop().db.session() as session:
            run = get_run(session, _partner_or_404(session, name), run_id)
            if run is None:
                abort(404, message=f"partner {name!r} has no run {run_id}")
            return run


@blueprint.route(f"/partners/{PARTNER}/runs/{RUN}/issues")
class Issues(MethodView):
    @blueprint.arguments(IssueQuerySchema, location="query")
    @blueprint.response(200, IssueSchema(many=True))
    @blueprint.problems(*NAMED, 422)
    def get(self, query, name, run_id):
        """The records a run quarantined, with the reason and the raw XML; page with `after` and `limit`."""
        with pop().db.session() as session:
            if get_run(session, _partner_or_404(session, name), run_id) is None:
                abort(404, message=f"partner {name!r} has no run {run_id}")
            return list_issues(session, run_id, after_id=query["after"], limit=query["limit"])


def register(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "POP admin API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/admin")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = AdminApi(app, spec_kwargs={"info": {"description": __doc__}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    api.register_blueprint(blueprint)
    answer_routing_errors(app)
    init_throttle(app)
