"""Notices, their renditions, and the store's change counter."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint, text, true)
from sqlalchemy.orm import Mapped, mapped_column

from .base import BigId, JsonType, Model


class NoticeRow(Model):
    """A stored notice (or its tombstone). `datestamp` is the last time what we publish of it changed."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("base", "ref"),
        Index("ix_notice_datestamp_id", "datestamp", "id"),
        Index("ix_notice_base_datestamp_id", "base", "datestamp", "id"),
        Index("ix_notice_base_producer_datestamp_id", "base", "producer_slug", "datestamp", "id"),
        Index("ix_notice_source_datestamp_id", "source", "datestamp", "id"),
        # The console's grouped count of notices per base and source (store/console.notice_counts) reads it, not
        # the table: ~1 MB for 200,000 notices (migration 0014)
        Index("ix_notice_base_source_deleted", "base", "source", "deleted"),
        # The rendering backlog: notices written without their renditions (harvests), small by design.
        Index("ix_notice_unrendered", "id", postgresql_where=text("NOT rendered"), sqlite_where=text("NOT rendered")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    base: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict] = mapped_column(JsonType)
    producer: Mapped[str | None] = mapped_column(String(128))
    producer_slug: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(64), default="local")  # "local" or a partner's name
    source_identifier: Mapped[str | None] = mapped_column(String(512))  # the partner's OAI identifier
    source_datestamp: Mapped[str | None] = mapped_column(String(32))  # the partner's datestamp, as it said it
    # Provenance of a harvested notice (harvest/provenance.py, published by /oai): the partner's base URL
    # without credentials, the namespace of the metadata harvested, the partner's own provenance chain (JSON)
    source_base_url: Mapped[str | None] = mapped_column(String(1024))
    source_namespace: Mapped[str | None] = mapped_column(String(512))
    source_provenance: Mapped[str | None] = mapped_column(Text)
    # The partner's metadata licence (SPDX id or URI) of a harvested notice; None: POP's own, or stated by none
    licence: Mapped[str | None] = mapped_column(String(256))
    content_hash: Mapped[str] = mapped_column(String(64))  # of the published fields
    fields_hash: Mapped[str] = mapped_column(String(64))  # of every stored field
    created: Mapped[datetime] = mapped_column(DateTime)
    datestamp: Mapped[datetime] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # False: written without its renditions (a harvest defers them); the rendering backlog renders them and
    # until then the provider renders the notice on read. Tombstones are always True (nothing to render).
    rendered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Rendition(Model):
    """A notice serialized in one metadata format, rendered when the notice is written (or soon after: see
    `NoticeRow.rendered`)."""

    __tablename__ = "rendition"

    notice_id: Mapped[int] = mapped_column(BigId, ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(16))  # the format's mapping version it was rendered with
    # The XML as a Zstandard frame, compressed with a dictionary of its format (store/packing.py)
    packed: Mapped[bytes] = mapped_column(LargeBinary)


class RenditionDictionary(Model):
    """A Zstandard dictionary trained on the store's renditions of one format; `id` is the dictionary id written in
    the header of every frame packed with it (store/packing.py). Never changed; kept while a frame names it."""

    __tablename__ = "rendition_dictionary"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    format: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    samples: Mapped[int] = mapped_column(Integer)  # renditions it was trained on
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StoreState(Model):
    """One row: a counter every write bumps, so caches of counts and sets know when to refresh."""

    __tablename__ = "store_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigId, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime)
