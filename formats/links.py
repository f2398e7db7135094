"""Public links of a notice on POP: its permalink page and its images. Used by every format."""
from __future__ import annotations

from urllib.parse import quote

POP_SITE = "https://pop.culture.gouv.fr"
IMAGE_BASE = "https://s3.eu-west-3.amazonaws.com/pop-phototeque"
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def notice_url(base: str, ref: str) -> str:
    """The notice's permanent page on POP."""
    return f"{POP_SITE}/notice/{base}/{quote(ref)}"


def image_url(path: str) -> str:
    """An image of POP's phototèque from its stored path (`joconde/0988…/999chap03941.jpg`); full URLs pass."""
    if path.startswith(("http://", "https://")):
        return "https://" + path.split("://", 1)[1]
    return f"{IMAGE_BASE}/{quote(path.lstrip('/'))}"
