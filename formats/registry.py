"""The registry of metadata formats: every format a notice renders to (OAI-PMH metadataPrefix → renderer).

Adding a format is one module exposing `FORMAT = MetadataFormat(...)` and one line in `_MODULES`.
Renderers receive the *public* notice (`public_notice`): hidden fields are gone before any format sees it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from importlib import import_module
from typing import Any, Callable, Iterator, Mapping

from .bases import BASES, Base, get_base
from .notice import Notice, public_view

# Format modules, in the order ListMetadataFormats shows them. One line per format.
_MODULES: tuple[str, ...] = ("oai_dc", "pop", "lido", "edm")


@dataclass(frozen=True)
class MetadataFormat:
    """A metadata format: its OAI-PMH identity and how a notice becomes XML in it."""

    prefix: str  # the OAI-PMH metadataPrefix, e.g. "oai_dc"
    namespace: str  # metadataNamespace
    schema: str  # public URL of its XML Schema
    render: Callable[[Notice], str | None]  # public notice → XML of the <metadata> child; None: not eligible
    bases: frozenset[str] = field(default_factory=lambda: frozenset(BASES))  # bases that offer it
    parse: Callable[[Any], Mapping[str, Any]] | None = None  # partner XML element → raw fields (harvest)
    version: str = "1"  # bump when the mapping changes, so renditions are rebuilt

    def supports(self, base: Base | str) -> bool:
        return (base if isinstance(base, str) else base.name) in self.bases


FORMATS: dict[str, MetadataFormat] = {}


def register(fmt: MetadataFormat) -> MetadataFormat:
    FORMATS[fmt.prefix] = fmt
    return fmt


def configure(prefix: str, **options: Any) -> None:
    """Bind options of a format's renderer for this process (e.g. `configure("edm", default_rights=…)`).
    The app calls it once, from settings, before anything is rendered; `pop renditions rebuild` then brings
    stored renditions in line with the new options."""
    fmt = FORMATS[prefix]
    original = getattr(fmt.render, "func", fmt.render)
    FORMATS[prefix] = replace(fmt, render=partial(original, **options))


def get_format(prefix: str) -> MetadataFormat | None:
    return FORMATS.get(prefix)


def formats_for(base: Base | str) -> list[MetadataFormat]:
    return [fmt for fmt in FORMATS.values() if fmt.supports(base)]


def iter_formats() -> Iterator[MetadataFormat]:
    return iter(FORMATS.values())


def public_notice(notice: Notice) -> Notice:
    """The notice as the world may see it: the same notice with only its published fields."""
    return replace(notice, fields=public_view(get_base(notice.base), notice.fields))


def render_all(notice: Notice) -> dict[str, str]:
    """Every rendition of a notice: {prefix: xml} for the formats of its base it is eligible to."""
    return render_in(notice, FORMATS)


def render_in(notice: Notice, prefixes) -> dict[str, str]:
    """The renditions of a notice in `prefixes`: {prefix: xml} for those of its base it is eligible to."""
    public = public_notice(notice)
    renditions = {}
    for prefix in prefixes:
        fmt = FORMATS[prefix]
        if fmt.supports(notice.base):
            xml = fmt.render(public)
            if xml is not None:
                renditions[prefix] = xml
    return renditions


for _module in _MODULES:
    register(import_module(f"{__package__}.{_module}").FORMAT)
