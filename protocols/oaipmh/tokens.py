"""Stateless resumption tokens: the original arguments, `until` frozen at the first request, the keyset
position `(datestamp, id)` of the last item sent, the cursor and the list size — signed (itsdangerous, with
the server's secret key) and timestamped, so a tampered, foreign or expired token is refused and a re-sent
token returns the same page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from .errors import OAIError

_SALT = "pop.oaipmh.resumption-token.v1"
_FORMAT = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class ResumptionToken:
    verb: str
    prefix: str
    set_spec: str | None
    from_: datetime | None
    until: datetime  # frozen at the first request
    last_datestamp: datetime  # keyset position of the last item sent
    last_id: int
    cursor: int  # how many items were sent before the page this token asks for
    complete_list_size: int


def _date(moment: datetime | None) -> str | None:
    return moment.strftime(_FORMAT) if moment else None


def _undate(text: str | None) -> datetime | None:
    return datetime.strptime(text, _FORMAT) if text else None


class TokenCodec:
    """Signs and reads tokens with one secret key; tokens live `lifetime` seconds (≥ 24 h by default)."""

    def __init__(self, secret_key: str, lifetime: int):
        self.serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
        self.lifetime = lifetime

    def encode(self, token: ResumptionToken) -> str:
        return self.serializer.dumps([
            token.verb, token.prefix, token.set_spec, _date(token.from_), _date(token.until),
            _date(token.last_datestamp), token.last_id, token.cursor, token.complete_list_size,
        ])

    def expiration(self, issued: datetime) -> datetime:
        return issued + timedelta(seconds=self.lifetime)

    def decode(self, text: str, verb: str) -> ResumptionToken:
        try:
            payload = self.serializer.loads(text, max_age=self.lifetime)
            verb_, prefix, set_spec, from_, until, last, last_id, cursor, size = payload
            token = ResumptionToken(verb_, prefix, set_spec, _undate(from_), _undate(until), _undate(last),
                                    int(last_id), int(cursor), int(size))
        except SignatureExpired:
            raise OAIError("badResumptionToken", "the resumption token has expired: start the list again") from None
        except BadData:
            raise OAIError("badResumptionToken",
                           "the resumption token was not issued by this repository, or was altered") from None
        except (TypeError, ValueError):
            raise OAIError("badResumptionToken", "the resumption token is malformed") from None
        if token.verb != verb:
            raise OAIError("badResumptionToken", f"this resumption token continues {token.verb}, not {verb}")
        return token
