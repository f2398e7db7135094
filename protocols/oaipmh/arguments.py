"""Argument validation per verb (spec §3.1, §4): which arguments each verb requires, allows, or takes
exclusively. A resumptionToken stands alone; a repeated, missing or unknown argument is `badArgument`; a
missing, unknown or repeated verb is `badVerb`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from .errors import OAIError


@dataclass(frozen=True)
class VerbRule:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None  # an argument that must come alone (resumptionToken)


_LIST = VerbRule(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken")

VERBS: dict[str, VerbRule] = {
    "Identify": VerbRule(),
    "ListMetadataFormats": VerbRule(optional=frozenset({"identifier"})),
    "ListSets": VerbRule(exclusive="resumptionToken"),
    "GetRecord": VerbRule(frozenset({"identifier", "metadataPrefix"})),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
}


@dataclass(frozen=True)
class OAIRequest:
    """A request whose verb and arguments are valid for that verb (values not yet interpreted)."""

    verb: str
    arguments: Mapping[str, str]


def collect(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Query/form pairs → every value of each key, in order."""
    collected: dict[str, list[str]] = {}
    for key, value in pairs:
        collected.setdefault(key, []).append(value)
    return collected


def validate(pairs: Iterable[tuple[str, str]]) -> OAIRequest:
    args = collect(pairs)
    verbs = args.pop("verb", [])
    if len(verbs) != 1:
        raise OAIError("badVerb", "the verb argument is missing" if not verbs else "the verb argument is repeated")
    verb = verbs[0]
    rule = VERBS.get(verb)
    if rule is None:
        raise OAIError("badVerb", f"{verb!r} is not an OAI-PMH verb (one of: {', '.join(VERBS)})")
    repeated = sorted(key for key, values in args.items() if len(values) > 1)
    if repeated:
        raise OAIError("badArgument", f"repeated argument: {', '.join(repeated)}")
    allowed = rule.required | rule.optional | ({rule.exclusive} if rule.exclusive else set())
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise OAIError("badArgument", f"{verb} does not take {', '.join(unknown)}")
    single = {key: values[0] for key, values in args.items()}
    if rule.exclusive and rule.exclusive in single:
        others = sorted(set(single) - {rule.exclusive})
        if others:
            raise OAIError("badArgument", f"{rule.exclusive} must be the only argument besides verb "
                                          f"(also got {', '.join(others)})")
        return OAIRequest(verb, single)
    missing = sorted(rule.required - set(single))
    if missing:
        raise OAIError("badArgument", f"{verb} requires {', '.join(missing)}")
    return OAIRequest(verb, single)
