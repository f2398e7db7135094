"""`lido`: LIDO 1.1, the museum community's harvesting format, for the object bases (Joconde, Palissy, MNR,
Enluminures, and Mémoire whose photographs are objects themselves).

One `lido:lido` per notice: identifiers, work type and classification, titles, inscriptions, repository and
inventory number, description, measurements (typed where POP's dimension string parses, displayed always), the
production event (creators and roles, display and earliest/latest dates, places, materials and techniques,
culture, period), subjects, the rights of the work, of the record and of each image, the images as resource sets,
and the record's source and link back to POP. What comes from which field, per base: docs/mappings/lido.md.

The record's rights (`recordRights`) are the Licence Ouverte for POP's own notices only; a harvested notice
states its partner's licence, if it has one, and its own rights texts — POP never relicenses a partner's data.

Built as text, like formats/pop.py (bench/render.py times it against oai_dc); every record is checked
against the official XSD in tests/formats/test_lido.py. LIDO 1.1 rather than 1.0: see docs/mappings/lido.md.
"""
from __future__ import annotations

from functools import lru_cache, partial

from .links import IMAGE_BASE, LICENCE_OUVERTE
from .notice import LOCAL_SOURCE, Notice
from .dimensions import MeasurementSet
from .images import notice_credits
from .profiles import PROFILES, PROVIDER, Actor, Description, Term, describe
from .format import MetadataFormat, Renderer, RenderOptions
from .xmltext import attr as quoteattr, text as _e
from .rights import DEFAULT_RIGHTS, label as rights_label, licence_of, partner_rights

NAMESPACE = "http://www.lido-schema.org"
SCHEMA = "http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd"
BASES = frozenset({"joconde", "palissy", "mnr", "enluminures", "memoire"})
VERSION = "2"  # 2: harvested notices state their partner's rights, not the Licence Ouverte

_T = "http://terminology.lido-schema.org/"
URI_ID = _T + "lido00099"  # identifier type: URI
LOCAL_ID = _T + "lido00100"  # identifier type: local
INVENTORY_NUMBER = _T + "lido00113"
ITEM_LEVEL_RECORD = _T + "lido00141"
PRODUCTION = _T + "lido00007"
_FR = ' xml:lang="fr"'
_PRODUCTION = (f'<lido:eventType><lido:conceptID lido:type="{URI_ID}">{PRODUCTION}</lido:conceptID>'
               '<lido:term xml:lang="fr">Production</lido:term></lido:eventType>')
_SHOT = _PRODUCTION.replace("Production", "Prise de vue")
_RECORD_TYPE = (f'<lido:recordType><lido:conceptID lido:type="{URI_ID}">{ITEM_LEVEL_RECORD}</lido:conceptID>'
                '<lido:term xml:lang="fr">objet</lido:term></lido:recordType>')


def _el(tag: str, text: str, attrs: str = "") -> str:
    return f"<lido:{tag}{attrs}>{_e(text)}</lido:{tag}>"


# The fragments below repeat across notices (roles, materials, rights, museums…): each is built once. Bounded caches.
_cached = lru_cache(maxsize=16384)


@_cached
def _concept(tag: str, term: Term | str, attrs: str = "") -> str:
    """A LIDO concept. A value of a POP thesaurus is keyed by its label: conceptID says so (local id, source)."""
    label, vocabulary = (term, None) if isinstance(term, str) else term
    label = _e(label)
    concept_id = (f'<lido:conceptID lido:type="{LOCAL_ID}" lido:source="POP:{vocabulary}">{label}</lido:conceptID>'
                  if vocabulary else "")  # thesaurus ids are th + digits: nothing to escape
    return f'<lido:{tag}{attrs}>{concept_id}<lido:term xml:lang="fr">{label}</lido:term></lido:{tag}>'


@_cached
def _legal_body(tag: str, name: str, uri: str | None = None, weblink: str | None = None, attrs: str = "") -> str:
    body = f'<lido:legalBodyID lido:type="{URI_ID}">{_e(uri)}</lido:legalBodyID>' if uri else ""
    body += f"<lido:legalBodyName>{_el('appellationValue', name)}</lido:legalBodyName>"
    if weblink:
        body += _el("legalBodyWeblink", weblink)
    return f"<lido:{tag}{attrs}>{body}</lido:{tag}>"


