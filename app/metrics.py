"""Metrics operators ask about, in Prometheus' text format at /metrics.

Counters (requests per OAI verb and error, export bytes, harvest outcomes, cache failures, 503 and 500
answers) are incremented where the thing happens; gauges of the store (notices per base, deleted ones) are read
from the database at scrape time.
Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR to a writable folder so counters add up
across workers (prometheus_client's multiprocess mode).
"""
from __future__ import annotations

import os
from typing import Callable

from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

OAI_REQUESTS = Counter("pop_oai_requests", "OAI-PMH requests, by verb and error code ('' when none)",
                       ["verb", "error"])
EXPORT_BYTES = Counter("pop_export_bytes", "Bytes of exports sent, by base and format", ["base", "format"])
HARVEST_RUNS = Counter("pop_harvest_runs", "Harvest runs finished, by partner and outcome", ["partner", "outcome"])
HARVEST_RECORDS = Counter("pop_harvest_records", "Harvested records, by partner and what happened to them",
                          ["partner", "result"])
CACHE_ERRORS = Counter("pop_cache_errors", "Cache calls that failed (the answer was computed without the cache), "
                       "by operation", ["operation"])
UNAVAILABLE = Counter("pop_unavailable_responses", "503 answers (flow control), by area and reason",
                      ["area", "reason"])
SERVER_ERRORS = Counter("pop_server_errors", "Unexpected exceptions answered with a 500, by area", ["area"])


def labelled(metric: Counter) -> Callable[..., Counter]:
    """`metric.labels(*values)`, each child kept once looked up (`labels()` validates and locks on every call:
    several µs a request). For labels of few values (verbs, error codes, areas)."""
    children: dict[tuple[str, ...], Counter] = {}

    def child(*values: str) -> Counter:
        found = children.get(values)
        if found is None:
            found = children[values] = metric.labels(*values)
        return found
    return child


class StoreCollector:
    """Notices per base and state, read when scraped."""

    def __init__(self, counts):
        self.counts = counts  # () -> iterable of (base, deleted, count)

    def collect(self):
        gauge = GaugeMetricFamily("pop_notices", "Notices in the store, by base and state", labels=["base", "state"])
        for base, deleted, count in self.counts():
            gauge.add_metric([base, "deleted" if deleted else "published"], count)
        yield gauge


def render_metrics(counts) -> bytes:
    """Only what is listed here is exposed (not the process-wide default registry)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (OAI_REQUESTS, EXPORT_BYTES, HARVEST_RUNS, HARVEST_RECORDS, CACHE_ERRORS, UNAVAILABLE,
                          SERVER_ERRORS):
            registry.register(collector)
    registry.register(StoreCollector(counts))
    return generate_latest(registry)
