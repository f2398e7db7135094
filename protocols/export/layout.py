"""What an export holds and what writes it: `Layout` (a base, its columns, whether tombstones are included),
the `Encoder` protocol every export format implements, and the notices encoders read (`ExportedNotice`).

Every encoder writes `public_view(base, fields)` of a notice, projected on the export's columns: the
non-diffusable and internal fields of a base cannot reach an export, whatever the columns asked. With
tombstones included, a deleted notice is a row carrying only its REF and the marker `_deleted`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol, Sequence

from formats.bases import Base
from formats.notice import public_view

DELETED_MARKER = "_deleted"


class ExportedNotice(Protocol):
    """What an encoder needs of a notice (`formats.notice.Notice` is one)."""

    ref: str
    fields: Mapping[str, Any]
    deleted: bool


@dataclass(frozen=True)
class Layout:
    """What an export holds: the base, its columns (published codes, dictionary order), and options."""

    base: Base
    columns: tuple[str, ...]
    include_deleted: bool = False

    def __post_init__(self) -> None:
        # Belt and braces: whatever columns are asked, only published ones can be written.
        published = {f.code for f in self.base.published_fields}
        object.__setattr__(self, "columns", tuple(code for code in self.columns if code in published))

    @classmethod
    def full(cls, base: Base, include_deleted: bool = False) -> "Layout":
        return cls(base, tuple(f.code for f in base.published_fields), include_deleted)

    @property
    def is_full(self) -> bool:
        return len(self.columns) == len(self.base.published_fields)

    def record(self, notice: ExportedNotice) -> dict[str, Any]:
        """The exported object of a notice: its public view on the layout's columns (or its tombstone)."""
        if notice.deleted:
            return {"REF": notice.ref, DELETED_MARKER: True}
        view = public_view(self.base, notice.fields)
        if self.is_full:
            return view
        return {code: view[code] for code in self.columns if code in view}


class SharedBatch(list):
    """Notices that several encoders of one snapshot build encode in turn: what one derives from them and
    another needs too (the CSV cells, which are also GeoJSON's properties) is computed once (`shared_cells`).
    Values kept here are shared: encoders must not modify them."""

    __slots__ = ("derived",)

    def __init__(self, notices: Sequence[ExportedNotice]):
        super().__init__(notices)
        self.derived: dict[Any, Any] = {}


def shared_cells(notices: Sequence[ExportedNotice], layout: "Layout",
                 encode: Callable[[Mapping[str, Any]], list[str]]) -> list[list[str] | None] | None:
    """The cells `encode` (`formats.tabular.row_encoder(layout.base, layout.columns)`) makes of each notice of
    a `SharedBatch` (None for a tombstone), computed by the first encoder that asks; None for other batches.
    Read-only lists."""
    derived = getattr(notices, "derived", None)
    if derived is None:
        return None
    key = ("cells", layout.base.name, layout.columns)
    cells = derived.get(key)
    if cells is None:
        cells = derived[key] = [None if notice.deleted else encode(notice.fields) for notice in notices]
    return cells


class Encoder(Protocol):
    """Turns notices into the bytes of one format: `head()`, then `row(notice)` for each, then `tail()`."""

    layout: Layout

    def head(self) -> bytes: ...
    def row(self, notice: ExportedNotice) -> bytes: ...
    def rows(self, notices: Sequence[ExportedNotice]) -> bytes: ...  # several rows at once: less overhead
    def tail(self) -> bytes: ...


def columns_of(base: Base, requested: Sequence[str] | None) -> tuple[str, ...]:
    """The export's columns: every published field, or REF plus the requested ones, in dictionary order."""
    published = [f.code for f in base.published_fields]
    if not requested:
        return tuple(published)
    wanted = set(requested) | {"REF"}
    return tuple(code for code in published if code in wanted)
