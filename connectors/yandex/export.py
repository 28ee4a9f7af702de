"""Yandex Cloud detailed billing export (CSV) → FOCUS cost lines, streamed row by row.

Usable without S3: `parse_billing_export(stream)` reads a file the user sent. One row is one
SKU's consumption per day per folder (providers.md §3.5). The export's `date` is a Moscow
calendar day; InfraZen keeps it as the billing day (ChargePeriodStart = that date 00:00 UTC,
one whole day), so a day's total matches the Yandex console instead of being split across two
UTC days. EffectiveCost = cost + credit (credit is negative); ListCost = BilledCost = cost.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import IO

from connectors.errors import InvalidInput
from connectors.safe_io import ReadLimits, RecordGuard, open_text
from core.domain.collection import CostLine, Window
from core.domain.money import MoneyParseError, parse_decimal

__all__ = ["REQUIRED_COLUMNS", "parse_billing_export"]

REQUIRED_COLUMNS = ("cloud_id", "folder_id", "service_name", "sku_id", "sku_name", "date",
                    "currency", "cost")
_LABEL = "label.user_labels."
# Service name prefix → FOCUS ServiceCategory (declarative; unknown → None).
_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Compute Cloud", "Compute"), ("Cloud Functions", "Compute"),
    ("Serverless Containers", "Compute"), ("Managed Service for Kubernetes", "Compute"),
    ("Object Storage", "Storage"), ("Virtual Private Cloud", "Networking"),
    ("Cloud DNS", "Networking"), ("Application Load Balancer", "Networking"),
    ("Network Load Balancer", "Networking"), ("Managed Service for", "Databases"),
    ("Yandex Database", "Databases"), ("Monitoring", "Management and Governance"),
    ("Cloud Logging", "Management and Governance"),
)


def _category(service: str) -> str | None:
    return next((cat for prefix, cat in _CATEGORIES if service.startswith(prefix)), None)


def _text_stream(source: IO[bytes] | IO[str], limits: ReadLimits) -> IO[str]:
    """Bytes go through the bounded reader (line, size and ratio caps; gzip accepted)."""
    probe = source.read(0)
    if isinstance(probe, bytes):
        return open_text(source, limits, provider="yandex")  # type: ignore[arg-type]
    return source  # type: ignore[return-value]


def _number(row: dict[str, str], column: str, line: int, *, required: bool) -> Decimal | None:
    raw = (row.get(column) or "").strip()
    if not raw:
        if required:
            raise InvalidInput(f"row {line}: column {column} is empty", provider="yandex",
                               row=line, column=column)
        return None
    try:
        return parse_decimal(raw, field=column)
    except MoneyParseError as exc:
        raise InvalidInput(f"row {line}: column {column}: {raw!r} is not a number",
                           provider="yandex", row=line, column=column) from exc


def _day(raw: str, line: int) -> date:
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError as exc:
        raise InvalidInput(f"row {line}: column date: {raw!r} is not a date (YYYY-MM-DD)",
                           provider="yandex", row=line, column="date") from exc


def parse_billing_export(source: IO[bytes] | IO[str], *, window: Window | None = None,
                         limits: ReadLimits | None = None) -> Iterator[CostLine]:
    """Yield one cost line per CSV row; the first bad row raises InvalidInput naming it.
    A line, a record or the file past `limits` raises InvalidInput before it is held."""
    limits = limits or ReadLimits()
    guard = RecordGuard(_text_stream(source, limits), limits, provider="yandex")
    try:
        yield from _rows(guard, window)
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", provider="yandex") from None
    except csv.Error as exc:
        raise InvalidInput(f"not a readable CSV file: {exc}", provider="yandex") from None


def _rows(guard: RecordGuard, window: Window | None) -> Iterator[CostLine]:
    reader = csv.DictReader(guard)
    header = [name.strip() for name in reader.fieldnames or []]
    guard.held = 0
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"not a Yandex Cloud billing export: missing column(s) "
                           f"{', '.join(missing)}", provider="yandex", row=1, column=missing[0])
    labels = [c for c in header if c.startswith(_LABEL)]
    for line, row in enumerate(reader, start=2):
        guard.held = 0
        day = _day(row.get("date") or "", line)
        if window is not None and not (window.start <= day < window.end):
            continue
        cost = _number(row, "cost", line, required=True)
        assert cost is not None
        credit = _number(row, "credit", line, required=False) or Decimal(0)
        start = datetime.combine(day, time(), UTC)
        folder = (row.get("folder_name") or "").strip()
        cloud = (row.get("cloud_name") or "").strip()
        service = (row.get("service_name") or "").strip()
        yield CostLine(
            charge_period_start=start, charge_period_end=start + timedelta(days=1),
            billed_cost=cost, effective_cost=cost + credit, list_cost=cost,
            billing_currency=(row.get("currency") or "RUB").strip() or "RUB",
            service_name=service or None, service_category=_category(service),
            resource_id=(row.get("resource_id") or "").strip() or None,
            sub_account_id=(row.get("folder_id") or "").strip() or None,
            sub_account_name="/".join(p for p in (cloud, folder) if p) or None,
            provider_name="Yandex Cloud", charge_description=(row.get("sku_name") or None),
            pricing_quantity=_number(row, "pricing_quantity", line, required=False),
            pricing_unit=(row.get("pricing_unit") or "").strip() or None,
            sku_id=(row.get("sku_id") or "").strip() or None,
            tags={c[len(_LABEL):]: row[c] for c in labels if row.get(c)})
