"""`edm`: the Europeana Data Model as providers submit it (EDM external), for the bases whose notices describe
cultural heritage objects: Joconde, Palissy, MNR, Enluminures, Mémoire and Mérimée (not Muséofile, whose notices
are museums, nor Autor, whose notices are people: both are contextual entities, not provided objects).

One `rdf:RDF` per notice: the `edm:ProvidedCHO`, its `edm:WebResource`s (one per image), contextual entities
(`edm:Agent` per creator, `edm:TimeSpan` when the dates parse, `edm:Place` when the notice has coordinates) and the
`ore:Aggregation` (data provider = the producer, provider = the Ministry, `edm:isShownAt` = the POP page,
`edm:isShownBy`/`edm:object` = the first image, `edm:hasView` = the others, `edm:rights` from formats/rights.py).
Properties come in the order of Europeana's EDM.xsd. No `skos:Concept`: POP's thesauri publish no concept URIs,
so vocabulary values stay literals. The table: docs/mappings/edm.md.

A harvested notice is not POP's to license: its `edm:rights` come from its partner's statement (its licence,
then its rights texts: formats/rights.py `partner_rights`), never from POP's default; when nothing in it
decides, the notice is left out of EDM (`left_out_reason` says why, for `pop renditions rebuild`'s count).

IIIF: the renderer cannot query the store, so the rule is "a notice with images has a manifest": when the
deployment's public URL is known (RenderOptions.public_url), each WebResource carries `dcterms:isReferencedBy`
the notice's manifest URL (formats/links.py `manifest_url`, served by app/views/iiif.py; it lists the images
the probe has measured, docs/iiif.md).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial

from .images import notice_credits
from .links import IMAGE_BASE, manifest_url
from .notice import LOCAL_SOURCE, Notice
from .profiles import PROFILES, PROVIDER, Description, describe
from .format import MetadataFormat, Renderer, RenderOptions
from .rights import DEFAULT_RIGHTS, partner_rights
from .xmltext import attr as quoteattr, text as _e

_log = logging.getLogger("pop.formats.edm")

NAMESPACE = "http://www.europeana.eu/schemas/edm/"
SCHEMA = "http://www.europeana.eu/schemas/edm/EDM.xsd"
BASES = frozenset({"joconde", "palissy", "mnr", "enluminures", "memoire", "merimee"})
VERSION = "3"  # 2: harvested notices carry their partner's rights, or are left out; 3: IIIF manifest links
NO_RIGHTS = "no rights statement Europeana accepts"  # why a harvested notice is left out
EDM_TYPE = "IMAGE"  # what Europeana shows of every POP object: its photographs (LANGOUV is a book's, not ours)

_NAMESPACES = (
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:edm="http://www.europeana.eu/schemas/edm/" '
    'xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:skos="http://www.w3.org/2004/02/skos/core#" '
    'xmlns:wgs84_pos="http://www.w3.org/2003/01/geo/wgs84_pos#"'
)
# ISO 639-1 codes of the languages Enluminures names in LANGOUV
LANGUAGES = {"latin": "la", "français": "fr", "francais": "fr", "ancien français": "fro", "occitan": "oc",
             "italien": "it", "anglais": "en", "allemand": "de", "espagnol": "es", "grec": "el", "hébreu": "he",
             "néerlandais": "nl", "catalan": "ca", "provençal": "oc", "picard": "pcd", "arabe": "ar"}


def _lit(tag: str, text: str, lang: bool = True) -> str:
    return f'<{tag} xml:lang="fr">{_e(text)}</{tag}>' if lang else f"<{tag}>{_e(text)}</{tag}>"


def _res(tag: str, uri: str) -> str:
    return f"<{tag} rdf:resource={quoteattr(uri)}/>"


def _cho(d: Description, agents: list[str], timespan: str | None, place: str | None) -> str:
    parts = [_res("dc:creator", uri) for uri in agents]
    if d.date_display:
        parts.append(_lit("dc:date", d.date_display, lang=False))
    parts += [_lit("dc:description", t) for t in d.descriptions]
    parts.append(_lit("dc:identifier", d.ref, lang=False))
    parts += [_lit("dc:identifier", n, lang=False) for n in d.inventory]
    parts += [_lit("dc:language", LANGUAGES[lang.lower()], lang=False)
              for lang in d.languages if lang.lower() in LANGUAGES]
    parts += [_lit("dc:subject", s.label) for s in d.subjects]
    parts.append(_lit("dc:title", d.titles[0]))
    parts += [_lit("dc:type", t.label) for t in d.work_types + d.classifications]
    parts += [_lit("dcterms:alternative", t) for t in d.titles[1:]]
    if timespan:
        parts.append(_res("dcterms:created", timespan))
    parts += [_lit("dcterms:extent", m.display) for m in d.measurements]
    parts += [_lit("dcterms:medium", m.label) for m in d.materials]
    parts += [_lit("dcterms:provenance", t) for t in d.provenance]
    parts += [_lit("dcterms:spatial", p.label) for p in d.places]
    if place and not d.located_by_coordinates:
        parts.append(_res("dcterms:spatial", place))
    parts += [_lit("dcterms:temporal", p.label) for p in d.cultures + d.periods]
    if place and d.located_by_coordinates:
        parts.append(_res("edm:currentLocation", place))
    parts.append(f"<edm:type>{EDM_TYPE}</edm:type>")
    return f'<edm:ProvidedCHO rdf:about={quoteattr(d.url + "#cho")}>' + "".join(parts) + "</edm:ProvidedCHO>"


def _web_resources(d: Description, manifest: str | None = None) -> str:
    referenced = _res("dcterms:isReferencedBy", manifest) if manifest else ""
    return "".join(
        f"<edm:WebResource rdf:about={quoteattr(image.url)}>"
        + "".join(_lit("dc:rights", c) for c in image.credits[:1])
        + _res("edm:rights", image.rights) + referenced + "</edm:WebResource>"
        for image in d.images)


def _agents(d: Description) -> tuple[list[str], str]:
    uris, parts, seen = [], [], {}
    for actor in d.creators:
        uri = seen.get(actor.name)
        if uri is None:
            uri = seen[actor.name] = f"{d.url}#agent-{len(seen) + 1}"
            note = f"{actor.role}, {actor.qualifier}" if actor.qualifier else actor.role
            parts.append(f"<edm:Agent rdf:about={quoteattr(uri)}>{_lit('skos:prefLabel', actor.name, lang=False)}"
                         f"{_lit('skos:note', note)}</edm:Agent>")
        if uri not in uris:
            uris.append(uri)
    return uris, "".join(parts)


def _timespan(d: Description) -> tuple[str | None, str]:
    if d.date is None:
        return None, ""
    uri = f"{d.url}#timespan"
    return uri, (f"<edm:TimeSpan rdf:about={quoteattr(uri)}>{_lit('skos:prefLabel', d.date.display)}"
                 f"<edm:begin>{d.date.earliest}</edm:begin><edm:end>{d.date.latest}</edm:end></edm:TimeSpan>")


def _place(d: Description) -> tuple[str | None, str]:
    if d.coordinates is None:
        return None, ""
    uri = f"{d.url}#place"
    name = d.repository_place or d.location or (d.places[0].label if d.places else None)
    label = _lit("skos:prefLabel", name) if name else ""
    return uri, (f"<edm:Place rdf:about={quoteattr(uri)}><wgs84_pos:lat>{d.coordinates[0]}</wgs84_pos:lat>"
                 f"<wgs84_pos:long>{d.coordinates[1]}</wgs84_pos:long>{label}</edm:Place>")


def _aggregation(d: Description) -> str:
    parts = [_res("edm:aggregatedCHO", d.url + "#cho"), _lit("edm:dataProvider", d.data_provider)]
    parts += [_res("edm:hasView", image.url) for image in d.images[1:]]
    parts.append(_res("edm:isShownAt", d.url))
    if d.images:
        parts += [_res("edm:isShownBy", d.images[0].url), _res("edm:object", d.images[0].url)]
    parts.append(_lit("edm:provider", PROVIDER))
    parts += [_lit("dc:rights", c) for c in d.credits[:1]]
    parts.append(_res("edm:rights", d.rights))
    return f'<ore:Aggregation rdf:about={quoteattr(d.url + "#aggregation")}>' + "".join(parts) + "</ore:Aggregation>"


def eligible(d: Description) -> bool:
    """Europeana's rule: a ProvidedCHO needs a dc:subject, dc:type, dcterms:temporal or dcterms:spatial."""
    return bool(d.subjects or d.work_types or d.classifications or d.cultures or d.periods or d.places
                or d.coordinates or d.date)


