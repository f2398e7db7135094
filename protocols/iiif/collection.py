"""IIIF collections: `/iiif/collection` lists the bases, `/iiif/{base}/collection` a base's manifests, a page at a
time. Presentation 3.0 has no paging of collections, so a page ends with the next page as a nested Collection
(keyset: `?after=REF`, never an offset, so page N costs what page 1 costs), and later pages are `partOf` the
first; the HTTP answer also carries `Link: <…>; rel="next"`."""
from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import quote, urlencode

from formats.links import manifest_url

from .manifest import CONTEXT, fr


def base_collection_url(public_url: str, base: str, after: str | None = None) -> str:
    url = f"{public_url}/iiif/{quote(base)}/collection"
    return f"{url}?{urlencode({'after': after})}" if after else url


def root_collection(public_url: str, bases: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The collection of the bases ((name, label) pairs) that have illustrated notices."""
    return {"@context": CONTEXT, "id": f"{public_url}/iiif/collection", "type": "Collection",
            "label": fr("Plateforme ouverte du patrimoine"),
            "summary": fr("Les manifestes IIIF des notices illustrées de POP, par base."),
            "items": [{"id": base_collection_url(public_url, name), "type": "Collection", "label": fr(label)}
                      for name, label in bases]}


def base_collection(public_url: str, base: str, label: str, manifests: Iterable[tuple[str, str]],
                    after: str | None, next_after: str | None) -> dict[str, Any]:
    """One page of a base's collection: `manifests` are (REF, title) pairs; `next_after`: the REF the next page
    starts after (None on the last page)."""
    items: list[dict[str, Any]] = [{"id": manifest_url(public_url, base, ref), "type": "Manifest", "label": fr(title)}
                                   for ref, title in manifests]
    if next_after is not None:
        items.append({"id": base_collection_url(public_url, base, next_after), "type": "Collection",
                      "label": fr(f"{label} (suite)")})
    collection: dict[str, Any] = {"@context": CONTEXT, "id": base_collection_url(public_url, base, after),
                                  "type": "Collection", "label": fr(label), "items": items}
    if after is not None:
        collection["partOf"] = [{"id": base_collection_url(public_url, base), "type": "Collection"}]
    return collection
