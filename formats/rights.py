"""Which rights statement a notice's images carry, as one of the exact URIs Europeana accepts in `edm:rights`.

Europeana accepts only the Creative Commons licences and public-domain tools and the rightsstatements.org
statements listed in its Schematron (`schemas/edm/schematron/schematron.xsl`); POP's notices state rights as
free text: a copyright line (COPY), photo credits (PHOT, DROIT, a Mémoire photo's COPY), Mémoire's
diffusion rights (DIFF), the credits of each linked image. The rule, applied to those texts in order:

1. a text that *is* or contains an accepted URI (creativecommons.org/licenses/…, …/publicdomain/zero|mark/1.0/,
   rightsstatements.org/vocab/…) → that URI, normalised to Europeana's spelling (http, trailing slash);
2. a text naming an open licence: "CC0" → CC0 1.0; "CC BY[-SA…] x.y" → that licence (4.0 when no version);
   "Licence Ouverte" / "Etalab" → CC BY 4.0 (Etalab declares Licence Ouverte 2.0 compatible with CC BY 4.0,
   and Europeana does not list the Licence Ouverte); "domaine public" / "public domain" → Public Domain Mark;
3. a copyright claim: "©", "(c)", "copyright", "droits réservés", "tous droits", "reproduction soumise à
   autorisation" → In Copyright (InC 1.0);
4. nothing said → `default` (module constant `DEFAULT_RIGHTS`, "Copyright Not Evaluated", overridable by the
   caller: the app may wire a setting to it).

Rules 1–2 win over 3 (a "© Museum, CC BY 4.0" line is a licensed work with an attribution), and the first text
that decides wins: the caller passes the most specific texts first (an image's own credits before the notice's).

A harvested notice is not POP's to license: `partner_rights` reads its partner's licence first, then its rights
texts, with no default (None: nothing decides, and EDM leaves the notice out); `licence_of` reads the licence a
partner configured (an SPDX id or a URI) into the URI and label that oai_dc and LIDO state.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
NOT_EVALUATED = "http://rightsstatements.org/vocab/CNE/1.0/"
PUBLIC_DOMAIN_MARK = "http://creativecommons.org/publicdomain/mark/1.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
DEFAULT_RIGHTS = NOT_EVALUATED

# Europeana's accepted rights URIs (schematron.xsl, $license_patterns), as regular expressions.
ACCEPTED = tuple(re.compile(p) for p in (
    r"^http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd|by-nd-nc)/1\.0/((fi|il|nl)/)?$",
    r"^http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/2\.0/"
    r"((au|at|be|br|ca|cl|hr|uk|fr|de|it|jp|nl|pl|kr|es|tw)/)?$",
    r"^http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/2\.1/((au|es|jp)/)$",
    r"^http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/2\.5/"
    r"((ar|au|br|bg|ca|cn|co|hr|dk|hu|in|il|it|mk|my|mt|mx|nl|pe|pl|pt|scotland|si|za|es|se|ch|tw)/)?$",
    r"^http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/3\.0/"
    r"((au|at|br|cl|cn|cr|hr|cz|ec|eg|ee|fr|de|gr|gt|hk|igo|ie|it|lu|nl|nz|no|ph|pl|pt|pr|ro|rs|sg|za|es|ch|tw|th"
    r"|ug|us|ve|vn)/)?$",
    r"^http://creativecommons\.org/licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/4\.0/$",
    r"^http://creativecommons\.org/publicdomain/(zero|mark)/1\.0/$",
    r"^http://rightsstatements\.org/vocab/(NoC-NC|NoC-OKLR|InC|InC-EDU|InC-OW-EU|CNE)/1\.0/$",
))

LABELS = {
    IN_COPYRIGHT: "In Copyright",
    NOT_EVALUATED: "Copyright Not Evaluated",
    PUBLIC_DOMAIN_MARK: "Public Domain Mark 1.0",
    CC0: "CC0 1.0",
}

_URI = re.compile(r"(?:https?://)?(?:www\.)?"
                  r"(creativecommons\.org/(?:licenses|publicdomain)/[\w.-]+/[\d.]+(?:/(?!deed)[a-z]{2,8})?"
                  r"|rightsstatements\.org/(?:vocab|page)/[\w-]+/1\.0)/?", re.IGNORECASE)
_CC_NAME = re.compile(r"\bCC[\s-]*(?P<kind>BY(?:[\s-](?:SA|ND|NC))*)(?:[\s-]*(?P<version>[1-4]\.[05]))?\b",
                      re.IGNORECASE)
_CC0 = re.compile(r"\bCC[\s-]*0\b|\bCC[\s-]*zero\b", re.IGNORECASE)
_OPEN_LICENCE = re.compile(r"licence\s+ouverte|open\s+licen[cs]e|etalab", re.IGNORECASE)
_PUBLIC_DOMAIN = re.compile(r"\bdomaine\s+public\b|\bpublic\s+domain\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|droits?\s+réservés|tous\s+droits|soumise?\s+à\s+autorisation"
                        r"|all\s+rights\s+reserved", re.IGNORECASE)


@lru_cache(maxsize=256)
def is_accepted(uri: str) -> bool:
    """True when Europeana's validation accepts `uri` as edm:rights."""
    return any(p.match(uri) for p in ACCEPTED)


