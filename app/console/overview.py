"""The console's first page: notices per base (with a chart) and per source, the rendering backlog, and the
latest export build."""
from __future__ import annotations

from flask import render_template

from formats.bases import iter_bases
from store.console import store_overview

from .. import pop
from . import blueprint, cached_counts
from .charts import bases_chart


@blueprint.get("/")
def overview():
    with pop().db.session() as db_session:
        store = store_overview(db_session, cached_counts(db_session))
    bases = [(base, store.notices.get((base.name, False), 0), store.notices.get((base.name, True), 0))
             for base in iter_bases()]
    sources = sorted({source for source, _ in store.sources})
    return render_template("console/overview.html", store=store, bases=bases,
                           sources=[(s, store.sources.get((s, False), 0), store.sources.get((s, True), 0))
                                    for s in sources],
                           chart=bases_chart({base.name: live for base, live, _ in bases}))