@_cached
def _rights(tag: str, uri: str | None, label: str | None, credits: tuple[str, ...] = ()) -> str:
    body = ""
    if uri or label:
        concept_id = f'<lido:conceptID lido:type="{URI_ID}">{_e(uri)}</lido:conceptID>' if uri else ""
        body = f"<lido:rightsType>{concept_id}<lido:term>{_e(label or uri or '')}</lido:term></lido:rightsType>"
    body += "".join(_el("creditLine", c) for c in credits)
    return f"<lido:{tag}>{body}</lido:{tag}>"


def _classification(d: Description) -> str:
    types = "".join(_concept("objectWorkType", t) for t in d.work_types)
    classes = "".join(_concept("classification", t) for t in d.classifications)
    return (f"<lido:objectClassificationWrap><lido:objectWorkTypeWrap>{types}</lido:objectWorkTypeWrap>"
            + (f"<lido:classificationWrap>{classes}</lido:classificationWrap>" if classes else "")
            + "</lido:objectClassificationWrap>")


def _measurements(d: Description) -> str:
    sets = "".join(_measurement_set(mset) for mset in d.measurements)
    return f"<lido:objectMeasurementsWrap>{sets}</lido:objectMeasurementsWrap>" if sets else ""


@_cached
def _measurement_set(mset: MeasurementSet) -> str:
    """One part of DIMS: its display string with the unqualified measurements, then one set per qualifier."""
    groups: dict[str | None, list] = {None: []}
    for m in mset.measurements:
        groups.setdefault(m.qualifier, []).append(m)
    sets = []
    for qualifier, measurements in groups.items():
        parts = [_el("displayObjectMeasurements", mset.display)] if qualifier is None else []
        inner = "".join(
            f'<lido:measurementsSet><lido:measurementType xml:lang="fr">{_e(m.term[0])}</lido:measurementType>'
            f"<lido:measurementUnit>{_e(m.unit)}</lido:measurementUnit>"
            f"<lido:measurementValue>{_e(m.value)}</lido:measurementValue></lido:measurementsSet>"
            for m in measurements)
        if mset.extent:
            inner += _el("extentMeasurements", mset.extent)
        if qualifier:
            inner += _el("qualifierMeasurements", qualifier)
        if measurements:
            parts.append(f"<lido:objectMeasurements>{inner}</lido:objectMeasurements>")
        if parts:
            sets.append("<lido:objectMeasurementsSet>" + "".join(parts) + "</lido:objectMeasurementsSet>")
    return "".join(sets)


def _identification(d: Description) -> str:
    titles = "".join(
        f'<lido:titleSet><lido:appellationValue xml:lang="fr" lido:pref="{_T}{"lido00169" if i == 0 else "lido00170"}">'
        f"{_e(t)}</lido:appellationValue></lido:titleSet>" for i, t in enumerate(d.titles))
    parts = [f"<lido:titleWrap>{titles}</lido:titleWrap>"]
    if d.inscriptions:
        parts.append("<lido:inscriptionsWrap>" + "".join(
            f"<lido:inscriptions>{_el('inscriptionTranscription', i)}</lido:inscriptions>" for i in d.inscriptions)
            + "</lido:inscriptionsWrap>")
    if d.repository or d.inventory or d.location:
        repo = _el("displayRepository", d.location) if d.location else ""
        if d.repository:
            repo += _legal_body("repositoryName", d.repository, d.repository_id)
        repo += "".join(f'<lido:workID lido:type="{INVENTORY_NUMBER}">{_e(n)}</lido:workID>' for n in d.inventory)
        if d.repository_place or (d.coordinates and d.located_by_coordinates):
            place = ""
            if d.repository_place:
                place += f"<lido:namePlaceSet>{_el('appellationValue', d.repository_place)}</lido:namePlaceSet>"
            if d.coordinates and d.located_by_coordinates:
                place += (f'<lido:gml><gml:Point xmlns:gml="http://www.opengis.net/gml"><gml:pos>'
                          f"{d.coordinates[0]} {d.coordinates[1]}</gml:pos></gml:Point></lido:gml>")
            repo += f"<lido:repositoryLocation>{place}</lido:repositoryLocation>"
        parts.append(f'<lido:repositoryWrap><lido:repositorySet lido:type="{_T}lido00475">{repo}'
                     "</lido:repositorySet></lido:repositoryWrap>")
    if d.descriptions or d.provenance:
        notes = "".join(f"<lido:objectDescriptionSet>{_el('descriptiveNoteValue', t, _FR)}"
                        "</lido:objectDescriptionSet>" for t in d.descriptions)
        notes += "".join(f'<lido:objectDescriptionSet lido:type="provenance">'
                         f"{_el('descriptiveNoteValue', t, _FR)}</lido:objectDescriptionSet>"
                         for t in d.provenance)
        parts.append(f"<lido:objectDescriptionWrap>{notes}</lido:objectDescriptionWrap>")
    parts.append(_measurements(d))
    return "<lido:objectIdentificationWrap>" + "".join(parts) + "</lido:objectIdentificationWrap>"


