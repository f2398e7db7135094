"""The manifest builder, without a store or a server: what it paints, what it leaves out and why, its metadata,
rights and links (protocols/iiif/manifest.py)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from formats.bases import get_base
from formats.notice import validate_notice
from formats.registry import public_notice
from protocols.iiif.manifest import NO_IMAGE, NOT_MEASURED, Site, build_manifest

SITE = Site("https://data.example", image_base="https://img.example")


@dataclass(frozen=True)
class Size:
    media_type: str | None
    width: int
    height: int


def _public(**fields):
    return public_notice(validate_notice(get_base("joconde"), {
        "REF": "000PE000001", "TICO": "Vase", "DENO": ["vase"], "MILL": "1850",
        "IMG": ["a.jpg", "b.png", "c.jpg"], **fields}))


def test_only_measured_images_are_painted_in_the_notice_order_at_their_sizes():
    manifest = build_manifest(_public(), {"https://img.example/c.jpg": Size(None, 30, 40),
                                          "https://img.example/a.jpg": Size("image/jpeg", 640, 480)}, SITE)
    assert manifest.left_out == 1 and manifest.reason is None  # b.png: not measured
    canvases = manifest.json["items"]
    assert [(c["width"], c["height"]) for c in canvases] == [(640, 480), (30, 40)]
    first = canvases[0]
    assert first["id"] == "https://data.example/iiif/joconde/000PE000001/manifest/canvas/1"
    body = first["items"][0]["items"][0]["body"]
    assert body == {"id": "https://img.example/a.jpg", "type": "Image", "width": 640, "height": 480,
                    "format": "image/jpeg"}
    assert "format" not in canvases[1]["items"][0]["items"][0]["body"]  # a media type is stated only when known
    assert first["items"][0]["items"][0]["target"] == first["id"]


def test_no_manifest_without_a_measured_image_and_the_reason_says_why():
    nothing = build_manifest(_public(IMG=[]), {}, SITE)
    assert (nothing.json, nothing.left_out, nothing.reason) == (None, 0, NO_IMAGE)
    unmeasured = build_manifest(_public(), {}, SITE)
    assert (unmeasured.json, unmeasured.left_out, unmeasured.reason) == (None, 3, NOT_MEASURED)


def test_metadata_follows_the_field_dictionary_whatever_the_notice_order():
    measured = {"https://img.example/a.jpg": Size("image/jpeg", 1, 1)}
    manifest = build_manifest(_public(), measured, SITE).json
    order = [f.label for f in get_base("joconde").fields]
    labels = [entry["label"]["fr"][0] for entry in manifest["metadata"]]
    assert labels == sorted(labels, key=order.index) and len(labels) >= 3
    assert {"label": {"fr": [get_base("joconde").field_map["DENO"].label]}, "value": {"fr": ["vase"]}} \
        in manifest["metadata"]
    assert manifest["label"] == {"fr": ["Vase"]} and manifest["navDate"] == "1850-01-01T00:00:00Z"


def test_see_also_links_getrecord_in_each_rich_format_and_the_base_export():
    manifest = build_manifest(_public(), {"https://img.example/a.jpg": Size(None, 1, 1)}, SITE).json
    links = {link["label"]["fr"][0].split()[0]: link["id"] for link in manifest["seeAlso"]}
    assert links["lido"] == "https://data.example/oai?" + urlencode(
        {"verb": "GetRecord", "metadataPrefix": "lido", "identifier": "oai:pop.culture.gouv.fr:joconde:000PE000001"})
    assert {"edm", "pop"} <= set(links) and links["export"] == "https://data.example/exports/joconde.json"


def test_a_harvested_notice_states_only_its_partner_rights():
    measured = {"https://img.example/a.jpg": Size(None, 1, 1)}
    harvested = replace(_public(), source="partner-museum")
    assert "rights" not in build_manifest(harvested, measured, SITE).json  # nothing decides: no POP licence
    licensed = replace(harvested, licence="http://creativecommons.org/licenses/by/4.0/")
    assert build_manifest(licensed, measured, SITE).json["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    own = build_manifest(_public(), measured, SITE).json
    assert own["rights"].startswith("http://rightsstatements.org/vocab/")  # POP's own: the images' rights