def render_description(d: Description, manifest: str | None = None) -> str:
    agents, agent_xml = _agents(d)
    timespan, timespan_xml = _timespan(d)
    place, place_xml = _place(d)
    return (f"<rdf:RDF {_NAMESPACES}>" + _cho(d, agents, timespan, place) + _web_resources(d, manifest)
            + agent_xml + place_xml + timespan_xml + _aggregation(d) + "</rdf:RDF>")


def _partner_rights(notice: Notice) -> str | None:
    return partner_rights(notice.licence, notice_credits(notice.base, notice.fields))


def left_out_reason(notice: Notice) -> str | None:
    """Why a public notice of an EDM base is left out of EDM for its rights (None: not for them)."""
    if notice.source == LOCAL_SOURCE or notice.base not in BASES or _partner_rights(notice) is not None:
        return None
    return NO_RIGHTS


def render(notice: Notice, default_rights: str = DEFAULT_RIGHTS, image_base: str = IMAGE_BASE,
           public_url: str | None = None) -> str | None:
    """The notice as one EDM rdf:RDF; None when not eligible (profiles.describe, then `eligible`; for a
    harvested notice, also when its partner states no rights Europeana accepts). `default_rights`: the
    edm:rights of POP's own notices whose texts state no rights (formats/rights.py); `image_base`: where images
    live; `public_url`: this service's, to link each image's IIIF manifest (None: no link)."""
    if notice.base not in BASES:
        return None
    if notice.source == LOCAL_SOURCE:
        description = describe(notice, default_rights, image_base)
    else:
        # The partner's statement stands where POP's default would: for an image whose own texts decide
        # nothing, and for the record itself when it has no image (licence first, then its texts)
        stated = _partner_rights(notice)
        if stated is None:
            _log.debug("edm.left_out", extra={"base": notice.base, "ref": notice.ref, "reason": NO_RIGHTS})
            return None
        description = describe(notice, stated, image_base)
        if description is not None and not description.images:
            description = replace(description, rights=stated)
    if description is None or not eligible(description):
        return None
    manifest = manifest_url(public_url, notice.base, notice.ref) if public_url and description.images else None
    return render_description(description, manifest)


def with_options(options: RenderOptions) -> Renderer:
    """`render` with the deployment's default rights, image base and public URL (RenderOptions)."""
    if options == RenderOptions():
        return render
    return partial(render, default_rights=options.edm_default_rights, image_base=options.image_base,
                   public_url=options.public_url)


assert BASES <= set(PROFILES)
FORMAT = MetadataFormat(prefix="edm", namespace=NAMESPACE, schema=SCHEMA, render=render, bases=BASES,
                        with_options=with_options, version=VERSION)