@_cached
def _actor(a: Actor) -> str:
    role = _concept("roleActor", a.role)
    qualifier = _el("attributionQualifierActor", a.qualifier) if a.qualifier else ""
    display = f"{a.name} ({a.qualifier or a.role})"
    return (f"<lido:eventActor>{_el('displayActorInRole', display)}<lido:actorInRole><lido:actor>"
            f"<lido:nameActorSet>{_el('appellationValue', a.name)}</lido:nameActorSet></lido:actor>"
            f"{role}{qualifier}</lido:actorInRole></lido:eventActor>")


def _event(d: Description) -> str:
    if not (d.creators or d.date_display or d.date or d.places or d.materials or d.cultures or d.periods):
        return ""
    # a Mémoire photograph is the object: its production is the shot
    parts = [_SHOT if d.base == "memoire" else _PRODUCTION, "".join(_actor(a) for a in d.creators), "".join(_concept("culture", c) for c in d.cultures)]
    if d.date_display or d.date:
        date = _el("displayDate", d.date_display or d.date.display)
        if d.date:
            date += (f"<lido:date><lido:earliestDate>{d.date.earliest}</lido:earliestDate>"
                     f"<lido:latestDate>{d.date.latest}</lido:latestDate></lido:date>")
        parts.append(f"<lido:eventDate>{date}</lido:eventDate>")
    parts.append("".join(_concept("periodName", p) for p in d.periods))
    parts.append("".join(
        f"<lido:eventPlace><lido:place><lido:namePlaceSet>{_el('appellationValue', p.label)}</lido:namePlaceSet>"
        "</lido:place></lido:eventPlace>" for p in d.places))
    if d.materials:
        terms = "".join(_concept("termMaterialsTech", m) for m in d.materials)
        display = " ; ".join(m.label for m in d.materials)
        parts.append(f"<lido:eventMaterialsTech>{_el('displayMaterialsTech', display)}"
                     f"<lido:materialsTech>{terms}</lido:materialsTech></lido:eventMaterialsTech>")
    return ("<lido:eventWrap><lido:eventSet><lido:event>" + "".join(parts)
            + "</lido:event></lido:eventSet></lido:eventWrap>")


def _subjects(d: Description) -> str:
    if not d.subjects:
        return ""
    sets = "".join(f'<lido:subjectSet>{_el("displaySubject", s.label)}<lido:subject lido:type="{_T}lido00525">'
                   f"{_concept('subjectConcept', s)}</lido:subject></lido:subjectSet>" for s in d.subjects)
    return f"<lido:objectRelationWrap><lido:subjectWrap>{sets}</lido:subjectWrap></lido:objectRelationWrap>"


def _pop_record_rights(d: Description) -> str:
    """POP's own notices: POP publishes their metadata under the Licence Ouverte."""
    return _rights("recordRights", LICENCE_OUVERTE, "Licence Ouverte / Open Licence 2.0", d.copyright[:1])


def _partner_record_rights(licence: str | None, d: Description) -> str:
    """A harvested notice: its partner's licence (if any) and every rights text it carries; nothing at all
    when it states none (recordRights is optional)."""
    if licence is None and not d.credits:
        return ""
    stated = licence_of(licence) if licence else None
    return _rights("recordRights", stated.uri if stated else None, stated.label if stated else None, d.credits)


