"""The store's tables (SQLAlchemy 2). Alembic migrations in store/migrations own the schema.

All timestamps are naive datetimes in UTC (whole seconds for datestamps): SQLite and PostgreSQL compare
them alike, and OAI-PMH speaks UTC only.
"""
from .base import Model
from .notice import NoticeRow, Rendition, RenditionDictionary, StoreState
from .harvest import Partner, HarvestRun, HarvestIssue, MintedRef
from .admin import ApiToken, ExportSnapshot
from .image import ImageRow

__all__ = ["Model", "NoticeRow", "Rendition", "RenditionDictionary", "StoreState", "Partner", "HarvestRun",
           "HarvestIssue", "MintedRef", "ApiToken", "ExportSnapshot", "ImageRow"]
