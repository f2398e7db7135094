"""Flask extensions, created unbound here and attached in the factory."""
from __future__ import annotations

from flask import Flask
from flask_caching import Cache

from .settings import Settings

cache = Cache()


def init_cache(app: Flask, settings: Settings) -> None:
    if settings.cache_url and settings.cache_url.startswith(("redis://", "rediss://", "unix://")):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.cache_url, "CACHE_KEY_PREFIX": "pop:"}
    elif settings.env == "testing":
        config = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    else:
        config = {"CACHE_TYPE": "SimpleCache"}
    config["CACHE_DEFAULT_TIMEOUT"] = 3600
    cache.init_app(app, config=config)
