"""Argument validation per verb (spec §3.1, §4), by the rules of the verb registry (verbs.py): which arguments
each verb requires, allows, or takes exclusively. A resumptionToken stands alone; a repeated, missing or
unknown argument is `badArgument`, and so is a value of illegal syntax (one the response could not echo in
`<request>`: characters XML cannot carry, a metadataPrefix or set that OAI-PMH.xsd's patterns refuse); a
missing, unknown or repeated verb is `badVerb`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .errors import NOT_XML, OAIError
from .verbs import VERBS, Verb

# OAI-PMH.xsd metadataPrefixType and setSpecType.
_PREFIX_CHAR = r"[A-Za-z0-9\-_.!~*'()]"
_SYNTAX = {
    "metadataPrefix": (re.compile(rf"{_PREFIX_CHAR}+"), "a metadataPrefix (letters, digits and -_.!~*'())"),
    "set": (re.compile(rf"{_PREFIX_CHAR}+(:{_PREFIX_CHAR}+)*"),
            "a setSpec (segments of letters, digits and -_.!~*'(), separated by ':')"),
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


def validate(pairs: Iterable[tuple[str, str]], verbs: Mapping[str, Verb] = VERBS) -> OAIRequest:
    """The request's pairs, checked against the rule of its verb in `verbs` (the Provider passes its own table)."""
    args = collect(pairs)
    names = args.pop("verb", [])
    if len(names) != 1:
        raise OAIError("badVerb", "the verb argument is missing" if not names else "the verb argument is repeated")
    verb = verbs.get(names[0])
    if verb is None:
        raise OAIError("badVerb", f"{names[0]!r} is not an OAI-PMH verb (one of: {', '.join(verbs)})")
    rule = verb.rule
    repeated = sorted(key for key, values in args.items() if len(values) > 1)
    if repeated:
        raise OAIError("badArgument", f"repeated argument: {', '.join(repeated)}")
    unknown = sorted(set(args) - rule.allowed)
    if unknown:
        raise OAIError("badArgument", f"{verb.name} does not take {', '.join(unknown)}")
    single = {key: values[0] for key, values in args.items()}
    if rule.exclusive and rule.exclusive in single:
        others = sorted(set(single) - {rule.exclusive})
        if others:
            raise OAIError("badArgument", f"{rule.exclusive} must be the only argument besides verb "
                                          f"(also got {', '.join(others)})")
    else:
        missing = sorted(rule.required - set(single))
        if missing:
            raise OAIError("badArgument", f"{verb.name} requires {', '.join(missing)}")
    for key, value in single.items():
        _check_syntax(key, value)
    return OAIRequest(verb.name, single)


def legal_syntax(key: str, value: str) -> bool:
    """Whether `value` is of legal syntax for the argument `key` (what `validate` checks of every value)."""
    pattern, _ = _SYNTAX.get(key, (None, ""))
    return not NOT_XML.search(value) and (pattern is None or pattern.fullmatch(value) is not None)


def _check_syntax(key: str, value: str) -> None:
    # Errors other than badVerb/badArgument echo every argument as an attribute of <request>: a value the
    # schema refuses there would make that answer invalid, so it is refused here, as the spec's "illegal syntax".
    if NOT_XML.search(value):
        raise OAIError("badArgument", f"{key}={value!r} holds characters that XML cannot carry")
    pattern, what = _SYNTAX.get(key, (None, ""))
    if pattern and not pattern.fullmatch(value):
        raise OAIError("badArgument", f"{key}={value!r} is not {what}")
