"""The OAI-PMH error conditions (spec §3.6), as values carrying the protocol's own codes."""
from __future__ import annotations

import re

CODES = (
    "badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat", "idDoesNotExist",
    "noRecordsMatch", "noMetadataFormats", "noSetHierarchy",
)

# A character XML 1.0 cannot carry (§2.2 Char), escaped or not: controls, surrogates, U+FFFE/U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """`text` with each character XML cannot carry written as its Python escape (`\\x01`)."""
    return NOT_XML.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class OAIError(Exception):
    """An OAI-PMH error: sent as `<error code="…">message</error>` in an HTTP 200 response."""

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"not an OAI-PMH error code: {code}")
        self.code = code
        # A message may quote the request (an unknown argument's name): it must still be XML.
        self.message = _xml_safe(message)
        super().__init__(f"{code}: {self.message}")

    @property
    def echoes_arguments(self) -> bool:
        """The spec: after badVerb or badArgument, the request element carries no attributes."""
        return self.code not in ("badVerb", "badArgument")
