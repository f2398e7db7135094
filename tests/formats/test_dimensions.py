"""POP's hand-written dimension strings become typed measurements where they parse; the display string stays."""
from __future__ import annotations

import pytest

from formats.dimensions import Measurement, MeasurementSet, parse_dimensions


def typed(text: str, **options) -> list[tuple]:
    return [(m.type, m.value, m.unit, m.qualifier) for s in parse_dimensions(text, **options) for m in s.measurements]


def test_joconde_abbreviations_with_qualifiers():
    assert typed("H. 29 , LA. 19 (à la base) , LA. 30 (au sommet) ; P. 24") == [
        ("hauteur", "29", "cm", None), ("largeur", "19", "cm", "à la base"),
        ("largeur", "30", "cm", "au sommet"), ("profondeur", "24", "cm", None)]


def test_palissy_equals_style_with_decimal_commas():
    assert typed("h = 27,3 ; la = 21") == [("hauteur", "27.3", "cm", None), ("largeur", "21", "cm", None)]


def test_unit_written_before_the_value():
    assert typed("Hauteur en cm : 120 ; largeur en cm : 80") == [
        ("hauteur", "120", "cm", None), ("largeur", "80", "cm", None)]


def test_a_trailing_unit_applies_to_every_value():
    assert typed("H. 0,158 ; La. 0,047 ; P. 0,082 m.") == [
        ("hauteur", "0.158", "m", None), ("largeur", "0.047", "m", None), ("profondeur", "0.082", "m", None)]


@pytest.mark.parametrize("text, expected", [
    ("65 x 54 cm", [("hauteur", "65", "cm", None), ("largeur", "54", "cm", None)]),
    ("29 x 19 x 24", [("hauteur", "29", "cm", None), ("largeur", "19", "cm", None), ("profondeur", "24", "cm", None)]),
    ("H. 65 x l. 54", [("hauteur", "65", "cm", None), ("largeur", "54", "cm", None)]),
    ("L. 45 cm", [("longueur", "45", "cm", None)]),
    ("l. 45", [("largeur", "45", "cm", None)]),
    ("diam. 12", [("diamètre", "12", "cm", None)]),
    ("E. 2", [("épaisseur", "2", "cm", None)]),
    ("pds 3 kg", [("poids", "3", "kg", None)]),
    ("295 x 210 mm", [("hauteur", "295", "mm", None), ("largeur", "210", "mm", None)]),
])
def test_other_house_styles(text, expected):
    assert typed(text) == expected


def test_parts_separated_by_pound_sign_keep_their_label_as_extent():
    sets = parse_dimensions("De la Terre à la Lune : h = 27,3 ; la = 21£Autour de la Lune : h = 32")
    assert [(s.extent, s.display) for s in sets] == [
        ("De la Terre à la Lune", "De la Terre à la Lune : h = 27,3 ; la = 21"),
        ("Autour de la Lune", "Autour de la Lune : h = 32")]
    assert sets[1].measurements == (Measurement("hauteur", "32", "cm"),)


@pytest.mark.parametrize("text", ["très grand", "jauge brute = 13 tonneaux", "H. 29 ; voir dossier", "H.", "x x"])
def test_what_does_not_parse_keeps_only_its_display_string(text):
    assert parse_dimensions(text) == [MeasurementSet(text.strip(), (), None)]


def test_empty_strings_give_nothing():
    assert parse_dimensions("") == []
    assert parse_dimensions("  £ ") == []


def test_default_unit_is_configurable():
    assert typed("H. 12", default_unit="mm") == [("hauteur", "12", "mm", None)]


def test_every_type_has_a_getty_aat_concept():
    for s in parse_dimensions("H. 1 ; l. 2 ; L. 3 ; P. 4 ; E. 5 ; D. 6 ; pds 7"):
        assert all(m.term[2].startswith("http://vocab.getty.edu/aat/") for m in s.measurements)
        assert len(s.measurements) == 7
