"""The Flask application: factory, configuration, database, views, CLI. The only package that knows Flask
and SQLAlchemy's ORM; `formats`, `protocols` and `harvest` are libraries it drives."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask, current_app

from formats.format import RenderOptions
from store.db import Database
from .settings import ConfigurationError, Settings


@dataclass
class Pop:
    """What the app holds besides Flask's own state: settings and the database."""

    settings: Settings
    db: Database


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the app. `settings` default to the environment's; `overrides` replace single settings (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    settings = settings or Settings.from_env(instance_path=app.instance_path)
    if overrides:
        settings = replace(settings, **overrides)
    app.config.update(SECRET_KEY=settings.secret_key, JSON_SORT_KEYS=False)
    if settings.database_replicas and not settings.database_url.startswith("postgresql"):
        raise ConfigurationError("POP_DATABASE_REPLICAS are PostgreSQL standbys: DATABASE_URL must be PostgreSQL too")
    db = Database(settings.database_url, render_options=render_options(settings),
                  replicas=settings.database_replicas, replica_max_lag=settings.replica_max_lag,
                  replica_check_interval=settings.replica_check_interval)
    app.extensions["pop"] = Pop(settings=settings, db=db)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from .errors import register_error_handlers
    from .extensions import init_cache
    from .logs import init_logging
    from .views import register_views

    init_logging(app)
    init_cache(app, settings)
    register_error_handlers(app)
    register_views(app)
    return app


def render_options(settings: Settings) -> RenderOptions:
    """What the settings choose of the renderers' output; the store renders with it (store/db.py)."""
    return RenderOptions(edm_default_rights=settings.edm_default_rights, image_base=settings.image_base_url,
                         public_url=settings.base_url)


def pop() -> Pop:
    """The current app's settings and database."""
    return current_app.extensions["pop"]
