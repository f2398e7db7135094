"""A partner's configuration as a value, checked twice: its own shape (`check_config`, no network) and
against the partner itself (`check_remote`: Identify answers, the format is offered, the sets exist).

Besides what is harvested, a partner says where its notices' REFs come from (`refs`: harvest/refs.py) and
under which licence it publishes its metadata (`licence`: an SPDX id such as `CC-BY-NC-SA-4.0`, or a rights
URI; None: its records' own rights statements only). POP never states its own licence for them."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Callable
from urllib.parse import urlparse

from formats.bases import BASES

from .client import ClientSettings, HarvestError, OAIClient, RefusedAddress
from .mappings import MAPPINGS
from .refs import IDENTIFIER, MINT, MINT_SCHEMES, REF_POLICIES
from .schedule import IntervalError, parse_interval
from .urls import basic_auth, split_credentials, unmask

logger = logging.getLogger("pop.harvest")
# What a web request learns when the check fails, whatever the reason (refused, timed out, reset, not OAI-PMH):
# the reason itself would tell an open port from a closed one. It goes to the log.
NO_ANSWER = "the partner did not answer as an OAI-PMH repository"

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # a partner's name is also an OAI set spec and a source
# An SPDX licence id (`CC-BY-NC-SA-4.0`, `etalab-2.0`, `LicenseRef-musee-x`), or an http(s) URI
SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,127}$")
MAX_LICENCE = 256


@dataclass(frozen=True)
class PartnerConfig:
    name: str
    url: str
    metadata_prefix: str
    base: str
    mapping: str = ""  # defaults to the metadataPrefix's mapping
    sets: tuple[str, ...] = ()  # empty: the whole repository
    interval_seconds: int | None = None  # None: only run by hand
    enabled: bool = True
    notes: str = ""
    granularity: str | None = None  # learned from Identify
    refs: str = IDENTIFIER  # REF policy (harvest/refs.py): from the identifier, or minted by POP
    licence: str | None = None  # the partner's metadata licence (SPDX id or URI); None: as its records state
    # The user info of the URL as it was given (`user:secret`), kept apart from `url` and sent as HTTP basic
    # auth; never shown (harvest/urls.py display_url masks it)
    credentials: str | None = field(default=None, repr=False)
    # True: an operator gave the URL (`pop harvest add`), any address may be fetched; False (the admin API):
    # every fetch obeys the address rules (harvest/addresses.py)
    trusted_url: bool = False

    @property
    def mapping_name(self) -> str:
        return self.mapping or self.metadata_prefix


class InvalidPartner(ValueError):
    """`errors` maps each field (name, url, metadata_prefix, base, mapping, sets, interval, refs, licence) to
    its reasons."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(value)}" for key, value in errors.items()))


def check_config(config: PartnerConfig) -> None:
    """The configuration's own consistency; raises InvalidPartner."""
    errors: dict[str, list[str]] = {}
    if not NAME.match(config.name or ""):
        errors.setdefault("name", []).append(
            "must be 1-63 lowercase letters, digits or hyphens, starting with a letter or digit")
    if config.name == "local":
        errors.setdefault("name", []).append("'local' is the source of imported notices")
    url = urlparse(config.url or "")
    if url.scheme not in ("http", "https") or not url.netloc:
        errors.setdefault("url", []).append("must be an http(s) URL of an OAI-PMH endpoint")
    if config.base not in BASES:
        errors.setdefault("base", []).append(f"unknown base (known: {', '.join(BASES)})")
    if config.mapping_name not in MAPPINGS:
        key = "mapping" if config.mapping else "metadata_prefix"
        errors.setdefault(key, []).append(
            f"no mapping reads {config.mapping_name!r} (known: {', '.join(MAPPINGS)}); name one with mapping")
    if config.interval_seconds is not None and config.interval_seconds < 60:
        errors.setdefault("interval", []).append("must be at least one minute")
    _check_refs(config, errors)
    if config.licence is not None and not is_licence(config.licence):
        errors.setdefault("licence", []).append(
            "must be an SPDX licence id (CC-BY-NC-SA-4.0, etalab-2.0…) or an http(s) URI of the licence")
    if errors:
        raise InvalidPartner(errors)


