"""The images of a notice, as LIDO and EDM publish them: public URL, credits, and the rights they carry.

Where each base keeps its images (see docs/mappings/lido.md):
- joconde: IMG (paths in POP's phototèque; VIDEO holds legacy paths of the former Joconde server, not served);
- palissy, merimee: IMG, then the MEMOIRE objects (`url`, `copy`), then VIDEO (palissy: Mémoire paths);
- memoire: IMG (one path), else VIDEO (several paths in one string, separated by `;`);
- mnr, enluminures: VIDEO.
A thumbnail (`…_v.jpg`, `…-v.jpg`) is left out when its full-size image is listed too; duplicates are dropped.
Credits: the image's own (`copy` of a MEMOIRE object), then the base's photo-credit fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from .links import IMAGE_BASE, image_url
from .rights import DEFAULT_RIGHTS, choose_rights

IMAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "joconde": ("IMG",),
    "palissy": ("IMG", "MEMOIRE", "VIDEO"),
    "merimee": ("IMG", "MEMOIRE"),
    "memoire": ("IMG", "VIDEO"),
    "mnr": ("VIDEO",),
    "enluminures": ("VIDEO",),
}
# Fields whose text states the rights of the images (photo credits first), then of the notice.
CREDIT_FIELDS: dict[str, tuple[str, ...]] = {
    "joconde": ("PHOT", "COPY"),
    "palissy": ("COPY",),
    "merimee": ("COPY",),
    "memoire": ("COPY", "DIFF"),
    "mnr": ("PHOT",),
    "enluminures": ("DROIT", "COPY"),
    "museo": ("COPY",),
    "autor": ("COPY",),
}
_LIST = re.compile(r"\s*;\s*")
_NAMED_RIGHTS = re.compile(r"copyright|droits", re.IGNORECASE)
_THUMBNAIL = re.compile(r"[-_]v(\.\w+)$", re.IGNORECASE)
_MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "tif": "image/tiff",
         "tiff": "image/tiff", "webp": "image/webp", "pdf": "application/pdf"}


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    credits: tuple[str, ...]  # the texts stating its rights, most specific first
    rights: str  # an edm:rights URI (formats/rights.py)

    @property
    def mime_type(self) -> str | None:
        extension = self.url.rsplit(".", 1)[-1].lower() if "." in self.url.rsplit("/", 1)[-1] else ""
        return _MIME.get(extension)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def notice_credits(base: str, fields: Mapping[str, Any]) -> list[str]:
    """The notice-level texts stating rights, in the order rights.choose_rights reads them."""
    texts: list[str] = []
    for code in CREDIT_FIELDS.get(base, ("COPY",)):
        texts.extend(_texts(fields.get(code)))
    return texts


def _paths(base: str, fields: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    found: list[tuple[str, tuple[str, ...]]] = []
    for code in IMAGE_FIELDS.get(base, ()):
        value = fields.get(code)
        if code == "MEMOIRE":
            for item in value if isinstance(value, list) else []:
                if isinstance(item, Mapping) and isinstance(item.get("url"), str) and item["url"].strip():
                    found.append((item["url"].strip(), tuple(_texts(item.get("copy")))))
            continue
        for text in _texts(value):
            found.extend((p, ()) for p in _LIST.split(text.strip()) if p)
        if base == "memoire" and found:
            break  # Mémoire's VIDEO repeats IMG in other sizes
    return found


def notice_images(base: str, fields: Mapping[str, Any], default_rights: str = DEFAULT_RIGHTS,
                  credits: list[str] | None = None, image_base: str = IMAGE_BASE) -> list[Image]:
    """The notice's images, in the order the notice lists them (`credits`: notice_credits, if already read;
    `image_base`: where the images live, formats/links.py)."""
    paths = _paths(base, fields)
    if not paths:
        return []
    listed = {p for p, _ in paths}
    credits = notice_credits(base, fields) if credits is None else credits
    images: list[Image] = []
    seen: set[str] = set()
    for path, own in paths:
        thumbnail = _THUMBNAIL.search(path)
        if thumbnail and (path[: thumbnail.start()] + thumbnail.group(1)) in listed:
            continue
        url = image_url(path, image_base)
        if url in seen:
            continue
        seen.add(url)
        texts = own + tuple(credits)
        # a file name that says its rights ("…copyright_droits_reserves.jpg") is the most specific credit
        named = (path.rsplit("/", 1)[-1].replace("_", " "),) if _NAMED_RIGHTS.search(path) else ()
        images.append(Image(url, texts, choose_rights(own + named + tuple(credits), default_rights)))
    return images


def notice_thumbnail(base: str, fields: Mapping[str, Any], image_base: str = IMAGE_BASE) -> str | None:
    """The URL of the first thumbnail (`…_v.jpg`) the notice lists, or None (IIIF manifests show it)."""
    for path, _own in _paths(base, fields):
        if _THUMBNAIL.search(path):
            return image_url(path, image_base)
    return None
