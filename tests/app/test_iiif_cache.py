"""Manifests kept by a worker follow the store: a re-measured image or a changed notice is a new manifest (and a
new ETag) at the next request; a base's collection ends without a link to an empty page."""
from __future__ import annotations

import pytest

from app import create_app
from formats.bases import get_base
from formats.notice import validate_notice
from harvest.image_probe import MEASURED, Probe
from store.images import record_probes
from store.notices import write_notices

from ..conftest import make_settings

IMAGES = "http://img.test"


@pytest.fixture(params=[64, 0], ids=["cached", "POP_IIIF_CACHE_MB=0"])
def iiif_app(database_url, tmp_path, request):
    app = create_app(make_settings(database_url, tmp_path, image_base_url=IMAGES, iiif_collection_page_size=2,
                                   iiif_cache_mb=request.param))
    yield app
    app.extensions["pop"].db.dispose()


def _write(db, ref: str, title: str, *paths: str) -> None:
    with db.session() as session:
        write_notices(session, [validate_notice(get_base("joconde"), {"REF": ref, "TICO": title, "DENO": ["vase"],
                                                                      "IMG": list(paths)})])


def _measure(db, path: str, width: int, height: int) -> None:
    with db.session() as session:
        record_probes(session, [Probe(f"{IMAGES}/{path}", MEASURED, media_type="image/jpeg", width=width,
                                      height=height)])


def test_a_cached_manifest_follows_its_images_and_its_notice(iiif_app):
    db, client = iiif_app.extensions["pop"].db, iiif_app.test_client()
    _write(db, "000PE000001", "Vase", "a.jpg", "b.jpg")
    _measure(db, "a.jpg", 640, 480)
    url = "/iiif/joconde/000PE000001/manifest"
    first = client.get(url)
    assert [c["width"] for c in first.get_json()["items"]] == [640]
    assert client.get(url).data == first.data  # from the cache, or built again the same
    assert len(iiif_app.extensions["iiif"].cache) == (1 if iiif_app.extensions["pop"].settings.iiif_cache_mb else 0)
    _measure(db, "a.jpg", 800, 600)  # re-measured
    _measure(db, "b.jpg", 100, 50)  # newly measured
    second = client.get(url)
    assert [c["width"] for c in second.get_json()["items"]] == [800, 100]
    assert second.headers["ETag"] != first.headers["ETag"] and second.headers["X-Images-Not-Measured"] == "0"
    _write(db, "000PE000001", "Vase bleu", "a.jpg")
    third = client.get(url).get_json()
    assert third["label"] == {"fr": ["Vase bleu"]} and len(third["items"]) == 1


def test_the_last_page_of_a_collection_links_no_next_page(iiif_app):
    db, client = iiif_app.extensions["pop"].db, iiif_app.test_client()
    for n in range(1, 6):
        _write(db, f"000PE00000{n}", f"Vase {n}", f"{n}.jpg")
    for n in (1, 2, 4, 5):  # 3 has no measured image
        _measure(db, f"{n}.jpg", 10, 10)
    first = client.get("/iiif/joconde/collection")
    assert [i["type"] for i in first.get_json()["items"]] == ["Manifest", "Manifest", "Collection"]
    second = client.get(first.get_json()["items"][-1]["id"].replace("http://testserver", ""))
    items = second.get_json()["items"]
    assert [i["id"].rsplit("/", 2)[1] for i in items] == ["000PE000004", "000PE000005"]  # full, and the end
    assert "Link" not in second.headers


def test_the_manifest_cache_keeps_within_its_bytes():
    from store.iiif import ManifestAnswer, ManifestCache, _Entry

    def entry(size: int) -> _Entry:
        return _Entry((1,), ("u",), (), ManifestAnswer(b"x" * size, "e", 0))

    cache = ManifestCache(max_bytes=10_000)
    for n in range(10):
        cache.put(("joconde", str(n)), entry(2_000))
    assert cache.bytes <= 10_000 and len(cache) == 3  # the least recently used dropped
    assert cache.get(("joconde", "9")) is not None and cache.get(("joconde", "0")) is None
    cache.put(("joconde", "big"), entry(20_000))  # larger than the whole cache: not kept, and nothing else lost
    assert cache.get(("joconde", "big")) is None and cache.bytes <= 10_000
