"""Collections without a store: the root lists the bases, a base's page lists its manifests and ends with the
next page only when there is one (protocols/iiif/collection.py)."""
from __future__ import annotations

from protocols.iiif.collection import base_collection, root_collection


def test_a_page_with_a_next_page_ends_with_it_and_later_pages_are_part_of_the_first():
    page = base_collection("https://d.example", "joconde", "Joconde", [("A1", "Vase"), ("A2", "Pot")], None, "A2")
    assert page["id"] == "https://d.example/iiif/joconde/collection" and "partOf" not in page
    assert [(i["type"], i["id"]) for i in page["items"]] == [
        ("Manifest", "https://d.example/iiif/joconde/A1/manifest"),
        ("Manifest", "https://d.example/iiif/joconde/A2/manifest"),
        ("Collection", "https://d.example/iiif/joconde/collection?after=A2")]
    last = base_collection("https://d.example", "joconde", "Joconde", [("A3 b", "Bol")], "A2", None)
    assert last["id"] == "https://d.example/iiif/joconde/collection?after=A2"
    assert [i["type"] for i in last["items"]] == ["Manifest"]  # the last page links no next page
    assert last["items"][0]["id"] == "https://d.example/iiif/joconde/A3%20b/manifest"
    assert last["partOf"] == [{"id": "https://d.example/iiif/joconde/collection", "type": "Collection"}]


def test_the_root_collection_lists_each_base_collection():
    root = root_collection("https://d.example", [("joconde", "Joconde"), ("mnr", "MNR")])
    assert root["type"] == "Collection" and root["id"] == "https://d.example/iiif/collection"
    assert [(i["id"], i["label"]) for i in root["items"]] == [
        ("https://d.example/iiif/joconde/collection", {"fr": ["Joconde"]}),
        ("https://d.example/iiif/mnr/collection", {"fr": ["MNR"]})]
