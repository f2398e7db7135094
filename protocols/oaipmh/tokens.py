"""Stateless resumption tokens: the original arguments, `until` frozen at the first request, the keyset
position `(datestamp, id)` of the last item sent, the cursor and the list size — signed (itsdangerous, with
the server's secret key) and timestamped, so a tampered, foreign or expired token is refused and a re-sent
token returns the same page. A signed payload of another shape than `encode` writes (a leaked key, another
release's tokens) is refused as malformed, never handed to the provider or the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from .arguments import legal_syntax
from .errors import OAIError

_SALT = "pop.oaipmh.resumption-token.v1"
_FORMAT = "%Y%m%d%H%M%S"
_MAX_ID = 2**63 - 1  # ids are 64-bit signed integers in the store


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


def _read(payload: object) -> ResumptionToken:
    """The token a payload holds, if it has the types and bounds `encode` gives it; else ValueError (or
    TypeError: strptime of what is not text)."""
    if not isinstance(payload, list) or len(payload) != 9:
        raise ValueError("not a token's payload")
    verb, prefix, set_spec, from_, until, last, last_id, cursor, size = payload
    if not (isinstance(verb, str) and isinstance(prefix, str) and legal_syntax("metadataPrefix", prefix)
            and (set_spec is None or isinstance(set_spec, str) and legal_syntax("set", set_spec))):
        raise ValueError("not a token's arguments")
    if not (all(type(number) is int for number in (last_id, cursor, size))
            and 0 <= last_id <= _MAX_ID and cursor >= 0 and size >= 0):
        raise ValueError("not a token's position")
    if not (from_ is None or isinstance(from_, str)):
        raise ValueError("not a token's dates")
    return ResumptionToken(verb, prefix, set_spec, _undate(from_), datetime.strptime(until, _FORMAT),
                           datetime.strptime(last, _FORMAT), last_id, cursor, size)


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
            token = _read(self.serializer.loads(text, max_age=self.lifetime))
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
