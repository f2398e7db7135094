"""The Alembic migrations and the SQLAlchemy models describe the same schema."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store.db import make_engine
from store.migrate import current_revision, head_revision
from store.models import Model


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       Model.metadata)
    engine.dispose()
    assert differences == []


def test_the_store_is_at_the_migration_head(database_url):
    engine = make_engine(database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
