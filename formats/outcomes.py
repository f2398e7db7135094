"""What writing notices did: one tally of created / updated / unchanged / deleted notices, and typed
rejections. The store's `WriteSummary` and the harvester's `Counters` both extend `Tally`, so the counts are
added, not converted, from one to the other; callers branch on `Rejection.kind`, never on message text."""
from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum


class RejectionKind(Enum):
    INVALID = "invalid"  # the record is not a valid notice of the base
    OWNED_ELSEWHERE = "owned elsewhere"  # the REF belongs to another source (local imports or a partner)
    UNKNOWN_REF = "unknown ref"  # a deletion of a REF the store does not have


@dataclass(frozen=True)
class Rejection:
    """A notice (or a deletion) the store refused, and why."""

    ref: str | None
    reason: str
    kind: RejectionKind = RejectionKind.INVALID


@dataclass
class Tally:
    """How many notices a write created, updated, left unchanged and deleted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def add_tally(self, other: "Tally") -> "Tally":
        """Add the counts of `other` (any Tally) to the counts this one shares with it."""
        for name in (f.name for f in fields(Tally)):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self
