"""`pop images probe|status`: measuring the notices' images for IIIF manifests (store/images.py, docs/iiif.md).
`probe_settings` and `address_policy` are what `pop worker` probes with too."""
from __future__ import annotations

from urllib.parse import urlsplit

import click

from formats.bases import BASES
from harvest.addresses import AddressPolicy
from harvest.image_probe import ProbeSettings
from store.images import image_statuses, probe_pending

from ..settings import Settings
from .common import one_line_errors, pop


def probe_settings(settings: Settings) -> ProbeSettings:
    return ProbeSettings(per_host=settings.image_probe_per_host, timeout=float(settings.harvest_timeout))


def address_policy(settings: Settings) -> AddressPolicy:
    """The address rules of partner URLs (the operator's allowed networks and hosts, when the settings have
    them), plus the configured image base's host: the operator chose it."""
    parts = urlsplit(settings.image_base_url)
    hosts = tuple(getattr(settings, "harvest_allowed_hosts", ()) or ())
    if parts.hostname:
        hosts += (f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname,)
    networks = tuple(getattr(settings, "harvest_allowed_networks", ()) or ())
    return AddressPolicy(allowed_networks=networks, allowed_hosts=hosts)


@click.group("images")
def images():
    """The images the notices link to: their media types and pixel sizes (IIIF canvases need them)."""


@images.command("probe")
@click.option("--base", "base_name", type=click.Choice(list(BASES)), help="Only this base (default: all).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Probe at most this many images.")
@one_line_errors
def probe(base_name: str | None, limit: int | None):
    """Measure the images not measured yet (and those unreachable a day ago), reading only their first bytes."""
    settings = pop().settings
    report = probe_pending(pop().db, limit=limit, base=base_name, settings=probe_settings(settings),
                           policy=address_policy(settings))
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(report.statuses.items())) or "none"
    per_image = f" ({report.requests / report.probed:.2f} requests, {report.bytes_read / report.probed / 1024:.1f} KB " \
        "per image)" if report.probed else ""
    click.echo(f"probed: {report.probed} — {statuses}{per_image}")


@images.command("status")
@one_line_errors
def status():
    """How many images are measured, failed, unreachable or refused."""
    with pop().db.session() as session:
        counts = image_statuses(session)
    click.echo(", ".join(f"{s}: {n}" for s, n in sorted(counts.items())) or "no image probed yet")


commands = [images]
