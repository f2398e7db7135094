"""What a request for `/exports/{base}.{format}[.gz]` asks for, validated: an `ExportQuery` or an
`ExportProblem` (an RFC 9457 problem naming the parameter at fault).

Filters (all optional; any of them makes the export a live stream instead of the prebuilt snapshot):
- `producer`: a producer's name or slug (`Monuments Historiques` or `monuments-historiques`);
- `since`, `until`: datestamps (when what we publish of a notice last changed), inclusive, as an ISO 8601
  date (`2024-05-01`, the whole day for `until`) or datetime (`2024-05-01T12:00:00Z`; an offset is converted
  to UTC, no offset means UTC; a moment outside the years 1–9999 once in UTC is refused);
- `fields`: comma-separated published field codes; REF is always included, columns keep dictionary order;
- `deleted=include`: tombstones of deleted notices as rows carrying the `_deleted` marker (`exclude`, the
  default, leaves them out).
- `bbox`: `minLon,minLat,maxLon,maxLat` (RFC 7946 §5, WGS 84 degrees; minLon > maxLon crosses the
  antimeridian): only the notices whose place (point or polygon) meets the box; bases with places only.
CSV only: `sep=;` (semicolon-delimited, with a `sep=;` first line that spreadsheets honour) and `bom=1`.
Unknown parameters are refused, so that a misspelt filter never silently exports everything, and so are
repeated ones (`producer=a&producer=b`): each takes one value, and picking one of them would be a guess.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

from formats.bases import BASES, Base, slugify

from .geojson_encoder import BoundingBox, located
from .layout import Layout, columns_of
from .writers import EXPORT_FORMATS, ExportFormat, by_extension

PARAMETERS = ("producer", "since", "until", "fields", "deleted", "bbox", "sep", "bom")
DELIMITED_ONLY = ("sep", "bom")  # options of the delimited formats only (`ExportFormat.delimited`: CSV)


@dataclass(frozen=True)
class ExportProblem(Exception):
    """A request that cannot be served; `as_json()` is its `application/problem+json` body."""

    status: int
    title: str
    detail: str
    parameter: str | None = None

    def as_json(self) -> dict:
        body = {"type": "about:blank", "title": self.title, "status": self.status, "detail": self.detail}
        if self.parameter:
            body["parameter"] = self.parameter
        return body


def _bad(parameter: str, detail: str) -> ExportProblem:
    return ExportProblem(400, "Invalid export filter", detail, parameter)


@dataclass(frozen=True)
class ExportQuery:
    base: Base
    format: str  # an export format's name (writers.EXPORT_FORMATS)
    gzip: bool = False
    producer_slug: str | None = None
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, inclusive
    fields: tuple[str, ...] = ()  # requested codes (empty: all published fields)
    include_deleted: bool = False
    bbox: BoundingBox | None = None  # only the notices whose place meets it
    delimiter: str = ","
    bom: bool = False
    options: tuple[str, ...] = field(default=(), compare=False)  # the parameters given, for the filename

    @property
    def is_full(self) -> bool:
        """The whole base, as the snapshot holds it: no filter, no option."""
        return not self.options

    @property
    def export_format(self) -> ExportFormat:
        return EXPORT_FORMATS[self.format]

    @property
    def layout(self) -> Layout:
        return Layout(self.base, columns_of(self.base, self.fields), self.include_deleted)

    @property
    def filename(self) -> str:
        suffix = "-filtered" if self.options else ""
        return self.export_format.filename(self.base.name + suffix, self.gzip)


def parse_name(name: str) -> tuple[Base, str, bool]:
    """`joconde.csv.gz` → (joconde, "csv", True); an unknown base or format is a 404 problem."""
    gzip = name.endswith(".gz")
    stem = name[:-3] if gzip else name
    base_name, _, extension = stem.rpartition(".")
    fmt = by_extension(extension)
    if base_name not in BASES or fmt is None:
        extensions = "|".join(f.extension for f in EXPORT_FORMATS.values())
        raise ExportProblem(404, "No such export",
                            f"{name!r} is not an export: expected {{base}}.{{{extensions}}}[.gz] "
                            f"with a base among {', '.join(BASES)}")
    if gzip and not fmt.gzip_twin:
        raise ExportProblem(404, "No such export", f"{name!r}: {fmt.name} exports have no .gz (compressed inside "
                                                   f"already): ask for {stem!r}")
    if not fmt.applies_to(BASES[base_name]):
        raise ExportProblem(404, "No such export", f"{base_name} has no {fmt.name} export (see /exports/)")
    return BASES[base_name], fmt.name, gzip


def parse_datestamp(parameter: str, value: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 date or datetime as naive UTC; a date alone means its first (or, for `until`, last) second."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return day + timedelta(days=1, seconds=-1) if end_of_day else day
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(parameter, f"{parameter}={value!r} is not a date (YYYY-MM-DD) or a UTC datetime "
                              "(YYYY-MM-DDThh:mm:ssZ)") from None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # 9999-12-31T23:59:59-14:00, 0001-01-01T00:00:00+14:00: no such UTC datetime
            raise _bad(parameter, f"{parameter}={value!r} is outside the years 0001-9999 once converted to "
                                  "UTC") from None
    return moment


def parse_query(name: str, args: Mapping[str, str] | Iterable[tuple[str, str]]) -> ExportQuery:
    """Validate an export request (its file name and query parameters). `args` is a mapping (one value per
    parameter) or the request's (name, value) pairs, every repeated parameter included (werkzeug's
    `request.args.items(multi=True)`): a repeated parameter is a 400 problem, never first-one-wins."""
    base, fmt, gzip = parse_name(name)
    args = _single_valued(args)
    for key in args:
        if key in DELIMITED_ONLY and not EXPORT_FORMATS[fmt].delimited:
            delimited = " and ".join(f.name.upper() for f in EXPORT_FORMATS.values() if f.delimited)
            raise _bad(key, f"{key} applies to {delimited} exports only")
    values: dict = {}
    if "producer" in args:
        producer = args["producer"].strip()
        if not producer:
            raise _bad("producer", "producer must be a producer's name or slug, not empty")
        values["producer_slug"] = slugify(producer)
    if "since" in args:
        values["since"] = parse_datestamp("since", args["since"])
    if "until" in args:
        values["until"] = parse_datestamp("until", args["until"], end_of_day=True)
    if values.get("since") and values.get("until") and values["since"] > values["until"]:
        raise _bad("until", "until is earlier than since")
    if "fields" in args:
        values["fields"] = _fields(base, args["fields"])
    if "deleted" in args:
        if args["deleted"] not in ("include", "exclude"):
            raise _bad("deleted", f"deleted must be include or exclude, not {args['deleted']!r}")
        values["include_deleted"] = args["deleted"] == "include"
    if "bbox" in args:
        values["bbox"] = parse_bbox(base, args["bbox"])
    if "sep" in args:
        if args["sep"] not in (",", ";"):
            raise _bad("sep", f"sep must be , or ;, not {args['sep']!r}")
        values["delimiter"] = args["sep"]
    if "bom" in args:
        if args["bom"] not in ("0", "1", "true", "false"):
            raise _bad("bom", f"bom must be 1 or 0, not {args['bom']!r}")
        values["bom"] = args["bom"] in ("1", "true")
    return ExportQuery(base=base, format=fmt, gzip=gzip, options=tuple(args), **values)


def parse_bbox(base: Base, raw: str) -> BoundingBox:
    """`minLon,minLat,maxLon,maxLat` as a `BoundingBox`; a 400 problem for anything else."""
    if not located(base):
        raise _bad("bbox", f"{base.name} notices have no coordinates: bbox applies to bases with places")
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        raise _bad("bbox", f"bbox={raw!r} is not minLon,minLat,maxLon,maxLat (four numbers, "
                           "e.g. bbox=2.2,48.8,2.5,48.9)") from None
    if not all(-180 <= lon <= 180 for lon in (west, east)) or not all(-90 <= lat <= 90 for lat in (south, north)):
        raise _bad("bbox", f"bbox={raw!r}: longitudes must lie in [-180, 180] and latitudes in [-90, 90]")
    if south > north:
        raise _bad("bbox", f"bbox={raw!r}: minLat is greater than maxLat")
    return BoundingBox(west, south, east, north)


def _single_valued(args: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """The parameters as a dict, refusing unknown and repeated names (in the order they came)."""
    pairs = args.items() if isinstance(args, Mapping) else args
    values: dict[str, str] = {}
    for key, value in pairs:
        if key not in PARAMETERS:
            raise _bad(key, f"unknown parameter {key!r} (known: {', '.join(PARAMETERS)})")
        if key in values:
            hint = " (fields takes one comma-separated list)" if key == "fields" else ""
            raise _bad(key, f"{key} is given more than once: give it once{hint}")
        values[key] = value
    return values


def _fields(base: Base, raw: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(code.strip() for code in raw.split(",") if code.strip()))
    if not codes:
        raise _bad("fields", "fields must list at least one field code")
    published = {f.code for f in base.published_fields}
    unknown = [code for code in codes if code not in published]
    if unknown:
        raise _bad("fields", f"not published fields of {base.name}: {', '.join(unknown)} "
                             f"(see /exports/{base.name}/fields)")
    return codes
