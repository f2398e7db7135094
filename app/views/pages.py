"""The home page for newcomers, and health checks for operators."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from formats.bases import iter_bases
from store.migrate import schema_revisions
from store.stats import notice_counts, published_counts

from .. import pop

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
    """Readiness: the database answers and its schema is at the code's migration head."""
    try:
        current, head = schema_revisions(pop().db.engine)
    except Exception as error:  # noqa: BLE001 - readiness reports any failure as not ready
        return jsonify(status="unavailable", database=type(error).__name__), 503
    if current != head:
        return jsonify(status="unavailable", migrations={"current": current, "head": head},
                       hint="run: pop db upgrade"), 503
    return jsonify(status="ok", migrations={"current": current, "head": head})
