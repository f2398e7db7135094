"""OAI identifiers: `oai:{repository-identifier}:{base}:{REF}`; the legacy `oai:{base}:{REF}` of the former
POP endpoint is still understood (GetRecord, ListMetadataFormats)."""
from __future__ import annotations

from formats.bases import BASES


class IdentifierScheme:
    def __init__(self, repository_identifier: str):
        self.prefix = f"oai:{repository_identifier}:"

    def format(self, base: str, ref: str) -> str:
        return f"{self.prefix}{base}:{ref}"

    def sample(self) -> str:
        base = next(iter(BASES.values()))
        return self.format(base.name, base.example_refs[0])

    def parse(self, identifier: str) -> tuple[str, str] | None:
        """(base, REF), or None when the identifier cannot be one of ours."""
        if identifier.startswith(self.prefix):
            rest = identifier[len(self.prefix):]
        elif identifier.startswith("oai:"):
            rest = identifier[4:]  # legacy form
        else:
            return None
        base, _, ref = rest.partition(":")
        return (base, ref) if base in BASES and ref else None