def _administrative(d: Description, record_rights: str) -> str:
    parts = []
    if d.work_rights:
        parts.append("<lido:rightsWorkWrap>" + "".join(
            _rights("rightsWorkSet", None, status) for status in d.work_rights) + "</lido:rightsWorkWrap>")
    record = (f'<lido:recordID lido:type="{LOCAL_ID}">{_e(d.ref)}</lido:recordID>' + _RECORD_TYPE
              + _legal_body("recordSource", d.data_provider) + _PROVIDER + record_rights
              + f'<lido:recordInfoSet lido:type="{_T}lido00916">{_el("recordInfoLink", d.url)}</lido:recordInfoSet>')
    if d.modified:
        record += (f"<lido:recordInfoSet><lido:recordMetadataDate>{d.modified}</lido:recordMetadataDate>"
                   "</lido:recordInfoSet>")  # the notice's last update in POP (DMAJ, else DMIS)
    parts.append(f"<lido:recordWrap>{record}</lido:recordWrap>")
    if d.images:
        sets = []
        for position, image in enumerate(d.images, 1):
            mime = f" lido:formatResource={quoteattr(image.mime_type)}" if image.mime_type else ""
            sets.append(
                f'<lido:resourceSet lido:sortorder="{position}"><lido:resourceRepresentation '
                f'lido:type="{_T}lido00464"><lido:linkResource{mime}>{_e(image.url)}</lido:linkResource>'
                '</lido:resourceRepresentation><lido:resourceType><lido:term xml:lang="fr">image</lido:term>'
                "</lido:resourceType>"
                + _rights("rightsResource", image.rights, rights_label(image.rights), image.credits[:1])
                + "</lido:resourceSet>")
        parts.append("<lido:resourceWrap>" + "".join(sets) + "</lido:resourceWrap>")
    return '<lido:administrativeMetadata xml:lang="fr">' + "".join(parts) + "</lido:administrativeMetadata>"


_PROVIDER = (f'<lido:recordSource lido:type="dataProvider"><lido:legalBodyName><lido:appellationValue>{PROVIDER}'
             "</lido:appellationValue></lido:legalBodyName><lido:legalBodyWeblink>https://pop.culture.gouv.fr"
             "</lido:legalBodyWeblink></lido:recordSource>")


def render_description(d: Description, record_rights: str | None = None) -> str:
    """`record_rights`: the recordRights element (default: POP's own, the Licence Ouverte)."""
    record_rights = _pop_record_rights(d) if record_rights is None else record_rights
    return (f'<lido:lido xmlns:lido="{NAMESPACE}">'
            f'<lido:lidoRecID lido:type="{URI_ID}">{_e(d.url)}</lido:lidoRecID>'
            f'<lido:objectPublishedID lido:type="{URI_ID}">{_e(d.url)}</lido:objectPublishedID>'
            '<lido:descriptiveMetadata xml:lang="fr">'
            + _classification(d) + _identification(d) + _event(d) + _subjects(d)
            + "</lido:descriptiveMetadata>" + _administrative(d, record_rights) + "</lido:lido>")


def render(notice: Notice, image_base: str = IMAGE_BASE) -> str | None:
    """The notice as one lido:lido element; None when it is not eligible (see profiles.describe).
    `image_base`: where its images live (RenderOptions.image_base, formats/links.py)."""
    if notice.base not in BASES:
        return None
    if notice.source == LOCAL_SOURCE:
        description = describe(notice, DEFAULT_RIGHTS, image_base)
        return render_description(description) if description is not None else None
    # A partner's notice: an image whose texts decide nothing takes the partner's statement (formats/rights.py
    # partner_rights, as EDM does), else Copyright Not Evaluated
    stated = partner_rights(notice.licence, notice_credits(notice.base, notice.fields))
    description = describe(notice, stated or DEFAULT_RIGHTS, image_base)
    if description is None:
        return None
    return render_description(description, _partner_record_rights(notice.licence, description))


def with_options(options: RenderOptions) -> Renderer:
    """`render` with the deployment's image base (RenderOptions.image_base)."""
    return render if options.image_base == IMAGE_BASE else partial(render, image_base=options.image_base)


assert BASES <= set(PROFILES)
FORMAT = MetadataFormat(prefix="lido", namespace=NAMESPACE, schema=SCHEMA, render=render, bases=BASES,
                        with_options=with_options, version=VERSION)
