"""Partners (remote OAI-PMH repositories), their harvest runs, the records quarantined by a run, and the REFs POP
minted for partners' source identifiers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (BigInteger, Boolean, false, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from .base import BigId, JsonType, Model


class Partner(Model):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # also its OAI set spec and notices' source
    url: Mapped[str] = mapped_column(String(1024))
    metadata_prefix: Mapped[str] = mapped_column(String(64))
    sets: Mapped[list] = mapped_column(JsonType, default=list)  # empty: the whole repository
    base: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[str] = mapped_column(String(64))
    interval_seconds: Mapped[int | None] = mapped_column(Integer)  # None: only run by hand
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    granularity: Mapped[str | None] = mapped_column(String(32))  # learned from Identify
    created: Mapped[datetime] = mapped_column(DateTime)
    updated: Mapped[datetime] = mapped_column(DateTime)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the next run harvests everything: what it harvests changed (URL, format, sets, mapping, base)
    full_next: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # where its notices' REFs come from (harvest/refs.py): "identifier" or "mint"
    refs: Mapped[str] = mapped_column(String(16), default="identifier", server_default="identifier")
    licence: Mapped[str | None] = mapped_column(String(256))  # its metadata licence (SPDX id or URI)
    # the user info of its URL (`user:secret`), kept out of `url` so no listing or log shows it; sent as basic auth
    credentials: Mapped[str | None] = mapped_column(String(1024))
    # an operator gave its URL (`pop harvest add`): any address; the admin API's: the address rules apply
    trusted_url: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class HarvestRun(Model):
    __tablename__ = "harvest_run"
    __table_args__ = (Index("ix_harvest_run_partner_id_started", "partner_id", "started"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    # queued | running | succeeded | incomplete (fewer records than announced) | failed | interrupted
    status: Mapped[str] = mapped_column(String(16))
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat: Mapped[datetime | None] = mapped_column(DateTime)
    from_date: Mapped[str | None] = mapped_column(String(32))  # the `from` argument sent, as sent
    response_date: Mapped[str | None] = mapped_column(String(32))  # the first page's responseDate
    resumption_token: Mapped[str | None] = mapped_column(Text)  # checkpoint: the next page to ask for
    pages: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class HarvestIssue(Model):
    """A record a run could not store: what it was, why, and the raw XML as received."""

    __tablename__ = "harvest_issue"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("harvest_run.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    identifier: Mapped[str | None] = mapped_column(String(512))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime)


class MintedRef(Model):
    """A REF POP minted for a partner's source identifier (partners with `refs = mint`: store/minted_refs.py).
    Kept when the partner is deleted, like its notices: the same name harvesting again finds the same REFs."""

    __tablename__ = "minted_ref"
    __table_args__ = (UniqueConstraint("base", "ref"), UniqueConstraint("base", "number"),
                      UniqueConstraint("source", "base", "source_identifier"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    base: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(BigInteger)  # the counter the REF was written from (harvest/refs.py)
    source: Mapped[str] = mapped_column(String(64))  # the partner's name
    source_identifier: Mapped[str] = mapped_column(String(512))  # its OAI identifier
    created: Mapped[datetime] = mapped_column(DateTime)
