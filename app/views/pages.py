"""The home page for newcomers, and health checks for operators."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from formats.bases import iter_bases
from store.migrate import schema_revisions
from store.stats import notice_counts, published_counts

from .. import pop
from ..extensions import cache_state

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home():
    with pop().db.session() as session:
        counts = published_counts(session)
    bases = [(base, counts.get(base.name, 0)) for base in iter_bases()]
    return render_template("home.html", bases=bases, total=sum(counts.values()), settings=pop().settings)


@blueprint.get("/metrics")
def metrics():
    """Prometheus metrics: request and harvest counters, notices per base."""
    from prometheus_client import CONTENT_TYPE_LATEST

    from ..metrics import render_metrics

    def counts():
        with pop().db.session() as session:
            return [(base, deleted, count) for (base, deleted), count in notice_counts(session).items()]

    return render_metrics(counts), 200, {"Content-Type": CONTENT_TYPE_LATEST}


@blueprint.get("/healthz")
def healthz():
    """Liveness: the process answers."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    """Readiness, dependency by dependency. The database must answer with its schema at the code's migration
    head (else 503: this instance cannot serve); the cache and the read replicas may fail (200, "degraded":
    answers are computed without the cache, read from the primary instead of a replica, docs/operations.md)."""
    database = _database_state()
    cache = cache_state(current_app)
    replicas = [health.as_json() for health in pop().db.replicas.health()]
    if database["state"] != "ok":
        status, code = "unavailable", 503
    elif cache["state"] != "ok" or any(replica["state"] != "ok" for replica in replicas):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return jsonify(status=status, database=database, cache=cache, replicas=replicas), code


def _database_state() -> dict:
    try:
        current, head = schema_revisions(pop().db.engine)
    except Exception as error:  # noqa: BLE001 - readiness reports any failure as not ready
        return {"state": "unavailable", "error": type(error).__name__}
    migrations = {"current": current, "head": head}
    if current != head:
        return {"state": "outdated", "migrations": migrations, "hint": "run: pop db upgrade"}
    return {"state": "ok", "migrations": migrations}
