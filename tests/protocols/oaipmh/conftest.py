"""Fixtures of the provider's tests: a settable clock that the token signatures follow too, a small catalogue
in memory, and a provider over them."""
from __future__ import annotations

from datetime import timedelta, timezone
from types import SimpleNamespace

import itsdangerous.timed
import pytest

from protocols.oaipmh import Provider

from .memory import DAY, FORMATS, T0, Clock, MemoryRepository, config


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    # itsdangerous stamps and checks token ages with its module's `time.time()`: bind it to the same clock,
    # so a token expires when its announced expirationDate passes, without sleeping.
    epoch = lambda: clock.now.replace(tzinfo=timezone.utc).timestamp()  # noqa: E731
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=epoch))
    return clock


@pytest.fixture
def repository() -> MemoryRepository:
    """Ten notices in (datestamp, id) order, with ties on datestamp across page boundaries:

    id base     REF            datestamp      producer     source            deleted  objects rendition
    1  joconde  000PE000001    T0             musee        local
    2  joconde  000PE000002    T0             archives     local
    3  joconde  000PE000003    T0+1h          musee        local             yes
    4  merimee  PA00000001     T0+1d          mh           local
    5  palissy  PM00000001     T0+1d          musee        local
    6  museo    M0001          T0+2d          musee        local
    7  joconde  000PE000004    T0+3d          valence      musee-valence
    8  palissy  PM00000002     T0+3d+1s       valence      Musée de Valence  (a name that is no set spec)
    9  joconde  000PE000005    T0+10d         musee        local                      not rendered
    10 merimee  PA00000002     T0+10d         mh           local             yes
    """
    repo = MemoryRepository(partners=["musee-valence", "Musée de Valence", "lyon"])
    repo.add("joconde", "000PE000001", T0)
    repo.add("joconde", "000PE000002", T0, producer="archives")
    repo.add("joconde", "000PE000003", T0 + timedelta(hours=1), deleted=True)
    repo.add("merimee", "PA00000001", T0 + DAY, producer="mh")
    repo.add("palissy", "PM00000001", T0 + DAY)
    repo.add("museo", "M0001", T0 + 2 * DAY)
    repo.add("joconde", "000PE000004", T0 + 3 * DAY, producer="valence", source="musee-valence")
    repo.add("palissy", "PM00000002", T0 + 3 * DAY + timedelta(seconds=1), producer="valence",
             source="Musée de Valence")
    repo.add("joconde", "000PE000005", T0 + 10 * DAY, formats=["oai_dc"])
    repo.add("merimee", "PA00000002", T0 + 10 * DAY, producer="mh", deleted=True)
    return repo


@pytest.fixture
def provider(repository: MemoryRepository, clock: Clock) -> Provider:
    return Provider(repository, config(), formats=FORMATS, clock=clock)