def _check_refs(config: PartnerConfig, errors: dict[str, list[str]]) -> None:
    if config.refs not in REF_POLICIES:
        errors.setdefault("refs", []).append(f"must be one of {', '.join(REF_POLICIES)}")
    elif config.refs == MINT:
        mapping = MAPPINGS.get(config.mapping_name)
        if mapping is not None and mapping.lossless:
            errors.setdefault("refs", []).append(
                f"{mapping.name} records carry their own REF: use refs {IDENTIFIER}")
        if config.base in BASES and config.base not in MINT_SCHEMES:
            errors.setdefault("refs", []).append(f"POP has no REF space to mint from for {config.base}")


def is_licence(text: str) -> bool:
    """An SPDX id or an http(s) URI, at most MAX_LICENCE characters."""
    if not text or len(text) > MAX_LICENCE or text != text.strip():
        return False
    if SPDX_ID.match(text):
        return True
    url = urlparse(text)
    return url.scheme in ("http", "https") and bool(url.netloc) and not any(c.isspace() for c in text)


def check_remote(config: PartnerConfig, client: OAIClient, *, detailed: bool = True) -> str:
    """Ask the partner: Identify answers, the metadataPrefix is offered, each set exists.
    Returns the granularity learned from Identify; raises InvalidPartner. `detailed=False` (a web request): a
    partner that cannot be asked is NO_ANSWER, whatever the reason, and the reason goes to the log only — an
    address the rules refuse is said as such, as it reveals nothing of what listens there."""
    def failed(error: HarvestError, what: str) -> str:
        if isinstance(error, RefusedAddress):  # nothing was asked
            return str(error)
        if detailed:
            return f"{what}{error}"
        logger.warning("harvest.check_failed", extra={"partner": config.name, "url": config.url, "reason": str(error)})
        return NO_ANSWER

    try:
        identify = client.identify()
    except HarvestError as error:
        raise InvalidPartner({"url": [failed(error, "Identify failed: ")]}) from None
    errors: dict[str, list[str]] = {}
    try:
        prefixes = client.metadata_prefixes()
        if config.metadata_prefix not in prefixes:
            errors["metadata_prefix"] = [f"{config.metadata_prefix!r} is not offered (offered: {', '.join(prefixes)})"]
        if config.sets:
            specs = set(client.set_specs())
            missing = [spec for spec in config.sets if spec not in specs]
            if missing:
                errors["sets"] = [f"unknown set(s): {', '.join(missing)}"]
    except HarvestError as error:
        errors.setdefault("url", []).append(failed(error, ""))
    if errors:
        raise InvalidPartner(errors)
    return identify.granularity


def web_config(existing: PartnerConfig | None = None, **fields) -> PartnerConfig:
    """A configuration as it came through the web (the admin API, the console): a new partner, or `existing` with
    `fields` changed. Credentials in its URL are kept apart (the masked form POP answers stands for the stored
    secret), and the URL is untrusted: an operator's stays trusted only while it is unchanged."""
    if "url" in fields:
        url, credentials = split_credentials(fields["url"])
        fields.update(url=url, credentials=unmask(credentials, existing.credentials if existing else None),
                      trusted_url=bool(existing and existing.trusted_url and url == existing.url))
    if existing is None:
        return PartnerConfig(**{**fields, "trusted_url": False})
    return replace(existing, **fields)


def partner_client(config: PartnerConfig, settings: ClientSettings,
                   log: Callable[[str], None] | None = None) -> OAIClient:
    """The client of one partner: its credentials as basic auth, and the address rules of `settings` unless an
    operator gave its URL."""
    if config.trusted_url:
        settings = replace(settings, addresses=None)
    return OAIClient(config.url, settings, log=log, auth=basic_auth(config.credentials))


def parse_config(name: str, url: str, metadata_prefix: str, base: str, *, mapping: str = "",
                 sets: tuple[str, ...] | list[str] = (), every: str | None = None, enabled: bool = True,
                 notes: str = "", refs: str = IDENTIFIER, licence: str | None = None,
                 trusted_url: bool = False) -> PartnerConfig:
    """Build and check a configuration from what a person typed (`--every 1d`); credentials in the URL are kept
    apart from it."""
    try:
        interval = parse_interval(every) if every else None
    except IntervalError as error:
        raise InvalidPartner({"interval": [str(error)]}) from None
    url, credentials = split_credentials(url)
    config = PartnerConfig(name=name, url=url, metadata_prefix=metadata_prefix, base=base, mapping=mapping,
                           sets=tuple(sets), interval_seconds=interval, enabled=enabled, notes=notes, refs=refs,
                           licence=licence or None, credentials=credentials, trusted_url=trusted_url)
    check_config(config)
    return config

