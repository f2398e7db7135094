"""Typed settings, built from the environment in one place.

Each setting is declared once, as a field of `Settings` made by `setting(...)`: its environment variable, its
default, how its value is read and checked, and what it means. `Settings.from_env` reads the environment from
those declarations, and `settings_table()` writes the table of docs/configuration.md from the same ones
(`python tools/settings_doc.py` puts it in the file; a test fails when the committed table is stale).
Adding a setting is one `setting(...)` line here and a run of that tool.
"""
from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from formats.links import IMAGE_BASE
from formats.rights import DEFAULT_RIGHTS, is_accepted


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


# How a value is read: (variable, raw text, never empty) -> the value, or a ConfigurationError naming the variable.
Parser = Callable[[str, str], Any]
# A default that depends on the install: (instance folder, the settings read before this one) -> the value.
Derivation = Callable[[Path, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Setting:
    """One environment variable: how it is read, what it defaults to, what docs/configuration.md says of it."""

    variable: str
    meaning: str  # Markdown, one table cell
    parse: Parser
    default: Any = None  # when the variable is unset or empty, unless `derive` is given
    derive: Derivation | None = None
    shown_default: str | None = None  # the default as the docs show it, when it is derived
    attribute: str = ""  # the `Settings` field it fills (its name, set in `SETTINGS`)

    def read(self, env: Mapping[str, str], instance: Path, before: Mapping[str, Any]) -> Any:
        raw = env.get(self.variable)
        if raw:  # unset and empty both mean "the default", so `VAR=` in a shell file does no harm
            return self.parse(self.variable, raw)
        if self.derive is not None:
            return self.derive(instance, before)
        return self.default

    def documented_default(self) -> str:
        if self.shown_default is not None:
            return self.shown_default
        return "none" if self.default is None else f"`{self.default}`"


def setting(variable: str, meaning: str, *, parse: Parser | None = None, default: Any = None,
            derive: Derivation | None = None, shown_default: str | None = None) -> Any:
    """A `Settings` field read from `variable` (text unless `parse` says otherwise).

    A setting with a plain default keeps it as the field's default; a derived one (`derive`) has none, since it
    only exists once an instance folder is known, and must say how the docs show it."""
    if derive is not None and shown_default is None:
        raise TypeError(f"{variable}: a derived default needs its shown_default for the docs")
    declared = Setting(variable, meaning, parse or text, default, derive, shown_default)
    if derive is not None:
        return field(metadata={"setting": declared})
    return field(default=default, metadata={"setting": declared})


# Parsers ------------------------------------------------------------------------------------------------------


def text(variable: str, raw: str) -> str:
    return raw


def whole_number(variable: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{variable} must be a whole number, got {raw!r}") from None


def flag(variable: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{variable} must be true or false, not {raw!r}")


def one_of(*choices: str) -> Parser:
    """A parser accepting only `choices` (the docs say them in the setting's meaning)."""
    def parse(variable: str, raw: str) -> str:
        if raw not in choices:
            raise ConfigurationError(f"{variable} must be one of {', '.join(choices)}, got {raw!r}")
        return raw
    return parse


def _database_url(variable: str, raw: str) -> str:
    # Heroku-style postgres:// and plain postgresql:// both mean psycopg 3, the driver we install.
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://"):]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def _replica_urls(variable: str, raw: str) -> tuple[str, ...]:
    """URLs separated by commas and/or spaces (SQLAlchemy writes several hosts as `?host=h1:5432&host=h2:5432`)."""
    urls = tuple(_database_url(variable, url) for url in re.split(r"[\s,]+", raw) if url)
    for url in urls:
        if not url.startswith("postgresql+psycopg://"):  # never echoed: a URL may hold a password
            raise ConfigurationError(f"{variable}: every replica must be a PostgreSQL URL (postgresql://user@host/db), "
                                     f"got one starting {url.split(':', 1)[0]!r}")
    return urls


def _public_url(variable: str, raw: str) -> str:
    return raw.rstrip("/")  # links are built as base_url + "/path"


def _networks(variable: str, raw: str) -> tuple:
    """Comma-separated CIDR networks (`127.0.0.0/8, 10.1.2.0/24, fd00::/8`); a bare address is a network of one."""
    networks = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigurationError(f"{variable}: {item!r} is not a network (e.g. 10.1.2.0/24, fd00::/8)") from None
    return tuple(networks)


def _hosts(variable: str, raw: str) -> tuple[str, ...]:
    """Comma-separated host names, each with an optional port (`collections.intra`, `oai.intra:8080`, `[::1]:8080`)."""
    hosts = []
    for item in filter(None, (part.strip().lower() for part in raw.split(","))):
        try:
            parts = urlsplit(f"//{item}")
            readable = bool(parts.hostname) and parts.netloc == item and "@" not in item
            parts.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            readable = False
        if not readable:
            raise ConfigurationError(f"{variable}: {item!r} is not a host name with an optional port "
                                     "(e.g. collections.intra, oai.intra:8080)")
        hosts.append(item)
    return tuple(hosts)


def _rights(variable: str, raw: str) -> str:
    if not is_accepted(raw):
        raise ConfigurationError(
            f"{variable} must be one of the rights URIs Europeana accepts "
            f"(e.g. http://rightsstatements.org/vocab/CNE/1.0/), got {raw!r}")
    return raw


# Derived defaults ---------------------------------------------------------------------------------------------


def _instance_database(instance: Path, before: Mapping[str, Any]) -> str:
    return f"sqlite:///{(instance / 'pop.sqlite3').resolve()}"


def _secret_key(instance: Path, before: Mapping[str, Any]) -> str:
    if before["env"] == "production":
        raise ConfigurationError(
            "POP_SECRET_KEY is not set: set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))'), "
            "or set POP_ENV=development to run with a generated development key")
    return _development_secret(instance)


def _development_secret(instance: Path) -> str:
    """A key kept in the instance folder, so every process of a development install shares it."""
    path = instance / "development-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    return key


def _schema_dir(instance: Path, before: Mapping[str, Any]) -> str | None:
    # The official schemas are shared by the checkouts of one machine, beside them, not inside.
    candidate = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas"
    return str(candidate) if candidate.is_dir() else None


def _instance_exports(instance: Path, before: Mapping[str, Any]) -> str:
    return str((instance / "exports").resolve())


# The settings -------------------------------------------------------------------------------------------------
# Declared in the order of docs/configuration.md; keyword-only, so the order is free. A setting read by a
# derivation comes before it (POP_ENV before POP_SECRET_KEY).


@dataclass(frozen=True, kw_only=True)
class Settings:
    env: str = setting(
        "POP_ENV",
        "`production`, `development` or `testing`. Development generates a secret key once and keeps it in "
        "`instance/development-secret-key`; production refuses to start without `POP_SECRET_KEY`.",
        parse=one_of("production", "development", "testing"), default="production")
    database_url: str = setting(
        "DATABASE_URL",
        "SQLAlchemy URL of the store. `postgresql://…` and `postgres://…` use psycopg 3; "
        "`sqlite:///path` the embedded store.",
        parse=_database_url, derive=_instance_database, shown_default="`sqlite:///<instance>/pop.sqlite3`")
    database_replicas: tuple = setting(
        "POP_DATABASE_REPLICAS",
        "read-only PostgreSQL streaming replicas of `DATABASE_URL`, separated by commas or spaces: OAI-PMH, "
        "exports and IIIF read from a healthy one, everything else from the primary; one that is down or lags "
        "more than `POP_REPLICA_MAX_LAG` is skipped, and `/readyz` says so (docs/operations.md, \"Read replicas\").",
        parse=_replica_urls, default=(), shown_default="none")
    replica_max_lag: int = setting(
        "POP_REPLICA_MAX_LAG",
        "seconds a replica may lag behind the primary and still be read from. With replicas, OAI-PMH lists also "
        "freeze their `until` this much (plus `POP_REPLICA_CHECK_INTERVAL`) earlier, so no record is missed.",
        parse=whole_number, default=30)
    replica_check_interval: int = setting(
        "POP_REPLICA_CHECK_INTERVAL",
        "seconds between two checks of the replicas' health and lag (per worker process; a replica that fails "
        "a read is skipped at once).",
        parse=whole_number, default=5)
    secret_key: str = setting(
        "POP_SECRET_KEY",
        "signs OAI-PMH resumption tokens and anything else that must not be forged. A long random string.",
        derive=_secret_key, shown_default="none (required in production)")
    base_url: str = setting(
        "POP_BASE_URL",
        "the public URL of the service, used in OAI-PMH `baseURL`, schema locations and links.",
        parse=_public_url, default="http://localhost:5000")
    repository_identifier: str = setting(
        "POP_REPOSITORY_IDENTIFIER",
        "the repository identifier of OAI identifiers `oai:{it}:{base}:{REF}`.",
        default="pop.culture.gouv.fr")
    repository_name: str = setting(
        "POP_REPOSITORY_NAME", "`repositoryName` in Identify.",
        default="POP – la plateforme ouverte du patrimoine")
    admin_email: str = setting("POP_ADMIN_EMAIL", "`adminEmail` in Identify.", default="pop@culture.gouv.fr")
    cache_url: str | None = setting(
        "POP_CACHE_URL",
        "cache of Identify, ListSets, ListMetadataFormats and counts: `redis://host:port/db`. "
        "Without it, an in-process cache (per worker). A cache outage never fails a request (docs/operations.md).")
    cache_key_prefix: str = setting(
        "POP_CACHE_KEY_PREFIX", "prefix of every cache key, so several instances can share one Redis.",
        default="pop:")
    cache_socket_timeout_ms: int = setting(
        "POP_CACHE_SOCKET_TIMEOUT_MS",
        "milliseconds the Redis client waits to connect and for each answer; past it the answer is computed "
        "without the cache, which is then left alone for 5 seconds.",
        parse=whole_number, default=250)
    schema_dir: str | None = setting(
        "POP_SCHEMA_DIR",
        "folder of the official XML schemas (OAI-PMH, oai_dc, LIDO, EDM) used by validation tools and tests.",
        derive=_schema_dir, shown_default="`../shared/schemas` when it exists")
    export_dir: str = setting(
        "POP_EXPORT_DIR", "where `pop export build` writes snapshots.",
        derive=_instance_exports, shown_default="`<instance>/exports`")
    export_batch_size: int = setting(
        "POP_EXPORT_BATCH_SIZE",
        "notices fetched per round trip while streaming an export (docs/exports.md); a CSV export on PostgreSQL "
        "streams through `COPY` instead, row by row.",
        parse=whole_number, default=2000)
    oai_page_size: int = setting(
        "POP_OAI_PAGE_SIZE",
        "records per ListRecords page. A page costs a request's fixed work (~2 ms of a worker) plus ~13 µs a "
        "record: 500 send about twice the records a second of 100, more buy little (docs/operations.md, "
        "\"Storage\").",
        parse=whole_number, default=500)
    oai_identifiers_page_size: int = setting(
        "POP_OAI_IDENTIFIERS_PAGE_SIZE", "headers per ListIdentifiers page.", parse=whole_number, default=500)
    oai_token_lifetime: int = setting(
        "POP_OAI_TOKEN_LIFETIME",
        "seconds a resumption token stays valid (OAI-PMH harvesters may come back the next day).",
        parse=whole_number, default=86_400)
    edm_default_rights: str = setting(
        "POP_EDM_DEFAULT_RIGHTS",
        "the `edm:rights` of a notice whose texts state no rights (docs/mappings/edm.md, \"Rights\"); one of the "
        "URIs Europeana accepts. After a change, run `pop renditions rebuild --format edm`.",
        parse=_rights, default=DEFAULT_RIGHTS)
    image_base_url: str = setting(
        "POP_IMAGE_BASE_URL",
        "where the notices' images live: a stored image path becomes this URL plus the path, in LIDO, EDM and IIIF "
        "manifests (docs/iiif.md). The default, POP's phototèque, also forces full image URLs to https; a "
        "configured base is used as given, and its host is exempt from the address rules of `pop images probe`. "
        "After a change, run `pop renditions rebuild`.",
        parse=_public_url, default=IMAGE_BASE)
    iiif_collection_page_size: int = setting(
        "POP_IIIF_COLLECTION_PAGE_SIZE", "manifests per page of a base's IIIF collection (`/iiif/{base}/collection`).",
        parse=whole_number, default=100)
    iiif_cache_mb: int = setting(
        "POP_IIIF_CACHE_MB",
        "megabytes of built IIIF manifests each worker process keeps (least recently asked dropped first; a "
        "manifest of the demo data takes 4-7 KB with its entry). A cached manifest is answered after one "
        "statement that checks it is still current; `0` keeps none (docs/iiif.md).",
        parse=whole_number, default=64)
    image_probe_per_host: int = setting(
        "POP_IMAGE_PROBE_PER_HOST",
        "requests at once to one image server while `pop images probe` and `pop worker` measure images.",
        parse=whole_number, default=2)
    worker_probe_images: bool = setting(
        "POP_WORKER_PROBE_IMAGES",
        "`true`: `pop worker` measures the images waiting for their size between runs (IIIF, docs/iiif.md); "
        "`false`: only `pop images probe` does (the tests set it, so no test reaches the phototèque).",
        parse=flag, default=True, shown_default="`true`")
    oai_commit_lag: int = setting(
        "POP_OAI_COMMIT_LAG",
        "seconds a write may commit after its datestamp; OAI-PMH lists freeze `until` at the first request minus "
        "this lag, so no record is committed into a window already served (docs/oaipmh.md).",
        parse=whole_number, default=2)
    oai_max_argument_bytes: int = setting(
        "POP_OAI_MAX_ARGUMENT_BYTES",
        "the longest OAI-PMH argument value accepted, in UTF-8 bytes; a longer one is a `badArgument` "
        "(docs/operations.md).",
        parse=whole_number, default=2048)
    oai_max_post_bytes: int = setting(
        "POP_OAI_MAX_POST_BYTES",
        "the largest body of a POST to `/oai`; a larger one is refused unread, as a `badArgument`.",
        parse=whole_number, default=64 * 1024)
    oai_max_concurrent_lists: int = setting(
        "POP_OAI_MAX_CONCURRENT_LISTS",
        "ListRecords and ListIdentifiers answers streamed at once by one worker process; beyond it, 503 with "
        "`Retry-After`.",
        parse=whole_number, default=8)
    oai_read_ahead: bool = setting(
        "POP_OAI_READ_AHEAD",
        "`true`: on PostgreSQL, a worker that sends a full ListRecords / ListIdentifiers page reads the next one "
        "meanwhile, in a thread, for the harvester's next request (store/read_ahead.py), and a GetRecord of one "
        "of the 8 notices after the one before (a harvester walking a list, as Metis does) reads the next 64 with "
        "it (store/records_ahead.py); `false` behind a balancer that sends a list's pages to different workers, "
        "where it reads pages for nothing.",
        parse=flag, default=True, shown_default="`true`")
    retry_after: int = setting(
        "POP_RETRY_AFTER",
        "the seconds a 503 (overload, database outage) tells clients to wait, in `Retry-After`.",
        parse=whole_number, default=30)
    harvest_timeout: float = setting(
        "POP_HARVEST_TIMEOUT",
        "seconds the harvester waits to connect to a partner and for each read (docs/harvest.md).",
        parse=whole_number, default=60)
    harvest_max_attempts: int = setting(
        "POP_HARVEST_MAX_ATTEMPTS",
        "attempts per partner request (timeouts, resets, 5xx, 503/429) before a run fails.",
        parse=whole_number, default=6)
    harvest_max_retry_after: float = setting(
        "POP_HARVEST_MAX_RETRY_AFTER",
        "the longest `Retry-After` honoured, in seconds; a longer one is cut to it.",
        parse=whole_number, default=600)
    harvest_max_response_bytes: int = setting(
        "POP_HARVEST_MAX_RESPONSE_BYTES",
        "the largest partner response read (after decompression); a larger one fails the run.",
        parse=whole_number, default=64 * 1024 * 1024)
    harvest_overlap: int = setting(
        "POP_HARVEST_OVERLAP",
        "seconds taken off the last successful run's first `responseDate` to make the next `from`.",
        parse=whole_number, default=300)
    harvest_max_empty_pages: int = setting(
        "POP_HARVEST_MAX_EMPTY_PAGES",
        "empty ListRecords pages in a row that still carry a token before a run fails.",
        parse=whole_number, default=10)
    harvest_reader: str = setting(
        "POP_HARVEST_READER",
        "where a harvest fetches, parses and maps the next page while it commits the current one: `process` "
        "(a forked reader process, so parsing and validation run on another core beside the database writes) "
        "or `thread` (one process).",
        parse=one_of("process", "thread"), default="process")
    harvest_page_deadline: int = setting(
        "POP_HARVEST_PAGE_DEADLINE",
        "seconds a partner response may take to arrive whole, however slowly it trickles; then the request is "
        "retried like a timeout.",
        parse=whole_number, default=300)
    harvest_run_deadline: int = setting(
        "POP_HARVEST_RUN_DEADLINE",
        "seconds a harvest run may take; then it fails, and the next run resumes from its last committed page.",
        parse=whole_number, default=6 * 3600)
    harvest_allowed_networks: tuple = setting(
        "POP_HARVEST_ALLOWED_NETWORKS",
        "networks (comma-separated CIDR: `10.1.2.0/24, fd00:1::/64`) that partners registered through the admin API "
        "may be at, besides public addresses: without it, loopback, private, link-local and reserved addresses are "
        "refused, after DNS resolution and at every redirect (docs/operations.md, \"Partner URLs and SSRF\"). "
        "`pop harvest add` is not bound by it.",
        parse=_networks, default=(), shown_default="none")
    harvest_allowed_hosts: tuple = setting(
        "POP_HARVEST_ALLOWED_HOSTS",
        "host names (comma-separated, each with an optional port: `collections.intra, oai.intra:8080`) that "
        "partners registered through the admin API may be at, whatever address they resolve to.",
        parse=_hosts, default=(), shown_default="none")
    harvest_check_deadline: int = setting(
        "POP_HARVEST_CHECK_DEADLINE",
        "seconds the admin API's check of a partner (Identify, formats, sets) may take in all, one attempt per "
        "request and no `Retry-After` waited for; then the partner \"did not answer\".",
        parse=whole_number, default=5)
    worker_poll: int = setting(
        "POP_WORKER_POLL", "seconds `pop worker` sleeps between two looks for due or queued harvests.",
        parse=whole_number, default=30)
    admin_auth_failures: int = setting(
        "POP_ADMIN_AUTH_FAILURES",
        "failed authentications (unknown or revoked tokens) the admin API takes from one client address in a "
        "minute; beyond, it answers 429 with `Retry-After` to that address, whatever the token. Keyed by the "
        "address the app sees: behind a reverse proxy, the proxy's, unless ProxyFix is configured "
        "(docs/admin-api.md). `0`: no limit.",
        parse=whole_number, default=20)
    console_secure_cookie: bool = setting(
        "POP_CONSOLE_SECURE_COOKIE",
        "`true`: the console's session cookie is always marked `Secure`; `false`: only when the request came "
        "over https (behind a TLS-terminating proxy, set it to `true` or configure ProxyFix).",
        parse=flag, default=False, shown_default="`false`")
    console_session_hours: int = setting(
        "POP_CONSOLE_SESSION_HOURS",
        "hours a console sign-in lasts (a revoked token ends its sessions at once, whatever this says).",
        parse=whole_number, default=12)

    # Not read from the environment: the harvester's first wait between attempts (doubled each time), a knob
    # for tests through `dataclasses.replace`, and room for values a caller attaches.
    harvest_backoff: float = 2.0
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, instance_path: str | Path = "instance") -> "Settings":
        """Every declared setting read from `env` (default: the process environment), in declaration order;
        derived defaults are computed for the instance folder `instance_path`."""
        env = os.environ if env is None else env
        instance = Path(instance_path)
        values: dict[str, Any] = {}
        for declared in SETTINGS:
            values[declared.attribute] = declared.read(env, instance, values)
        return cls(**values)


# The declared settings, in declaration order, each knowing the `Settings` field it fills.
SETTINGS: tuple[Setting, ...] = tuple(replace(f.metadata["setting"], attribute=f.name)
                                      for f in fields(Settings) if "setting" in f.metadata)


def settings_table() -> str:
    """The Markdown table of docs/configuration.md: one row per setting, in declaration order."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for declared in SETTINGS:
        meaning = declared.meaning.replace("|", "\\|")  # a bare pipe would split the cell
        rows.append(f"| `{declared.variable}` | {meaning} | {declared.documented_default()} |")
    return "\n".join(rows) + "\n"

