"""Structured logs: one JSON event per line, with the request id (and whatever ids the caller adds).

    log = logging.getLogger("pop.oai"); log.info("oai.request", extra={"verb": "ListRecords", "records": 100})
"""
from __future__ import annotations

import json
import logging
import os
import time

import orjson
from flask import Flask, g, request

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Values JSON has no type for are written as str() gives them, datetimes and dataclasses included
_DUMPS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class JsonFormatter(logging.Formatter):
    """One JSON object a line. Every request logs a line or so: the second's timestamp is made once."""

    _last: tuple[int, str] = (-1, "")  # (second, its timestamp), replaced whole: threads read it safely

    def _time(self, created: float) -> str:
        second, stamp = self._last
        if int(created) != second:
            second = int(created)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
            self._last = (second, stamp)
        return stamp

    def format(self, record: logging.LogRecord) -> str:
        event = {"time": self._time(record.created), "level": record.levelname.lower(), "logger": record.name,
                 "event": record.getMessage()}
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key[0] != "_":
                event[key] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(event, default=str, option=_DUMPS).decode()
        except TypeError:  # what orjson refuses (an integer past 64 bits…): the standard library writes it
            return json.dumps(event, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.request_id
        except (AttributeError, RuntimeError):  # outside a request
            pass
        return True


def init_logging(app: Flask) -> None:
    logger = logging.getLogger("pop")
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def _request_id() -> None:
        g.request_id = request.environ.get("HTTP_X_REQUEST_ID") or os.urandom(8).hex()

    @app.after_request
    def _echo_request_id(response):
        request_id = g.get("request_id")
        if request_id is not None:
            response.headers["X-Request-Id"] = request_id
        return response
