"""The registry of metadata formats (OAI-PMH metadataPrefix → `MetadataFormat`), and `Renderers`: every
format's renderer with one deployment's `RenderOptions` bound, which is what renders notices for a store.

Adding a format is one module exposing `FORMAT = MetadataFormat(...)` (formats/format.py) and one entry in
the tuple below. Renderers receive the *public* notice (`public_notice`): hidden fields are gone before any
format sees it. Options are never set on the registry: a store holds its own `Renderers` (store/db.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator, Mapping

from . import edm, lido, oai_dc, pop
from .bases import Base, get_base
from .format import MetadataFormat, RenderOptions
from .notice import Notice, public_view

__all__ = ["FORMATS", "RENDERERS", "MetadataFormat", "RenderOptions", "Renderers", "formats_for", "get_format",
           "iter_formats", "public_notice"]

# The formats, in the order ListMetadataFormats shows them. One entry per format.
FORMATS: Mapping[str, MetadataFormat] = {module.FORMAT.prefix: module.FORMAT for module in (
    oai_dc,
    pop,
    lido,
    edm,
)}


def get_format(prefix: str) -> MetadataFormat | None:
    return FORMATS.get(prefix)


def formats_for(base: Base | str) -> list[MetadataFormat]:
    return [fmt for fmt in FORMATS.values() if fmt.supports(base)]


def iter_formats() -> Iterator[MetadataFormat]:
    return iter(FORMATS.values())


def public_notice(notice: Notice) -> Notice:
    """The notice as the world may see it: the same notice with only its published fields."""
    return replace(notice, fields=public_view(get_base(notice.base), notice.fields))


class Renderers:
    """The renderers of a store: each format's, with the store's options bound once, here (rendering is a
    hot path: nothing is built per notice). Pickled as its options, so a task sent to a worker process
    carries it and the worker binds the same renderers."""

    __slots__ = ("options", "_formats", "_table")

    def __init__(self, options: RenderOptions = RenderOptions(),
                 formats: Mapping[str, MetadataFormat] | None = None):
        self.options = options
        self._formats = FORMATS if formats is None else formats
        # prefix → (bases that offer it, renderer with the options bound)
        self._table = {prefix: (fmt.bases, fmt.renderer(options)) for prefix, fmt in self._formats.items()}

    def __reduce__(self):
        # the registry's formats are every process's own: only the options need to travel
        return Renderers, ((self.options,) if self._formats is FORMATS else (self.options, dict(self._formats)))

    def __repr__(self) -> str:
        return f"Renderers({self.options!r}, {list(self._table)!r})"

    @property
    def prefixes(self) -> list[str]:
        return list(self._table)

    def render(self, prefix: str, public: Notice) -> str | None:
        """A *public* notice (`public_notice`) in one format; None when no such format, its base does not
        offer it, or the notice is not eligible to it."""
        entry = self._table.get(prefix)
        if entry is None or public.base not in entry[0]:
            return None
        return entry[1](public)

    def render_in(self, notice: Notice, prefixes: Iterable[str]) -> dict[str, str]:
        """The renditions of a notice in `prefixes` (KeyError for an unknown one): {prefix: xml} for those of
        its base it is eligible to. The public view is taken here, once for all formats."""
        public = public_notice(notice)
        table, base, renditions = self._table, notice.base, {}
        for prefix in prefixes:
            bases, render = table[prefix]
            if base in bases:
                xml = render(public)
                if xml is not None:
                    renditions[prefix] = xml
        return renditions

    def render_all(self, notice: Notice) -> dict[str, str]:
        """Every rendition of a notice: {prefix: xml} for the formats of its base it is eligible to."""
        return self.render_in(notice, self._table)


# The renderers with the default options: a store built without options, tools and tests.
RENDERERS = Renderers()
