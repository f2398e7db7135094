"""IIIF: images measured by their first bytes against a real local image server (hostile ones end as a status),
manifests and collections valid against the IIIF 3.0 schema and iiif-prezi3's models, with the real images'
sizes, ETag/304, CORS, and EDM WebResources that link their manifest."""
from __future__ import annotations

import json
import statistics

import pytest
from sqlalchemy import select

from app import create_app
from app.cli import cli
from formats.bases import get_base
from formats.notice import validate_notice
from harvest.addresses import AddressPolicy
from harvest.image_probe import FAILED, MEASURED, REFUSED, probe_all
from store.models import NoticeRow, Rendition
from store.notices import write_notices

from ..conftest import make_settings
from ..shared import schema
from .iiif_images import SIZES, ImageServer

LOCAL = AddressPolicy(allowed_hosts=("127.0.0.1",))


@pytest.fixture(scope="module")
def images():
    server = ImageServer()
    yield server
    server.close()


def test_probe_measures_by_the_first_bytes_and_hostile_images_end_as_a_status(images):
    names = list(SIZES) + ["bomb.png", "page.jpg", "cut.png", "norange.jpg", "loop1.jpg", "gone.jpg"]
    probes = {p.url.rsplit("/", 1)[1]: p for p in probe_all([f"{images.url}/{n}" for n in names], policy=LOCAL)}
    for name, size in SIZES.items():
        assert (probes[name].status, probes[name].width, probes[name].height) == (MEASURED, *size)
    assert probes["c.tif"].media_type == "image/tiff" and probes["b.png"].media_type == "image/png"
    assert probes["norange.jpg"].status == MEASURED and probes["norange.jpg"].bytes_read <= 64 * 1024
    assert probes["bomb.png"].status == FAILED and "decompression bomb" in probes["bomb.png"].reason
    assert probes["page.jpg"].reason == "not an image: text/html"
    assert probes["cut.png"].status == FAILED and "truncated" in probes["cut.png"].reason
    assert probes["loop1.jpg"].reason == "redirect loop"
    assert probes["gone.jpg"].reason == "HTTP 404"
    measured = [p for p in probes.values() if p.status == MEASURED]
    assert sum(p.requests for p in measured) / len(measured) <= 1.2
    assert statistics.median(p.bytes_read for p in measured) <= 64 * 1024
    # the data's URLs obey the partner address rules: loopback is refused unless allowed
    assert next(probe_all([f"{images.url}/a.jpg"])).status == REFUSED


@pytest.fixture
def iiif_app(database_url, tmp_path, images):
    app = create_app(make_settings(database_url, tmp_path, image_base_url=images.url,
                                   iiif_collection_page_size=1))
    yield app
    app.extensions["pop"].db.dispose()


def _notice(ref: str, paths: list[str], **fields):
    return validate_notice(get_base("joconde"), {"REF": ref, "TICO": f"Vase {ref}", "DENO": ["vase"],
                                                 "MILL": "1850", "IMG": paths, **fields})


def _validate(document: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, json.loads(schema("iiif/iiif_3_0.json").read_text()))


def test_manifests_paint_the_measured_images_at_their_real_sizes(iiif_app, images):
    db = iiif_app.extensions["pop"].db
    with db.session() as session:
        write_notices(session, [_notice("000PE000001", ["a.jpg", "a_v.jpg", "c.tif", "gone.jpg"]),
                                _notice("000PE000002", ["page.jpg"]), _notice("000PE000003", ["b.png"])])
    result = iiif_app.test_cli_runner().invoke(cli, ["images", "probe"])
    assert result.exit_code == 0, result.output
    assert "measured: 3" in result.output
    client = iiif_app.test_client()

    answer = client.get("/iiif/joconde/000PE000001/manifest")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["X-Images-Not-Measured"] == "1"  # gone.jpg: a 404, left out and counted
    manifest = answer.get_json()
    _validate(manifest)
    from iiif_prezi3 import Manifest
    Manifest(**manifest)
    sizes = [(c["width"], c["height"]) for c in manifest["items"]]
    assert sizes == [SIZES["a.jpg"], SIZES["c.tif"]]
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    assert body["id"] == f"{images.url}/a.jpg" and body["format"] == "image/jpeg"
    assert manifest["label"] == {"fr": ["Vase 000PE000001"]} and manifest["navDate"] == "1850-01-01T00:00:00Z"
    assert manifest["thumbnail"][0]["id"] == f"{images.url}/a_v.jpg"
    assert manifest["homepage"][0]["id"] == "https://pop.culture.gouv.fr/notice/joconde/000PE000001"
    assert manifest["rights"].startswith("http://rightsstatements.org/vocab/")
    assert {"lido", "edm", "pop"} <= {s["label"]["fr"][0].split()[0] for s in manifest["seeAlso"]}
    assert client.get("/iiif/joconde/000PE000001/manifest.json").data == answer.data
    again = client.get("/iiif/joconde/000PE000001/manifest", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304

    refused = client.get("/iiif/joconde/000PE000002/manifest")
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert "measured" in refused.get_json()["detail"]
    assert client.get("/iiif/joconde/NOPE/manifest").status_code == 404

    # EDM links each image to its manifest
    with db.session() as session:
        edm = db.packer.unpack_text(session.execute(select(Rendition.packed).join(
            NoticeRow, NoticeRow.id == Rendition.notice_id).where(
            NoticeRow.ref == "000PE000001", Rendition.format == "edm")).scalar_one())
    assert '<dcterms:isReferencedBy rdf:resource="http://testserver/iiif/joconde/000PE000001/manifest"/>' in edm

    root = client.get("/iiif/collection").get_json()
    _validate(root)
    first = client.get("/iiif/joconde/collection")
    page = first.get_json()
    _validate(page)
    assert [i["type"] for i in page["items"]] == ["Manifest", "Collection"] and 'rel="next"' in first.headers["Link"]
    second = client.get(page["items"][-1]["id"].replace("http://testserver", "")).get_json()
    _validate(second)
    manifests = [i["id"].rsplit("/", 2)[1] for i in second["items"] if i["type"] == "Manifest"]
    assert manifests == ["000PE000003"]  # 000PE000002 is skipped: none of its images is measured
