"""GeoJSON exports as GIS tools read them: a valid RFC 7946 FeatureCollection per base with places, one
feature per notice with a point or polygon (lon/lat order), the CSV's cells as properties; built as a
snapshot, counted in the catalog (with the notices left out), filtered live by `bbox`."""
from __future__ import annotations

import csv
import gzip
import io
from datetime import datetime

import geojson
import pytest

from app.cli import cli
from formats.bases import get_base
from formats.notice import validate_notice
from store.notices import write_notices

from .export_helpers import published, stock

PARIS = {"lat": 48.8566, "lon": 2.3522}
MARSEILLE = {"lat": 43.2965, "lon": 5.3698}
LYON_SQUARE = {"type": "Polygon",
               "coordinates": [[[4.80, 45.74], [4.86, 45.74], [4.86, 45.78], [4.80, 45.78], [4.80, 45.74]]]}
OPEN_RING = {"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]}  # not a ring: the point stands instead


@pytest.fixture
def located(db):
    """The stocked store (joconde and museo samples have a point, merimee's has none) plus three Mérimée
    notices: a point in Paris, a polygon in Lyon, a point in Marseille with an invalid polygon."""
    stock(db)
    base = get_base("merimee")
    raws = [{"REF": "PA00000001", "TICO": "Paris", "POP_COORDONNEES": PARIS},
            {"REF": "PA00000002", "TICO": "Lyon", "POP_COORDINATES_POLYGON": LYON_SQUARE},
            {"REF": "PA00000003", "TICO": "Marseille", "POP_COORDONNEES": MARSEILLE,
             "POP_COORDINATES_POLYGON": OPEN_RING}]
    with db.session() as session:
        write_notices(session, [validate_notice(base, raw) for raw in raws], now=datetime(2024, 5, 1))


def _collection(data: bytes) -> geojson.FeatureCollection:
    collection = geojson.loads(data.decode("utf-8"))
    assert collection.is_valid, collection.errors()
    for feature in collection["features"]:
        for lon, lat in _positions(feature["geometry"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    return collection


def _positions(shape: dict) -> list[list[float]]:
    if shape["type"] == "Point":
        return [shape["coordinates"]]
    return [position for ring in shape["coordinates"] for position in ring]


def test_geojson_snapshot_holds_the_located_notices_with_their_csv_cells(located, client, runner):
    assert runner.invoke(cli, ["export", "build"]).exit_code == 0
    response = client.get("/exports/merimee.geojson")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/geo+json"
    assert response.headers["ETag"]
    collection = _collection(response.data)
    assert gzip.decompress(client.get("/exports/merimee.geojson.gz").data) == response.data
    geometries = {f["id"]: f["geometry"] for f in collection["features"]}
    assert geometries == {"PA00000001": {"type": "Point", "coordinates": [2.3522, 48.8566]},
                          "PA00000002": LYON_SQUARE,
                          "PA00000003": {"type": "Point", "coordinates": [5.3698, 43.2965]}}
    rows = {row["REF"]: row for row in csv.DictReader(io.StringIO(client.get("/exports/merimee.csv").text))}
    for feature in collection["features"]:
        assert feature["properties"] == {k: v for k, v in rows[feature["id"]].items() if v}
    joconde = _collection(client.get("/exports/joconde.geojson").data)
    assert len(joconde["features"]) == len(published(_db(client), "joconde")) == 7  # every sample has a point
    assert client.get("/exports/memoire.geojson").status_code == 404  # no place field
    catalog = client.get("/exports/catalog.json").json
    entry = next(b for b in catalog["bases"] if b["base"] == "merimee")
    download = next(d for d in entry["downloads"] if d["format"] == "geojson")
    assert download["records"] == 10 and download["left_out"] == 7  # the stocked ones have no place
    assert download["gzip_url"].endswith("/exports/merimee.geojson.gz")


def _db(client):
    return client.application.extensions["pop"].db


def test_bbox_streams_the_features_it_meets(located, client):
    def ids(bbox: str, name: str = "merimee.geojson") -> set[str]:
        response = client.get(f"/exports/{name}?bbox={bbox}")
        assert response.status_code == 200, response.json
        return {f["id"] for f in _collection(response.data)["features"]}

    assert ids("2,48,3,49") == {"PA00000001"}  # Paris
    assert ids("4.82,45.75,4.83,45.76") == {"PA00000002"}  # inside Lyon's polygon, no vertex in it
    assert ids("-5,41,10,51") == {"PA00000001", "PA00000002", "PA00000003"}  # France
    assert ids("170,-10,-170,10") == set()  # across the antimeridian: nothing there
    csv_rows = client.get("/exports/merimee.csv?bbox=5,43,6,44").text.splitlines()
    assert len(csv_rows) == 2 and csv_rows[1].startswith("PA00000003")  # any format, COPY or not


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "1,50,2,40", "181,0,182,1", "1,2,3,nan"])
def test_a_bad_bbox_is_a_400_problem(located, client, bbox):
    response = client.get(f"/exports/merimee.geojson?bbox={bbox}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json["parameter"] == "bbox"
    assert client.get("/exports/memoire.csv?bbox=1,2,3,4").json["parameter"] == "bbox"
