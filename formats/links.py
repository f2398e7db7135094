"""Public links of a notice on POP: its permalink page and its images. Used by every format.

Where images live is a deployment's choice (`RenderOptions.image_base`, the POP_IMAGE_BASE_URL setting):
POP's phototèque by default (`IMAGE_BASE`), or any server of images (a mirror, a test's own server).
"""
from __future__ import annotations

from urllib.parse import quote

POP_SITE = "https://pop.culture.gouv.fr"
IMAGE_BASE = "https://s3.eu-west-3.amazonaws.com/pop-phototeque"
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def notice_url(base: str, ref: str) -> str:
    """The notice's permanent page on POP."""
    return f"{POP_SITE}/notice/{base}/{quote(ref)}"


def manifest_url(public_url: str, base: str, ref: str) -> str:
    """The IIIF Presentation manifest of a notice on this service (app/views/iiif.py serves it)."""
    return f"{public_url.rstrip('/')}/iiif/{base}/{quote(ref)}/manifest"


def image_url(path: str, image_base: str = IMAGE_BASE) -> str:
    """An image from its stored path (`joconde/0988…/999chap03941.jpg`) under `image_base`; full URLs pass.

    With the default phototèque, a full URL is forced to https (the phototèque serves https only and old
    notices kept http:// links); a configured base is used as given, and so are the full URLs beside it."""
    if path.startswith(("http://", "https://")):
        return "https://" + path.split("://", 1)[1] if image_base == IMAGE_BASE else path
    return f"{image_base.rstrip('/')}/{quote(path.lstrip('/'))}"
