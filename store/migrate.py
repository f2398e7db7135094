"""Running Alembic: `pop db upgrade`, readiness checks and tests use these.

Alembic is imported by the functions that use it, not with the module: every `pop` command and the app
import this module, and Alembic costs ~0.17 s of start-up to a process that never migrates."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_revisions(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, the code's head): equal when the schema is current. Raises the driver's
    error when the database does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return current_revision(engine), head_revision()
