"""API tokens for the admin API and metadata of the prebuilt export snapshots."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model


class ApiToken(Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token; the token is never kept
    created: Mapped[datetime] = mapped_column(DateTime)
    last_used: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # read: the admin API's GETs; admin: changes too (store/tokens.py SCOPES). Tokens from before scopes: admin
    scope: Mapped[str] = mapped_column(String(16), default="admin", server_default="admin")


class ExportSnapshot(Model):
    __tablename__ = "export_snapshot"
    __table_args__ = (UniqueConstraint("base", "format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    base: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(1024))
    records: Mapped[int] = mapped_column(BigInteger)  # notices the build read
    left_out: Mapped[int] = mapped_column(BigInteger, server_default="0")  # of them, not in the file (GeoJSON)
    # the years the base's objects date from, read by the build (protocols/export/coverage.py); None: unknown
    coverage_start: Mapped[int | None] = mapped_column(Integer)
    coverage_end: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    gzip_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    gzip_sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(DateTime)
    high_water: Mapped[datetime | None] = mapped_column(DateTime)  # newest datestamp it contains
    state_version: Mapped[int] = mapped_column(BigInteger)  # store_state.version it was built from
    fingerprint: Mapped[str | None] = mapped_column(String(64))  # of the base's published notices (export_store)
