"""Mappings of partner XML into the target base's fields (docs/mappings/harvest.md is their table)."""
from __future__ import annotations

import pytest

from formats.bases import get_base
from formats.notice import validate_notice
from harvest.mappings import MappingError, get_mapping, map_record, read_lido, read_oai_dc, ref_from_identifier
from harvest.page import read_page
from harvest.xmlsafe import parse_xml

from .records import joconde_notices, pop_record


@pytest.mark.parametrize("identifier, base, ref", [
    ("oai:pop.culture.gouv.fr:joconde:000PE001028", "joconde", "000PE001028"),
    ("oai:merimee:PA00078014", "merimee", "PA00078014"),
    ("oai:museum.example:objects:000PE001028", "joconde", "000PE001028"),
    ("oai:pop.culture.gouv.fr:enluminures:D-000001", "enluminures", "D-000001"),
])
def test_ref_from_identifier(identifier, base, ref):
    assert ref_from_identifier(identifier, get_base(base)) == ref


def test_oai_dc_record_maps_to_joconde_fields(shared_dir):
    page = read_page((shared_dir / "samples/oai-pmh/spec_ex-sec4.5b.xml").read_bytes())
    fields = read_oai_dc(page.records[0].metadata, get_base("joconde"))
    assert fields == {"TICO": "Opera Minora", "AUTR": ["Cornelius Tacitus"], "DENO": ["text"]}


def test_oai_dc_fills_the_fields_each_base_has():
    element = parse_xml(b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Ch\xc3\xa2teau</dc:title>'
                        b"<dc:title>Castle</dc:title><dc:creator>Viollet-le-Duc</dc:creator>"
                        b"<dc:date>XIXe si\xc3\xa8cle</dc:date><dc:coverage>Pierrefonds</dc:coverage></oai_dc:dc>")
    assert read_oai_dc(element, get_base("merimee")) == {
        "TICO": "Château ; Castle", "AUTR": ["Viollet-le-Duc"], "DATE": ["XIXe siècle"], "LOCA": "Pierrefonds"}
    assert read_oai_dc(element, get_base("autor")) == {"NOMPRENOM": "Château ; Castle", "DATES": ["XIXe siècle"]}


def test_lido_record_maps_to_a_valid_joconde_notice(shared_dir):
    element = parse_xml((shared_dir / "samples/lido/LIDO-Example_FMobj00154983-LaPrimavera.xml").read_bytes())
    fields = map_record(get_mapping("lido"), element, get_base("joconde"), "oai:uffizi.example:000PE000001")
    assert fields["TICO"] == "La Primavera / Spring ; La Primavera / Der Frühling"
    assert fields["AUTR"] == ["Botticelli, Sandro"]  # the actor's preferred name, not its alternate ones
    assert (fields["DIMS"], fields["INV"]) == ("203 x 314 cm", "8360 (Inv. 1890)")
    assert fields["LOCA"].startswith("Galleria degli Uffizi")
    assert validate_notice(get_base("joconde"), fields).ref == "000PE000001"


def test_lido_production_event_gives_creator_date_and_technique(shared_dir):
    page = read_page((shared_dir / "samples/oai-pmh/kenom_ListRecords_lido_v1.0.xml").read_bytes())
    fields = read_lido(page.records[0].metadata, get_base("joconde"))
    assert fields["PERI"] == ["7.1921"]
    assert fields["TECH"] == ["Nichtmetalle > Papier", "Autotypie", "Buchdruck"]
    assert fields["AUTR"][0] == "Druckerei W. Clausen <Büsum> (Drucker)"


def test_pop_records_map_losslessly_and_must_match_their_identifier():
    notice = joconde_notices(1)[0]
    record = pop_record(notice)
    element = parse_xml(record.metadata)
    fields = map_record(get_mapping("pop"), element, get_base("joconde"), record.identifier)
    assert validate_notice(get_base("joconde"), fields).fields == {
        k: v for k, v in notice.fields.items() if k in fields}
    with pytest.raises(MappingError, match="does not match its identifier"):
        map_record(get_mapping("pop"), element, get_base("joconde"), "oai:x:joconde:000PE999999")
    with pytest.raises(MappingError, match="this partner feeds 'palissy'"):
        map_record(get_mapping("pop"), element, get_base("palissy"), record.identifier)


def test_a_record_of_another_format_is_a_mapping_error():
    with pytest.raises(MappingError, match="expected an oai_dc:dc element"):
        read_oai_dc(parse_xml(b"<other/>"), get_base("joconde"))
    with pytest.raises(MappingError, match="expected a lido:lido element"):
        read_lido(parse_xml(b"<other/>"), get_base("joconde"))


def test_mapped_text_loses_the_whitespace_of_pretty_printed_xml():
    element = parse_xml(b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                        b'xmlns:dc="http://purl.org/dc/elements/1.1/">\n  <dc:title>\n      Vase\n      '
                        b"\xc3\xa0 anses\n  </dc:title>\n  <dc:creator>  Atelier\tde\n S\xc3\xa8vres </dc:creator>"
                        b"<dc:description>Une\n\n   description</dc:description></oai_dc:dc>")
    assert read_oai_dc(element, get_base("joconde")) == {
        "TICO": "Vase à anses", "AUTR": ["Atelier de Sèvres"], "DESC": "Une description"}


def test_lido_keeps_only_preferred_appellations_and_a_name_for_an_actor_that_has_only_alternates():
    lido = b"""<lido:lido xmlns:lido="http://www.lido-schema.org"><lido:descriptiveMetadata>
      <lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>
        <lido:appellationValue lido:pref="preferred">Le  Printemps
        </lido:appellationValue><lido:appellationValue lido:pref="alternate">Primavera</lido:appellationValue>
      </lido:titleSet></lido:titleWrap></lido:objectIdentificationWrap>
      <lido:eventWrap><lido:eventSet><lido:event><lido:eventType><lido:term>Production</lido:term></lido:eventType>
        <lido:eventActor><lido:actorInRole><lido:actor>
          <lido:nameActorSet><lido:appellationValue lido:pref="alternate">Anonyme A</lido:appellationValue></lido:nameActorSet>
          <lido:nameActorSet><lido:appellationValue lido:pref="alternate">Anonyme B</lido:appellationValue></lido:nameActorSet>
        </lido:actor></lido:actorInRole></lido:eventActor>
        <lido:eventActor><lido:actorInRole><lido:actor>
          <lido:nameActorSet><lido:appellationValue lido:pref="alternate">Filipepi</lido:appellationValue></lido:nameActorSet>
          <lido:nameActorSet><lido:appellationValue>Botticelli</lido:appellationValue></lido:nameActorSet>
        </lido:actor></lido:actorInRole></lido:eventActor>
      </lido:event></lido:eventSet></lido:eventWrap></lido:descriptiveMetadata></lido:lido>"""
    fields = read_lido(parse_xml(lido), get_base("joconde"))
    assert (fields["TICO"], fields["AUTR"]) == ("Le Printemps", ["Anonyme A", "Botticelli"])
