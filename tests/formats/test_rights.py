"""The edm:rights rule: one of the exact URIs Europeana accepts, chosen from the notice's rights texts."""
from __future__ import annotations

import pytest

from formats.images import notice_images
from formats.rights import (CC0, CC_BY, DEFAULT_RIGHTS, IN_COPYRIGHT, NOT_EVALUATED, PUBLIC_DOMAIN_MARK,
                            choose_rights, is_accepted, label, rights_from_text)


@pytest.mark.parametrize("text, uri", [
    ("https://creativecommons.org/licenses/by-sa/4.0", "http://creativecommons.org/licenses/by-sa/4.0/"),
    ("voir http://rightsstatements.org/page/InC-EDU/1.0/?language=fr",
     "http://rightsstatements.org/vocab/InC-EDU/1.0/"),
    ("https://creativecommons.org/publicdomain/zero/1.0/deed.fr", CC0),
    ("CC BY-NC-SA 3.0", "http://creativecommons.org/licenses/by-nc-sa/3.0/"),
    ("© Musée X, CC BY 4.0", "http://creativecommons.org/licenses/by/4.0/"),
    ("CC0", CC0),
    ("Licence Ouverte / Etalab", CC_BY),
    ("œuvre dans le domaine public", PUBLIC_DOMAIN_MARK),
    ("© Nicolas Porte", IN_COPYRIGHT),
    ("(c) Centre des monuments nationaux", IN_COPYRIGHT),
    ("reproduction soumise à autorisation du titulaire des droits d'exploitation", IN_COPYRIGHT),
    ("droits réservés", IN_COPYRIGHT),
])
def test_rights_from_text(text, uri):
    assert rights_from_text(text) == uri
    assert is_accepted(uri)


@pytest.mark.parametrize("text", ["", "   ", "Nicolas Porte", "oui", "conditions : voir le site du musée"])
def test_texts_that_say_nothing_about_rights(text):
    assert rights_from_text(text) is None


def test_the_first_text_that_decides_wins_and_the_default_fills_silence():
    assert choose_rights(["Nicolas Porte", "CC BY 4.0", "©"]) == CC_BY
    assert choose_rights([]) == DEFAULT_RIGHTS == NOT_EVALUATED
    assert choose_rights([], default=IN_COPYRIGHT) == IN_COPYRIGHT


def test_a_default_europeana_would_refuse_is_an_error():
    with pytest.raises(ValueError):
        choose_rights([], default="https://creativecommons.org/licenses/by/4.0/")


def test_unaccepted_licence_versions_are_not_invented():
    assert rights_from_text("https://creativecommons.org/licenses/by/5.0/") is None
    assert not is_accepted("http://creativecommons.org/licenses/by/4.0")  # Europeana wants the trailing slash


def test_labels():
    assert label(IN_COPYRIGHT) == "In Copyright"
    assert label("http://creativecommons.org/licenses/by-sa/4.0/") == "CC BY-SA 4.0"
    assert label("http://rightsstatements.org/vocab/NoC-NC/1.0/") == "NoC-NC"


def test_an_image_own_credits_come_before_the_notice_ones():
    images = notice_images("palissy", {
        "COPY": "© Inventaire général",
        "MEMOIRE": [{"url": "memoire/AP1/a.jpg", "copy": "CC BY-SA 4.0 Région X"}, {"url": "memoire/AP1/b.jpg"}]})
    assert [i.rights for i in images] == ["http://creativecommons.org/licenses/by-sa/4.0/", IN_COPYRIGHT]


def test_thumbnails_listed_with_their_full_image_are_dropped():
    images = notice_images("palissy", {"VIDEO": ["mem/d/x_001.jpg", "mem/d/x_001-v.jpg", "mem/d/y-v.jpg"]})
    assert [i.url.rsplit("/", 1)[1] for i in images] == ["x_001.jpg", "y-v.jpg"]


def test_memoire_video_is_only_a_fallback_for_img():
    assert len(notice_images("memoire", {"IMG": "memoire/A/a_p.jpg", "VIDEO": "mem/1/a_p.jpg;mem/1/a_v.jpg"})) == 1
    assert len(notice_images("memoire", {"VIDEO": "mem/1/a_p.jpg;mem/1/b_p.jpg"})) == 2