def _from_uri(text: str) -> str | None:
    match = _URI.search(text)
    if not match:
        return None
    path = match.group(1).replace("rightsstatements.org/page/", "rightsstatements.org/vocab/")
    uri = "http://" + path.rstrip("/") + "/"
    uri = re.sub(r"^http://creativecommons\.org/licenses/[^/]+", lambda m: m.group(0).lower(), uri)
    return uri if is_accepted(uri) else None


def _from_name(text: str) -> str | None:
    if _CC0.search(text):
        return CC0
    match = _CC_NAME.search(text)
    if match:
        kind = re.sub(r"[\s-]+", "-", match["kind"].lower())
        uri = f"http://creativecommons.org/licenses/{kind}/{match['version'] or '4.0'}/"
        return uri if is_accepted(uri) else None
    if _OPEN_LICENCE.search(text):
        return CC_BY
    if _PUBLIC_DOMAIN.search(text):
        return PUBLIC_DOMAIN_MARK
    return None


@lru_cache(maxsize=8192)  # credit lines repeat across thousands of notices
def rights_from_text(text: str) -> str | None:
    """The accepted URI one text decides, or None when it says nothing about rights."""
    if not text or not text.strip():
        return None
    return _from_uri(text) or _from_name(text) or (IN_COPYRIGHT if _COPYRIGHT.search(text) else None)


def choose_rights(texts: Iterable[str], default: str = DEFAULT_RIGHTS) -> str:
    """The edm:rights URI for these rights texts (most specific first); `default` when none decides."""
    if not is_accepted(default):
        raise ValueError(f"{default!r} is not a rights URI Europeana accepts")
    for text in texts:
        uri = rights_from_text(text)
        if uri is not None:
            return uri
    return default


def label(uri: str) -> str:
    """A short human label of an accepted URI ("CC BY-SA 4.0", "In Copyright")."""
    if uri in LABELS:
        return LABELS[uri]
    match = re.match(r"^http://creativecommons\.org/licenses/([^/]+)/([\d.]+)/", uri)
    if match:
        return f"CC {match.group(1).upper()} {match.group(2)}"
    return uri.rstrip("/").rsplit("/", 2)[-2]


# --- harvested notices: the partner's statement, never POP's licence ----------------------------------------
_SPDX_CC = re.compile(r"^CC-(BY(?:-NC)?(?:-SA|-ND)?)-([1-4]\.[05])$", re.IGNORECASE)
# SPDX ids of other open licences a partner may name: (canonical URI, label)
_SPDX = {
    "cc0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
    "etalab-2.0": ("https://www.etalab.gouv.fr/licence-ouverte-open-licence/", "Licence Ouverte 2.0"),
    "odbl-1.0": ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL 1.0"),
    "odc-by-1.0": ("https://opendatacommons.org/licenses/by/1-0/", "ODC-By 1.0"),
    "pddl-1.0": ("https://opendatacommons.org/licenses/pddl/1-0/", "PDDL 1.0"),
}


@dataclass(frozen=True)
class Licence:
    """A partner's metadata licence as configured (`text`), with its URI and a label when POP knows them."""

    text: str
    uri: str | None
    label: str

    @property
    def statement(self) -> str:
        """What a text field (dc:rights) says of it: the URI when there is one, else the licence as configured."""
        return self.uri or self.text


@lru_cache(maxsize=256)
def licence_of(text: str) -> Licence:
    """The licence a partner configured: an SPDX id (`CC-BY-NC-SA-4.0` → its Creative Commons URI and label
    "CC BY-NC-SA 4.0") or a URI (kept as given; labelled when it is one Europeana knows)."""
    match = _SPDX_CC.match(text)
    if match:
        kind, version = match.group(1).upper(), match.group(2)
        return Licence(text, f"https://creativecommons.org/licenses/{kind.lower()}/{version}/", f"CC {kind} {version}")
    known = _SPDX.get(text.lower())
    if known:
        return Licence(text, *known)
    if text.startswith(("http://", "https://")):
        accepted = _from_uri(text)
        return Licence(text, text, label(accepted) if accepted else text)
    return Licence(text, None, text)


def partner_rights(licence: str | None, texts: Iterable[str]) -> str | None:
    """The edm:rights URI of a partner's notice: its licence, else the first of its rights texts that decides
    (rules 1-3 above); None when none does — POP then states nothing for it (no default, no Licence Ouverte)."""
    for text in ((licence,) if licence else ()) + tuple(texts):
        uri = rights_from_text(text)
        if uri is not None:
            return uri
    return None
