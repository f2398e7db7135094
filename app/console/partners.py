"""The console's partner pages: the table (sorted and filtered by query parameters), the add and edit forms,
enable/disable, delete (after a confirmation page), and runs asked for now or in full — queued for
`pop worker` (store.partners.queue_run), never run inside the request."""
from __future__ import annotations

from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for

from formats.bases import BASES
from harvest.mappings import MAPPINGS
from harvest.partner import InvalidPartner
from harvest.schedule import format_interval
from store.console import SORTS, partner_summaries
from store.partners import (PartnerNotFound, delete_partner, get_partner, partner_exists, queue_run, save_partner,
                            to_config)

from .. import pop
from . import blueprint, cached_counts
from .auth import require_admin
from .forms import PartnerForm, check, optional_fields

STATUSES = ("attention", "never", "queued", "running", "succeeded", "incomplete", "failed", "interrupted")


def partner_or_404(db_session, name: str):
    try:
        return get_partner(db_session, name)
    except PartnerNotFound as error:
        abort(404, description=str(error))


@blueprint.get("/partners/")
def partners():
    args = request.args
    sort = args.get("sort") if args.get("sort") in SORTS else "name"
    enabled = {"yes": True, "no": False}.get(args.get("enabled", ""))
    filters = {"status": args.get("status", "") if args.get("status") in STATUSES else "",
               "base": args.get("base", "") if args.get("base") in BASES else "", "q": args.get("q", "").strip()}
    with pop().db.session() as db_session:
        rows = partner_summaries(db_session, counts=cached_counts(db_session), sort=sort,
                                 descending=args.get("order") == "desc", enabled=enabled, **filters)
        return render_template("console/partners.html", rows=rows, sort=sort, order=args.get("order", "asc"),
                               filters={**filters, "enabled": args.get("enabled", "")}, statuses=STATUSES,
                               bases=list(BASES), sorts=SORTS)


def _form_page(form: PartnerForm, *, name: str | None = None, status: int = 200):
    return render_template("console/partner_form.html", form=form, name=name, bases=list(BASES),
                           mappings=list(MAPPINGS), optional=optional_fields()), status


@blueprint.route("/partners/new", methods=["GET", "POST"])
def new_partner():
    require_admin()
    if request.method == "GET":
        return _form_page(PartnerForm())
    form = PartnerForm.read(request.form)
    with pop().db.session() as db_session:
        if partner_exists(db_session, form.values["name"]):
            form.errors = {"name": [f"a partner named {form.values['name']!r} exists"]}
            return _form_page(form, status=409)
    checked = check(form)
    if checked is None:
        return _form_page(form, status=422)
    config, granularity = checked
    with pop().db.session() as db_session:
        save_partner(db_session, config, granularity=granularity)
    flash(f"Partner {config.name} added: it answered Identify (granularity {granularity}), offers "
          f"{config.metadata_prefix}{' and the sets asked for' if config.sets else ''}.")
    return redirect(url_for("console.partner", name=config.name), 303)


@blueprint.route("/partners/<name>/edit", methods=["GET", "POST"])
def edit_partner(name: str):
    require_admin()
    with pop().db.session() as db_session:
        row = partner_or_404(db_session, name)
        if request.method == "GET":
            return _form_page(PartnerForm.of(row), name=name)
        existing = to_config(row)
    form = PartnerForm.read(request.form)
    checked = check(form, existing)
    if checked is None:
        return _form_page(form, name=name, status=422)
    config, granularity = checked
    try:
        with pop().db.session() as db_session:
            save_partner(db_session, config, granularity=granularity, existing=partner_or_404(db_session, name))
    except InvalidPartner as error:  # a rule of the store (a REF policy that cannot change any more)
        form.errors = error.errors
        return _form_page(form, name=name, status=422)
    flash(f"Partner {name} saved" + (f" (the partner answered: granularity {granularity})." if granularity else "."))
    return redirect(url_for("console.partner", name=name), 303)


@blueprint.post("/partners/<name>/enabled")
def toggle_partner(name: str):
    require_admin()
    enable = request.form.get("enabled") == "yes"
    with pop().db.session() as db_session:
        row = partner_or_404(db_session, name)
        save_partner(db_session, replace(to_config(row), enabled=enable), existing=row)
    flash(f"Partner {name} {'enabled' if enable else 'disabled'}.")
    back = url_for("console.partners") if request.form.get("back") == "list" else url_for("console.partner", name=name)
    return redirect(back, 303)


@blueprint.route("/partners/<name>/delete", methods=["GET", "POST"])
def delete(name: str):
    require_admin()
    with pop().db.session() as db_session:
        row = partner_or_404(db_session, name)
        if request.method == "GET":
            return render_template("console/partner_delete.html", partner=row)
        delete_partner(db_session, row)
    flash(f"Partner {name} deleted; its notices stay, owned by its name.")
    return redirect(url_for("console.partners"), 303)


@blueprint.post("/partners/<name>/run")
def run_now(name: str):
    require_admin()
    full = request.form.get("full") == "yes"
    with pop().db.session() as db_session:
        run = queue_run(db_session, partner_or_404(db_session, name), full=full)
        run_id = run.id
    flash(f"{'Full re-harvest' if full else 'Run'} #{run_id} queued: a worker (pop worker) starts it.")
    return redirect(url_for("console.partner", name=name), 303)


@blueprint.app_template_filter("interval")
def _interval(seconds: int) -> str:
    return format_interval(seconds)
