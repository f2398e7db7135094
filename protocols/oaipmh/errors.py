"""The OAI-PMH error conditions (spec §3.6), as values carrying the protocol's own codes."""
from __future__ import annotations

CODES = (
    "badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat", "idDoesNotExist",
    "noRecordsMatch", "noMetadataFormats", "noSetHierarchy",
)


class OAIError(Exception):
    """An OAI-PMH error: sent as `<error code="…">message</error>` in an HTTP 200 response."""

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"not an OAI-PMH error code: {code}")
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")

    @property
    def echoes_arguments(self) -> bool:
        """The spec: after badVerb or badArgument, the request element carries no attributes."""
        return self.code not in ("badVerb", "badArgument")
