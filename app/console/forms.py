"""The partner form: what a person typed, read with the admin API's own schemas (app/views/admin_schemas.py)
and checked by the API's own check (app/views/admin.py `_check`: the configuration, the URL rules, and the
partner itself), so the console accepts exactly what the API accepts. Errors come back per field, to be shown
next to each field."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from harvest.mappings import MAPPINGS
from harvest.partner import PartnerConfig, web_config
from harvest.schedule import format_interval, parse_interval
from harvest.urls import display_url, redact_url
from store.models import Partner

from ..views import admin
from ..views.admin_schemas import PartnerCreateSchema, PartnerSchema

FIELDS = ("name", "url", "metadata_prefix", "base", "mapping", "sets", "every", "notes")
OPTIONAL = ("refs", "licence")  # shown when the API's schema takes them


@dataclass
class PartnerForm:
    """The form's values as text, and its errors per field."""

    values: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Partner) -> "PartnerForm":
        values = {"name": row.name, "url": display_url(row.url, row.credentials),
                  "metadata_prefix": row.metadata_prefix, "base": row.base,
                  "mapping": row.mapping if row.mapping != row.metadata_prefix else "",
                  "sets": " ".join(row.sets or ()), "notes": row.notes or "",
                  "every": format_interval(row.interval_seconds) if row.interval_seconds else "",
                  "refs": getattr(row, "refs", "") or "", "licence": getattr(row, "licence", "") or ""}
        return cls(values, row.enabled)

    @classmethod
    def read(cls, form: Mapping[str, str]) -> "PartnerForm":
        names = (*FIELDS, *OPTIONAL)
        return cls({name: form.get(name, "").strip() for name in names}, form.get("enabled") == "on")


def optional_fields() -> tuple[str, ...]:
    declared = PartnerSchema().fields
    return tuple(name for name in OPTIONAL if name in declared)


def _body(form: PartnerForm, *, new: bool) -> dict:
    """The JSON body the API would have received for this form."""
    values = form.values
    body = {key: values[key] for key in ("url", "metadata_prefix", "base", "notes") if values.get(key) or new}
    if new:
        body["name"] = values.get("name", "")
    body["mapping"] = values["mapping"] if values.get("mapping") in MAPPINGS else None
    body["sets"] = values.get("sets", "").replace(",", " ").split()
    body["every"] = values.get("every") or None
    body["enabled"] = form.enabled
    for name in optional_fields():
        body[name] = values.get(name) or None
    return {key: value for key, value in body.items() if value is not None or key == "every"}


def check(form: PartnerForm, existing: PartnerConfig | None = None) -> tuple[PartnerConfig, str | None] | None:
    """The checked configuration and the granularity the partner announced, or None with `form.errors` set."""
    body = _body(form, new=existing is None)
    if existing is not None and body.get("url") == redact_url(existing.url):
        body["url"] = existing.url  # unchanged: the form showed it masked
    try:
        data = (PartnerCreateSchema() if existing is None else PartnerSchema()).load(body)
    except ValidationError as error:
        form.errors = {key.split(".")[0]: list(_flat(messages)) for key, messages in error.messages.items()}
        return None
    every = data.pop("every", None)
    changes = {**data, "mapping": data.get("mapping", ""), "sets": tuple(data.get("sets", ())),
               "interval_seconds": parse_interval(every) if every else None}
    if existing is None:  # through the web: untrusted, credentials kept apart (harvest/partner.py web_config)
        config = web_config(**changes)
        remote = True
    else:
        config = web_config(existing, **changes)
        remote = any(getattr(config, key) != getattr(existing, key) for key in ("url", "metadata_prefix", "sets"))
    try:
        return config, admin._check(config, remote=remote)
    except HTTPException as error:  # the API's 422, whose field errors are what the form shows
        errors = (getattr(error, "data", None) or {}).get("errors", {}).get("json")
        if error.code != 422 or errors is None:
            raise
        form.errors = {key: list(_flat(messages)) for key, messages in errors.items()}
        return None


def _flat(messages) -> list[str]:
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flat(value)]
    if isinstance(messages, (list, tuple)):
        return [text for value in messages for text in _flat(value)]
    return [str(messages)]
