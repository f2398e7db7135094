"""The shapes of the admin API: marshmallow schemas of what it reads (bodies, queries) and writes (partners,
runs, quarantined records, problems). flask-smorest builds the OpenAPI document from them, so every bound
here is a bound the document states — and the database can hold whatever a schema lets through."""
from __future__ import annotations

from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate, validates

from formats.bases import BASES
from harvest.mappings import MAPPINGS
from harvest.partner import MAX_LICENCE
from harvest.refs import IDENTIFIER, REF_POLICIES
from harvest.schedule import parse_interval

MAX_ID = 2**63 - 1  # ids are 64-bit signed integers in both databases: larger values cannot name a row
NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
# OAI-PMH's own patterns (OAI-PMH.xsd: metadataPrefixType, setSpecType)
PREFIX_PATTERN = r"^[A-Za-z0-9\-_.!~*'()]{1,64}$"
SET_PATTERN = r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$"
MAX_INTERVAL = 366 * 86400  # a schedule of more than a year is a typing mistake (and overflows the column)


class Text(fields.String):
    """A string the database can store: PostgreSQL refuses NUL characters and lone surrogates in text, so they
    are a 422 here rather than a 500 there. The document says it with a pattern."""

    default_error_messages = {"unstorable": "Must not contain NUL characters or lone surrogates."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("pattern", "^[^\\u0000]*$")
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unstorable") from None
        if "\x00" in text:
            raise self.make_error("unstorable")
        return text


class UtcDateTime(fields.DateTime):
    """The store's times are naive UTC; the document promises RFC 3339 date-times, which carry their offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class PartnerSchema(Schema):
    name = fields.String(dump_only=True, metadata={"description": "Also the partner's OAI set and notices' source."})
    url = fields.Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=1024),
                     metadata={"description": (
                         "OAI-PMH base URL, at a public address: loopback, private, link-local and reserved "
                         "addresses are refused (after DNS resolution, and wherever it redirects) unless the "
                         "operator allows them (docs/operations.md, \"Partner URLs and SSRF\"). Credentials in it "
                         "(`https://user:secret@host/`, sent as HTTP basic auth) are stored apart and answered "
                         "masked, `user:***@`; that masked URL sent back keeps the stored secret.")})
    metadata_prefix = fields.String(validate=validate.Regexp(PREFIX_PATTERN))
    base = fields.String(validate=validate.OneOf(list(BASES)), metadata={"description": "Target POP base."})
    mapping = fields.String(validate=validate.OneOf(list(MAPPINGS)), metadata={"description": "Default: the prefix's."})
    sets = fields.List(fields.String(validate=[validate.Length(max=255), validate.Regexp(SET_PATTERN)]),
                       validate=validate.Length(max=100), metadata={"description": "Empty: everything."})
    every = Text(allow_none=True, validate=validate.Length(max=32),
                 metadata={"description": "Schedule: 30m, 12h, 1d, 1w (at least 1m, at most 366d); null: by hand."})
    refs = fields.String(validate=validate.OneOf(REF_POLICIES), metadata={"description": (
        f"Where the REFs of its notices come from. `{IDENTIFIER}` (default): its OAI identifiers "
        "(`oai:{repo}:{base}:{REF}`, or their last `:`-separated segment; other records are quarantined). "
        "`mint`: POP mints a REF of the base's pattern for each new source identifier, from a space it reserves "
        "(docs/harvest.md), stable across re-harvests and deletions. Cannot change once the partner owns "
        "notices; not with the `pop` mapping, whose records carry their REF.")})
    licence = Text(allow_none=True, validate=validate.Length(min=1, max=MAX_LICENCE), metadata={"description": (
        "The partner's metadata licence: an SPDX id (`CC-BY-NC-SA-4.0`) or the licence's http(s) URI; null: none, "
        "its records' own rights statements only. Its notices state it (oai_dc, LIDO, EDM, the exports catalog), "
        "never POP's Licence Ouverte. A change reaches its notices at once (their datestamps move).")})
    enabled = fields.Boolean()
    notes = Text(validate=validate.Length(max=10_000))
    granularity = fields.String(dump_only=True, allow_none=True,
                                metadata={"description": "Learned from Identify; null until the partner answered."})
    next_run_at = UtcDateTime(dump_only=True, allow_none=True, metadata={"description": "Null: by hand."})
    created = UtcDateTime(dump_only=True)
    updated = UtcDateTime(dump_only=True)

    @validates("every")
    def _every(self, value, **_):
        if value is None:
            return
        try:
            seconds = parse_interval(value)
        except ValueError as error:  # IntervalError, or digits int() cannot read ('²')
            raise ValidationError(str(error) if str(error) else f"cannot read interval {value!r}") from None
        if seconds > MAX_INTERVAL:
            raise ValidationError("must be at most 366d")


class PartnerCreateSchema(PartnerSchema):
    name = fields.String(required=True, validate=validate.Regexp(
        NAME_PATTERN, error="1-63 lowercase letters, digits or hyphens, starting with a letter or digit."))
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=1024))
    metadata_prefix = fields.String(required=True, validate=validate.Regexp(PREFIX_PATTERN))
    base = fields.String(required=True, validate=validate.OneOf(list(BASES)))


class RunRequestSchema(Schema):
    full = fields.Boolean(load_default=False, metadata={"description": "Everything, not only what changed."})


class RunSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": (
        "queued | running | succeeded | incomplete | failed | interrupted. `incomplete`: the lists were read to "
        "their end but delivered fewer records than the partner announced (completeListSize), not a success; "
        "`failed` and `interrupted` runs are resumed by the next run from their last committed page.")})
    full = fields.Boolean()
    started = UtcDateTime()
    finished = UtcDateTime(allow_none=True)
    from_date = fields.String(data_key="from", allow_none=True)
    response_date = fields.String(allow_none=True)
    pages = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    deleted = fields.Integer()
    quarantined = fields.Integer()
    error = fields.String(allow_none=True)


class IssueSchema(Schema):
    id = fields.Integer()
    identifier = fields.String(allow_none=True)
    reason = fields.String()
    raw = fields.String(allow_none=True, metadata={"description": "The record's XML as received."})
    created = UtcDateTime()


class IssueQuerySchema(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID),
                           metadata={"description": "Last id seen."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ProblemSchema(Schema):
    """RFC 9457 problem details: every error of the admin API, as `application/problem+json`."""

    type = fields.String(required=True, metadata={"description": "Always `about:blank`: the status says it all."})
    title = fields.String(required=True, metadata={"description": "The status's phrase."})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "422 only: each field of the body or query, with its messages."})
