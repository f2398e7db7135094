"""A partner's page (its settings, its last 100 runs as charts and a table) and a run's page (counters,
outcome, the partner's announced list size while the run can resume, and its quarantined records filtered by
reason, in keyset pages), with the run's issues as a CSV download."""
from __future__ import annotations

import re
from typing import Iterator

from flask import Response, abort, render_template, request, stream_with_context

from harvest.runner import Checkpoint
from harvest.schedule import format_interval
from harvest.urls import redact_url
from store.console import issue_page, issue_reasons, owned_notices, recent_runs
from store.issues_csv import issues_csv_chunks
from store.partners import get_run

from .. import pop
from ..views.admin_schemas import MAX_ID
from . import blueprint
from .charts import duration_chart, records_chart
from .partners import partner_or_404

PAGE = 50
# a quarantined record's datestamp is in its raw header (the issue keeps no column for it)
DATESTAMP = re.compile(r"<(?:[\w.-]+:)?datestamp>\s*([^<\s]{1,40})\s*</")
RUN = f"<int(max={MAX_ID}):run_id>"


@blueprint.get("/partners/<name>")
def partner(name: str):
    with pop().db.session() as db_session:
        row = partner_or_404(db_session, name)
        runs = recent_runs(db_session, row, limit=100)
        return render_template("console/partner.html", partner=row, url=redact_url(row.url), runs=runs[::-1],
                               every=format_interval(row.interval_seconds) if row.interval_seconds else None,
                               notices=owned_notices(db_session, name),
                               records_svg=records_chart(runs) if runs else None,
                               duration_svg=duration_chart(runs) if runs else None)


@blueprint.app_template_filter("datestamp_of")
def datestamp_of(raw: str | None) -> str | None:
    found = DATESTAMP.search(raw[:4000]) if raw else None
    return found.group(1) if found else None


def _run_or_404(db_session, name: str, run_id: int):
    row = partner_or_404(db_session, name)
    run = get_run(db_session, row, run_id)
    if run is None:
        abort(404, description=f"partner {name!r} has no run {run_id}")
    return row, run


def _position(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and int(value) <= MAX_ID else None


@blueprint.get(f"/partners/<name>/runs/{RUN}")
def run(name: str, run_id: int):
    reason = request.args.get("reason", "")
    with pop().db.session() as db_session:
        row, run = _run_or_404(db_session, name, run_id)
        page = issue_page(db_session, run_id, reason=reason, after=_position("after") or 0,
                          before=_position("before"), limit=PAGE)
        # the partner's completeListSize is kept in the checkpoint while the run can resume (cleared at its end)
        announced = Checkpoint.decode(run.resumption_token).announced if run.resumption_token else None
        return render_template("console/run.html", partner=row, run=run, page=page, reason=reason,
                               reasons=issue_reasons(db_session, run_id), announced=announced)


@blueprint.get(f"/partners/<name>/runs/{RUN}/issues.csv")
def issues_csv(name: str, run_id: int):
    reason = request.args.get("reason", "")
    with pop().db.session() as db_session:
        _run_or_404(db_session, name, run_id)  # a 404 before the response starts

    def body() -> Iterator[bytes]:
        with pop().db.session() as db_session:
            yield from issues_csv_chunks(db_session, run_id, reason=reason)

    filename = f"{name}-run-{run_id}-issues.csv"
    return Response(stream_with_context(body()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
