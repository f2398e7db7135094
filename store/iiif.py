"""The storage side of IIIF: a notice's manifest as bytes with its ETag (built from the public notice and the
measured images, cached per notice in the process), and the pages of a base's collection.

A manifest depends on the notice's datestamp (what we publish of it) and on its measured images; the cache key
holds both, so a re-probed image or a changed notice builds a new manifest, and an unchanged one is a dict hit
after two indexed reads (the notice, its images' facts).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from formats.bases import get_base
from formats.images import IMAGE_FIELDS, notice_images
from formats.profiles import describe
from formats.registry import public_notice
from protocols.iiif.manifest import Site, build_manifest

from .images import measured_images
from .models import NoticeRow
from .notices import row_to_notice

ILLUSTRATED_BASES = tuple(IMAGE_FIELDS)  # the bases whose notices link images
SCAN_FACTOR = 20  # a collection page reads at most this many notices per manifest it lists


@dataclass(frozen=True)
class ManifestAnswer:
    body: bytes | None  # the manifest's JSON; None: no manifest (`reason`)
    etag: str | None
    left_out: int  # images not measured yet
    reason: str | None = None


class ManifestCache:
    """The last `size` manifests built, by notice; thread-safe (a web worker's threads share it)."""

    def __init__(self, size: int = 4096):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple, version: tuple) -> ManifestAnswer | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != version:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, version: tuple, answer: ManifestAnswer) -> None:
        with self._lock:
            self._items[key] = (version, answer)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def notice_manifest(session: Session, base: str, ref: str, site: Site,
                    cache: ManifestCache | None = None) -> ManifestAnswer | None:
    """The manifest of a live notice (None: no such notice)."""
    row = session.execute(select(NoticeRow).where(NoticeRow.base == base, NoticeRow.ref == ref,
                                                  NoticeRow.deleted.is_(False))).scalar_one_or_none()
    if row is None:
        return None
    public = public_notice(row_to_notice(row))
    urls = [image.url for image in notice_images(public.base, public.fields, image_base=site.image_base)]
    measured = measured_images(session, urls)
    version = (row.datestamp, tuple(sorted((u, m.width, m.height, m.media_type) for u, m in measured.items())))
    key = (base, ref)
    if cache is not None:
        hit = cache.get(key, version)
        if hit is not None:
            return hit
    manifest = build_manifest(public, measured, site)
    if manifest.json is None:
        answer = ManifestAnswer(None, None, manifest.left_out, manifest.reason)
    else:
        body = orjson.dumps(manifest.json)
        answer = ManifestAnswer(body, hashlib.sha256(body).hexdigest()[:32], manifest.left_out)
    if cache is not None:
        cache.put(key, version, answer)
    return answer


def collection_page(session: Session, base: str, size: int, after: str | None,
                    site: Site) -> tuple[list[tuple[str, str]], str | None]:
    """One page of a base's manifests, by REF after `after`: ([(REF, title)], the REF the next page starts
    after, or None at the end). Lists the notices with at least one measured image."""
    found: list[tuple[str, str]] = []
    last, scanned = after, 0
    while len(found) < size and scanned < size * SCAN_FACTOR:
        query = select(NoticeRow).where(NoticeRow.base == base, NoticeRow.deleted.is_(False))
        if last is not None:
            query = query.where(NoticeRow.ref > last)
        rows = session.execute(query.order_by(NoticeRow.ref).limit(size)).scalars().all()
        if not rows:
            return found, None
        for row in rows:
            scanned, last = scanned + 1, row.ref
            public = public_notice(row_to_notice(row))
            urls = [i.url for i in notice_images(public.base, public.fields, image_base=site.image_base)]
            if urls and measured_images(session, urls):
                description = describe(public, site.default_rights, site.image_base)
                found.append((row.ref, description.titles[0] if description else row.ref))
                if len(found) >= size:
                    break
        if len(rows) < size and len(found) < size:
            return found, None
    return found, last


def illustrated_bases() -> list[tuple[str, str]]:
    """(name, label) of the bases whose notices may have manifests."""
    return [(name, get_base(name).label) for name in ILLUSTRATED_BASES]
