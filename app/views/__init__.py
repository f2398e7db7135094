"""HTTP views: thin adapters from Flask requests to the libraries. One module per area, one line each here."""
from __future__ import annotations

from flask import Flask


def register_views(app: Flask) -> None:
    from . import admin, oai, pages

    app.register_blueprint(pages.blueprint)
    app.register_blueprint(oai.blueprint)
    admin.register(app)  # /api/admin (flask-smorest)
    from .exports import blueprint as exports
    app.register_blueprint(exports)
    from ..console import register as register_console
    register_console(app)  # /admin/ (pages for people; CSRF-protected forms)
    from .iiif import blueprint as iiif
    app.register_blueprint(iiif)
    from .catalog import blueprint as catalog
    app.register_blueprint(catalog)  # /catalog (DCAT), /exports/…/datapackage.json
