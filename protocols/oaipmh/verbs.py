"""The registry of OAI-PMH verbs (spec §4): each verb declared once, with the arguments it takes (read by
argument validation, arguments.py) and the Provider method that answers it (read by dispatch, provider.py).

Adding a verb is one line in `VERBS` and its handler method on `Provider`; a handler the Provider lacks fails
when the Provider is built, not on the first request for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class VerbRule:
    """Which arguments a verb requires, allows, or takes exclusively (besides `verb` itself)."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None  # an argument that must come alone (resumptionToken)

    @property
    def allowed(self) -> frozenset[str]:
        return self.required | self.optional | ({self.exclusive} if self.exclusive else frozenset())


@dataclass(frozen=True)
class Verb:
    name: str
    rule: VerbRule
    handler: str  # the Provider method answering it: (arguments, response date) → the body's XML parts


_LIST = VerbRule(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken")

# In the spec's order, which is also the order the badVerb message lists them in.
VERBS: Mapping[str, Verb] = MappingProxyType({verb.name: verb for verb in (
    Verb("Identify", VerbRule(), "_identify"),
    Verb("ListMetadataFormats", VerbRule(optional=frozenset({"identifier"})), "_list_metadata_formats"),
    Verb("ListSets", VerbRule(exclusive="resumptionToken"), "_list_sets"),
    Verb("GetRecord", VerbRule(frozenset({"identifier", "metadataPrefix"})), "_get_record"),
    Verb("ListIdentifiers", _LIST, "_list_identifiers"),
    Verb("ListRecords", _LIST, "_list_records"),
)})
