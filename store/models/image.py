"""What the store knows of each image the notices link to: its media type and pixel size (IIIF canvases need
them), as the probe (harvest/image_probe.py, driven by store/images.py) last found them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import BigId, Model


class ImageRow(Model):
    """One image URL. `status`: measured, failed (permanently: a reason), unreachable (asked again later),
    refused (the address rules)."""

    __tablename__ = "image"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    media_type: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int | None] = mapped_column(BigInteger)  # the whole file's, when its server says
    checked: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(512))
