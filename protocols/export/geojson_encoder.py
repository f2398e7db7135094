"""The GeoJSON export encoder (RFC 7946): one FeatureCollection of the base's located notices, for GIS tools
(QGIS, GDAL/ogr2ogr, Leaflet, geopandas).

- A feature per notice with a place: `id` its REF, `properties` the CSV's cells of the notice (the same
  columns and cell encoding, `formats.tabular`: multi-values joined by `|`, objects as JSON text; absent
  fields left out), `geometry` its polygon (`POP_COORDINATES_POLYGON`, a GeoJSON Polygon or MultiPolygon
  already in lon/lat order) when it is a valid one, else its point (`POP_COORDONNEES` `{lat, lon}` written
  `[lon, lat]`, RFC 7946 order). A notice with neither is left out (`{lat: 0, lon: 0}`, POP's "no position",
  never reaches the store: `formats.notice.normalize` drops it); `features` and `left_out` count both.
- With `deleted=include`, a tombstone is a feature with a null geometry and `{"REF", "_deleted": true}`.
- Streamed with flat memory: `{"type":"FeatureCollection","features":[`, one feature per line separated by
  commas, `]}`. In a snapshot build the properties are the cells the CSV encoder made of the same batch
  (`layout.shared_cells`), not encoded twice.
Only bases with a place field have a GeoJSON export (`located`). `BoundingBox` is the `bbox` filter of a live
stream (RFC 7946 §5: west, south, east, north; west > east crosses the antimeridian).
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any, Iterable, Mapping, Sequence

import orjson

from formats.bases import Base
from formats.tabular import row_encoder

from .layout import DELETED_MARKER, ExportedNotice, Layout, shared_cells

POINT = "POP_COORDONNEES"
POLYGON = "POP_COORDINATES_POLYGON"
PLACE_FIELDS = (POINT, POLYGON)


def located(base: Base) -> bool:
    """Whether a base publishes a place field (its notices can be features)."""
    published = {f.code for f in base.published_fields}
    return any(code in published for code in PLACE_FIELDS)


def _number(value: Any) -> bool:
    kind = value.__class__
    if kind is float or kind is int:  # what JSON gives: no look through the numeric tower
        return value == value  # NaN is no coordinate
    return isinstance(value, Real) and not isinstance(value, bool) and value == value


def _position(value: Any) -> bool:
    return (isinstance(value, list) and len(value) in (2, 3) and all(map(_number, value))
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)


def _ring(value: Any) -> bool:
    """A linear ring (RFC 7946 §3.1.6): four positions or more, closed."""
    return isinstance(value, list) and len(value) >= 4 and all(map(_position, value)) and value[0] == value[-1]


def _polygon(value: Any) -> bool:
    return isinstance(value, list) and len(value) >= 1 and all(map(_ring, value))


def geometry(fields: Mapping[str, Any]) -> dict | None:
    """The GeoJSON geometry of a notice's fields: its valid polygon, else its point, else None."""
    shape = fields.get(POLYGON)
    if shape is not None and (shape.__class__ is dict or isinstance(shape, Mapping)):  # dict: no ABC check
        kind, coordinates = shape.get("type"), shape.get("coordinates")
        if (kind == "Polygon" and _polygon(coordinates)) or (
                kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates
                and all(map(_polygon, coordinates))):
            return {"type": kind, "coordinates": coordinates}
    point = fields.get(POINT)
    if point is not None and (point.__class__ is dict or isinstance(point, Mapping)):
        lat, lon = point.get("lat"), point.get("lon")
        if _number(lat) and _number(lon) and (lat or lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
            return {"type": "Point", "coordinates": [lon, lat]}
    return None


def _positions(shape: Mapping[str, Any]) -> Iterable[Sequence[float]]:
    if shape["type"] == "Point":
        return [shape["coordinates"]]
    polygons = [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]
    return (position for polygon in polygons for ring in polygon for position in ring)


@dataclass(frozen=True)
class BoundingBox:
    """`minLon,minLat,maxLon,maxLat` (west, south, east, north), edges included."""

    west: float
    south: float
    east: float
    north: float

    def _holds_lon(self, lon: float) -> bool:
        if self.west <= self.east:
            return self.west <= lon <= self.east
        return lon >= self.west or lon <= self.east  # across the antimeridian

    def meets(self, shape: Mapping[str, Any] | None) -> bool:
        """Whether a geometry has a position in the box, or (a polygon) encloses it within its extent."""
        if shape is None:
            return False
        positions = list(_positions(shape))
        if any(self._holds_lon(p[0]) and self.south <= p[1] <= self.north for p in positions):
            return True
        if shape["type"] == "Point" or self.west > self.east:
            return False
        lons, lats = [p[0] for p in positions], [p[1] for p in positions]  # a polygon around the box
        return (min(lons) <= self.east and max(lons) >= self.west
                and min(lats) <= self.north and max(lats) >= self.south)


class GeoJsonEncoder:
    """Encodes notices as one GeoJSON FeatureCollection (see the module's docstring)."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self._encode = row_encoder(layout.base, layout.columns)
        self._columns = layout.columns
        self._first = True
        self.features = 0  # features written
        self.left_out = 0  # notices without a place

    def head(self) -> bytes:
        return b'{"type":"FeatureCollection","features":['

    def _feature(self, notice: ExportedNotice, cells: list[str] | None = None) -> bytes | None:
        """The feature of a notice (None: it has no place); `cells`: its CSV cells, already encoded."""
        if notice.deleted:
            return orjson.dumps({"type": "Feature", "id": notice.ref, "geometry": None,
                                 "properties": {"REF": notice.ref, DELETED_MARKER: True}})
        shape = geometry(notice.fields)
        if shape is None:
            return None
        if cells is None:
            cells = self._encode(notice.fields)
        properties = {code: cell for code, cell in zip(self._columns, cells) if cell}
        return orjson.dumps({"type": "Feature", "id": notice.ref, "geometry": shape, "properties": properties})

    def row(self, notice: ExportedNotice) -> bytes:
        return self.rows([notice])

    def rows(self, notices: Sequence[ExportedNotice]) -> bytes:
        shared = shared_cells(notices, self.layout, self._encode)  # a snapshot build's: the CSV's cells
        features = [feature for feature in (map(self._feature, notices, shared) if shared is not None
                                            else map(self._feature, notices)) if feature is not None]
        self.left_out += len(notices) - len(features)
        self.features += len(features)
        if not features:
            return b""
        separator = b"\n" if self._first else b",\n"
        self._first = False
        return separator + b",\n".join(features)

    def tail(self) -> bytes:
        return b"\n]}\n"
