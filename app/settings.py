"""Typed settings, built from the environment in one place. Every setting is documented in docs/configuration.md."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _default_schema_dir() -> str | None:
    candidate = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas"
    return str(candidate) if candidate.is_dir() else None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    env: str  # production | development | testing
    database_url: str
    secret_key: str
    base_url: str
    repository_identifier: str
    repository_name: str
    admin_email: str
    cache_url: str | None
    schema_dir: str | None
    export_dir: str
    oai_page_size: int = 100
    oai_identifiers_page_size: int = 500
    oai_token_lifetime: int = 86_400  # seconds; the spec lets harvesters come back the next day
    oai_commit_lag: int = 2  # seconds a write may commit after its datestamp; lists stop that far back
    edm_default_rights: str = "http://rightsstatements.org/vocab/CNE/1.0/"  # edm:rights when a notice states none
    harvest_timeout: float = 60.0  # seconds, per request to a partner
    harvest_max_attempts: int = 6  # per request, before a run fails
    harvest_backoff: float = 2.0  # first wait between attempts (doubled each time)
    harvest_max_retry_after: float = 600.0  # longest Retry-After honoured, in seconds
    harvest_max_response_bytes: int = 64 * 1024 * 1024
    harvest_overlap: int = 300  # seconds taken off the last run's responseDate for the next `from`
    harvest_max_empty_pages: int = 10  # empty pages with a token in a row before a run fails
    harvest_reader: str = "process"  # where pages are fetched, parsed and mapped: "process" or "thread"
    worker_poll: int = 30  # seconds between two looks at due partners
    export_batch_size: int = 2000  # notices fetched per round trip while streaming an export
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, instance_path: str | Path = "instance") -> "Settings":
        env = os.environ if env is None else env
        instance = Path(instance_path)
        mode = env.get("POP_ENV", "production")
        if mode not in ("production", "development", "testing"):
            raise ConfigurationError(f"POP_ENV must be production, development or testing, got {mode!r}")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{(instance / 'pop.sqlite3').resolve()}"
        if database_url.startswith("postgres://"):
            database_url = "postgresql://" + database_url[len("postgres://"):]
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
        secret = env.get("POP_SECRET_KEY") or ""
        if not secret:
            if mode == "production":
                raise ConfigurationError(
                    "POP_SECRET_KEY is not set: set it to a long random string "
                    "(python -c 'import secrets; print(secrets.token_urlsafe(32))'), "
                    "or set POP_ENV=development to run with a generated development key")
            secret = _development_secret(instance)
        return cls(
            env=mode,
            database_url=database_url,
            secret_key=secret,
            base_url=(env.get("POP_BASE_URL") or "http://localhost:5000").rstrip("/"),
            repository_identifier=env.get("POP_REPOSITORY_IDENTIFIER") or "pop.culture.gouv.fr",
            repository_name=env.get("POP_REPOSITORY_NAME") or "POP – la plateforme ouverte du patrimoine",
            admin_email=env.get("POP_ADMIN_EMAIL") or "pop@culture.gouv.fr",
            cache_url=env.get("POP_CACHE_URL") or None,
            schema_dir=env.get("POP_SCHEMA_DIR") or _default_schema_dir(),
            export_dir=env.get("POP_EXPORT_DIR") or str((instance / "exports").resolve()),
            oai_page_size=_int(env, "POP_OAI_PAGE_SIZE", 100),
            oai_identifiers_page_size=_int(env, "POP_OAI_IDENTIFIERS_PAGE_SIZE", 500),
            oai_token_lifetime=_int(env, "POP_OAI_TOKEN_LIFETIME", 86_400),
            edm_default_rights=_rights(env.get("POP_EDM_DEFAULT_RIGHTS")),
            oai_commit_lag=_int(env, "POP_OAI_COMMIT_LAG", 2),
            harvest_timeout=_int(env, "POP_HARVEST_TIMEOUT", 60),
            harvest_max_attempts=_int(env, "POP_HARVEST_MAX_ATTEMPTS", 6),
            harvest_max_retry_after=_int(env, "POP_HARVEST_MAX_RETRY_AFTER", 600),
            harvest_max_response_bytes=_int(env, "POP_HARVEST_MAX_RESPONSE_BYTES", 64 * 1024 * 1024),
            harvest_overlap=_int(env, "POP_HARVEST_OVERLAP", 300),
            harvest_max_empty_pages=_int(env, "POP_HARVEST_MAX_EMPTY_PAGES", 10),
            harvest_reader=_choice(env, "POP_HARVEST_READER", ("process", "thread")),
            worker_poll=_int(env, "POP_WORKER_POLL", 30),
            export_batch_size=_int(env, "POP_EXPORT_BATCH_SIZE", 2000),
        )


def _choice(env, name: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or choices[0]
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _rights(value: str | None) -> str:
    from formats.rights import DEFAULT_RIGHTS, is_accepted

    if not value:
        return DEFAULT_RIGHTS
    if not is_accepted(value):
        raise ConfigurationError(
            f"POP_EDM_DEFAULT_RIGHTS must be one of the rights URIs Europeana accepts "
            f"(e.g. http://rightsstatements.org/vocab/CNE/1.0/), got {value!r}")
    return value


def _development_secret(instance: Path) -> str:
    """A key kept in the instance folder, so every process of a development install shares it."""
    path = instance / "development-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    return key
