"""A notice's IIIF Presentation 3.0 manifest: its published fields as language maps (fr), its rights and credits,
its producer, its POP page, its other renditions, and one Canvas per *measured* image (docs/iiif.md).

The builder receives the public notice (formats.registry.public_notice: non-diffusable fields are gone) and the
measured images ({url: (media type, width, height)}); it answers a `Manifest` — the JSON, or None with the reason
when no image is measured — and how many images were left out for want of a size.

Rights: POP's own notices carry their images' rights (formats/rights.py, POP_EDM_DEFAULT_RIGHTS when nothing
decides); a harvested notice carries only what its partner states (its `licence`, then its texts:
`partner_rights`), never POP's licence — no `rights` at all when nothing decides.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Protocol, Sequence
from urllib.parse import quote, quote_plus

from formats.bases import get_base
from formats.images import Image, notice_credits, notice_images, notice_thumbnail
from formats.links import IMAGE_BASE, manifest_url, notice_url
from formats.notice import LOCAL_SOURCE, Notice
from formats.profiles import data_provider, describe
from formats.registry import FORMATS
from formats.rights import DEFAULT_RIGHTS, rights_from_text

try:
    from formats.rights import partner_rights
except ImportError:  # before partners' rights (formats/rights.py) land: the partner's own statement only
    def partner_rights(licence: str | None, texts: list[str]) -> str | None:
        return next(filter(None, map(rights_from_text, ((licence,) if licence else ()) + tuple(texts))), None)

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
SEE_ALSO_FORMATS = ("lido", "edm", "pop")
NO_IMAGE = "the notice links no image"
NOT_MEASURED = "none of its images is measured yet (pop images probe)"


class Measured(Protocol):
    media_type: str | None
    width: int
    height: int


@dataclass(frozen=True)
class Site:
    """Where this service publishes: its public URL, OAI repository identifier, image base, default rights."""

    public_url: str
    repository_identifier: str = "pop.culture.gouv.fr"
    image_base: str = IMAGE_BASE
    default_rights: str = DEFAULT_RIGHTS


@dataclass(frozen=True)
class Manifest:
    json: dict[str, Any] | None  # None: no manifest (`reason` says why)
    left_out: int  # images not measured yet
    reason: str | None = None


def fr(*texts: str) -> dict[str, list[str]]:
    """A IIIF language map in French."""
    return {"fr": [t for t in texts if t]}


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


@lru_cache(maxsize=None)
def _field_order(base: str) -> dict[str, tuple[int, str]]:
    """Each field of a base: its place in the dictionary and its label (read once per base)."""
    return {f.code: (n, f.label) for n, f in enumerate(get_base(base).fields)}


def metadata(public: Notice) -> list[dict[str, Any]]:
    """The notice's published text fields, in dictionary order, as label/value pairs."""
    order = _field_order(public.base)
    entries = []
    for code, value in public.fields.items():
        known = order.get(code)
        values = _texts(value) if known is not None else None
        if values:
            entries.append((known[0], {"label": fr(known[1]), "value": {"fr": values}}))
    return [entry for _, entry in sorted(entries, key=lambda e: e[0])]


def _rights(public: Notice, images: Sequence[Image]) -> tuple[str | None, list[str]]:
    credits = notice_credits(public.base, public.fields)
    if public.source != LOCAL_SOURCE:
        return partner_rights(public.licence, credits), credits
    return (images[0].rights if images else None), credits


@lru_cache(maxsize=None)
def _see_also_formats(base: str) -> tuple[tuple[str, str], ...]:
    """(prefix, namespace) of the formats of SEE_ALSO_FORMATS that render the base."""
    return tuple((prefix, FORMATS[prefix].namespace) for prefix in SEE_ALSO_FORMATS
                 if prefix in FORMATS and FORMATS[prefix].supports(base))


def _see_also(public: Notice, site: Site) -> list[dict[str, Any]]:
    # urlencode's own encoding of the three arguments, the identifier quoted once for every format
    identifier = quote_plus(f"oai:{site.repository_identifier}:{public.base}:{public.ref}")
    links: list[dict[str, Any]] = [
        {"id": f"{site.public_url}/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={identifier}",
         "type": "Dataset", "format": "text/xml", "profile": namespace, "label": fr(f"{prefix} (OAI-PMH GetRecord)")}
        for prefix, namespace in _see_also_formats(public.base)]
    links.append({"id": f"{site.public_url}/exports/{quote(public.base)}.json", "type": "Dataset",
                  "format": "application/json", "label": fr(f"export JSON de la base {public.base}")})
    return links


def _canvas(manifest_id: str, position: int, url: str, image: Measured, label: str) -> dict[str, Any]:
    canvas_id = f"{manifest_id}/canvas/{position}"
    body: dict[str, Any] = {"id": url, "type": "Image", "width": image.width, "height": image.height}
    if image.media_type:
        body["format"] = image.media_type
    return {"id": canvas_id, "type": "Canvas", "label": fr(label), "width": image.width, "height": image.height,
            "items": [{"id": f"{canvas_id}/page", "type": "AnnotationPage", "items": [
                {"id": f"{canvas_id}/page/painting", "type": "Annotation", "motivation": "painting",
                 "body": body, "target": canvas_id}]}]}


def build_manifest(public: Notice, measured: Mapping[str, Measured], site: Site) -> Manifest:
    """The manifest of a public notice (see the module); `measured`: the measured images, by URL."""
    description = describe(public, site.default_rights, site.image_base)
    # describe lists the images as notice_images does (same rights, credits and base): read them once
    images = description.images if description else \
        notice_images(public.base, public.fields, site.default_rights, image_base=site.image_base)
    if not images:
        return Manifest(None, 0, NO_IMAGE)
    painted = [(image.url, measured[image.url]) for image in images if image.url in measured]
    left_out = len(images) - len(painted)
    if not painted:
        return Manifest(None, left_out, NOT_MEASURED)
    title = description.titles[0] if description else public.ref
    manifest_id = manifest_url(site.public_url, public.base, public.ref)
    page = notice_url(public.base, public.ref)
    provider = description.data_provider if description else data_provider(public.base, public.fields)
    rights, credits = _rights(public, images)
    manifest: dict[str, Any] = {"@context": CONTEXT, "id": manifest_id, "type": "Manifest", "label": fr(title)}
    summary = description.descriptions[0] if description and description.descriptions else None
    if summary:
        manifest["summary"] = fr(summary)
    manifest["metadata"] = metadata(public)
    if rights:
        manifest["rights"] = rights
    manifest["requiredStatement"] = {"label": fr("Crédits"), "value": fr(*(credits[:1] or [provider]))}
    manifest["provider"] = [{"id": f"{page}#provider", "type": "Agent", "label": fr(provider)}]
    manifest["homepage"] = [{"id": page, "type": "Text", "label": fr(title), "format": "text/html",
                             "language": ["fr"]}]
    thumbnail = notice_thumbnail(public.base, public.fields, site.image_base)
    if thumbnail:
        manifest["thumbnail"] = [{"id": thumbnail, "type": "Image", "format": "image/jpeg"}]
    if description and description.date and 0 < description.date.earliest <= 9999:
        manifest["navDate"] = f"{description.date.earliest:04d}-01-01T00:00:00Z"
    manifest["seeAlso"] = _see_also(public, site)
    manifest["items"] = [_canvas(manifest_id, n, url, image, f"{title} — image {n}")
                         for n, (url, image) in enumerate(painted, 1)]
    return Manifest(manifest, left_out)
