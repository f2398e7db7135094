"""`pop renditions rebuild`: re-render stored renditions after a mapping change, and move the datestamp of
every notice whose output changed (OAI-PMH: a changed record has a new datestamp, so harvesters re-fetch it)."""
from __future__ import annotations

import sys
from dataclasses import dataclass

import click
from sqlalchemy import delete, insert, select, update

from formats.bases import BASES
from formats.registry import FORMATS, public_notice

from .. import pop
from ..cli import one_line_errors
from ..db import Database
from ..models import NoticeRow, Rendition
from ..store import backlog_size, bump_state, render_pending, row_to_notice, utcnow


@dataclass
class RebuildSummary:
    checked: int = 0
    rerendered: int = 0  # renditions written, replaced or dropped
    moved: int = 0  # notices whose datestamp moved

    def line(self) -> str:
        return f"checked: {self.checked}, renditions changed: {self.rerendered}, datestamps moved: {self.moved}"


def rebuild_renditions(db: Database, bases: list[str], prefixes: list[str], *, batch_size: int = 500,
                       progress=None) -> RebuildSummary:
    """Re-render the live notices of `bases` in `prefixes`, batch by batch (one transaction each)."""
    summary = RebuildSummary()
    last_id = 0
    while True:
        with db.session() as session:
            rows = session.execute(
                select(NoticeRow).where(NoticeRow.id > last_id, NoticeRow.base.in_(bases), NoticeRow.deleted.is_(False),
                                        NoticeRow.rendered.is_(True))  # the backlog renders the others
                .order_by(NoticeRow.id).limit(batch_size)).scalars().all()
            if not rows:
                return summary
            last_id = rows[-1].id
            stored = {(r.notice_id, r.format): r.xml for r in session.execute(
                select(Rendition.notice_id, Rendition.format, Rendition.xml)
                .where(Rendition.notice_id.in_([row.id for row in rows]), Rendition.format.in_(prefixes)))}
            now = utcnow()
            moved, stale, fresh = [], [], []
            for row in rows:
                public = public_notice(row_to_notice(row))
                changed = False
                for prefix in prefixes:
                    fmt = FORMATS[prefix]
                    xml = fmt.render(public) if fmt.supports(row.base) else None
                    if xml != stored.get((row.id, prefix)):
                        changed = True
                        stale.append((row.id, prefix))
                        if xml is not None:
                            fresh.append({"notice_id": row.id, "format": prefix, "version": fmt.version, "xml": xml})
                if changed:
                    moved.append(row.id)
            for notice_id, prefix in stale:
                session.execute(delete(Rendition).where(Rendition.notice_id == notice_id, Rendition.format == prefix))
            if fresh:
                session.execute(insert(Rendition), fresh)
            if moved:
                session.execute(update(NoticeRow).where(NoticeRow.id.in_(moved)).values(datestamp=now))
                bump_state(session, now)
            summary.checked += len(rows)
            summary.rerendered += len(stale)
            summary.moved += len(moved)
        if progress:
            progress(len(rows))


@click.group("renditions")
def renditions():
    """The notices' stored renditions in each metadata format (what OAI-PMH serves)."""


@renditions.command("rebuild")
@click.option("--base", "base_name", type=click.Choice(list(BASES)), help="Only this base (default: all).")
@click.option("--format", "prefix", type=click.Choice(list(FORMATS)), help="Only this format (default: all).")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
@one_line_errors
def rebuild(base_name: str | None, prefix: str | None, batch_size: int):
    """Re-render renditions; notices whose output changed get a new datestamp (harvesters re-fetch them)."""
    bases = [base_name] if base_name else list(BASES)
    prefixes = [prefix] if prefix else list(FORMATS)
    with click.progressbar(length=0, label="re-rendering", file=sys.stderr, show_pos=True,
                           show_percent=False) as bar:
        summary = rebuild_renditions(pop().db, bases, prefixes, batch_size=batch_size, progress=bar.update)
    click.echo(summary.line())


@renditions.command("render")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes rendering notices (default: one per core; 0: none, this process renders).")
@one_line_errors
def render(batch_size: int, workers: int | None):
    """Render the rendering backlog: notices stored without their renditions (harvests defer them; `pop worker`
    renders them between runs). Datestamps do not move: /oai already serves these notices, rendered on read."""
    from ..bulk import render_backlog_in_parallel

    db = pop().db
    with db.session() as session:
        pending = backlog_size(session)
    with click.progressbar(length=pending, label="rendering", file=sys.stderr, show_pos=True) as bar:
        if workers == 0:
            done = render_pending(db, batch_size=batch_size, progress=bar.update)
        else:
            done = render_backlog_in_parallel(db, batch_size=batch_size, workers=workers, progress=bar.update)
    click.echo(f"rendered: {done}")


commands = [renditions]
