"""What a metadata format is: `MetadataFormat` (its OAI-PMH identity, renderer, partner parser, mapping version)
and `RenderOptions` (the deployment's choices a renderer reads, such as EDM's default rights).

Format modules (oai_dc, pop, lido, edm) import this module and never the registry: `formats/registry.py`
imports them to build `FORMATS`, so every module of formats/ imports on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from .bases import BASES, Base
from .notice import Notice
from .links import IMAGE_BASE
from .rights import DEFAULT_RIGHTS

# A public notice → the XML of the <metadata> child; None: the notice is not eligible to the format.
Renderer = Callable[[Notice], Optional[str]]


@dataclass(frozen=True)
class RenderOptions:
    """The deployment's choices that change what renderers write. One value per store (settings → app →
    `store.db.Database`), bound into `formats.registry.Renderers`; the registry itself never changes.
    After a change, `pop renditions rebuild` brings the stored renditions in line."""

    edm_default_rights: str = DEFAULT_RIGHTS  # edm:rights of a notice whose texts state no rights
    image_base: str = IMAGE_BASE  # where images live: stored paths become URLs under it (formats/links.py)
    # The public URL of this service (POP_BASE_URL), where IIIF manifests are served; None (tools, tests of
    # formats): EDM links no manifest (formats/links.py manifest_url)
    public_url: str | None = None


@dataclass(frozen=True)
class MetadataFormat:
    """A metadata format: its OAI-PMH identity and how a notice becomes XML in it."""

    prefix: str  # the OAI-PMH metadataPrefix, e.g. "oai_dc"
    namespace: str  # metadataNamespace
    schema: str  # public URL of its XML Schema
    render: Renderer  # with the default options
    bases: frozenset[str] = field(default_factory=lambda: frozenset(BASES))  # bases that offer it
    parse: Callable[[Any], Mapping[str, Any]] | None = None  # partner XML element → raw fields (harvest)
    version: str = "1"  # bump when the mapping changes, so renditions are rebuilt
    # For a format whose output depends on RenderOptions: options → its renderer with them bound.
    with_options: Callable[[RenderOptions], Renderer] | None = None

    def supports(self, base: Base | str) -> bool:
        return (base if isinstance(base, str) else base.name) in self.bases

    def renderer(self, options: RenderOptions) -> Renderer:
        """`render` with `options` bound (`render` itself for a format that reads none)."""
        return self.render if self.with_options is None else self.with_options(options)
