"""A small repository for the OAI-PMH tests: the real sample notice of every base, copied under several REFs,
producers and sources, written at known datestamps, some deleted afterwards."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from store.models import NoticeRow
from store.notices import delete_notices, write_notices
from formats.bases import BASES, get_base
from formats.notice import validate_notice
from tests.shared import pop_sample

T0 = datetime(2024, 3, 1, 8, 0, 0)
PARTNER = "musee-valence"
_REFS = {
    "joconde": "T{:010d}", "merimee": "PA{:08d}", "palissy": "PM{:08d}", "memoire": "AP{:08d}",
    "mnr": "MNR{:05d}", "museo": "M{:04d}", "autor": "OR{:06d}", "enluminures": "D-{:06d}",
}


def ref(base: str, number: int) -> str:
    return _REFS[base].format(number)


@dataclass
class Demo:
    """What was written: (base, REF) → datestamp, and which are deleted."""

    datestamps: dict[tuple[str, str], datetime] = field(default_factory=dict)
    deleted: set[tuple[str, str]] = field(default_factory=set)
    producers: dict[tuple[str, str], str] = field(default_factory=dict)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)

    def identifiers(self, repository_identifier: str = "pop.culture.gouv.fr", *, base: str | None = None,
                    producer: str | None = None, source: str | None = None,
                    start: datetime | None = None, end: datetime | None = None) -> set[str]:
        return {
            f"oai:{repository_identifier}:{b}:{r}" for (b, r), stamp in self.datestamps.items()
            if (base is None or b == base) and (producer is None or self.producers[b, r] == producer)
            and (source is None or self.sources[b, r] == source or (source == "*" and self.sources[b, r] != "local"))
            and (start is None or stamp >= start) and (end is None or stamp <= end)
        }


def load(db, per_base: int = 6, *, render: bool = True) -> Demo:
    """per_base notices in each base, written one batch per minute from T0; 2 of each base deleted a day later;
    the last of each base comes from a partner. `render=False`: written as a harvest writes (renditions in
    the rendering backlog)."""
    assert per_base >= 4, "notices 1 and 2 are deleted, the last one is a partner's"
    demo = Demo()
    for number in range(per_base):
        now = T0 + timedelta(minutes=number)
        batch = []
        for base in BASES:
            raw = pop_sample(base)
            producers = get_base(base).producers
            raw.update(REF=ref(base, number), PRODUCTEUR=producers[number % len(producers)])
            source = PARTNER if number == per_base - 1 else "local"
            batch.append(validate_notice(get_base(base), raw, source=source,
                                         source_identifier=f"oai:valence:{number}" if source != "local" else None))
            key = (base, ref(base, number))
            demo.datestamps[key] = now
            demo.sources[key] = source
        with db.session() as session:
            write_notices(session, batch, now=now, render=render)
    with db.session() as session:
        for row in session.execute(select(NoticeRow.base, NoticeRow.ref, NoticeRow.producer_slug)):
            demo.producers[row.base, row.ref] = row.producer_slug
    deleted_at = T0 + timedelta(days=1)
    for base in BASES:
        refs = [ref(base, 1), ref(base, 2)]
        with db.session() as session:
            delete_notices(session, base, refs, now=deleted_at)
        for r in refs:
            demo.datestamps[base, r] = deleted_at
            demo.deleted.add((base, r))
    return demo


@contextmanager
def served_demo(database_url: str, tmp_path: Path, **settings):
    """(URL of /oai over real HTTP, the Demo loaded in the store, the app), for an app with `settings`."""
    from app import create_app

    from ..conftest import make_settings, serve

    app = create_app(make_settings(database_url, tmp_path, **settings))
    demo = load(app.extensions["pop"].db)
    try:
        with serve(app) as url:
            yield f"{url}/oai", demo, app
    finally:
        app.extensions["pop"].db.dispose()
