"""Every Prometheus metric InfraZen exposes, on one registry shared by the bot and core.

prometheus-client is a plain library, so core records sync and import figures here and the
bot records updates and sends; `bot.ops` serves `REGISTRY` at `/metrics`. One dedicated
registry (not the library's global one) keeps the exposition to what we define plus the
process collector, and lets tests read values with `REGISTRY.get_sample_value(...)`.
Label values are small closed sets (update types, outcomes, connector kinds, error codes):
never user ids, chat ids or free text, so the series count stays bounded.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "IMPORT_ROWS", "OUTBOX_BACKLOG", "OUTBOX_SEND_ERRORS",
           "OUTBOX_SENT", "REGISTRY", "SCHEDULER_HEARTBEAT", "SYNC_DURATION", "SYNC_FAILURES",
           "UPDATES", "UPDATE_DURATION", "exposition", "record_import", "record_send_error",
           "record_sync", "record_update"]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

UPDATES = Counter(
    "infrazen_updates", "Telegram updates handled by the dispatcher.",
    ["type", "outcome"], registry=REGISTRY)
UPDATE_DURATION = Histogram(
    "infrazen_update_duration_seconds", "Time from an update entering the dispatcher to its "
    "handler returning.", ["type"], registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))

OUTBOX_BACKLOG = Gauge(
    "infrazen_outbox_backlog", "Outbox messages waiting to be sent (pending or sending), "
    "read from the database at scrape time.", registry=REGISTRY)
OUTBOX_SENT = Counter(
    "infrazen_outbox_sent", "Outbox messages Telegram accepted.", registry=REGISTRY)
OUTBOX_SEND_ERRORS = Counter(
    "infrazen_outbox_send_errors", "Outbox sends Telegram refused or that did not reach it.",
    ["reason"], registry=REGISTRY)

SYNC_DURATION = Histogram(
    "infrazen_sync_duration_seconds", "Wall time of one connection sync (collect and apply).",
    ["kind", "status"], registry=REGISTRY,
    buckets=(0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0))
SYNC_FAILURES = Counter(
    "infrazen_sync_failures", "Connection syncs that failed, by connector kind and error code.",
    ["kind", "code"], registry=REGISTRY)

IMPORT_ROWS = Counter(
    "infrazen_import_rows", "Billing rows stored by file imports (FOCUS, CSV).",
    ["kind"], registry=REGISTRY)

SCHEDULER_HEARTBEAT = Gauge(
    "infrazen_scheduler_heartbeat_timestamp_seconds",
    "Unix time of the scheduler's last heartbeat in this process.", registry=REGISTRY)


def record_update(kind: str, outcome: str, seconds: float) -> None:
    """One update through the dispatcher: `outcome` is handled, unhandled or error."""
    UPDATES.labels(type=kind, outcome=outcome).inc()
    UPDATE_DURATION.labels(type=kind).observe(seconds)


def record_send_error(reason: str) -> None:
    """An outbox send that did not succeed: `throttled` (429), `blocked` (403), `server`
    (5xx), `network` (Telegram not reached) or `refused` (another 4xx)."""
    OUTBOX_SEND_ERRORS.labels(reason=reason).inc()


def record_sync(kind: str, status: str, seconds: float, error_code: str | None = None) -> None:
    """One finished sync; a failed one also counts under its error code."""
    SYNC_DURATION.labels(kind=kind, status=status).observe(seconds)
    if status == "failed":
        SYNC_FAILURES.labels(kind=kind, code=error_code or "unknown").inc()


def record_import(rows: int, kind: str) -> None:
    """Rows a file import stored (`kind`: focus, manual_csv …); called by the import service."""
    if rows > 0:
        IMPORT_ROWS.labels(kind=kind).inc(rows)


def exposition() -> bytes:
    """The registry in the Prometheus text format."""
    return generate_latest(REGISTRY)
