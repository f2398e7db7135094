"""The REFs POP mints for partners whose identifiers are not POP REFs (`refs = mint`, harvest/refs.py).

`minted_ref` keeps (base, partner, source identifier) → REF, so a re-harvest or a deleted header of the same
source identifier finds the same notice. A new source identifier gets the base's next counter in its reserved
space (harvest/refs.py `MINT_SCHEMES`); a REF some notice already holds there (a local import, say) is skipped,
so a minted REF never lands on another source's notice. Counters are drawn under a per-base transaction lock
on PostgreSQL (two partners minting into one base take turns); on SQLite the database's single writer does it,
and the unique constraints are the last guard either way.

`resolve_page` is what the harvest storage calls, in the page's transaction, for a mint partner's page: the
reader keyed it by source identifier with a provisional REF; it comes back keyed by REF, with the real REFs
in the notices, their prints recomputed, and deletions of identifiers never minted dropped (counted).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, fields as dataclass_fields, replace
from datetime import datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from formats.bases import Base, get_base
from formats.notice import fingerprint
from harvest.partner import PartnerConfig
from harvest.reader import Issue, PageOutcome
from harvest.refs import mint_scheme

from .models import MintedRef, NoticeRow

_LOCK_CLASS = 0x504F52  # first key of the per-base advisory lock (partner locks use 0x504F50)


@dataclass(frozen=True)
class ResolvedPage:
    outcome: PageOutcome  # keyed by REF, as an identifier partner's page
    unknown_deletions: int  # deleted headers of source identifiers POP never minted a REF for


def known_refs(session: Session, source: str, base: str, identifiers: list[str]) -> dict[str, str]:
    """source identifier → the REF minted for it, for those of `identifiers` that have one."""
    if not identifiers:
        return {}
    return dict(session.execute(
        select(MintedRef.source_identifier, MintedRef.ref)
        .where(MintedRef.source == source, MintedRef.base == base, MintedRef.source_identifier.in_(identifiers))).all())


def mint_refs(session: Session, source: str, base: Base, identifiers: list[str], now: datetime) -> dict[str, str]:
    """Mint a REF for each new source identifier (in order); those the base's space has no room left for are
    missing from the answer."""
    scheme = mint_scheme(base)
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                        {"a": _LOCK_CLASS, "b": zlib.crc32(base.name.encode()) & 0x7FFFFFFF})
    number = session.execute(select(func.coalesce(func.max(MintedRef.number), 0))
                             .where(MintedRef.base == base.name)).scalar_one()
    pending, minted, rows = list(identifiers), {}, []
    while pending and number < scheme.capacity:
        numbers = range(number + 1, min(number + len(pending), scheme.capacity) + 1)
        candidates = {scheme.ref(n): n for n in numbers}
        taken = set(session.execute(select(NoticeRow.ref).where(
            NoticeRow.base == base.name, NoticeRow.ref.in_(list(candidates)))).scalars())
        for ref, n in candidates.items():
            if ref not in taken:
                identifier = pending.pop(0)
                minted[identifier] = ref
                rows.append({"base": base.name, "ref": ref, "number": n, "source": source,
                             "source_identifier": identifier, "created": now})
        number = numbers[-1]
    if rows:
        session.execute(insert(MintedRef), rows)
    return minted


def resolve_page(session: Session, partner: PartnerConfig, outcome: PageOutcome, now: datetime) -> ResolvedPage:
    """A mint partner's page, keyed by source identifier, as the write path takes it: keyed by REF."""
    base = get_base(partner.base)
    wanted = list(dict.fromkeys([notice.source_identifier for notice in outcome.notices] + outcome.deletions))
    refs = known_refs(session, partner.name, base.name, wanted)
    new = [notice.source_identifier for notice in outcome.notices if notice.source_identifier not in refs]
    if new:
        refs.update(mint_refs(session, partner.name, base, new, now))
    scheme = mint_scheme(base)
    notices, prints, issues = [], {}, list(outcome.issues)
    for notice in outcome.notices:
        ref = refs.get(notice.source_identifier)
        if ref is None:
            record = outcome.records.get(notice.source_identifier)
            issues.append(Issue(notice.source_identifier, f"cannot mint a REF: the space POP reserves in "
                                f"{base.name} ({scheme.describe()}) is full", record.raw if record else None))
            continue
        fields = {**notice.fields, "REF": ref}
        notices.append(replace(notice, ref=ref, fields=fields))
        prints[ref] = fingerprint(base, fields)
    deletions = [refs[identifier] for identifier in outcome.deletions if identifier in refs]
    rekeyed = {}
    # every other map of the page is keyed by source identifier: keyed by REF now (those dropped go)
    for spec in dataclass_fields(PageOutcome):
        value = getattr(outcome, spec.name)
        if isinstance(value, dict) and spec.name != "prints":
            rekeyed[spec.name] = {refs[key]: item for key, item in value.items() if key in refs}
    resolved = replace(outcome, minted=False, notices=notices, deletions=deletions, issues=issues, prints=prints,
                       **rekeyed)
    return ResolvedPage(resolved, len(outcome.deletions) - len(deletions))
