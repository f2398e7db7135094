"""The REF policy of a partner: where the REF of a harvested notice comes from.

- `identifier` (the default): the REF is in the partner's OAI identifier (`oai:{repo}:{base}:{REF}`, or its
  last `:`-separated segment: harvest/mappings.py `ref_from_identifier`); a record whose identifier names no
  REF of the target base is quarantined. For POP instances and partners that publish POP REFs.
- `mint`: POP mints a REF for each new source identifier (`oai:museum.example:12345`), from a space reserved
  per base that fits the base's REF pattern (`MINT_SCHEMES`): a fixed prefix, then a counter written on a
  fixed number of digits. The store (store/minted_refs.py) keeps source identifier → REF, so a re-harvest or
  a deleted header of the same source identifier finds the same notice; the reader, which cannot see the
  database, validates records with the provisional REF (counter 0, never minted) that the store replaces.

docs/harvest.md ("REFs") is the table a person reads.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

from formats.bases import Base

IDENTIFIER = "identifier"
MINT = "mint"
REF_POLICIES = (IDENTIFIER, MINT)

BASE36 = string.digits + string.ascii_uppercase  # in ASCII order: fixed-width REFs sort as their numbers
DECIMAL = string.digits


@dataclass(frozen=True)
class MintScheme:
    """Minted REFs of one base: `prefix` + the counter in `alphabet` on `width` digits (zero-padded)."""

    prefix: str
    width: int
    alphabet: str = BASE36

    @property
    def capacity(self) -> int:
        """How many REFs can be minted (counter 1 to capacity; 0 is the provisional REF)."""
        return len(self.alphabet) ** self.width - 1

    def ref(self, number: int) -> str:
        """The REF of counter `number` (0 ≤ number ≤ capacity)."""
        if not 0 <= number <= self.capacity:
            raise ValueError(f"counter {number} is outside 0..{self.capacity}")
        radix, digits = len(self.alphabet), []
        for _ in range(self.width):
            number, digit = divmod(number, radix)
            digits.append(self.alphabet[digit])
        return self.prefix + "".join(reversed(digits))

    @property
    def provisional(self) -> str:
        return self.ref(0)

    def describe(self) -> str:
        """The reserved space, for reasons and docs: `POPH0000001–POPHZZZZZZZ`."""
        return f"{self.ref(1)}–{self.ref(self.capacity)}"


# Each base's reserved space: "POPH" (POP, harvested) where the pattern allows four letters; none of POP's
# producers numbers its notices so. tests/harvest/test_refs.py checks every REF fits its base's pattern.
MINT_SCHEMES: dict[str, MintScheme] = {
    "joconde": MintScheme("POPH", 7),  # ^[0-9A-Z]{11}$
    "merimee": MintScheme("POPH", 6),  # ^[A-Z]{2}[0-9A-Z]{8}$
    "palissy": MintScheme("POPH", 6),  # ^[A-Z]{2}[0-9A-Z]{8,9}$
    "memoire": MintScheme("POPH", 7),  # ^[0-9A-Z][0-9A-Z_-]{3,30}$
    "mnr": MintScheme("POPH", 6, DECIMAL),  # ^[A-Z]{2,5}[0-9]{1,6}[A-Z]?$
    "museo": MintScheme("M9", 3, DECIMAL),  # ^M[0-9]{4}$: M9001–M9999, Muséofile numbers stay far below
    "autor": MintScheme("POP", 8, DECIMAL),  # ^[A-Z]{2,3}[0-9]{4,8}$
    "enluminures": MintScheme("POP-H", 6),  # ^[A-Z]{1,3}-[0-9A-Z]{4,10}$
}


def mint_scheme(base: Base | str) -> MintScheme:
    return MINT_SCHEMES[base if isinstance(base, str) else base.name]
